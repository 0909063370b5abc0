// The learner's clinical externship at /learn/:id/externship: log shifts and collections
// (offline too, through the outbox), see the log by state, send drafts to the supervisor,
// follow progress against the requirements, and download the record.
import { useEffect, useMemo, useRef } from 'react';
import { Link, usePageTitle } from '../../router';
import { useSession } from '../../session';
import { Alert, ErrorState, Loading } from '../../ui';
import { useOutbox } from '../../offline/useOutbox';
import { activePlacements, localToday } from './form';
import { draftsByPlacement, isLogEntryOf, mergeLog } from './log';
import { formatDay } from './labels';
import { Exports } from './Exports';
import { LogList } from './LogList';
import { LogShift, QuickLog } from './NewEntries';
import { FailedEntries, OutboxStatus } from './OutboxPanel';
import { ProgressPanel, ReadinessPanel } from './ProgressPanel';
import { SendPanel } from './SendPanel';
import { useExternship } from './useExternship';
import { useOnline } from './useOnline';
import type { Placement } from './types';

/** Reloads the log soon after entries of ours leave the outbox as sent (not refused). */
function useReloadWhenSent(queuedIds: string[], failedIds: string[], reload: () => void) {
  const before = useRef<Set<string>>(new Set());
  const timer = useRef<number | null>(null);
  const key = `${queuedIds.join(',')}|${failedIds.join(',')}`;
  useEffect(() => {
    const now = new Set(queuedIds);
    const refused = new Set(failedIds);
    const sent = [...before.current].some((id) => !now.has(id) && !refused.has(id));
    before.current = now;
    if (!sent) return;
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      timer.current = null;
      reload();
    }, 200);
    // `key` stands for the two lists.
  }, [key, reload]);
  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );
}

function PlacementList({ placements }: { placements: Placement[] }) {
  return (
    <ul className="ext-placements">
      {placements.map((p) => (
        <li key={p.id} className={p.cancelled ? 'muted' : undefined}>
          <strong>{p.site_name}</strong>, {formatDay(p.starts_on)} to {formatDay(p.ends_on)}; supervisor {p.supervisor.name}
          {p.supervisor.credential ? ` (${p.supervisor.credential})` : ''}
          {p.cancelled && ' (cancelled)'}
        </li>
      ))}
    </ul>
  );
}

export function ExternshipPage({ id }: { id: string }) {
  const x = useExternship(id);
  const { user } = useSession();
  const box = useOutbox();
  const online = useOnline();
  const course = x.enrolment.data?.course_title;
  usePageTitle(course ? `Externship: ${course}` : 'Clinical externship');

  const mineQueued = useMemo(() => box.queued.filter((q) => isLogEntryOf(q, x.paths.base)), [box.queued, x.paths.base]);
  const mineFailed = useMemo(() => box.failed.filter((q) => isLogEntryOf(q, x.paths.base)), [box.failed, x.paths.base]);
  useReloadWhenSent(
    mineQueued.map((q) => q.id),
    mineFailed.map((q) => q.id),
    x.logChanged,
  );
  const serverEntries = useMemo(() => x.entries.data ?? [], [x.entries.data]);
  const items = useMemo(() => mergeLog(serverEntries, mineQueued, x.paths.base), [serverEntries, mineQueued, x.paths.base]);

  const breadcrumb = (
    <p className="breadcrumb">
      <Link href="/dashboard">My learning</Link>
      {' › '}
      <Link href={`/learn/${encodeURIComponent(id)}`}>{course ?? 'Course progress'}</Link>
    </p>
  );

  const o = x.overview;
  if (o.loading && !o.data) return <Loading label="Loading your externship…" />;
  if (!o.data) {
    const none = o.error?.code === 'no_externship';
    return (
      <section>
        {breadcrumb}
        <h1>Clinical externship</h1>
        {none ? (
          <Alert kind="info">
            <p>This course has no clinical externship, so there is nothing to log here.</p>
          </Alert>
        ) : (
          <ErrorState error={o.error} onRetry={o.error?.status === 404 ? undefined : o.reload} />
        )}
      </section>
    );
  }
  const overview = o.data;
  const today = localToday();
  const placements = activePlacements(overview.placements, today);
  const canLog = overview.can_log && !!user;
  const queuedByPlacement = new Map<string, number>();
  for (const q of mineQueued) {
    const p = typeof q.body.placement_id === 'string' ? q.body.placement_id : '';
    queuedByPlacement.set(p, (queuedByPlacement.get(p) ?? 0) + 1);
  }
  const formProps = { overview, entries: serverEntries, paths: x.paths, today, placements, userId: user?.id ?? '', online, submit: box.submit };

  return (
    <section className="ext-page">
      {breadcrumb}
      <h1>Clinical externship</h1>
      <OutboxStatus unsent={mineQueued.length} online={online} onSendNow={() => void box.replayNow().catch(() => undefined)} />
      <nav aria-label="On this page" className="ext-jump">
        <ul>
          {canLog && placements.length > 0 && (
            <>
              {overview.collection_types.length > 0 && (
                <li>
                  <a href="#ext-quick-h">Collections</a>
                </li>
              )}
              <li>
                <a href="#ext-shift-h">Shift</a>
              </li>
            </>
          )}
          <li>
            <a href="#ext-log-h">Log</a>
          </li>
          <li>
            <a href="#ext-send-h">Send</a>
          </li>
          <li>
            <a href="#ext-progress-h">Progress</a>
          </li>
          <li>
            <a href="#ext-export-h">Download</a>
          </li>
        </ul>
      </nav>
      {!overview.can_log && (
        <Alert kind="warning">
          <p>This enrolment is not active, so nothing more can be logged or sent. Your log, progress and downloads stay available.</p>
        </Alert>
      )}
      {overview.placements.length === 0 ? (
        <Alert kind="info" title="No placement yet">
          <p>Your program places you at a clinical site with a supervisor. Once it has, you log your shifts and collections here.</p>
        </Alert>
      ) : (
        <details className="ext-placement-box">
          <summary>Your {overview.placements.length === 1 ? 'placement' : 'placements'}</summary>
          <PlacementList placements={overview.placements} />
        </details>
      )}
      {overview.placements.length > 0 && placements.length === 0 && overview.can_log && (
        <Alert kind="info">
          <p>None of your placements is open for logging today (not started yet, or cancelled).</p>
        </Alert>
      )}
      <FailedEntries failed={mineFailed} box={box} overview={overview} today={today} entries={serverEntries} />
      {canLog && placements.length > 0 && (
        <div className="ext-forms">
          {overview.collection_types.length > 0 && <QuickLog {...formProps} />}
          <LogShift {...formProps} />
        </div>
      )}
      {x.entries.error && !x.entries.data ? (
        <ErrorState error={x.entries.error} onRetry={x.entries.reload} />
      ) : !x.entries.data ? (
        <Loading label="Loading your log…" />
      ) : (
        <LogList
          items={items}
          overview={overview}
          entries={serverEntries}
          paths={x.paths}
          today={today}
          canLog={canLog}
          onChanged={x.logChanged}
          onRemoveQueued={box.discard}
        />
      )}
      <SendPanel
        paths={x.paths}
        placements={overview.placements}
        drafts={draftsByPlacement(serverEntries)}
        queued={queuedByPlacement}
        requests={x.requests.data}
        canLog={canLog}
        onChanged={x.sent}
      />
      {x.summary.data ? (
        <>
          <ProgressPanel summary={x.summary.data} />
          <ReadinessPanel certifications={x.summary.data.certifications} />
        </>
      ) : x.summary.error ? (
        <ErrorState error={x.summary.error} onRetry={x.summary.reload} />
      ) : (
        <Loading label="Loading your progress…" />
      )}
      <Exports paths={x.paths} slug={x.enrolment.data?.course_slug ?? ''} />
    </section>
  );
}
