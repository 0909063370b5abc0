// Downloads of the admin area (CSV exports): fetched with the session's token, since a plain
// link would carry none, and saved through an object URL under the server's file name.
import { api } from '../../api/client';

export async function saveFile(path: string, filename: string, query?: Record<string, string | number | undefined>): Promise<void> {
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
