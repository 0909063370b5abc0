import { describe, expect, it } from 'vitest';
import {
  contactHours,
  defaultPaper,
  externshipLine,
  fileBase,
  formatLongDate,
  formatMoment,
  normaliseCode,
  statusOf,
  verdictOf,
  verifyPath,
} from './format';
import type { Certificate, Verification } from './types';

const UTC = { locale: 'en-GB', timeZone: 'UTC' };

const verification = (over: Partial<Verification> = {}): Verification => ({
  valid: true,
  status: 'active',
  code: '7QX2M-4KD9R-H3WTA',
  serial: 'BS-001001',
  holder_name: 'Ana López',
  course_title: 'Demo Course',
  course_version: 1,
  completed_at: '2026-03-02T15:00:00Z',
  issued_at: '2026-03-02T15:00:05Z',
  expires_at: null,
  contact_hours: 3.5,
  externship: null,
  issuer: { name: 'Benchside', url: 'https://learn.example.org' },
  revoked_at: null,
  superseded_by: null,
  checked_at: '2026-03-10T09:30:00Z',
  ...over,
});

const certificate = (over: Partial<Certificate> = {}): Certificate => ({
  id: '0195c5a0-0000-7000-8000-000000000001',
  serial: 'BS-001001',
  code: '7QX2M-4KD9R-H3WTA',
  status: 'active',
  holder_name: 'Ana López',
  course: { slug: 'demo-course', title: 'Demo Course', version: 1 },
  enrolment_id: '0195c5a0-0000-7000-8000-000000000002',
  completed_at: '2026-03-02T15:00:00Z',
  issued_at: '2026-03-02T15:00:05Z',
  expires_at: null,
  contact_hours: 3.5,
  externship: null,
  revoked_at: null,
  revoked_reason: null,
  superseded_by: null,
  links: {
    verify: 'https://learn.example.org/verify/7QX2M-4KD9R-H3WTA',
    pdf_a4: 'x',
    pdf_letter: 'x',
    credential_jwt: 'x',
    credential_json: 'x',
    linkedin: 'https://www.linkedin.com/profile/add?x=1',
  },
  ...over,
});

describe('verification codes', () => {
  it('read back as people type them, in groups of five', () => {
    expect(normaliseCode('7QX2M-4KD9R-H3WTA')).toBe('7QX2M-4KD9R-H3WTA');
    expect(normaliseCode('7qx2m4kd9rh3wta')).toBe('7QX2M-4KD9R-H3WTA');
    expect(normaliseCode('  7qx2m 4kd9r h3wta ')).toBe('7QX2M-4KD9R-H3WTA');
    expect(normaliseCode('7QX2M – 4KD9R — H3WTA')).toBe('7QX2M-4KD9R-H3WTA');
    expect(normaliseCode('7QX2M\u00a04KD9R\tH3WTA')).toBe('7QX2M-4KD9R-H3WTA');
  });

  it('take O, I and L for the digits they look like, as the server does', () => {
    expect(normaliseCode('ABCDE-FGH1O-olI00')).toBe('ABCDE-FGH10-01100');
  });

  it('refuse what cannot be a code', () => {
    for (const bad of ['', '   ', '7QX2M-4KD9R', '7QX2M-4KD9R-H3WTAA', '7QX2M-4KD9R-H3WTU', '7QX2M_4KD9R_H3WTA', '7QX2M-4KD9R-H3WTé', 'ßßßßß-ßßßßß-ßßßßS', '-'.repeat(61)]) {
      expect(normaliseCode(bad), bad).toBeNull();
    }
  });

  it('make the verification page path', () => {
    expect(verifyPath('7qx2m4kd9rh3wta')).toBe('/verify/7QX2M-4KD9R-H3WTA');
    expect(verifyPath('not a code')).toBe('/verify/not%20a%20code');
  });
});

describe('the verdict', () => {
  it('says valid for an active certificate, with its expiry when it has one', () => {
    expect(verdictOf(verification(), UTC)).toEqual({
      kind: 'active',
      title: 'Valid certificate',
      detail: 'Benchside issued this certificate, and it is current.',
      replacement: null,
    });
    expect(verdictOf(verification({ expires_at: '2028-03-02T15:00:05Z' }), UTC).detail).toBe(
      'Benchside issued this certificate, and it is current until 2 March 2028.',
    );
  });

  it('gives the date an expired or revoked certificate stopped counting', () => {
    const expired = verdictOf(verification({ valid: false, status: 'expired', expires_at: '2026-09-02T15:00:05Z' }), UTC);
    expect(expired.kind).toBe('expired');
    expect(expired.title).toBe('Expired on 2 September 2026');
    expect(expired.detail).toContain('completed on 2 March 2026');
    const revoked = verdictOf(verification({ valid: false, status: 'revoked', revoked_at: '2026-04-01T08:00:00Z' }), UTC);
    expect(revoked).toMatchObject({ kind: 'revoked', title: 'Revoked on 1 April 2026', replacement: null });
    expect(revoked.detail).toBe('Benchside withdrew this certificate. It is not valid.');
  });

  it('points a replaced certificate to the newer one', () => {
    const v = verdictOf(
      verification({ valid: false, status: 'superseded', superseded_by: { code: 'abcde-fghjk-mnpqr', verify_url: 'https://x/verify/ABCDE-FGHJK-MNPQR' } }),
      UTC,
    );
    expect(v).toMatchObject({
      kind: 'superseded',
      title: 'Replaced by a newer certificate',
      replacement: { code: 'ABCDE-FGHJK-MNPQR', href: '/verify/ABCDE-FGHJK-MNPQR' },
    });
    expect(verdictOf(verification({ valid: false, status: 'superseded' }), UTC).replacement).toBeNull();
  });

  it('never calls a certificate the server does not confirm valid', () => {
    expect(verdictOf(verification({ valid: false }), UTC)).toMatchObject({ kind: 'invalid', title: 'Not a valid certificate' });
  });
});

describe('a learner’s certificate status', () => {
  it('offers sharing for valid and expired certificates only', () => {
    expect(statusOf(certificate(), UTC)).toEqual({ badge: 'Valid', text: 'Current, with no expiry date.', shareable: true });
    expect(statusOf(certificate({ expires_at: '2028-03-02T15:00:05Z' }), UTC).text).toBe('Current until 2 March 2028.');
    const expired = statusOf(certificate({ status: 'expired', expires_at: '2026-09-02T15:00:05Z' }), UTC);
    expect(expired).toMatchObject({ badge: 'Expired', shareable: true });
    expect(expired.text).toMatch(/^Expired on 2 September 2026: /);
    const revoked = statusOf(certificate({ status: 'revoked', revoked_at: '2026-04-01T08:00:00Z', revoked_reason: 'Issued in error.' }), UTC);
    expect(revoked).toMatchObject({ badge: 'Revoked', shareable: false });
    expect(revoked.text).toMatch(/^Revoked on 1 April 2026: Issued in error\. It is no longer valid/);
    const replaced = statusOf(certificate({ status: 'superseded', superseded_by: '0195c5a0-0000-7000-8000-000000000009' }), UTC);
    expect(replaced).toMatchObject({ badge: 'Replaced', shareable: false });
    expect(replaced.text).toContain('A newer certificate replaced this one');
  });
});

describe('the externship line', () => {
  it('writes hours, collections and competencies with their plurals', () => {
    expect(externshipLine({ hours: 120, collections: 100, competencies: ['a', 'b', 'c', 'd', 'e'] })).toBe(
      '120 clinical hours · 100 successful unaided collections · 5 competencies',
    );
    expect(externshipLine({ hours: 1, collections: 1, competencies: ['a'] })).toBe(
      '1 clinical hour · 1 successful unaided collection · 1 competency',
    );
    expect(externshipLine({ hours: 20.5, collections: 2, competencies: ['a', 'b'] })).toBe(
      '20.5 clinical hours · 2 successful unaided collections · 2 competencies',
    );
  });

  it('leaves out what there is none of, and is empty without an externship', () => {
    expect(externshipLine({ hours: 0, collections: 0, competencies: [] })).toBe('0 clinical hours');
    expect(externshipLine({ hours: 8, collections: 0, competencies: ['a'] })).toBe('8 clinical hours · 1 competency');
    expect(externshipLine(null)).toBe('');
    expect(externshipLine(undefined)).toBe('');
  });

  it('rounds fractions of an hour to two places', () => {
    expect(externshipLine({ hours: 1 / 3, collections: 0, competencies: [] })).toBe('0.33 clinical hours');
    expect(contactHours(3.5)).toBe('3.5 contact hours');
    expect(contactHours(1)).toBe('1 contact hour');
    expect(contactHours(0)).toBe('0 contact hours');
  });
});

describe('dates', () => {
  it('are written out in full, in the reader’s language and time zone', () => {
    expect(formatLongDate('2026-03-02T15:00:00Z', UTC)).toBe('2 March 2026');
    expect(formatLongDate('2026-03-02T15:00:00Z', { locale: 'en-US', timeZone: 'UTC' })).toBe('March 2, 2026');
    // Late in the evening in New York is the next day in UTC.
    expect(formatLongDate('2026-03-03T02:00:00Z', { locale: 'en-US', timeZone: 'America/New_York' })).toBe('March 2, 2026');
    expect(formatLongDate(null)).toBe('');
    expect(formatLongDate('not a date')).toBe('');
  });

  it('give the checking time with its zone', () => {
    expect(formatMoment('2026-03-10T09:30:00Z', UTC)).toBe('10 March 2026 at 09:30 UTC');
    expect(formatMoment(undefined)).toBe('');
  });
});

describe('downloads', () => {
  it('choose the paper the reader’s region prints on', () => {
    expect(defaultPaper('en-US')).toBe('letter');
    expect(defaultPaper('es_MX')).toBe('letter');
    expect(defaultPaper('fr-CA')).toBe('letter');
    expect(defaultPaper('en-GB')).toBe('a4');
    expect(defaultPaper('de')).toBe('a4');
    expect(defaultPaper(undefined)).toBe('a4');
  });

  it('name files after the serial', () => {
    expect(fileBase({ serial: 'BS-001001' })).toBe('benchside-certificate-BS-001001');
    expect(fileBase({ serial: 'BS/../1' })).toBe('benchside-certificate-BS1');
  });
});
