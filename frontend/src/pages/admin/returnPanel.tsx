// Returning selected entries to the learner: one note for all of them, or a note each. Notes
// are checked for patient information before anything is sent.
import { RadioGroup, TextArea } from '../attest/fields';
import { describeEntry } from '../attest/entry';
import { MAX_TEXT, type Entry } from '../attest/types';
import { noteId, SHARED_NOTE_ID, type ReturnNotes } from './review';
import type { FieldError } from '../attest/form';
import type { ReviewItem } from './types';

const MODES = [
  { value: 'shared', label: 'One note for every selected entry' },
  { value: 'each', label: 'A note for each entry' },
] as const;

interface Props {
  items: readonly ReviewItem[];
  notes: ReturnNotes;
  errors: readonly FieldError[];
  busy: boolean;
  onChange: (n: ReturnNotes) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

const title = (e: Entry) => {
  const v = describeEntry(e, []);
  return `${v.kind}, ${v.day}`;
};

export function ReturnPanel({ items, notes, errors, busy, onChange, onSubmit, onCancel }: Props) {
  const errorOf = (id: string) => errors.find((e) => e.id === id)?.message ?? null;
  const n = items.length;
  return (
    <form
      className="panel return-panel"
      aria-labelledby="return-heading"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) onSubmit();
      }}
    >
      <h2 id="return-heading" tabIndex={-1}>
        Return {n === 1 ? '1 entry' : `${n} entries`} to the learner
      </h2>
      <p className="muted">A returned entry goes back to the learner, who corrects it and sends it to the supervisor again.</p>
      {n > 1 && (
        <RadioGroup
          id="return-mode"
          name="return-mode"
          legend="Notes"
          options={MODES}
          value={notes.mode}
          onChange={(mode) => onChange({ ...notes, mode })}
        />
      )}
      {notes.mode === 'shared' || n === 1 ? (
        <TextArea
          id={SHARED_NOTE_ID}
          label="What should the learner correct?"
          hint={`At most ${MAX_TEXT} characters. No patient details.`}
          maxLength={MAX_TEXT}
          value={notes.shared}
          error={errorOf(SHARED_NOTE_ID)}
          onChange={(e) => onChange({ ...notes, shared: e.target.value })}
        />
      ) : (
        items.map((item) => (
          <TextArea
            key={item.entry.id}
            id={noteId(item.entry.id)}
            label={`Note for ${item.learner_name}: ${title(item.entry)}`}
            maxLength={MAX_TEXT}
            rows={2}
            value={notes.each[item.entry.id] ?? ''}
            error={errorOf(noteId(item.entry.id))}
            onChange={(e) => onChange({ ...notes, each: { ...notes.each, [item.entry.id]: e.target.value } })}
          />
        ))
      )}
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Returning…' : `Return ${n === 1 ? 'the entry' : `${n} entries`}`}
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
