// The certificate pages' words: verification codes as people type them, the verdict for each
// status, the status of a learner's certificate, the externship line, hours and dates.
import type { Certificate, CertificateStatus, ExternshipFacts, Verification } from './types';

/** Crockford's base32 alphabet (the server's src/credentials/code.rs): no I, L, O or U. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters in a code. */
export const CODE_LENGTH = 15;

/**
 * A verification code as people type or paste it, read the way the server reads it: case,
 * spaces and dashes do not matter, and O, I and L are the digits they look like. Returns the
 * code in groups of five (`7QX2M-4KD9R-H3WTA`), or null when it cannot be a code.
 */
export function normaliseCode(input: string): string | null {
  if (input.length > 60) return null;
  let out = '';
  for (const raw of input) {
    // Spaces of any kind and dashes of any kind (a pasted en dash) separate groups.
    if (/[\s\u2010-\u2015-]/u.test(raw)) continue;
    // ASCII letters only: "ß".toUpperCase() is "SS", which is no code.
    const up = /^[a-z]$/.test(raw) ? raw.toUpperCase() : raw;
    const c = up === 'O' ? '0' : up === 'I' || up === 'L' ? '1' : up;
    if (!ALPHABET.includes(c)) return null;
    out += c;
  }
  if (out.length !== CODE_LENGTH) return null;
  return `${out.slice(0, 5)}-${out.slice(5, 10)}-${out.slice(10)}`;
}

/** The verification page of a code (grouped, as the QR code writes it). */
export const verifyPath = (code: string) => `/verify/${encodeURIComponent(normaliseCode(code) ?? code)}`;

export interface DateOptions {
  locale?: string;
  timeZone?: string;
}

/** A date as "3 March 2026" (in the reader's language and time zone unless given). */
export function formatLongDate(iso: string | null | undefined, o: DateOptions = {}): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleDateString(o.locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: o.timeZone });
}

/** A moment as "3 March 2026, 14:05" (for "checked at"). */
export function formatMoment(iso: string | null | undefined, o: DateOptions = {}): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(o.locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: o.timeZone,
    timeZoneName: 'short',
  });
}

/** A number as people write it: 12, 8.5, 0.25. */
function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function count(n: number, one: string, many: string): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}

/** "3.5 contact hours", "1 contact hour". */
export function contactHours(n: number): string {
  return count(n, 'contact hour', 'contact hours');
}

/**
 * The approved externship in one line: "120 clinical hours · 100 successful unaided
 * collections · 5 competencies". Collections and competencies are left out when there are none.
 */
export function externshipLine(x: ExternshipFacts | null | undefined): string {
  if (!x) return '';
  const parts = [count(x.hours, 'clinical hour', 'clinical hours')];
  if (x.collections > 0) parts.push(count(x.collections, 'successful unaided collection', 'successful unaided collections'));
  if (x.competencies.length > 0) parts.push(count(x.competencies.length, 'competency', 'competencies'));
  return parts.join(' · ');
}

export type VerdictKind = CertificateStatus | 'invalid';

export interface Verdict {
  kind: VerdictKind;
  /** The big line at the top: "Valid certificate", "Expired on 3 March 2026". */
  title: string;
  /** One or two sentences under it. */
  detail: string;
  /** For a replaced certificate: the newer one's page. */
  replacement: { code: string; href: string } | null;
}

/** What the verification page says about a certificate, by its status. */
export function verdictOf(v: Verification, o: DateOptions = {}): Verdict {
  const issuer = v.issuer.name;
  const completed = formatLongDate(v.completed_at, o);
  switch (v.status) {
    case 'active':
      if (!v.valid) break;
      return {
        kind: 'active',
        title: 'Valid certificate',
        detail: v.expires_at
          ? `${issuer} issued this certificate, and it is current until ${formatLongDate(v.expires_at, o)}.`
          : `${issuer} issued this certificate, and it is current.`,
        replacement: null,
      };
    case 'expired':
      return {
        kind: 'expired',
        title: v.expires_at ? `Expired on ${formatLongDate(v.expires_at, o)}` : 'Expired',
        detail: `The course was completed on ${completed}, but this certificate is past its validity period and is no longer current.`,
        replacement: null,
      };
    case 'revoked':
      return {
        kind: 'revoked',
        title: v.revoked_at ? `Revoked on ${formatLongDate(v.revoked_at, o)}` : 'Revoked',
        detail: `${issuer} withdrew this certificate. It is not valid.`,
        replacement: null,
      };
    case 'superseded': {
      const next = v.superseded_by ? normaliseCode(v.superseded_by.code) ?? v.superseded_by.code : null;
      return {
        kind: 'superseded',
        title: 'Replaced by a newer certificate',
        detail: `${issuer} issued a newer certificate in place of this one (for example after a name change). This one is no longer used: check the newer one.`,
        replacement: next ? { code: next, href: verifyPath(next) } : null,
      };
    }
  }
  return { kind: 'invalid', title: 'Not a valid certificate', detail: `${issuer} does not confirm this certificate.`, replacement: null };
}

export interface StatusText {
  /** The badge: "Valid", "Expired", "Revoked", "Replaced". */
  badge: string;
  /** The status in words, for the card. */
  text: string;
  /** Downloads and sharing are offered (the server refuses them for revoked and replaced ones). */
  shareable: boolean;
}

/** A learner's certificate's status, in words. */
export function statusOf(c: Certificate, o: DateOptions = {}): StatusText {
  switch (c.status) {
    case 'active':
      return {
        badge: 'Valid',
        text: c.expires_at ? `Current until ${formatLongDate(c.expires_at, o)}.` : 'Current, with no expiry date.',
        shareable: true,
      };
    case 'expired':
      return {
        badge: 'Expired',
        text: `Expired on ${formatLongDate(c.expires_at, o)}: it is past its validity period, so employers who check it see that it is no longer current. Your completion of the course stays on record.`,
        shareable: true,
      };
    case 'revoked':
      return {
        badge: 'Revoked',
        text: `Revoked on ${formatLongDate(c.revoked_at, o)}${c.revoked_reason ? `: ${c.revoked_reason.replace(/[.\s]+$/, '')}` : ''}. It is no longer valid, so it cannot be downloaded or shared. Contact your program coordinator if you have questions.`,
        shareable: false,
      };
    case 'superseded':
      return {
        badge: 'Replaced',
        text: 'A newer certificate replaced this one (for example after a name change). Download and share the newer one instead.',
        shareable: false,
      };
  }
}

export type Paper = 'a4' | 'letter';

/** Regions that print on US Letter; everyone else on A4. */
const LETTER_REGIONS = new Set(['US', 'CA', 'MX', 'PH', 'CL', 'CO', 'VE', 'GT', 'CR', 'PR', 'PA', 'SV', 'DO', 'NI']);

/** The paper the reader's locale most likely prints on ("en-US": Letter, "en-GB": A4). */
export function defaultPaper(locale: string | undefined): Paper {
  const region = locale?.split(/[-_]/)[1]?.toUpperCase();
  return region && LETTER_REGIONS.has(region) ? 'letter' : 'a4';
}

/** The start of a downloaded file's name: "benchside-certificate-BS-001001". */
export function fileBase(c: Pick<Certificate, 'serial'>): string {
  return `benchside-certificate-${c.serial.replace(/[^A-Za-z0-9-]/g, '')}`;
}
