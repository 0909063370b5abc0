import { describe, expect, it } from 'vitest';
import { matchPath } from './router';
import { safeNext, signInPath } from './session';

describe('routing', () => {
  it('matches patterns and decodes parameters', () => {
    expect(matchPath('/learn/:id/lessons/:lesson', '/learn/abc/lessons/order%20of%20draw')).toEqual({ id: 'abc', lesson: 'order of draw' });
    expect(matchPath('/courses/:slug', '/courses')).toBeNull();
    expect(matchPath('/courses/:slug', '/courses/a/b')).toBeNull();
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/courses/:slug', '/courses/%E0%A4%A')).toBeNull();
  });

  it('returns after sign-in only to paths on this site', () => {
    expect(safeNext('/learn/1/lessons/x?y=1')).toBe('/learn/1/lessons/x?y=1');
    for (const bad of [null, '', 'https://evil.example', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      expect(safeNext(bad)).toBe('/dashboard');
    }
    expect(signInPath('/learn/1', 'expired')).toBe('/sign-in?next=%2Flearn%2F1&reason=expired');
    expect(signInPath()).toBe('/sign-in');
  });
});
