// The certificate's downloads (PDF, credential), fetched with the session's token (a plain
// link would carry none) and saved through an object URL.
import { api } from '../../api/client';
import { fileBase, type Paper } from './format';
import type { Certificate } from './types';

const base = (c: Pick<Certificate, 'id'>) => `/api/v1/certificates/${encodeURIComponent(c.id)}`;

export type Download = { kind: 'pdf'; paper: Paper } | { kind: 'jwt' } | { kind: 'json' };

/** The same-origin API path and the file name of a download. */
export function downloadOf(c: Pick<Certificate, 'id' | 'serial'>, d: Download): { path: string; query?: Record<string, string>; filename: string } {
  const name = fileBase(c);
  switch (d.kind) {
    case 'pdf':
      return { path: `${base(c)}.pdf`, query: { paper: d.paper }, filename: `${name}-${d.paper === 'a4' ? 'A4' : 'letter'}.pdf` };
    case 'jwt':
      return { path: `${base(c)}/credential.jwt`, filename: `${name}-credential.jwt` };
    case 'json':
      return { path: `${base(c)}/credential.json`, filename: `${name}-credential.json` };
  }
}

export async function save(c: Pick<Certificate, 'id' | 'serial'>, d: Download): Promise<void> {
  const { path, query, filename } = downloadOf(c, d);
  const blob = await api.request<Blob>('GET', path, { as: 'blob', query });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
