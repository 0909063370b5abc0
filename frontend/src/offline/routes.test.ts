import { describe, expect, it } from 'vitest';
import { isShellNavigation } from './routes';

// The same paths as the server's own tests (tests/it/spa.rs and spa.rs's unit tests).
describe('service worker navigation fallback', () => {
  it('answers client routes with the app shell', () => {
    for (const p of [
      '/',
      '/courses',
      '/courses/demo-course',
      '/verify-email?token=abc.def',
      '/learn/0195c5a0-0000-7000-8000-000000000000/lessons/sharps',
      '/dashboard/',
      '/apiary',
      '/healthzz',
      '/courses/v1.2',
      '/sign-in?next=/learn/x.json',
      // A certificate's QR code: the shell opens offline, and the verdict always comes from
      // the network (the API path below is never answered from a cache).
      '/verify/7QX2M-4KD9R-H3WTA',
      '/verify',
    ]) {
      expect(isShellNavigation(p), p).toBe(true);
    }
  });

  it('leaves the server paths to the network', () => {
    for (const p of ['/api', '/api/', '/api/docs/', '/api/docs', '/api/openapi.json', '/api/v1/nothing', '/api?x=1', '/healthz', '/readyz', '/healthz/x', '/api/v1/verify/7QX2M-4KD9R-H3WTA']) {
      expect(isShellNavigation(p), p).toBe(false);
    }
  });

  it('leaves paths that name a file to the network', () => {
    for (const p of ['/robots.txt', '/x/y.css', '/assets/index-gone999.js', '/favicon.svg', '/manifest.webmanifest', '/sw.js?v=2', '/FONT.WOFF2']) {
      expect(isShellNavigation(p), p).toBe(false);
    }
  });
});
