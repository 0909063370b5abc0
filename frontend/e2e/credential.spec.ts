// The signed credential, checked the way an employer's software would: with an independent
// JOSE implementation (jose) that knows only the key set it fetches over HTTP, and a JSON
// Schema validator (Ajv, draft 2019-09) for the Open Badges 3.0 AchievementCredential shape.
// Then a tampered credential fails, a key rotation keeps old credentials verifiable, and a
// revocation flips the credential's bit in the signed status list.
import { expect, test } from '@playwright/test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { binary } from './global-setup';
import { adminToken } from './externship';
import { base, linkFromMail, sql, uniqueEmail } from './helpers';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const PASSWORD = 'Credential-Password-1';

type Json = Record<string, unknown>;

async function api<T = Json>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${base()}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text };
}

/** A verified learner who completed the demo course; returns the token and the certificate. */
async function certifiedLearner(tag: string): Promise<{ token: string; certificate: Json }> {
  const email = uniqueEmail(tag);
  expect((await api('POST', '/api/v1/auth/register', undefined, { email, name: 'Casey Credential', password: PASSWORD })).status).toBe(201);
  const link = await linkFromMail(email, 'verify-email');
  const token = new URL(link).searchParams.get('token');
  expect((await api('POST', '/api/v1/auth/verify-email', undefined, { token })).status).toBeLessThan(300);
  const login = await api<{ access_token: string }>('POST', '/api/v1/auth/login', undefined, { email, password: PASSWORD });
  expect(login.status).toBe(200);
  const access = login.body.access_token;
  const enrolled = await api<{ id: string }>('POST', '/api/v1/courses/demo-course/enrolment', access);
  expect(enrolled.status).toBeLessThan(300);
  const id = enrolled.body.id;
  sql(`INSERT INTO quiz_outcomes (enrolment_id, quiz_id, best_percent, passed_at, attempts_used)
       SELECT '${id}', id, 90, now(), 1 FROM quizzes WHERE slug IN ('safety-quiz', 'collection-quiz', 'final-exam')`);
  // The demo course also needs its externship: its standing recorded as met.
  sql(`UPDATE enrolments SET externship_met_at = now(), externship_minutes = 1200,
         externship_counts = '{"venipuncture": 6, "skin-puncture": 3}'::jsonb WHERE id = '${id}'`);
  for (const lesson of ['sharps', 'gloves', 'order']) {
    const r = await api('PUT', `/api/v1/enrolments/${id}/lessons/${lesson}/completion`, access);
    expect(r.status, r.text).toBe(200);
  }
  let list: Json[] = [];
  await expect
    .poll(async () => {
      list = (await api<Json[]>('GET', '/api/v1/me/certificates', access)).body;
      return list.length;
    }, { timeout: 20_000 })
    .toBe(1);
  return { token: access, certificate: list[0]! };
}

async function credentialOf(token: string, certificate: Json): Promise<string> {
  const r = await api('GET', `/api/v1/certificates/${certificate.id}/credential.jwt`, token);
  expect(r.status).toBe(200);
  return r.text;
}

function schemaValidator() {
  const path = process.env.OB3_SCHEMA ?? join(here, 'fixtures', 'ob3-achievementcredential.schema.json');
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path, 'utf8')));
}

/** Flips one character of the JWT's payload part (still valid base64url). */
function tampered(jwt: string): string {
  const [h, p, s] = jwt.split('.');
  const i = Math.floor(p!.length / 2);
  const c = p![i] === 'A' ? 'B' : 'A';
  return [h, p!.slice(0, i) + c + p!.slice(i + 1), s].join('.');
}

function bitOf(encodedList: string, index: number): boolean {
  expect(encodedList.startsWith('u')).toBe(true);
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  expect(bytes.length * 8).toBeGreaterThanOrEqual(131_072);
  return (bytes[Math.floor(index / 8)]! & (0x80 >> (index % 8))) !== 0;
}

test('a credential verifies against the published key set and the OB 3.0 schema, tampering fails, rotation keeps it valid, revocation flips its bit', async () => {
  const issuer = `${base()}/api/v1/credentials/issuer`;
  const jwksUrl = new URL(`${base()}/.well-known/jwks.json`);
  const { token, certificate } = await certifiedLearner('vc');
  const jwt = await credentialOf(token, certificate);

  // The header: RS256, the credential type, and a kid that dereferences to the key.
  const header = decodeProtectedHeader(jwt);
  expect(header.alg).toBe('RS256');
  expect(header.typ).toBe('vc+ld+json+jwt');
  expect(header.kid).toMatch(new RegExp(`^${base()}/api/v1/credentials/keys/`));
  const jwk = (await (await fetch(header.kid!)).json()) as Json;
  expect(jwk.kty).toBe('RSA');
  expect(jwk.kid).toBe(header.kid);

  // Verified with only the key set fetched over HTTP.
  const { payload } = await jwtVerify(jwt, createRemoteJWKSet(jwksUrl), { algorithms: ['RS256'], issuer, typ: 'vc+ld+json+jwt' });
  expect(payload.jti).toBe(`urn:uuid:${certificate.id}`);
  expect(payload.nbf).toBe(Math.floor(Date.parse(payload.validFrom as string) / 1000));
  const validate = schemaValidator();
  expect(validate(payload), JSON.stringify(validate.errors, null, 2)).toBe(true);
  expect(JSON.stringify(payload)).not.toContain('@example.org');
  // The schema is not vacuous: without the issuer, or the achievement's criteria, it fails.
  const { issuer: _issuer, ...withoutIssuer } = payload as Json;
  expect(validate(withoutIssuer)).toBe(false);
  const broken = structuredClone(payload) as { credentialSubject: { achievement: Json } };
  delete broken.credentialSubject.achievement.criteria;
  expect(validate(broken)).toBe(false);

  // One changed character in the payload, or in the signature, fails.
  await expect(jwtVerify(tampered(jwt), createRemoteJWKSet(jwksUrl), { algorithms: ['RS256'] })).rejects.toThrow();
  const [h, p, s] = jwt.split('.');
  const sig = s!.slice(0, 10) + (s![10] === 'A' ? 'B' : 'A') + s!.slice(11);
  await expect(jwtVerify([h, p, sig].join('.'), createRemoteJWKSet(jwksUrl), { algorithms: ['RS256'] })).rejects.toThrow();

  // Rotation: a new key is published (and, with no lead time here, signs at once); the old
  // credential still verifies against the published set, and a new one uses the new key.
  execFileSync(binary(), ['keys', 'rotate'], {
    cwd: root,
    env: {
      ...process.env,
      BENCHSIDE_ENV: 'development',
      DATABASE_URL: process.env.E2E_DATABASE_URL!,
      BENCHSIDE_DATA_DIR: process.env.E2E_DATA_DIR!,
      BENCHSIDE_PUBLIC_URL: base(),
      BENCHSIDE_SIGNING_KEY_LEAD_MINUTES: '0',
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await expect
    .poll(async () => ((await (await fetch(jwksUrl)).json()) as { keys: Json[] }).keys.length, { timeout: 45_000 })
    .toBeGreaterThanOrEqual(2);
  await jwtVerify(jwt, createRemoteJWKSet(jwksUrl), { algorithms: ['RS256'], issuer });
  const second = await certifiedLearner('vc2');
  const jwt2 = await credentialOf(second.token, second.certificate);
  expect(decodeProtectedHeader(jwt2).kid).not.toBe(header.kid);
  const again = await jwtVerify(jwt2, createRemoteJWKSet(jwksUrl), { algorithms: ['RS256'], issuer });
  expect(validate(again.payload), JSON.stringify(validate.errors, null, 2)).toBe(true);

  // The status list is a signed credential too; revoking flips the certificate's bit.
  const status = payload.credentialStatus as Json;
  expect(status.type).toBe('BitstringStatusListEntry');
  const index = Number(status.statusListIndex as string);
  const listJwt = async () => {
    const r = await fetch(status.statusListCredential as string);
    expect(r.status).toBe(200);
    const text = await r.text();
    const { payload: list } = await jwtVerify(text, createRemoteJWKSet(jwksUrl), { algorithms: ['RS256'] });
    return ((list.credentialSubject as Json).encodedList as string);
  };
  expect(bitOf(await listJwt(), index)).toBe(false);
  const admin = await adminToken();
  const revoked = await api('POST', `/api/v1/admin/certificates/${certificate.id}/revoke`, admin, { reason: 'Issued in error' });
  expect(revoked.status, revoked.text).toBe(200);
  expect(bitOf(await listJwt(), index)).toBe(true);
  expect(decodeJwt(jwt2).credentialStatus).not.toEqual(status);
});
