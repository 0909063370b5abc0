// The codes tab's pure parts: the create form's checks and body, and the words for states.
import type { Code, CodeStatus, CreateCode } from './contract';

export const CODE_STATUS: Record<CodeStatus, string> = { active: 'Active', expired: 'Expired', used_up: 'Used up', disabled: 'Disabled' };

export interface CodeForm {
  generate: boolean;
  code: string;
  maxUses: string;
  expiresOn: string;
}

export const EMPTY_CODE: CodeForm = { generate: true, code: '', maxUses: '', expiresOn: '' };
export type CodeErrors = Partial<Record<'code' | 'maxUses' | 'expiresOn', string>>;

/** A chosen code's length (the server's rule, in CreateCode's description: 3 to 64 of A-Z, 0-9 and `-`). */
export const CODE_MIN = 3;
export const CODE_MAX = 64;
const CODE = new RegExp(`^[A-Za-z0-9-]{${CODE_MIN},${CODE_MAX}}$`);

export function validateCode(f: CodeForm, today = new Date()): CodeErrors {
  const e: CodeErrors = {};
  if (!f.generate && !CODE.test(f.code.trim())) e.code = `Use ${CODE_MIN} to ${CODE_MAX} letters, digits or hyphens, or let Benchside generate the code.`;
  if (f.maxUses.trim()) {
    const n = Number(f.maxUses.trim());
    if (!Number.isInteger(n) || n < 1) e.maxUses = 'Enter a whole number of uses (1 or more), or leave it empty for no limit.';
  }
  if (f.expiresOn) {
    const at = new Date(`${f.expiresOn}T23:59:59Z`);
    if (Number.isNaN(at.getTime())) e.expiresOn = 'Enter a date, or leave it empty.';
    else if (at.getTime() < today.getTime()) e.expiresOn = 'The last day must be today or later.';
  }
  return e;
}

export function newCodeBody(f: CodeForm): CreateCode {
  const body: CreateCode = {
    max_uses: f.maxUses.trim() ? Number(f.maxUses.trim()) : null,
    expires_at: f.expiresOn ? new Date(`${f.expiresOn}T23:59:59Z`).toISOString() : null,
  };
  if (!f.generate) body.code = f.code.trim().toUpperCase();
  return body;
}

export function usesText(c: Pick<Code, 'uses' | 'max_uses'>): string {
  return c.max_uses === null ? `${c.uses} used, no limit` : `${c.uses} of ${c.max_uses} used`;
}
