// The admin forms' and filters' pure parts: cohorts, codes, members, accounts, the audit log,
// outcomes, export names, and who sees which section.
import { describe, expect, it } from 'vitest';
import { canDo, canEnterAdmin, canUseSection } from './access';
import { auditFilterQuery, auditQuery, detailsText, EMPTY_AUDIT_FILTER, validateAudit } from './audit';
import { newCodeBody, usesText, validateCode, EMPTY_CODE } from './codes';
import { cohortPatch, cohortQuery, EMPTY_COHORT, EMPTY_COHORT_FILTER, newCohortBody, placesText, validateCohort } from './cohorts';
import type { Cohort } from './contract';
import { exportFileName } from './exports';
import { checkEmail, extendTo, memberQuery, moveTargets, EMPTY_MEMBER_FILTER } from './members';
import { outcomeRows, rate } from './outcomes';
import { statusOf, userQuery, EMPTY_USER_FILTER } from './users';
import { navFor } from './shell';

const cohort = (over: Partial<Cohort> = {}): Cohort => ({
  id: 'c1',
  course: { slug: 'demo-course', title: 'Demo Course' },
  name: 'Spring',
  starts_on: '2026-03-01',
  target_on: '2026-06-30',
  capacity: 30,
  archived_at: null,
  created_at: '2026-02-01T00:00:00Z',
  staff: [{ id: 's1', name: 'Sam', email: 's@example.org' }],
  members: { active: 12, completed: 3, withdrawn: 1, total: 16 },
  ...over,
});

describe('who sees what', () => {
  it('lets admins use everything, staff only their sections, learners nothing', () => {
    expect(canEnterAdmin('admin') && canEnterAdmin('staff')).toBe(true);
    expect(canEnterAdmin('learner') || canEnterAdmin(undefined)).toBe(false);
    for (const s of ['users', 'audit', 'sites', 'placements', 'itemStats'] as const) {
      expect(canUseSection('staff', s), s).toBe(false);
      expect(canUseSection('admin', s), s).toBe(true);
    }
    for (const s of ['home', 'cohorts', 'cohort', 'review', 'certificates'] as const) expect(canUseSection('staff', s), s).toBe(true);
    expect(canUseSection('learner', 'home')).toBe(false);
    expect(canDo('staff', 'manageCohorts') || canDo('staff', 'revokeCertificates')).toBe(false);
    expect(canDo('admin', 'manageCohorts')).toBe(true);
  });

  it('shows staff a navigation without the admin-only links', () => {
    const links = (r: 'admin' | 'staff') => navFor(r).flatMap((g) => g.links.map((l) => l.label));
    expect(links('staff')).toEqual(['Cohorts', 'Certificates', 'Review']);
    expect(links('admin')).toEqual(['Cohorts', 'Certificates', 'Item statistics', 'Users', 'Audit log', 'Sites', 'Placements', 'Review']);
  });
});

describe('cohorts', () => {
  it('queries active cohorts by default and leaves empty filters out', () => {
    expect(cohortQuery(EMPTY_COHORT_FILTER, 25)).toEqual({ status: 'active', page: 1, per_page: 25 });
    expect(cohortQuery({ q: ' spr ', course: 'demo-course', status: 'all', page: 2 }, 25)).toEqual({ status: 'all', page: 2, per_page: 25, q: 'spr', course: 'demo-course' });
  });

  it('checks the form: course, name, dates in order, a whole capacity', () => {
    expect(Object.keys(validateCohort(EMPTY_COHORT)).sort()).toEqual(['course', 'name', 'startsOn']);
    const ok = { ...EMPTY_COHORT, course: 'demo-course', name: 'Spring', startsOn: '2026-03-01' };
    expect(validateCohort(ok)).toEqual({});
    expect(validateCohort({ ...ok, targetOn: '2026-02-01' }).targetOn).toMatch(/on or after/);
    expect(validateCohort({ ...ok, capacity: '2.5' }).capacity).toBeDefined();
    expect(validateCohort({ ...ok, capacity: '0' }).capacity).toBeDefined();
    expect(validateCohort({ ...ok, capacity: '100001' }).capacity).toBeDefined();
    expect(validateCohort({ ...ok, capacity: '100000' }).capacity).toBeUndefined();
    expect(newCohortBody({ ...ok, capacity: ' 30 ', staff: ['s1'] })).toEqual({
      course: 'demo-course',
      name: 'Spring',
      starts_on: '2026-03-01',
      target_on: null,
      capacity: 30,
      staff: ['s1'],
    });
  });

  it('sends only what changed', () => {
    const c = cohort();
    const f = { course: 'demo-course', name: 'Spring', startsOn: '2026-03-01', targetOn: '2026-06-30', capacity: '30', staff: ['s1'] };
    expect(cohortPatch(c, f)).toBeNull();
    expect(cohortPatch(c, { ...f, capacity: '', targetOn: '', staff: [] })).toEqual({ capacity: null, target_on: null, staff: [] });
    expect(cohortPatch(c, { ...f, name: ' Spring B ' })).toEqual({ name: 'Spring B' });
    expect(placesText(c)).toBe('12 of 30 places');
    expect(placesText(cohort({ capacity: null }))).toBe('12 active, no limit');
  });
});

describe('codes and members', () => {
  const today = new Date('2026-03-10T12:00:00Z');
  it('generates unless a code is chosen; limits and last day are optional', () => {
    expect(validateCode(EMPTY_CODE, today)).toEqual({});
    expect(newCodeBody(EMPTY_CODE)).toEqual({ max_uses: null, expires_at: null });
    expect(validateCode({ ...EMPTY_CODE, generate: false, code: 'a b' }, today).code).toBeDefined();
    expect(newCodeBody({ generate: false, code: ' phlb-spring ', maxUses: '20', expiresOn: '2026-04-01' })).toEqual({
      code: 'PHLB-SPRING',
      max_uses: 20,
      expires_at: '2026-04-01T23:59:59.000Z',
    });
    expect(validateCode({ ...EMPTY_CODE, expiresOn: '2026-03-01' }, today).expiresOn).toBeDefined();
    expect(validateCode({ ...EMPTY_CODE, maxUses: '-1' }, today).maxUses).toBeDefined();
    expect(usesText({ uses: 3, max_uses: null })).toBe('3 used, no limit');
    expect(usesText({ uses: 3, max_uses: 10 })).toBe('3 of 10 used');
  });

  it('moves only to other live cohorts of the same course; extends only forward', () => {
    const here = cohort();
    const all = [here, cohort({ id: 'c2', name: 'Summer' }), cohort({ id: 'c3', course: { slug: 'other', title: 'Other' } }), cohort({ id: 'c4', archived_at: '2026-01-01T00:00:00Z' })];
    expect(moveTargets(all, here).map((c) => c.id)).toEqual(['c2']);
    expect(extendTo('', { access_expires_at: '2026-05-01T00:00:00Z' }, today)).toHaveProperty('error');
    expect(extendTo('2026-03-01', { access_expires_at: '2026-02-01T00:00:00Z' }, today)).toHaveProperty('error');
    expect(extendTo('2026-04-01', { access_expires_at: '2026-05-01T00:00:00Z' }, today)).toHaveProperty('error');
    expect(extendTo('2026-06-01', { access_expires_at: '2026-05-01T00:00:00Z' }, today)).toEqual({ at: '2026-06-01T23:59:59.000Z' });
    expect(checkEmail('')).toBeTruthy();
    expect(checkEmail('ana@example')).toBeTruthy();
    expect(checkEmail(' ana@example.org ')).toBeNull();
    expect(memberQuery({ ...EMPTY_MEMBER_FILTER, state: 'withdrawn' }, 25)).toEqual({ page: 1, per_page: 25, state: 'withdrawn' });
  });
});

describe('accounts, audit, outcomes, exports', () => {
  it('builds the accounts query and reads an account’s state', () => {
    expect(userQuery(EMPTY_USER_FILTER, 25)).toEqual({ page: 1, per_page: 25 });
    expect(userQuery({ q: 'ana', role: 'staff', status: 'disabled', page: 2 }, 25)).toEqual({ page: 2, per_page: 25, q: 'ana', role: 'staff', status: 'disabled' });
    expect(statusOf({ disabled: true, email_verified: true, invited: false })).toBe('disabled');
    expect(statusOf({ disabled: false, email_verified: false, invited: false })).toBe('unverified');
    expect(statusOf({ disabled: false, email_verified: false, invited: true })).toBe('invited');
    expect(statusOf({ disabled: false, email_verified: true, invited: false })).toBe('active');
  });

  it('gives the audit list and its export the same filters, with whole days', () => {
    const f = { ...EMPTY_AUDIT_FILTER, action: 'cohort.', from: '2026-03-01', to: '2026-03-02' };
    expect(auditFilterQuery(f)).toEqual({ action: 'cohort.', from: '2026-03-01T00:00:00Z', to: '2026-03-02T23:59:59.999Z' });
    expect(auditQuery(f, 2, 50)).toEqual({ ...auditFilterQuery(f), page: 2, per_page: 50 });
    expect(validateAudit({ ...f, actor: 'nope' }).actor).toBeDefined();
    expect(validateAudit({ ...f, from: '2026-03-05' }).to).toBeDefined();
    expect(detailsText({ reason: 'moved', from: { id: 1 } })).toBe('reason: moved; from: {"id":1}');
  });

  it('writes rates as percents and names export files after the cohort', () => {
    expect(rate(null)).toBe('Not yet');
    expect(rate(0.8333)).toBe('83.3%');
    const rows = outcomeRows({ enrolled: 10, completed: 5, completion_rate: 0.5, median_days_to_complete: 41.25, final_exam_first_attempt_pass_rate: null, externship_completion_rate: 1 });
    expect(rows.map((r) => r.value)).toEqual(['10', '5', '50%', '41.3', 'Not yet', '100%']);
    expect(exportFileName('Spring 2027 – Évening', 'progress', new Date('2026-03-10T00:00:00Z'))).toBe('spring-2027-evening-progress-2026-03-10.csv');
  });
});
