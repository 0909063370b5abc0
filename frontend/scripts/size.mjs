// First-load size of the web app: the JavaScript and CSS that index.html loads (every page,
// the lesson reader included, starts from these; the quiz and account pages load their own
// chunk on demand). Fails above the budget (200 KB of compressed JavaScript).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const root = process.argv[2] ?? 'dist';
const BUDGET = 200 * 1024;
const html = readFileSync(join(root, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let js = { raw: 0, gz: 0, br: 0 };
let css = { raw: 0, gz: 0, br: 0 };
for (const ref of new Set(refs)) {
  const data = readFileSync(join(root, ref));
  const t = ref.endsWith('.js') ? js : css;
  t.raw += data.length;
  t.gz += gzipSync(data, { level: 9 }).length;
  t.br += brotliCompressSync(data).length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`first load JS: ${kb(js.raw)} raw, ${kb(js.gz)} gzip, ${kb(js.br)} brotli`);
console.log(`first load CSS: ${kb(css.raw)} raw, ${kb(css.gz)} gzip, ${kb(css.br)} brotli`);
if (js.gz > BUDGET) {
  console.error(`size: first-load JS ${kb(js.gz)} gzip is over the ${kb(BUDGET)} budget`);
  process.exit(1);
}
