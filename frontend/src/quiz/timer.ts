// The quiz countdown. The server says how many seconds are left (`seconds_left`); the client
// counts down from that on its own monotonic clock, so a wrong device clock does not matter,
// and a reload asks the server again.

export interface Clock {
  now(): number; // milliseconds, monotonic
}

export const monotonic: Clock = { now: () => performance.now() };

export class Countdown {
  private endsAt: number;
  constructor(secondsLeft: number, private readonly clock: Clock = monotonic) {
    this.endsAt = clock.now() + secondsLeft * 1000;
  }
  /** Re-anchors on a fresher server figure (each autosave answers one). */
  sync(secondsLeft: number): void {
    this.endsAt = this.clock.now() + secondsLeft * 1000;
  }
  secondsLeft(): number {
    return Math.max(0, Math.ceil((this.endsAt - this.clock.now()) / 1000));
  }
}

/** Thresholds (seconds) at which screen readers are told how much time is left. */
export const WARNINGS = [600, 300, 60, 30] as const;

/** The warning to announce when the countdown moves from `before` to `after`, if any. */
export function warningCrossed(before: number, after: number): number | null {
  for (const w of WARNINGS) if (before > w && after <= w) return w;
  return null;
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

export function spokenTime(seconds: number): string {
  if (seconds >= 120) return `${Math.round(seconds / 60)} minutes left`;
  if (seconds >= 60) return '1 minute left';
  return `${seconds} seconds left`;
}
