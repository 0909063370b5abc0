// The log's online actions on a row (each of its records in turn): edit a draft, delete a
// draft, correct a decided entry (an amendment). Unlike new entries these need the server now;
// a failure is thrown as the ApiError for the form to show, after the records already done.
import { api } from '../../api/client';
import type { LogItem } from './log';
import type { Amendment, Attestation, CollectionFields, Entry, EntryFields, ExternshipPaths, ShiftFields, Submission } from './types';

type Fields = ShiftFields | CollectionFields;

function part(item: LogItem, fields: Fields): EntryFields {
  return item.kind === 'shift' ? { shift: fields as ShiftFields } : { collection: fields as CollectionFields };
}

export async function editRow(paths: ExternshipPaths, item: LogItem, fields: Fields): Promise<void> {
  for (const e of item.entries) await api.put<Entry>(paths.entry(e.id), part(item, fields));
}

export async function deleteRow(paths: ExternshipPaths, item: LogItem): Promise<void> {
  for (const e of item.entries) await api.request<void>('DELETE', paths.entry(e.id));
}

export async function amendRow(paths: ExternshipPaths, item: LogItem, fields: Fields, reason: string): Promise<void> {
  for (const e of item.entries) {
    const body: Amendment = { reason, ...part(item, fields) };
    await api.post<Entry>(paths.amendments(e.id), body);
  }
}

export function submitDrafts(paths: ExternshipPaths, placementId: string): Promise<Attestation> {
  const body: Submission = { placement_id: placementId };
  return api.post<Attestation>(paths.submissions, body);
}

export function resendRequest(paths: ExternshipPaths, requestId: string): Promise<Attestation> {
  return api.post<Attestation>(paths.resend(requestId));
}

/** Downloads `path` (CSV, PDF) with the session's token and saves it as `filename`. */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await api.request<Blob>('GET', path, { as: 'blob' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
