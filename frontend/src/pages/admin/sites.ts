// The site directory's pure parts: the search, the form as text fields, its checks, and the
// request bodies (a new site; only the changed fields of an edited one).
import { SITE_LIMITS, type Site, type SiteInput } from './types';

export interface SiteForm {
  name: string;
  address: string;
  /** One department per line. */
  departments: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
}

export type SiteField = keyof SiteForm;
export type SiteErrors = Partial<Record<SiteField, string>>;

export const EMPTY_SITE: SiteForm = {
  name: '',
  address: '',
  departments: '',
  contactName: '',
  contactEmail: '',
  contactPhone: '',
};

export function siteFormOf(s: Site): SiteForm {
  return {
    name: s.name,
    address: s.address,
    departments: s.departments.join('\n'),
    contactName: s.contact_name ?? '',
    contactEmail: s.contact_email ?? '',
    contactPhone: s.contact_phone ?? '',
  };
}

/** Lines to names: trimmed, blank ones dropped, the same name once. */
export function parseDepartments(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const d = raw.trim().replace(/\s+/g, ' ');
    const key = d.toLowerCase();
    if (!d || seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/** Letters without accents, lower case, single spaces: what the name search compares. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The sites whose name (or address) holds every word of `query`, archived ones only when asked. */
export function filterSites(sites: readonly Site[], query: string, showArchived: boolean): Site[] {
  const words = fold(query).split(' ').filter(Boolean);
  return sites.filter((s) => {
    if (s.archived && !showArchived) return false;
    const hay = fold(`${s.name} ${s.address}`);
    return words.every((w) => hay.includes(w));
  });
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

export function looksLikeEmail(v: string): boolean {
  return EMAIL.test(v) && v.length <= SITE_LIMITS.email && !v.split('@')[1]!.startsWith('.');
}

export function validateSite(f: SiteForm): SiteErrors {
  const e: SiteErrors = {};
  const name = f.name.trim();
  if (!name) e.name = 'Enter the site’s name.';
  else if (name.length > SITE_LIMITS.name) e.name = `Keep the name to ${SITE_LIMITS.name} characters or fewer.`;
  const address = f.address.trim();
  if (!address) e.address = 'Enter the site’s address.';
  else if (address.length > SITE_LIMITS.address) e.address = `Keep the address to ${SITE_LIMITS.address} characters or fewer.`;
  const depts = parseDepartments(f.departments);
  if (depts.length > SITE_LIMITS.departments) e.departments = `List at most ${SITE_LIMITS.departments} departments.`;
  else if (depts.some((d) => d.length > SITE_LIMITS.department)) {
    e.departments = `Keep each department’s name to ${SITE_LIMITS.department} characters or fewer.`;
  }
  if (f.contactName.trim().length > SITE_LIMITS.contactName) {
    e.contactName = `Keep the name to ${SITE_LIMITS.contactName} characters or fewer.`;
  }
  const email = f.contactEmail.trim();
  if (email && !looksLikeEmail(email)) e.contactEmail = 'Enter an email address like name@example.org, or leave it empty.';
  if (f.contactPhone.trim().length > SITE_LIMITS.contactPhone) {
    e.contactPhone = `Keep the phone number to ${SITE_LIMITS.contactPhone} characters or fewer.`;
  }
  return e;
}

/** A new site's body: optional contact fields left out when empty. */
export function newSiteBody(f: SiteForm): SiteInput {
  const body: SiteInput = {
    name: f.name.trim(),
    address: f.address.trim(),
    departments: parseDepartments(f.departments),
  };
  if (f.contactName.trim()) body.contact_name = f.contactName.trim();
  if (f.contactEmail.trim()) body.contact_email = f.contactEmail.trim();
  if (f.contactPhone.trim()) body.contact_phone = f.contactPhone.trim();
  return body;
}

/** Only what changed (an emptied contact field is sent as "" to clear it); null: nothing. */
export function sitePatch(original: Site, f: SiteForm): SiteInput | null {
  const was = siteFormOf(original);
  const patch: SiteInput = {};
  if (f.name.trim() !== was.name) patch.name = f.name.trim();
  if (f.address.trim() !== was.address) patch.address = f.address.trim();
  const depts = parseDepartments(f.departments);
  if (depts.join('\n') !== original.departments.join('\n')) patch.departments = depts;
  if (f.contactName.trim() !== was.contactName) patch.contact_name = f.contactName.trim();
  if (f.contactEmail.trim().toLowerCase() !== was.contactEmail.toLowerCase()) patch.contact_email = f.contactEmail.trim();
  if (f.contactPhone.trim() !== was.contactPhone) patch.contact_phone = f.contactPhone.trim();
  return Object.keys(patch).length ? patch : null;
}

/** The server's `details.field` for a refused site, as the form's field. */
export function siteFieldOf(field: unknown): SiteField | null {
  const map: Record<string, SiteField> = {
    name: 'name',
    address: 'address',
    departments: 'departments',
    contact_name: 'contactName',
    contact_email: 'contactEmail',
    contact_phone: 'contactPhone',
  };
  return typeof field === 'string' ? (map[field] ?? null) : null;
}
