import { describe, expect, it } from 'vitest';
import { filterSites, fold, newSiteBody, parseDepartments, siteFieldOf, siteFormOf, sitePatch, validateSite, EMPTY_SITE } from './sites';
import type { Site } from './types';

const site = (over: Partial<Site> = {}): Site => ({
  id: 's1',
  name: 'Riverside Clinic',
  address: '1 River Road, Springfield',
  departments: ['Outpatient', 'Inpatient'],
  contact_name: 'Pat Contact',
  contact_email: 'pat@riverside.example',
  contact_phone: null,
  archived: false,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...over,
});

describe('the site directory', () => {
  it('searches names and addresses by every word, ignoring case and accents', () => {
    const sites = [site(), site({ id: 's2', name: 'Hôpital Saint-Jean', address: 'Montréal' }), site({ id: 's3', name: 'Old Lab', archived: true })];
    expect(filterSites(sites, '', false).map((s) => s.id)).toEqual(['s1', 's2']);
    expect(filterSites(sites, '', true).map((s) => s.id)).toEqual(['s1', 's2', 's3']);
    expect(filterSites(sites, 'hopital', false).map((s) => s.id)).toEqual(['s2']);
    expect(filterSites(sites, 'river SPRINGFIELD', false).map((s) => s.id)).toEqual(['s1']);
    expect(filterSites(sites, 'old', false)).toEqual([]);
    expect(filterSites(sites, 'old', true).map((s) => s.id)).toEqual(['s3']);
    expect(fold('  Ça  Va ')).toBe('ca va');
  });

  it('reads departments one per line, once each', () => {
    expect(parseDepartments(' Outpatient \n\n inpatient  wards\nOUTPATIENT\n')).toEqual(['Outpatient', 'inpatient wards']);
    expect(parseDepartments('')).toEqual([]);
  });

  it('checks the form as the server will', () => {
    expect(validateSite(EMPTY_SITE)).toEqual({ name: expect.any(String), address: expect.any(String) });
    const ok = { ...EMPTY_SITE, name: 'A', address: 'B' };
    expect(validateSite(ok)).toEqual({});
    expect(validateSite({ ...ok, contactEmail: 'not-an-email' }).contactEmail).toBeDefined();
    expect(validateSite({ ...ok, contactEmail: 'a@b.org' })).toEqual({});
    expect(validateSite({ ...ok, name: 'x'.repeat(201) }).name).toContain('200');
    expect(validateSite({ ...ok, departments: Array.from({ length: 31 }, (_, i) => `D${i}`).join('\n') }).departments).toContain('30');
    expect(validateSite({ ...ok, departments: 'x'.repeat(101) }).departments).toContain('100');
    expect(validateSite({ ...ok, contactPhone: '1'.repeat(51) }).contactPhone).toContain('50');
  });

  it('sends a new site without empty contact fields', () => {
    expect(newSiteBody({ ...EMPTY_SITE, name: ' Riverside ', address: ' 1 Road ', departments: 'A\nB', contactEmail: ' x@y.org ' })).toEqual({
      name: 'Riverside',
      address: '1 Road',
      departments: ['A', 'B'],
      contact_email: 'x@y.org',
    });
  });

  it('sends only what changed when editing, "" to clear a contact field', () => {
    const s = site();
    expect(sitePatch(s, siteFormOf(s))).toBeNull();
    expect(sitePatch(s, { ...siteFormOf(s), name: 'Riverside Hospital', contactName: ' ' })).toEqual({
      name: 'Riverside Hospital',
      contact_name: '',
    });
    expect(sitePatch(s, { ...siteFormOf(s), departments: 'Inpatient\nOutpatient' })).toEqual({ departments: ['Inpatient', 'Outpatient'] });
    expect(sitePatch(s, { ...siteFormOf(s), contactEmail: 'PAT@riverside.example' })).toBeNull();
  });

  it('maps the server’s field names to the form’s', () => {
    expect(siteFieldOf('contact_email')).toBe('contactEmail');
    expect(siteFieldOf('nope')).toBeNull();
    expect(siteFieldOf(undefined)).toBeNull();
  });
});
