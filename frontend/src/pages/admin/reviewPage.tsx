// The program's review queue: attested entries, oldest first, to approve or return with a
// note, one or many at once (all or nothing on the server). Reports what the review did,
// including the courses it completed, once the server has answered.
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { ApiError } from '../../api/errors';
import { Link, navigate, useLocation, usePageTitle } from '../../router';
import { Alert, Empty, ErrorState, Loading, useLoad } from '../../ui';
import { focusField, focusSoon } from '../attest/fields';
import type { FieldError } from '../attest/form';
import { plural } from '../attest/outcome';
import { Pager, pageCount } from './common';
import {
  approveBody,
  describeResult,
  EMPTY_NOTES,
  prune,
  returnBody,
  selectedInOrder,
  setAll,
  toggle,
  validateReturn,
  type CompletedCourse,
  type ReturnNotes,
} from './review';
import { ReturnPanel } from './returnPanel';
import { ReviewTable } from './reviewTable';
import { SummaryPanel } from './summaryPanel';
import type { ReviewItem, ReviewQueue, ReviewResult } from './types';

const PER_PAGE = 25;
const BASE = '/admin/externship/review';

type Outcome = { kind: 'done'; message: string; completed: CompletedCourse[] } | { kind: 'error'; message: string };

export function ReviewPage() {
  usePageTitle('Review queue');
  const { search } = useLocation();
  const enrolment = search.get('enrolment');
  // The page number belongs to the filter it was chosen under: a new filter starts at page 1.
  const [paging, setPaging] = useState({ enrolment, page: 1 });
  const page = paging.enrolment === enrolment ? paging.page : 1;
  const setPage = (p: number) => setPaging({ enrolment, page: p });
  const queue = useLoad(
    (signal) =>
      api.get<ReviewQueue>('/api/v1/admin/externship/review', {
        signal,
        query: { page, per_page: PER_PAGE, enrolment_id: enrolment },
      }),
    `${enrolment ?? ''}|${page}`,
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [returning, setReturning] = useState(false);
  const [notes, setNotes] = useState<ReturnNotes>(EMPTY_NOTES);
  const [noteErrors, setNoteErrors] = useState<FieldError[]>([]);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [learner, setLearner] = useState<{ name: string; course: string } | null>(null);

  const items = queue.data?.items ?? [];
  // Rows that left the page (decided, or on another page now) leave the selection too.
  useEffect(() => {
    if (queue.data) setSelected((s) => prune(s, queue.data!.items.map((i) => i.entry.id)));
  }, [queue.data]);

  const chosen = selectedInOrder(selected, items);
  const chosenItems = items.filter((i) => selected.has(i.entry.id));

  const send = async (body: ReturnType<typeof approveBody>) => {
    setBusy(true);
    setOutcome(null);
    const shown = items;
    try {
      const result = await api.post<ReviewResult>('/api/v1/admin/externship/review', body);
      setOutcome({ kind: 'done', ...describeResult(result, shown) });
      setReturning(false);
      setNotes(EMPTY_NOTES);
      setSelected(new Set());
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'internal_error', null);
      const message = err.is('not_attested')
        ? `Nothing was changed: ${plural(Array.isArray(err.details.entry_ids) ? err.details.entry_ids.length : 1, 'selected entry is', 'selected entries are')} no longer waiting for review (another reviewer may have decided, or the learner corrected them). The list has been reloaded.`
        : err.is('phi_suspected')
          ? `Nothing was changed: ${err.message}`
          : `Nothing was changed. ${err.message}`;
      setOutcome({ kind: 'error', message });
    } finally {
      setBusy(false);
      queue.reload();
    }
  };

  const submitReturn = () => {
    const errs = validateReturn(chosen, notes);
    setNoteErrors(errs);
    if (errs.length) return focusField(errs[0]!.id);
    void send(returnBody(chosen, notes));
  };

  const showLearner = (item: ReviewItem) => {
    setLearner({ name: item.learner_name, course: item.course_title });
    navigate(`${BASE}?enrolment=${encodeURIComponent(item.enrolment_id)}`);
    focusSoon('summary-heading');
  };

  const total = queue.data?.total ?? 0;
  return (
    <section>
      <h1>Review queue</h1>
      <p className="muted">
        Entries the site supervisors attested. Approve them to count towards the learner’s requirements, or return them
        with a note for the learner to correct.
      </p>
      {enrolment && (
        <>
          <p className="filter-note">
            Showing one learner’s entries only. <Link href={BASE}>Show every learner</Link>
          </p>
          <SummaryPanel
            key={`${enrolment}|${outcome?.kind === 'done' ? outcome.message : ''}`}
            enrolmentId={enrolment}
            learner={learner?.name ?? items[0]?.learner_name ?? 'The learner'}
            course={learner?.course ?? items[0]?.course_title ?? 'this course'}
          />
        </>
      )}
      <OutcomeView outcome={outcome} />
      {queue.loading && !queue.data && <Loading label="Loading the queue…" />}
      {queue.error && <ErrorState error={queue.error} onRetry={queue.reload} />}
      {queue.data && items.length === 0 && <Empty>Nothing is waiting for review{enrolment ? ' from this learner' : ''}.</Empty>}
      {items.length > 0 && (
        <>
          <div className="action-bar" role="group" aria-label="Selected entries">
            <p className="selected-count" aria-live="polite">
              {chosen.length ? `${plural(chosen.length, 'entry', 'entries')} selected` : 'No entries selected'}
            </p>
            <button type="button" className="button" disabled={busy || chosen.length === 0} onClick={() => void send(approveBody(chosen))}>
              {busy && !returning ? 'Approving…' : 'Approve selected'}
            </button>
            <button
              type="button"
              className="button secondary"
              disabled={busy || chosen.length === 0}
              onClick={() => {
                setReturning(true);
                setNoteErrors([]);
                focusSoon('return-heading');
              }}
            >
              Return selected…
            </button>
          </div>
          {returning && chosenItems.length > 0 && (
            <ReturnPanel
              items={chosenItems}
              notes={notes}
              errors={noteErrors}
              busy={busy}
              onChange={setNotes}
              onSubmit={submitReturn}
              onCancel={() => setReturning(false)}
            />
          )}
          <ReviewTable
            items={items}
            total={total}
            selected={selected}
            onToggle={(id, on) => setSelected((s) => toggle(s, id, on))}
            onToggleAll={(on) => setSelected((s) => setAll(s, items.map((i) => i.entry.id), on))}
            onLearner={showLearner}
          />
          <Pager
            page={page}
            pages={pageCount(total, PER_PAGE)}
            onPage={(p) => {
              setPage(p);
              setSelected(new Set());
              setReturning(false);
            }}
            label="Pages of the review queue"
          />
        </>
      )}
    </section>
  );
}

/** What the last review did (or why it was refused), focused when it appears so it is read out. */
function OutcomeView({ outcome }: { outcome: Outcome | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (outcome) ref.current?.focus();
  }, [outcome]);
  if (!outcome) return null;
  return (
    <div id="review-outcome" ref={ref} tabIndex={-1} className="notice">
      <Alert kind={outcome.kind === 'done' ? 'success' : 'error'} title={outcome.kind === 'done' ? 'Review recorded' : 'Review not recorded'}>
        <p>{outcome.message}</p>
        {outcome.kind === 'done' && outcome.completed.length > 0 && (
          <>
            <p>This review completed {plural(outcome.completed.length, 'course')}:</p>
            <ul>
              {outcome.completed.map((c) => (
                <li key={c.enrolmentId}>
                  {c.learner}: {c.course}
                </li>
              ))}
            </ul>
          </>
        )}
      </Alert>
    </div>
  );
}
