// One cohort: its facts, and its sections as tabs (members, codes, bulk upload, progress,
// charts, outcomes, exam readiness, exports). A cohort outside the caller's scope answers 404 like a missing one.
import { lazy, Suspense } from 'react';
import { api } from '../../api/client';
import { Link, usePageTitle } from '../../router';
import { ErrorState, formatDate, Loading, useLoad } from '../../ui';
import { placesText } from './cohorts';
import { CodesTab } from './codesTab';
import { cohortPath, COHORT_TABS, type CohortTab } from './cohortTabs';
import type { Cohort } from './contract';
import { DashboardTab } from './dashboardTab';
import { ExportsTab } from './exportsTab';
import { ImportTab } from './importTab';
import { MembersTab } from './membersTab';
import { OutcomesTab } from './outcomesTab';
import { ReadinessTab } from './readinessTab';

// The charts library loads only when the Charts tab opens (see chartsTab.tsx).
const ChartsTab = lazy(() => import('./chartsTab').then((m) => ({ default: m.ChartsTab })));

export function CohortPage({ id, tab }: { id: string; tab: CohortTab }) {
  const cohort = useLoad((signal) => api.get<Cohort>(`/api/v1/admin/cohorts/${encodeURIComponent(id)}`, { signal }), id);
  const c = cohort.data;
  const label = COHORT_TABS.find((t) => t.tab === tab)!.label;
  usePageTitle(c ? `${label} · ${c.name}` : 'Cohort');
  if (cohort.error) {
    return (
      <section>
        <h1>Cohort</h1>
        <ErrorState error={cohort.error} onRetry={cohort.reload} />
        <p>
          <Link href="/admin/cohorts">All cohorts</Link>
        </p>
      </section>
    );
  }
  if (!c) return <Loading label="Loading the cohort…" />;
  return (
    <section>
      <p className="crumbs">
        <Link href="/admin/cohorts">Cohorts</Link> ›
      </p>
      <h1>
        {c.name}
        {c.archived_at && <> <span className="badge">Archived</span></>}
      </h1>
      <p className="cohort-facts">
        {c.course.title} · from {formatDate(c.starts_on)}
        {c.target_on ? `, target ${formatDate(c.target_on)}` : ', no target date'} · {placesText(c)}
      </p>
      <nav aria-label="Cohort sections" className="tabs">
        <ul>
          {COHORT_TABS.map((t) => (
            <li key={t.tab}>
              <Link href={cohortPath(c.id, t.tab)} aria-current={t.tab === tab ? 'page' : undefined}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="tab-panel">
        <h2>{label}</h2>
        {tab === 'members' && <MembersTab cohort={c} onChanged={cohort.reload} />}
        {tab === 'codes' && <CodesTab cohort={c} />}
        {tab === 'import' && <ImportTab cohort={c} onApplied={cohort.reload} />}
        {tab === 'dashboard' && <DashboardTab cohort={c} />}
        {tab === 'charts' && (
          <Suspense fallback={<Loading label="Loading the charts…" />}>
            <ChartsTab cohort={c} />
          </Suspense>
        )}
        {tab === 'outcomes' && <OutcomesTab cohort={c} />}
        {tab === 'readiness' && <ReadinessTab cohort={c} />}
        {tab === 'exports' && <ExportsTab cohort={c} />}
      </div>
    </section>
  );
}
