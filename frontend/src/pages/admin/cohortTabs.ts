// The sections of a cohort's page. Each is its own address (/admin/cohorts/{id}/{tab}), so a
// tab can be bookmarked, shared and reached with the browser's back button; the tab bar is a
// navigation whose current link is marked `aria-current="page"`.
export const COHORT_TABS = [
  { tab: 'members', label: 'Members' },
  { tab: 'codes', label: 'Codes' },
  { tab: 'import', label: 'Bulk upload' },
  { tab: 'dashboard', label: 'Progress' },
  { tab: 'charts', label: 'Charts' },
  { tab: 'outcomes', label: 'Outcomes' },
  { tab: 'readiness', label: 'Exam readiness' },
  { tab: 'exports', label: 'Exports' },
] as const;

export type CohortTab = (typeof COHORT_TABS)[number]['tab'];

export function isCohortTab(t: string | undefined): t is CohortTab {
  return COHORT_TABS.some((x) => x.tab === t);
}

export const cohortPath = (id: string, tab: CohortTab = 'members') => `/admin/cohorts/${encodeURIComponent(id)}${tab === 'members' ? '' : `/${tab}`}`;
