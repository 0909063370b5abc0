import { describe, expect, it } from 'vitest';
import { downloadOf } from './download';

describe('certificate downloads', () => {
  const c = { id: '0195c5a0-0000-7000-8000-000000000001', serial: 'BS-001001' };

  it('use the same-origin API paths, which take the session’s token', () => {
    expect(downloadOf(c, { kind: 'pdf', paper: 'a4' })).toEqual({
      path: '/api/v1/certificates/0195c5a0-0000-7000-8000-000000000001.pdf',
      query: { paper: 'a4' },
      filename: 'benchside-certificate-BS-001001-A4.pdf',
    });
    expect(downloadOf(c, { kind: 'pdf', paper: 'letter' })).toMatchObject({ query: { paper: 'letter' }, filename: 'benchside-certificate-BS-001001-letter.pdf' });
    expect(downloadOf(c, { kind: 'jwt' })).toEqual({
      path: '/api/v1/certificates/0195c5a0-0000-7000-8000-000000000001/credential.jwt',
      filename: 'benchside-certificate-BS-001001-credential.jwt',
    });
    expect(downloadOf(c, { kind: 'json' }).path).toBe('/api/v1/certificates/0195c5a0-0000-7000-8000-000000000001/credential.json');
  });
});
