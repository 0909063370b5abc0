// The web app's sentences against the server's own OpenAPI document, read at test time: a code
// the server adds, a code it drops, or a limit it changes fails here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiError, CLIENT_MESSAGES, SERVER_MESSAGES } from './errors';
import { LIMITS } from './limits';
import { HINTS } from './rules';

interface Prop {
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}
interface Spec {
  components: { schemas: Record<string, { enum?: string[]; properties?: Record<string, Prop> }> };
}

const spec = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as Spec;
const schemas = spec.components.schemas;
const serverCodes = schemas.ErrorCode?.enum ?? [];
const LIMIT_KEYS = ['minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'] as const;

/** The limits the server's document states for `Schema.property`. */
function limitsOf(field: string): Prop {
  const [schema, prop] = field.split('.') as [string, string];
  const p = schemas[schema]?.properties?.[prop];
  if (!p) throw new Error(`docs/openapi.json has no ${field}`);
  return Object.fromEntries(LIMIT_KEYS.filter((k) => typeof p[k] === 'number').map((k) => [k, p[k]]));
}

const NAMES = ['RegisterRequest.name', 'UpdateMeRequest.name'];
const EMAILS = ['RegisterRequest.email', 'LoginRequest.email', 'EmailRequest.email', 'UpdateMeRequest.email'];
const NEW_PASSWORDS = ['RegisterRequest.password', 'ResetConfirmRequest.new_password', 'ChangePasswordRequest.new_password'];

/**
 * What each sentence that may state a limit is about. Every other sentence must state no number
 * at all: a limit the server does not have cannot slip in.
 */
const ABOUT: Record<string, string[]> = {
  invalid_name: NAMES,
  invalid_email: EMAILS,
  password_too_short: NEW_PASSWORDS,
  password_too_long: NEW_PASSWORDS,
  password_too_common: NEW_PASSWORDS,
  invalid_heartbeat: ['HeartbeatRequest.seconds'],
  'hint:newPassword': NEW_PASSWORDS,
};

const SENTENCES: [string, string][] = [
  ...Object.entries(SERVER_MESSAGES),
  ...Object.entries(CLIENT_MESSAGES),
  ...Object.entries(HINTS).map(([k, v]): [string, string] => [`hint:${k}`, v]),
];

/** The numbers in `sentence` that are not limits of every one of `fields`. */
function unfounded(sentence: string, fields: string[]): string[] {
  const numbers = sentence.match(/\d+(?:[.,]\d+)?/g) ?? [];
  return numbers.filter((n) => !fields.length || !fields.every((f) => Object.values(limitsOf(f)).includes(Number(n))));
}

describe('error sentences and the server’s ErrorCode enum (docs/openapi.json)', () => {
  it('reads the enum', () => {
    expect(serverCodes.length).toBeGreaterThan(40);
  });

  it('has a sentence for every code the server lists', () => {
    const missing = serverCodes.filter((c) => !Object.hasOwn(SERVER_MESSAGES, c) || !SERVER_MESSAGES[c as keyof typeof SERVER_MESSAGES].trim());
    expect(missing).toEqual([]);
  });

  it('has no sentence for a code the server does not have', () => {
    expect(Object.keys(SERVER_MESSAGES).filter((c) => !serverCodes.includes(c))).toEqual([]);
  });

  it('keeps the client-only codes apart from the server’s', () => {
    expect(Object.keys(CLIENT_MESSAGES).filter((c) => serverCodes.includes(c))).toEqual([]);
  });

  it('writes every sentence as a sentence', () => {
    for (const [key, s] of SENTENCES) {
      expect(s, key).toMatch(/^[A-Z].*[.!?]$/);
      expect(s, key).not.toMatch(/undefined|NaN|null|\[object/);
    }
  });

  it('shows the app’s sentence, not the server’s wording, for a field error', () => {
    const e = new ApiError(422, 'invalid_name', 'The name is not valid: it is longer than 100 characters.');
    expect(e.message).toBe(SERVER_MESSAGES.invalid_name);
    expect(e.is('invalid_name', 'invalid_email')).toBe(true);
    expect(e.is('invalid_email')).toBe(false);
  });
});

describe('limits in sentences and forms come from the server’s OpenAPI document', () => {
  it('limits.ts is what docs/openapi.json states for the request bodies (npm run gen:api)', () => {
    for (const [schema, props] of Object.entries(LIMITS)) {
      for (const [prop, limits] of Object.entries(props)) expect(limits, `${schema}.${prop}`).toEqual(limitsOf(`${schema}.${prop}`));
    }
    for (const field of [...NAMES, ...EMAILS, ...NEW_PASSWORDS, 'HeartbeatRequest.seconds']) {
      const [schema, prop] = field.split('.') as [string, string];
      expect((LIMITS as Record<string, Record<string, Prop>>)[schema]?.[prop], field).toEqual(limitsOf(field));
    }
  });

  it('the server states the limits the app relies on, the same wherever a field recurs', () => {
    for (const group of [NAMES, EMAILS, NEW_PASSWORDS]) {
      const first = limitsOf(group[0]!);
      expect(Object.keys(first).length, group[0]).toBeGreaterThan(0);
      for (const f of group) expect(limitsOf(f), f).toEqual(first);
    }
    expect(limitsOf('RegisterRequest.name')).toMatchObject({ minLength: expect.any(Number), maxLength: expect.any(Number) });
    expect(limitsOf('RegisterRequest.password')).toMatchObject({ minLength: expect.any(Number), maxLength: expect.any(Number) });
  });

  it('every number a sentence states is a limit the server has for that field', () => {
    const wrong = SENTENCES.map(([key, s]) => [key, unfounded(s, ABOUT[key] ?? [])] as const).filter(([, n]) => n.length);
    expect(wrong).toEqual([]);
  });

  it('the sentences about limits state the server’s numbers', () => {
    const name = limitsOf('RegisterRequest.name');
    const password = limitsOf('RegisterRequest.password');
    expect(SERVER_MESSAGES.invalid_name).toContain(`${name.minLength} to ${name.maxLength} characters`);
    expect(SERVER_MESSAGES.password_too_short).toContain(`at least ${password.minLength} characters`);
    expect(SERVER_MESSAGES.password_too_long).toContain(`at most ${password.maxLength} characters`);
    expect(HINTS.newPassword).toContain(`At least ${password.minLength} characters`);
  });

  it('catches a limit the server does not have (the old "1 to 200 characters" for names)', () => {
    expect(unfounded('Enter your name (1 to 200 characters).', NAMES)).toEqual(['200']);
    expect(unfounded('Please wait 5 minutes.', [])).toEqual(['5']);
  });

  it('pages and components write no limits of their own', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(name) && !/\.test\.ts$|\.d\.ts$|limits\.ts$/.test(name)) files.push(p);
      }
    };
    walk(root);
    const found: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\b(minLength|maxLength)=\{\s*\d/.test(line) || /\b\d+ characters\b/.test(line)) found.push(`${f.slice(root.length)}:${i + 1}`);
        });
    }
    expect(found).toEqual([]);
  });
});
