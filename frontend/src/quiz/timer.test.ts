import { describe, expect, it } from 'vitest';
import { Countdown, formatClock, spokenTime, warningCrossed } from './timer';

describe('quiz countdown', () => {
  it('counts down from the server figure on its own clock and re-anchors on sync', () => {
    let now = 1000;
    const c = new Countdown(90, { now: () => now });
    expect(c.secondsLeft()).toBe(90);
    now += 30_500;
    expect(c.secondsLeft()).toBe(60);
    c.sync(100);
    expect(c.secondsLeft()).toBe(100);
    now += 200_000;
    expect(c.secondsLeft()).toBe(0);
  });

  it('announces each warning once when it is crossed', () => {
    expect(warningCrossed(301, 300)).toBe(300);
    expect(warningCrossed(300, 299)).toBeNull();
    expect(warningCrossed(61, 59)).toBe(60);
    expect(warningCrossed(1000, 999)).toBeNull();
  });

  it('formats the clock and the spoken time', () => {
    expect(formatClock(1187)).toBe('19:47');
    expect(formatClock(5)).toBe('0:05');
    expect(formatClock(3725)).toBe('1:02:05');
    expect(spokenTime(300)).toBe('5 minutes left');
    expect(spokenTime(60)).toBe('1 minute left');
    expect(spokenTime(30)).toBe('30 seconds left');
  });
});
