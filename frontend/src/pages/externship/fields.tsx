// The log forms' controls: labelled, with hints and errors tied to the control
// (aria-describedby), and big enough to tap with a gloved finger.
import { useId, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { MAX_TEXT, textLength, textProblem } from './form';

function describedBy(...ids: unknown[]): string | undefined {
  return ids.filter((x): x is string => typeof x === 'string' && x !== '').join(' ') || undefined;
}

export function ErrorText({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p className="error-text" id={id}>
      <span className="visually-hidden">Error: </span>
      {children}
    </p>
  );
}

interface SelectFieldProps extends SelectHTMLAttributes<HTMLSelectElement> {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
}

export function SelectField({ id, label, hint, error, children, ...select }: SelectFieldProps) {
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && <ErrorText id={`${id}-error`}>{error}</ErrorText>}
      <select id={id} aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)} aria-invalid={error ? true : undefined} {...select}>
        {children}
      </select>
    </div>
  );
}

interface InputFieldProps {
  id: string;
  label: string;
  type: 'date' | 'time';
  value: string;
  onChange: (v: string) => void;
  hint?: ReactNode;
  error?: string;
  min?: string;
  max?: string;
  required?: boolean;
}

export function InputField({ id, label, type, value, onChange, hint, error, min, max, required }: InputFieldProps) {
  return (
    <div className={`field ext-field-${type}${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && <ErrorText id={`${id}-error`}>{error}</ErrorText>}
      <input
        id={id}
        type={type}
        value={value}
        min={min}
        max={max}
        required={required}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}
        aria-invalid={error ? true : undefined}
      />
    </div>
  );
}

interface NoteFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value'> {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: ReactNode;
  /** An error from outside (the server, a required reason); the note's own rules are checked live. */
  error?: string;
}

/**
 * A free-text field with the server's rules checked as the learner types: patient
 * information (`findPhi`, quoted back with `describePhi`), length (a counter to 500) and
 * control characters. The form refuses to send while `textProblem` has something to say.
 */
export function NoteField({ id, label, value, onChange, hint, error, ...rest }: NoteFieldProps) {
  const problem = textProblem(value) ?? error;
  const n = textLength(value);
  const hintId = `${id}-hint`;
  const countId = `${id}-count`;
  const errId = `${id}-error`;
  return (
    <div className={`field${problem ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <p className="hint" id={hintId}>
        {hint ?? 'Optional.'} Never write a patient’s name, date of birth, phone or record number.
      </p>
      {problem && <ErrorText id={errId}>{problem}</ErrorText>}
      <textarea
        id={id}
        className="ext-textarea"
        rows={3}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={describedBy(hintId, problem && errId, countId)}
        aria-invalid={problem ? true : undefined}
        {...rest}
      />
      <p className={`ext-counter${n > MAX_TEXT ? ' over' : ''}`} id={countId}>
        {n} of {MAX_TEXT} characters
      </p>
    </div>
  );
}

export interface TileOption<T extends string> {
  value: T;
  label: string;
}

interface TilesProps<T extends string> {
  legend: string;
  options: readonly TileOption<T>[];
  value: T | '';
  onChange: (v: T) => void;
  error?: string;
  /** Names the radio group and the error's ID. */
  name: string;
  className?: string;
}

/** A choice of one, as a row of large tiles (native radio buttons, so arrow keys work). */
export function Tiles<T extends string>({ legend, options, value, onChange, error, name, className }: TilesProps<T>) {
  const errId = `${name}-error`;
  return (
    <fieldset className={`ext-tiles${className ? ` ${className}` : ''}${error ? ' field-error' : ''}`} aria-describedby={error ? errId : undefined}>
      <legend>{legend}</legend>
      {error && <ErrorText id={errId}>{error}</ErrorText>}
      <div className="ext-tile-row">
        {options.map((o) => (
          <label key={o.value} className="ext-tile">
            <input type="radio" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

const YES_NO: readonly TileOption<'yes' | 'no'>[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];

export function YesNo({ legend, value, onChange, name }: { legend: string; value: boolean; onChange: (v: boolean) => void; name: string }) {
  return <Tiles legend={legend} name={name} options={YES_NO} value={value ? 'yes' : 'no'} onChange={(v) => onChange(v === 'yes')} className="ext-yes-no" />;
}

/** A form-wide ID prefix, stable for the component's life. */
export function useFormId(prefix: string): string {
  return `${prefix}-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
}
