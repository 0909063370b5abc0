// Patient information in free-text notes. The server refuses a short note (on a shift or a
// collection) that looks like it holds patient information, with 422 `phi_suspected` naming
// the offending part; the web app runs the same rules first, so the learner is told why
// before anything is sent, offline too.
//
// THE RULES (the Rust side implements exactly these; change both together). Each kind is one
// regular expression, matched case-insensitively; the kinds are checked in this order and the
// first kind that matches anywhere wins, reporting its leftmost match:
//
//   1. ssn            \b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|[0-9]{3} [0-9]{2} [0-9]{4}
//                     (a US SSN with dashes, or 9 digits grouped 3-2-4 with single spaces)
//   2. phone          (?:\+?1[ .-]?)?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}\b
//                     (10 digits, optionally +1/1 first, optional brackets and separators)
//   3. date_of_birth  any of
//                     \b[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}\b           3/4/1950, 03-04-50
//                     \b[0-9]{4}-[0-9]{2}-[0-9]{2}\b                          1950-03-04
//                     \b(?:MONTH)\b\.?[ \t]*[0-9]{1,2}(?:st|nd|rd|th)?,?[ \t]+[0-9]{4}\b
//                                                                             Jan 5, 1950
//                     \b(?:dob|born)\b[^A-Za-z0-9]{0,3}(?:(?:on|in)[ \t]+)?[0-9](?:[0-9/.-]*[0-9])?
//                                                                             DOB: 3/4, born in 1950
//                     where MONTH is jan|january|feb|february|mar|march|apr|april|may|jun|june|
//                     jul|july|aug|august|sep|september|oct|october|nov|november|dec|december
//   4. record_number  [0-9]{6,}   (any run of 6 or more digits: MRN, account, accession)
//
// Digits are ASCII only and `\b` is the ASCII word boundary (JavaScript's own meaning; in
// Rust build the expressions with `RegexBuilder::unicode(false)` and `case_insensitive`).
// Both engines take the leftmost-first alternative, so both report the same match. Times
// ("07:30"), counts ("14 venipunctures"), gauges ("21G") and blood pressures ("120/80") pass.
// `index` is where the match starts, in UTF-16 code units (JavaScript string indices).

export type PhiKind = 'ssn' | 'phone' | 'date_of_birth' | 'record_number';

export interface PhiFinding {
  kind: PhiKind;
  /** The text that matched, to quote back to the learner. */
  match: string;
  /** Where it starts in the note (a JavaScript string index). */
  index: number;
}

const MONTH =
  'jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|september|oct|october|nov|november|dec|december';

/** The rules above, in the order they are checked (exported for the cross-check with the server). */
export const PHI_RULES: readonly { kind: PhiKind; pattern: string }[] = [
  { kind: 'ssn', pattern: String.raw`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|[0-9]{3} [0-9]{2} [0-9]{4}` },
  { kind: 'phone', pattern: String.raw`(?:\+?1[ .-]?)?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}\b` },
  {
    kind: 'date_of_birth',
    pattern: [
      String.raw`\b[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}\b`,
      String.raw`\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b`,
      String.raw`\b(?:${MONTH})\b\.?[ \t]*[0-9]{1,2}(?:st|nd|rd|th)?,?[ \t]+[0-9]{4}\b`,
      String.raw`\b(?:dob|born)\b[^A-Za-z0-9]{0,3}(?:(?:on|in)[ \t]+)?[0-9](?:[0-9/.-]*[0-9])?`,
    ].join('|'),
  },
  { kind: 'record_number', pattern: '[0-9]{6,}' },
];

const COMPILED = PHI_RULES.map(({ kind, pattern }) => ({ kind, re: new RegExp(pattern, 'i') }));

/** The first thing in `text` that looks like patient information, or null when there is none. */
export function findPhi(text: string): PhiFinding | null {
  for (const { kind, re } of COMPILED) {
    const m = re.exec(text);
    if (m) return { kind, match: m[0], index: m.index };
  }
  return null;
}

/** Why each kind is refused, as a sentence for the learner. */
export const PHI_SENTENCES: Record<PhiKind, string> = {
  ssn: 'This looks like a Social Security number. Never write a patient’s identifiers in a note.',
  phone: 'This looks like a phone number. Leave phone numbers out of notes: they can identify a patient.',
  date_of_birth:
    'This looks like a date, which could be a patient’s date of birth. Leave dates out of notes: the shift already records when it happened.',
  record_number:
    'This looks like a record number (6 or more digits in a row). Leave medical record, account and specimen numbers out of notes.',
};

/** The sentence for a finding, quoting the part of the note it is about. */
export function describePhi(finding: PhiFinding): string {
  return `“${finding.match}”: ${PHI_SENTENCES[finding.kind]}`;
}
