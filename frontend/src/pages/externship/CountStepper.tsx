// How many identical attempts one tap logs: − and + buttons, the number itself, and presets.
import { useEffect, useState } from 'react';
import { ErrorText } from './fields';
import { clampCount, MAX_COUNT } from './form';

const PRESETS = [1, 5, 10] as const;

interface Props {
  id: string;
  value: number;
  onChange: (n: number) => void;
  error?: string;
}

export function CountStepper({ id, value, onChange, error }: Props) {
  // The text as typed, so the field can be emptied while typing a new number.
  const [text, setText] = useState(String(value));
  useEffect(() => {
    setText((t) => (Number.isNaN(value) || Number(t) === value ? t : String(value)));
  }, [value]);
  const labelId = `${id}-label`;
  const errId = `${id}-error`;
  return (
    <div className={`field ext-count${error ? ' field-error' : ''}`} role="group" aria-labelledby={labelId}>
      <p className="ext-label" id={labelId}>
        How many attempts
      </p>
      {error && <ErrorText id={errId}>{error}</ErrorText>}
      <div className="ext-stepper">
        <button type="button" className="button secondary ext-step" onClick={() => onChange(clampCount(value - 1))} disabled={value <= 1} aria-label="One fewer attempt">
          −
        </button>
        <label className="visually-hidden" htmlFor={id}>
          Number of attempts
        </label>
        <input
          id={id}
          className="ext-count-input"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_COUNT}
          step={1}
          value={text}
          aria-describedby={error ? errId : undefined}
          aria-invalid={error ? true : undefined}
          onChange={(e) => {
            setText(e.target.value);
            const n = Number(e.target.value);
            if (e.target.value !== '' && Number.isFinite(n)) onChange(n);
            else onChange(NaN);
          }}
        />
        <button type="button" className="button secondary ext-step" onClick={() => onChange(clampCount(value + 1))} disabled={value >= MAX_COUNT} aria-label="One more attempt">
          +
        </button>
      </div>
      <div className="ext-presets">
        {PRESETS.map((n) => (
          <button key={n} type="button" className="button secondary ext-preset" aria-pressed={value === n} onClick={() => onChange(n)}>
            {n}
            <span className="visually-hidden"> {n === 1 ? 'attempt' : 'attempts'}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
