// An entry as a card: what happened (read-only), and on the form the supervisor's decision
// with the reason a rejection needs.
import type { ReactNode } from 'react';
import { RadioGroup, TextArea } from './fields';
import { describeEntry } from './entry';
import { reasonId, type EntryChoice } from './form';
import { MAX_TEXT, type Decision, type Department, type Entry } from './types';

const DECISIONS: readonly { value: Decision; label: string }[] = [
  { value: 'attest', label: 'Attest' },
  { value: 'reject', label: 'Reject' },
];

export function EntryFacts({ entry, departments }: { entry: Entry; departments: readonly Department[] }) {
  const v = describeEntry(entry, departments);
  return (
    <>
      <ul className="entry-facts">
        {v.facts.map((f) => (
          <li key={f}>{f}</li>
        ))}
      </ul>
      {v.activities && (
        <p className="entry-text">
          <span className="entry-label">Activities: </span>
          {v.activities}
        </p>
      )}
      {v.notes && (
        <p className="entry-text">
          <span className="entry-label">Notes: </span>
          {v.notes}
        </p>
      )}
      {entry.amend_reason && (
        <p className="entry-text">
          <span className="entry-label">Corrected by the learner: </span>
          {entry.amend_reason}
        </p>
      )}
    </>
  );
}

export function entryTitle(entry: Entry, departments: readonly Department[]): string {
  const v = describeEntry(entry, departments);
  return `${v.kind}, ${v.day}`;
}

export function EntryCard({
  entry,
  departments,
  choice,
  error,
  onChange,
  headingLevel = 3,
}: {
  entry: Entry;
  departments: readonly Department[];
  choice: EntryChoice;
  error: string | null;
  onChange: (patch: Partial<EntryChoice>) => void;
  headingLevel?: 2 | 3;
}) {
  const title = entryTitle(entry, departments);
  const H = `h${headingLevel}` as 'h2' | 'h3';
  const rid = reasonId(entry.id);
  return (
    <li className={`card entry-card${choice.decision === 'reject' ? ' is-rejected' : ''}`}>
      <H className="h3">{title}</H>
      <EntryFacts entry={entry} departments={departments} />
      <RadioGroup
        id={`decision-${entry.id}`}
        name={`decision-${entry.id}`}
        legend={
          <>
            Your decision<span className="visually-hidden"> on {title}</span>
          </>
        }
        options={DECISIONS}
        value={choice.decision}
        onChange={(decision) => onChange({ decision })}
        variant="toggle"
      />
      {choice.decision === 'reject' && (
        <TextArea
          id={rid}
          label={
            <>
              Reason for rejecting<span className="visually-hidden"> {title}</span>
            </>
          }
          hint={`What is wrong, so the learner can correct it (at most ${MAX_TEXT} characters). No patient details.`}
          value={choice.reason}
          maxLength={MAX_TEXT}
          error={error}
          required
          onChange={(e) => onChange({ reason: e.target.value })}
        />
      )}
    </li>
  );
}

/** A decided entry: its facts, and the reason when it was rejected. */
export function DecidedEntry({ entry, departments, children }: { entry: Entry; departments: readonly Department[]; children?: ReactNode }) {
  return (
    <li className={`card entry-card${entry.state === 'rejected' ? ' is-rejected' : ''}`}>
      <h4 className="h3">{entryTitle(entry, departments)}</h4>
      <EntryFacts entry={entry} departments={departments} />
      {entry.rejected_reason && (
        <p className="entry-text reason">
          <span className="entry-label">Your reason: </span>
          {entry.rejected_reason}
        </p>
      )}
      {children}
    </li>
  );
}
