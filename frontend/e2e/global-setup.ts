// Starts the real server (`benchside serve`, the binary cargo built) on a free port over a
// fresh database, with the built web app and rate limits off, delivering its mail over SMTP to
// the sink of smtp-sink.ts (which the tests read: helpers.ts `linkFromMail`). Returns the
// teardown that stops both and drops the database.
//
// Database: BENCHSIDE_TEST_DATABASE_URL (a maintenance database, as for the Rust tests): a
// database `benchside_e2e_<time>` is created there with psql and dropped at the end. Without
// it, `serve` runs its own private cluster in the temporary data folder. Either way the tests get
// the database's URL in E2E_DATABASE_URL (and the state file), for the few steps that set up
// what no page can, such as an attempt's deadline (helpers.ts `sql`).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startSmtpSink } from './smtp-sink';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
export const STATE_FILE = join(here, '..', 'test-results', 'e2e-server.json');

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export function binary(): string {
  if (process.env.BENCHSIDE_BIN) return process.env.BENCHSIDE_BIN;
  const candidates = ['target/debug/benchside', 'target/release/benchside']
    .map((p) => join(root, p))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!candidates.length) throw new Error('no benchside binary: run `cargo build` first (or set BENCHSIDE_BIN)');
  return candidates[0]!;
}

async function waitReady(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`benchside serve exited with ${child.exitCode}; see ${log}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`benchside serve did not become ready; see ${log}`);
}

/**
 * The server logs at `warn` (RUST_LOG): anything it logged is printed at the end of the run,
 * its last lines in full, so a failure's server side is in the test output (the data folder
 * with the log is removed).
 */
function printServerLog(log: string): void {
  const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
  if (lines.length === 0) return;
  console.log(`e2e: the server logged ${lines.length} line(s) at warn or above; the last ${Math.min(lines.length, 40)}:`);
  for (const line of lines.slice(-40)) console.log(`  ${line}`);
}

export default async function globalSetup() {
  const dist = join(root, 'frontend', 'dist', 'index.html');
  if (!existsSync(dist)) throw new Error('frontend/dist is missing: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'benchside-e2e-'));
  const port = await freePort();
  const sink = await startSmtpSink();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    BENCHSIDE_ENV: 'development',
    BENCHSIDE_LISTEN: `127.0.0.1:${port}`,
    BENCHSIDE_PUBLIC_URL: base,
    BENCHSIDE_DATA_DIR: dataDir,
    BENCHSIDE_FRONTEND_DIR: join(root, 'frontend', 'dist'),
    BENCHSIDE_COURSES_DIR: join(root, 'tests', 'fixtures', 'courses', 'valid'),
    BENCHSIDE_IMPORT_COURSES_ON_START: 'true',
    BENCHSIDE_MAIL_TRANSPORT: 'smtp',
    BENCHSIDE_SMTP_URL: `smtp://127.0.0.1:${sink.smtpPort}`,
    BENCHSIDE_MAIL_POLL_MS: '100',
    BENCHSIDE_RATE_LIMITS: 'false',
    // A rotated signing key signs at once (e2e/credential.spec.ts rotates one).
    BENCHSIDE_SIGNING_KEY_LEAD_MINUTES: '0',
    BENCHSIDE_JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e-0001',
    BENCHSIDE_WORKERS: '2',
    BENCHSIDE_HASH_CONCURRENCY: '2',
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  };
  let dbName: string | null = null;
  const maint = process.env.BENCHSIDE_TEST_DATABASE_URL;
  if (maint) {
    dbName = `benchside_e2e_${Date.now()}_${process.pid}`;
    execFileSync('psql', ['-X', '-q', maint, '-c', `CREATE DATABASE "${dbName}"`], { stdio: 'inherit' });
    const u = new URL(maint);
    u.pathname = `/${dbName}`;
    env.DATABASE_URL = u.toString();
  } else {
    delete env.DATABASE_URL;
    // serve's private cluster runs as the `postgres` user when we are root: it must be able
    // to enter this folder.
    chmodSync(dataDir, 0o755);
  }
  const log = join(dataDir, 'serve.log');
  const out = openSync(log, 'a');
  const child = spawn(binary(), ['serve'], { cwd: root, env, stdio: ['ignore', out, out] });
  try {
    await waitReady(base, child, log);
  } catch (e) {
    child.kill('SIGTERM');
    await sink.close();
    throw e;
  }
  // The private cluster listens on the port it wrote in <data>/pg/port (src/db/cluster.rs).
  const databaseUrl =
    env.DATABASE_URL ?? `postgres://postgres@127.0.0.1:${readFileSync(join(dataDir, 'pg', 'port'), 'utf8').trim()}/benchside`;
  process.env.E2E_BASE_URL = base;
  process.env.E2E_MAIL_API = sink.apiUrl;
  process.env.E2E_DATABASE_URL = databaseUrl;
  process.env.E2E_DATA_DIR = dataDir;
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify({ base, mailApi: sink.apiUrl, databaseUrl, pid: child.pid }));

  return async () => {
    child.kill('SIGTERM');
    await new Promise<void>((res) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        res();
      }, 20_000);
      child.once('exit', () => {
        clearTimeout(t);
        res();
      });
    });
    await sink.close();
    printServerLog(log);
    if (maint && dbName) {
      try {
        execFileSync('psql', ['-X', '-q', maint, '-c', `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`], { stdio: 'inherit' });
      } catch {
        /* left for the Rust harness's sweep */
      }
    }
    if (!process.env.E2E_KEEP) rmSync(dataDir, { recursive: true, force: true });
  };
}
