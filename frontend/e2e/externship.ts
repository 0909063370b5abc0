// Setup for the externship specs that no learner page does: the real courses imported with
// the `benchside` CLI, an admin made with `benchside create-admin`, and a site and placement
// made through the admin API. Assertions go through pages (and the API for counts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base, uniqueEmail } from './helpers';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function binary(): string {
  if (process.env.BENCHSIDE_BIN) return process.env.BENCHSIDE_BIN;
  const found = ['target/debug/benchside', 'target/release/benchside']
    .map((p) => join(root, p))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!found.length) throw new Error('no benchside binary: run `cargo build` first (or set BENCHSIDE_BIN)');
  return found[0]!;
}

/** Runs the CLI against the e2e server's database. */
function cli(args: string[], input?: string): string {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set (global setup did not run)');
  return execFileSync(binary(), args, {
    cwd: root,
    input,
    encoding: 'utf8',
    env: {
      ...process.env,
      BENCHSIDE_ENV: 'development',
      DATABASE_URL: url,
      BENCHSIDE_DATA_DIR: mkdtempSync(join(tmpdir(), 'benchside-e2e-cli-')),
      BENCHSIDE_JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e-0001',
      RUST_LOG: 'warn',
    },
  });
}

/** Imports the real courses (`courses/`: phlebotomy-technician, mlt-foundations). Importing again changes nothing. */
export function importRealCourses(): void {
  cli(['courses', 'import', join(root, 'courses')]);
}

/** True for the keep-alive race: the server closed an idle pooled connection just as this
 * request went out on it (undici: `SocketError: other side closed`), so nothing was answered. */
function closedIdle(e: unknown): boolean {
  const cause = (e as { cause?: { code?: string } }).cause;
  return e instanceof TypeError && cause?.code === 'UND_ERR_SOCKET';
}

async function call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: T }> {
  const send = () =>
    fetch(`${base()}${path}`, {
      method,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // Sent again once, on a new connection, only when the pooled one was closed under it.
  const res = await send().catch((e: unknown) => {
    if (closedIdle(e)) return send();
    throw e;
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A new admin account, signed in through the API; returns its access token. */
export async function adminToken(): Promise<string> {
  const email = uniqueEmail('admin');
  const password = 'Admin-Password-Long-1';
  cli(['create-admin', '--email', email, '--name', 'E2E Admin'], `${password}\n`);
  const r = await call<{ access_token: string }>('POST', '/api/v1/auth/login', null, { email, password });
  if (r.status !== 200) throw new Error(`admin login: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

/** `YYYY-MM-DD` of today plus `days`, in this machine's time zone (the browser's). */
export function day(days = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export interface PlacedAt {
  siteId: string;
  placementId: string;
  supervisor: { name: string; email: string };
}

/** Places the enrolment at a new site (through the admin API), from a week ago to a month ahead. */
export async function placeEnrolment(token: string, enrolmentId: string, opts: { departments?: string[] } = {}): Promise<PlacedAt> {
  const site = await call<{ id: string }>('POST', '/api/v1/admin/externship/sites', token, {
    name: `Riverside Hospital ${Date.now() % 100000}`,
    address: '1 River Road, Springfield',
  });
  if (site.status !== 201) throw new Error(`create site: ${site.status} ${JSON.stringify(site.body)}`);
  const supervisor = { name: 'Dana Reyes', email: uniqueEmail('supervisor') };
  const placement = await call<{ id: string }>('POST', '/api/v1/admin/externship/placements', token, {
    enrolment_id: enrolmentId,
    site_id: site.body.id,
    supervisor_name: supervisor.name,
    supervisor_email: supervisor.email,
    supervisor_credential: 'PBT(ASCP)',
    starts_on: day(-7),
    ends_on: day(30),
    departments: opts.departments ?? null,
  });
  if (placement.status !== 201) throw new Error(`create placement: ${placement.status} ${JSON.stringify(placement.body)}`);
  return { siteId: site.body.id, placementId: placement.body.id, supervisor };
}

export interface EntryView {
  id: string;
  kind: 'shift' | 'collection';
  client_id: string;
  state: string;
  shift?: { start: string; end: string } | null;
  collection?: { type: string } | null;
}

/** The log as the server has it (an admin may read any enrolment's). */
export async function entriesOf(token: string, enrolmentId: string): Promise<EntryView[]> {
  const r = await call<EntryView[]>('GET', `/api/v1/enrolments/${enrolmentId}/externship/entries`, token);
  if (r.status !== 200) throw new Error(`entries: ${r.status}`);
  return r.body;
}

/** Whether the PDF logbook route exists on this server yet. */
export async function hasLogbookPdf(token: string, enrolmentId: string): Promise<boolean> {
  const res = await fetch(`${base()}/api/v1/enrolments/${enrolmentId}/externship/logbook.pdf`, { headers: { Authorization: `Bearer ${token}` } });
  return res.status === 200;
}
