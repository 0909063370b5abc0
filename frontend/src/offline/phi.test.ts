import { describe, expect, it } from 'vitest';
// Cases shared with the server's tests (tests/fixtures/phi-cases.json).
import cases from '../../../tests/fixtures/phi-cases.json';
import { describePhi, findPhi, PHI_RULES, PHI_SENTENCES, type PhiKind } from './phi';

const kindOf = (text: string) => findPhi(text)?.kind ?? null;

describe('findPhi: notes that pass', () => {
  it.each([
    '2 tubes, 14:05',
    'gauge 21',
    'used 23G butterfly',
    'Shift 07:30 to 15:30, 14 venipunctures',
    'BP 120/80, HR 72',
    'order of draw: blue, red, gold, green, lavender, grey',
    '3 of 5 attempts, 1 in 3 needed a second stick',
    'drew 0.5 mL pediatric tube; 10 mL waste',
    'room 12-4, bed B',
    'lot 4521B, exp 2027-03',
    'patient was born premature', // "born" without a number
    'no DOB on the label, sent back',
    'adobe 5', // "dob" inside a word
    'tube 1.2.3',
    '12345', // five digits
    'may draw 2 more tomorrow',
    '',
  ])('%j', (text) => {
    expect(findPhi(text)).toBeNull();
  });
});

describe('findPhi: notes that are refused', () => {
  it.each<[string, PhiKind, string]>([
    ['MRN 1234567', 'record_number', '1234567'],
    ['accession 00012345 relabelled', 'record_number', '00012345'],
    ['DOB 3/4/1950', 'date_of_birth', 'DOB 3/4/1950'],
    ['dob: 03-04-50', 'date_of_birth', 'dob: 03-04-50'],
    ['born in 1950', 'date_of_birth', 'born in 1950'],
    ['Born on 4.7.62', 'date_of_birth', 'Born on 4.7.62'],
    ['pt seen 3/4/1950', 'date_of_birth', '3/4/1950'],
    ['14.05.24 draw', 'date_of_birth', '14.05.24'],
    ['on 1950-03-04', 'date_of_birth', '1950-03-04'],
    ['since Jan 5, 1950', 'date_of_birth', 'Jan 5, 1950'],
    ['since january 5th 1950', 'date_of_birth', 'january 5th 1950'],
    ['SEPT. is not a month here but Sep. 5, 1950 is', 'date_of_birth', 'Sep. 5, 1950'],
    ['call 555-123-4567', 'phone', '555-123-4567'],
    ['call (555) 123-4567 later', 'phone', '(555) 123-4567'],
    ['+1 555.123.4567', 'phone', '+1 555.123.4567'],
    ['5551234567', 'phone', '5551234567'],
    ['123-45-6789', 'ssn', '123-45-6789'],
    ['ssn 123 45 6789', 'ssn', '123 45 6789'],
  ])('%j is %s', (text, kind, match) => {
    const found = findPhi(text);
    expect(found).toEqual({ kind, match, index: text.indexOf(match) });
  });

  it('checks the kinds in order: an SSN is not reported as a phone or record number', () => {
    expect(kindOf('123-45-6789 then 555-123-4567')).toBe('ssn');
    expect(kindOf('MRN 1234567 call 555-123-4567')).toBe('phone');
    expect(kindOf('MRN 1234567 DOB 3/4/1950')).toBe('date_of_birth');
    expect(kindOf('123456789')).toBe('record_number');
    expect(kindOf('MRN 12345678901')).toBe('phone');
  });

  it('reports the leftmost match of the first kind that matches', () => {
    expect(findPhi('dates 1/2/2000 and 3/4/1950')).toEqual({ kind: 'date_of_birth', match: '1/2/2000', index: 6 });
    expect(findPhi('x'.repeat(400) + ' 7654321')).toEqual({ kind: 'record_number', match: '7654321', index: 401 });
  });

  it('is not fooled by case', () => {
    expect(kindOf('DoB 3/4')).toBe('date_of_birth');
    expect(kindOf('BORN 1950')).toBe('date_of_birth');
    expect(kindOf('MARCH 3 1950')).toBe('date_of_birth');
  });
});

describe('PHI sentences', () => {
  it('has a sentence for every kind and quotes the match', () => {
    expect(Object.keys(PHI_SENTENCES).sort()).toEqual(PHI_RULES.map((r) => r.kind).sort());
    const f = findPhi('call 555-123-4567')!;
    expect(describePhi(f)).toBe(`“555-123-4567”: ${PHI_SENTENCES.phone}`);
  });

  it('keeps every rule to features both JavaScript and Rust regex engines share', () => {
    for (const { pattern } of PHI_RULES) {
      // No lookaround, no backreferences, no \d or \s (their meaning differs between engines).
      expect(pattern).not.toMatch(/\(\?[=!<]|\\[1-9]|\\d|\\s/);
    }
  });
});

// The cases the server's tests run too (src/externship/phi.rs): both sides must agree.

describe('findPhi: the cases shared with the server', () => {
  it.each(cases as { text: string; kind: PhiKind | null; match?: string }[])('$text', (c) => {
    const f = findPhi(c.text);
    expect(f?.kind ?? null).toBe(c.kind);
    if (c.match) expect(f?.match).toBe(c.match);
  });
});
