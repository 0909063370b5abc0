// Form parts the supervisor's page and the admin screens share: a labelled text area and a
// radio group in a fieldset, each with its hint and error tied by aria-describedby.
import { useId, type ReactNode, type TextareaHTMLAttributes } from 'react';

interface TextAreaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
}

export function TextArea({ label, hint, error, id, className, ...rest }: TextAreaProps) {
  const auto = useId();
  const fid = id ?? auto;
  const hintId = hint ? `${fid}-hint` : undefined;
  const errId = error ? `${fid}-error` : undefined;
  return (
    <div className={`field${error ? ' field-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={fid}>{label}</label>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && <ErrorText id={errId!}>{error}</ErrorText>}
      <textarea
        id={fid}
        rows={3}
        aria-describedby={[hintId, errId].filter(Boolean).join(' ') || undefined}
        aria-invalid={error ? true : undefined}
        {...rest}
      />
    </div>
  );
}

export function ErrorText({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p className="error-text" id={id}>
      <span className="visually-hidden">Error: </span>
      {children}
    </p>
  );
}

interface RadioGroupProps<T extends string> {
  /** The fieldset's ID (errors focus its first radio). */
  id: string;
  name: string;
  legend: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  options: readonly { value: T; label: string }[];
  value: T | null;
  onChange: (v: T) => void;
  /** `toggle`: the options side by side as large buttons. */
  variant?: 'list' | 'toggle';
  className?: string;
}

export function RadioGroup<T extends string>({
  id,
  name,
  legend,
  hint,
  error,
  options,
  value,
  onChange,
  variant = 'list',
  className,
}: RadioGroupProps<T>) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-error` : undefined;
  return (
    <fieldset
      id={id}
      className={`radio-group radio-${variant}${error ? ' field-error' : ''}${className ? ` ${className}` : ''}`}
      aria-describedby={[hintId, errId].filter(Boolean).join(' ') || undefined}
    >
      <legend>{legend}</legend>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && <ErrorText id={errId!}>{error}</ErrorText>}
      <div className="radio-options">
        {options.map((o) => (
          <label key={o.value} className={`radio-option option-${o.value}`}>
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Moves focus to the field with this DOM ID (a fieldset: its checked or first input). */
export function focusField(id: string): void {
  const el = document.getElementById(id);
  if (!el) return;
  const target =
    el instanceof HTMLFieldSetElement
      ? (el.querySelector<HTMLInputElement>('input:checked') ?? el.querySelector<HTMLInputElement>('input'))
      : el;
  target?.focus();
  target?.scrollIntoView?.({ block: 'center' });
}

/** Focuses an element once React has rendered it (a heading that appears): tries for up to a second. */
export function focusSoon(id: string, tries = 20): void {
  window.setTimeout(() => {
    const el = document.getElementById(id);
    if (!el) {
      if (tries > 0) focusSoon(id, tries - 1);
      return;
    }
    if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
    el.focus();
  }, tries === 20 ? 0 : 50);
}
