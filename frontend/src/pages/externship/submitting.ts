// One submission at a time, with a pause after each one that went out, so a double tap (or
// an impatient second tap) never logs twice; and focus on the first field with a problem.
import { useCallback, useEffect, useRef, useState } from 'react';

/** How long the button stays disabled after a send went out. */
export const COOLDOWN_MS = 700;

export function useGuard(cooldownMs = COOLDOWN_MS) {
  const lock = useRef(false);
  const timer = useRef<number | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );
  /** Runs `fn` unless a run is going on or cooling down; `fn` says whether something went out. */
  const run = useCallback(
    async (fn: () => Promise<boolean>): Promise<void> => {
      if (lock.current) return;
      lock.current = true;
      setBusy(true);
      let sent = false;
      try {
        sent = await fn();
      } finally {
        const release = () => {
          timer.current = null;
          lock.current = false;
          setBusy(false);
        };
        if (sent) timer.current = window.setTimeout(release, cooldownMs);
        else release();
      }
    },
    [cooldownMs],
  );
  return { busy, run };
}

/** Focuses the first of `order` that has an error: the control `${formId}-${field}`, or the first radio named so. */
export function focusFirstError(formId: string, order: readonly string[], errors: Partial<Record<string, string>>): void {
  const field = order.find((f) => errors[f]);
  if (!field) return;
  const id = `${formId}-${field}`;
  // After React has shown the errors (and opened any folded part holding the field).
  window.setTimeout(() => {
    const el =
      document.getElementById(id) ??
      document.querySelector<HTMLInputElement>(`input[name="${id}"]:checked`) ??
      document.querySelector<HTMLInputElement>(`input[name="${id}"]`);
    el?.focus();
  }, 0);
}

/** Focuses the first control inside the element `id` (an editor that just opened). */
export function focusInside(id: string): void {
  window.setTimeout(() => {
    document.getElementById(id)?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
  }, 0);
}

/** Focuses the element `id` (the button that opened an editor, once it closes). */
export function focusId(id: string): void {
  window.setTimeout(() => document.getElementById(id)?.focus(), 0);
}
