import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { supervisorPage, entry } from './fixtures';
import {
  attestAll,
  commentId,
  initialForm,
  ratingId,
  reasonId,
  refusalOf,
  setEntry,
  setRating,
  SIGNATURE_ID,
  tally,
  toRequest,
  validate,
  waitingEntries,
} from './form';

const page = supervisorPage();
const signed = (f = initialForm(page)) => ({ ...f, signature: '  Sam Supervisor ' });

describe('the decision form', () => {
  it('starts with every waiting entry attested and nothing rated', () => {
    const f = initialForm(page);
    expect(Object.keys(f.entries)).toEqual(['e1', 'e2', 'e3']);
    expect(Object.values(f.entries).every((c) => c.decision === 'attest' && c.reason === '')).toBe(true);
    expect(f.ratings['order-of-draw']).toEqual({ rating: null, comment: '' });
    expect(tally(f)).toEqual({ attest: 3, reject: 0 });
  });

  it('only decides entries still out for attestation', () => {
    const p = supervisorPage({ entries: [entry({ id: 'a' }), entry({ id: 'b', state: 'attested' })] });
    expect(waitingEntries(p).map((e) => e.id)).toEqual(['a']);
    expect(Object.keys(initialForm(p).entries)).toEqual(['a']);
  });

  it('turns the choices into the request body, in page order', () => {
    let f = signed();
    f = setEntry(f, 'e2', { decision: 'reject', reason: '  Only two attempts that day. ' });
    f = setRating(f, 'order-of-draw', { rating: 'satisfactory', comment: ' Careful ' });
    f = setRating(f, 'patient-identification', { rating: 'not_observed' });
    expect(validate(f, page)).toEqual([]);
    expect(toRequest(f, page)).toEqual({
      signature: 'Sam Supervisor',
      decisions: [
        { entry_id: 'e1', decision: 'attest' },
        { entry_id: 'e2', decision: 'reject', reason: 'Only two attempts that day.' },
        { entry_id: 'e3', decision: 'attest' },
      ],
      competencies: [
        { competency: 'patient-identification', rating: 'not_observed' },
        { competency: 'order-of-draw', rating: 'satisfactory', comment: 'Careful' },
      ],
    });
    expect(tally(f)).toEqual({ attest: 2, reject: 1 });
  });

  it('"Attest all" attests every entry again and keeps what was typed', () => {
    let f = setEntry(initialForm(page), 'e1', { decision: 'reject', reason: 'Wrong day' });
    f = attestAll(f);
    expect(f.entries.e1).toEqual({ decision: 'attest', reason: 'Wrong day' });
    expect(toRequest(signed(f), page).decisions.every((d) => d.decision === 'attest' && !('reason' in d))).toBe(true);
  });

  it('ignores changes to entries that are not on the request', () => {
    const f = initialForm(page);
    expect(setEntry(f, 'nope', { decision: 'reject' })).toBe(f);
  });

  it('needs a reason to reject, free of patient information and within the limit', () => {
    let f = signed(setEntry(initialForm(page), 'e1', { decision: 'reject', reason: '   ' }));
    expect(validate(f, page)).toEqual([{ id: reasonId('e1'), message: expect.stringContaining('Give a reason') }]);
    f = setEntry(f, 'e1', { reason: 'Patient MRN 12345678 was wrong' });
    const [phi] = validate(f, page);
    expect(phi?.id).toBe(reasonId('e1'));
    expect(phi?.message).toContain('“12345678”');
    expect(phi?.message).toContain('record number');
    f = setEntry(f, 'e1', { reason: 'x'.repeat(501) });
    expect(validate(f, page)[0]?.message).toContain('500 characters or fewer');
    f = setEntry(f, 'e1', { reason: 'Ended at 14:00, not 15:30; 14 venipunctures' });
    expect(validate(f, page)).toEqual([]);
  });

  it('checks comments, and a comment needs a rating', () => {
    let f = signed(setRating(initialForm(page), 'order-of-draw', { comment: 'Good' }));
    expect(validate(f, page)).toEqual([{ id: ratingId('order-of-draw'), message: expect.stringContaining('Choose a rating') }]);
    f = setRating(f, 'order-of-draw', { rating: 'needs_improvement', comment: 'DOB 3/4/1950 on the label' });
    expect(validate(f, page)).toEqual([{ id: commentId('order-of-draw'), message: expect.stringContaining('date of birth') }]);
  });

  it('needs a typed signature of at most 200 characters', () => {
    expect(validate(initialForm(page), page)).toEqual([{ id: SIGNATURE_ID, message: expect.stringContaining('Type your full name') }]);
    const long = { ...initialForm(page), signature: 'a'.repeat(201) };
    expect(validate(long, page)[0]?.message).toContain('at most 200');
  });

  it('lists problems in the order of the page', () => {
    let f = setEntry(initialForm(page), 'e3', { decision: 'reject' });
    f = setEntry(f, 'e1', { decision: 'reject' });
    expect(validate(f, page).map((e) => e.id)).toEqual([reasonId('e1'), reasonId('e3'), SIGNATURE_ID]);
  });

  it('needs a rating when there is no entry to decide', () => {
    const p = supervisorPage({ entries: [] });
    expect(validate(signed(initialForm(p)), p).map((e) => e.id)).toEqual([ratingId('patient-identification')]);
  });
});

describe('a refused decision', () => {
  const f = setEntry(initialForm(page), 'e2', { decision: 'reject', reason: 'Call 555-123-4567' });
  it('says when the link cannot be used any more', () => {
    expect(refusalOf(new ApiError(409, 'attestation_used', null), f)).toEqual({ kind: 'link', state: 'used' });
    expect(refusalOf(new ApiError(410, 'attestation_expired', null), f)).toEqual({ kind: 'link', state: 'expired' });
    expect(refusalOf(new ApiError(410, 'attestation_voided', null), f)).toEqual({ kind: 'link', state: 'replaced' });
    expect(refusalOf(new ApiError(404, 'not_found', null), f)).toEqual({ kind: 'link', state: 'unknown' });
  });

  it('puts patient information found by the server on the field it is in', () => {
    const e = new ApiError(422, 'phi_suspected', 'The reason look like…', { field: 'reason', match: '555-123-4567' });
    const r = refusalOf(e, f);
    expect(r).toEqual({ kind: 'field', error: { id: reasonId('e2'), message: expect.stringContaining('“555-123-4567”') } });
    const sig = refusalOf(new ApiError(422, 'invalid_input', 'Bad signature.', { field: 'signature' }), f);
    expect(sig).toEqual({ kind: 'field', error: { id: SIGNATURE_ID, message: 'Bad signature.' } });
  });

  it('asks for a reload when the request changed, and keeps the choices otherwise', () => {
    expect(refusalOf(new ApiError(422, 'entry_not_in_request', null), f)).toMatchObject({ kind: 'general', reload: true });
    expect(refusalOf(new ApiError(429, 'rate_limited', null), f)).toMatchObject({ kind: 'general', reload: false, message: expect.stringContaining('Wait a minute') });
    expect(refusalOf(new ApiError(0, 'network', null), f)).toMatchObject({ kind: 'general', message: expect.stringContaining('choices are kept') });
  });
});
