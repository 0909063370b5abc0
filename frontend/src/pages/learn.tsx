// The learner's side: dashboard, an enrolment's overview with "what is left", and the lesson
// reader with its module sidebar.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { ApiError } from '../api/errors';
import { HEARTBEAT_SECONDS } from '../api/rules';
import type { CompletionResult, CompletionView, Dashboard as DashboardT, EnrolmentDetail, LessonView, ModuleProgress, QuizState, EnrolmentReadiness } from '../api/types';
import { LearnerReadiness } from '../readiness/panel';
import { Link, interceptLinks, usePageTitle } from '../router';
import { Alert, Empty, ErrorState, Html, Loading, ProgressBar, formatDate, formatDuration, useLoad, useSubmit } from '../ui';
import { JoinWithCode } from './catalog';

const lessonHref = (id: string, slug: string) => `/learn/${id}/lessons/${encodeURIComponent(slug)}`;
const quizHref = (id: string, slug: string) => `/learn/${id}/quizzes/${encodeURIComponent(slug)}`;

const STATE_LABEL: Record<string, string> = {
  active: 'In progress',
  completed: 'Completed',
  withdrawn: 'Withdrawn',
  expired: 'Access expired',
};

function quizStateText(q: QuizState): string {
  if (q.state === 'passed') return `passed${q.best_percent !== null && q.best_percent !== undefined ? ` (${q.best_percent}%)` : ''}`;
  if (q.state === 'not_passed') return `not passed yet${q.best_percent !== null && q.best_percent !== undefined ? ` (best ${q.best_percent}%)` : ''}`;
  return 'not attempted';
}

export function Dashboard() {
  usePageTitle('My learning');
  const d = useLoad((signal) => api.get<DashboardT>('/api/v1/me/enrolments', { signal }), 'dash');
  return (
    <section>
      <h1>My learning</h1>
      {d.loading && !d.data && <Loading label="Loading your courses…" />}
      {d.error && <ErrorState error={d.error} onRetry={d.reload} />}
      {d.data && d.data.enrolments.length === 0 && (
        <Empty>
          <p>You are not enrolled in a course yet.</p>
          <p>
            <Link href="/courses" className="button">
              Browse courses
            </Link>
          </p>
        </Empty>
      )}
      {d.data && d.data.enrolments.length > 0 && (
        <ul className="cards">
          {d.data.enrolments.map((e) => {
            // Where to continue: the lesson to resume, else the first required quiz not passed.
            const quiz = e.next_lesson ? undefined : e.required_quizzes.find((q) => q.state !== 'passed');
            const resume = e.next_lesson
              ? lessonHref(e.id, e.next_lesson.slug)
              : quiz
                ? quizHref(e.id, quiz.slug)
                : `/learn/${e.id}`;
            const active = e.state === 'active';
            return (
              <li key={e.id} className="card enrolment-card">
                <h2 className="h3">
                  <Link href={`/learn/${e.id}`}>{e.course_title}</Link>
                </h2>
                <p className="muted">
                  {STATE_LABEL[e.state] ?? e.state} · started {formatDate(e.started_at)}
                  {e.time_spent_seconds > 0 && ` · ${formatDuration(e.time_spent_seconds)} studied`}
                </p>
                <ProgressBar value={e.percent_complete} label={`${e.course_title}: progress`} />
                {e.required_quizzes.length > 0 && (
                  <ul className="quiz-states">
                    {e.required_quizzes.map((q) => (
                      <li key={q.slug}>
                        {q.title}: {quizStateText(q)}
                      </li>
                    ))}
                  </ul>
                )}
                {active && (
                  <p>
                    <Link href={resume} className="button">
                      {e.next_lesson ? (
                        <>
                          Continue<span className="visually-hidden"> {e.course_title}</span>: {e.next_lesson.title}
                        </>
                      ) : quiz ? (
                        <>
                          Continue<span className="visually-hidden"> {e.course_title}</span>: {quiz.title}
                        </>
                      ) : (
                        <>
                          See your progress<span className="visually-hidden"> in {e.course_title}</span>
                        </>
                      )}
                    </Link>
                  </p>
                )}
                {e.state === 'completed' && (
                  <p>
                    <Link href="/certificates" className="button">
                      View certificate<span className="visually-hidden"> for {e.course_title}</span>
                    </Link>
                  </p>
                )}
                {!active && e.state !== 'completed' && (
                  <p className="muted">Ask your program coordinator to re-activate this enrolment.</p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <JoinWithCode />
    </section>
  );
}

export function CompletionPanel({ completion, id }: { completion: CompletionView; id: string }) {
  return (
    <section className="completion" aria-labelledby={`left-${id}`}>
      <h2 id={`left-${id}`} className="h3">
        What is left to complete
      </h2>
      {completion.complete ? (
        <p>Every requirement is met. Well done.</p>
      ) : (
        <>
          <ul>
            {completion.missing.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
          {completion.lessons_missing.length > 0 && (
            <details>
              <summary>Lessons still to complete ({completion.lessons_missing.length})</summary>
              <ul>
                {completion.lessons_missing.map((l) => (
                  <li key={`${l.module}/${l.slug}`}>
                    <Link href={lessonHref(id, l.slug)}>{l.title}</Link>
                  </li>
                ))}
              </ul>
            </details>
          )}
          {completion.quizzes_missing.length > 0 && (
            <p className="list-label" id={`quizzes-left-${id}`}>
              Quizzes still to pass ({completion.quizzes_missing.length})
            </p>
          )}
          {completion.quizzes_missing.length > 0 && (
            <ul aria-labelledby={`quizzes-left-${id}`}>
              {completion.quizzes_missing.map((q) => (
                <li key={q.slug}>
                  <Link href={quizHref(id, q.slug)}>{q.title}</Link>: {quizStateText(q)}
                </li>
              ))}
            </ul>
          )}
          {completion.externship && completion.externship.required && !completion.externship.met && (
            <p>
              Externship: {completion.externship.hours_logged} of {completion.externship.hours_required} hours approved.{' '}
              <Link href={`/learn/${id}/externship`}>Log shifts and collections</Link>
            </p>
          )}
        </>
      )}
    </section>
  );
}

function LockIcon() {
  return (
    <svg aria-hidden="true" focusable="false" viewBox="0 0 16 16">
      <path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7zm2 0h4V5a2 2 0 1 0-4 0z" />
    </svg>
  );
}

function ModuleList({ detail, current }: { detail: EnrolmentDetail; current?: string }) {
  return (
    <ol className="modules">
      {detail.modules.map((m: ModuleProgress) => {
        const done = m.lessons.filter((l) => l.completed).length;
        return (
          <li key={m.slug} className={m.locked ? 'locked' : undefined}>
            <p className="module-title">
              {m.title}
              {m.locked && (
                <span className="badge">
                  <LockIcon />
                  Locked
                </span>
              )}
            </p>
            <p className="muted small">
              {done} of {m.lessons.length} lessons done
              {m.locked && m.unlocks_when ? `. ${m.unlocks_when}` : ''}
            </p>
            <ul>
              {m.lessons.map((l) => (
                <li key={l.slug} className={l.completed ? 'done' : undefined}>
                  {l.locked ? (
                    <span className="muted">
                      {l.title} <span className="visually-hidden">(locked)</span>
                    </span>
                  ) : (
                    <Link href={lessonHref(detail.id, l.slug)} aria-current={current === l.slug ? 'page' : undefined}>
                      {l.title}
                    </Link>
                  )}
                  {l.completed && (
                    <span className="check">
                      <span aria-hidden="true"> ✓</span>
                      <span className="visually-hidden"> (completed)</span>
                    </span>
                  )}
                </li>
              ))}
              {m.quiz && (
                <li className={m.quiz.state === 'passed' ? 'done quiz-item' : 'quiz-item'}>
                  {m.locked ? (
                    <span className="muted">Quiz: {m.quiz.title}</span>
                  ) : (
                    <Link href={quizHref(detail.id, m.quiz.slug)}>Quiz: {m.quiz.title}</Link>
                  )}{' '}
                  <span className="muted small">({quizStateText(m.quiz)})</span>
                </li>
              )}
            </ul>
          </li>
        );
      })}
      {detail.course_quizzes.map((q) => (
        <li key={q.slug} className="quiz-item">
          <p className="module-title">
            <Link href={quizHref(detail.id, q.slug)}>{q.title}</Link>
          </p>
          <p className="muted small">{quizStateText(q)}</p>
        </li>
      ))}
    </ol>
  );
}

function useEnrolment(id: string) {
  return useLoad((signal) => api.get<EnrolmentDetail>(`/api/v1/enrolments/${encodeURIComponent(id)}`, { signal }), id);
}

function InactiveNotice({ state }: { state: string }) {
  if (state !== 'withdrawn' && state !== 'expired') return null;
  return (
    <Alert kind="warning">
      {state === 'withdrawn'
        ? 'You withdrew from this course. Ask your program coordinator to re-activate it to continue.'
        : 'Your access to this course has expired. Ask your program coordinator to re-activate it.'}
    </Alert>
  );
}

export function EnrolmentPage({ id }: { id: string }) {
  const d = useEnrolment(id);
  usePageTitle(d.data?.course_title ?? 'Course progress');
  if (d.loading && !d.data) return <Loading label="Loading your progress…" />;
  if (d.error) {
    return (
      <section>
        <h1>Course progress</h1>
        <ErrorState error={d.error} onRetry={d.error.status === 404 ? undefined : d.reload} />
        <p>
          <Link href="/dashboard">Back to my learning</Link>
        </p>
      </section>
    );
  }
  const e = d.data!;
  const resume = e.next_lesson ? lessonHref(e.id, e.next_lesson.slug) : null;
  return (
    <section>
      <p className="breadcrumb">
        <Link href="/dashboard">My learning</Link>
      </p>
      <h1>{e.course_title}</h1>
      <InactiveNotice state={e.state} />
      <p className="muted">
        {STATE_LABEL[e.state] ?? e.state} · access until {formatDate(e.access_expires_at)}
        {e.time_spent_seconds > 0 && ` · ${formatDuration(e.time_spent_seconds)} studied`}
      </p>
      <ProgressBar value={e.percent_complete} label="Course progress" />
      {resume && e.state === 'active' && (
        <p>
          <Link href={resume} className="button">
            Continue: {e.next_lesson!.title}
          </Link>
        </p>
      )}
      {e.state === 'completed' && (
        <p>
          <Link href="/certificates" className="button">
            View certificate
          </Link>
        </p>
      )}
      <CompletionPanel completion={e.completion} id={e.id} />
      {e.completion.externship && (
        <p>
          <Link href={`/learn/${e.id}/externship`} className="button secondary">
            Clinical externship: your log and progress
          </Link>
        </p>
      )}
      <ReadinessSection id={e.id} />
      <h2>Modules</h2>
      <ModuleList detail={e} />
      <p>
        <Link href={`/courses/${encodeURIComponent(e.course_slug)}`}>About this course</Link>
      </p>
    </section>
  );
}

/** Readiness by exam domain; shown only for a course that declares exam outlines. */
function ReadinessSection({ id }: { id: string }) {
  const r = useLoad((signal) => api.get<EnrolmentReadiness>(`/api/v1/enrolments/${encodeURIComponent(id)}/readiness`, { signal }), `readiness-${id}`);
  if (!r.data) return null;
  return <LearnerReadiness exams={r.data.exams} lessonHref={(slug) => lessonHref(id, slug)} />;
}

interface LockDetails {
  module?: string;
  unlocks_when?: { lessons?: { module: string; slug: string }[]; quizzes?: string[] };
}

function LockedLesson({ error, detail, id }: { error: ApiError; detail: EnrolmentDetail | undefined; id: string }) {
  const info = error.details as LockDetails;
  const title = (slug: string) =>
    detail?.modules.flatMap((m) => m.lessons).find((l) => l.slug === slug)?.title ?? slug;
  const quizTitle = (slug: string) =>
    [...(detail?.modules.map((m) => m.quiz) ?? []), ...(detail?.course_quizzes ?? [])].find((q) => q?.slug === slug)?.title ?? slug;
  return (
    <section>
      <h1>This lesson is locked</h1>
      <Alert kind="info" title="Finish the earlier modules first">
        <p>{error.message}</p>
      </Alert>
      {(info.unlocks_when?.lessons?.length ?? 0) > 0 && (
        <>
          <h2 className="h3">Lessons to complete</h2>
          <ul>
            {info.unlocks_when!.lessons!.map((l) => (
              <li key={l.slug}>
                <Link href={lessonHref(id, l.slug)}>{title(l.slug)}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
      {(info.unlocks_when?.quizzes?.length ?? 0) > 0 && (
        <>
          <h2 className="h3">Quizzes to pass</h2>
          <ul>
            {info.unlocks_when!.quizzes!.map((q) => (
              <li key={q}>
                <Link href={quizHref(id, q)}>{quizTitle(q)}</Link>
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        <Link href={`/learn/${id}`}>See your progress</Link>
      </p>
    </section>
  );
}

/** Reports time on task every minute while the lesson is on screen. */
function useHeartbeat(id: string, lesson: string, enabled: boolean) {
  useEffect(() => {
    if (!enabled) return;
    let last = Date.now();
    const beat = () => {
      const now = Date.now();
      const seconds = Math.min(HEARTBEAT_SECONDS.maximum, Math.round((now - last) / 1000));
      last = now;
      if (seconds < HEARTBEAT_SECONDS.minimum || document.visibilityState !== 'visible') return;
      void api
        .post(`/api/v1/enrolments/${id}/lessons/${encodeURIComponent(lesson)}/heartbeat`, { seconds, position: { scroll: Math.round(window.scrollY) } })
        .catch(() => {});
    };
    const t = window.setInterval(beat, 60_000);
    const vis = () => {
      if (document.visibilityState === 'visible') last = Date.now();
    };
    document.addEventListener('visibilitychange', vis);
    return () => {
      window.clearInterval(t);
      document.removeEventListener('visibilitychange', vis);
    };
  }, [id, lesson, enabled]);
}

/**
 * Once the lesson is shown, brings the section the address names (`#heading-id`, as a quiz's
 * must-pass review link sets it) into view and moves the focus there, so a screen reader
 * starts reading at that section.
 */
function useSectionFromHash(shown: boolean) {
  useEffect(() => {
    const hash = window.location.hash.slice(1);
    if (!shown || !hash) return;
    let target: HTMLElement | null = null;
    try {
      target = document.getElementById(decodeURIComponent(hash));
    } catch {
      return;
    }
    if (!target) return;
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
  }, [shown]);
}

export function LessonPage({ id, lesson }: { id: string; lesson: string }) {
  const l = useLoad(
    (signal) => api.get<LessonView>(`/api/v1/enrolments/${encodeURIComponent(id)}/lessons/${encodeURIComponent(lesson)}`, { signal }),
    `${id}/${lesson}`,
  );
  const d = useEnrolment(id);
  const [navOpen, setNavOpen] = useState(false);
  const complete = useSubmit();
  const [justCompleted, setJustCompleted] = useState<CompletionResult | null>(null);
  usePageTitle(l.data?.lesson.title ?? 'Lesson');
  useHeartbeat(id, lesson, !!l.data);
  useSectionFromHash(!!l.data);

  const detail = d.data;
  const module = detail?.modules.find((m) => m.lessons.some((x) => x.slug === lesson));
  const nextModule = l.data?.next ? detail?.modules.find((m) => m.lessons.some((x) => x.slug === l.data!.next)) : undefined;
  const nextLocked = !!nextModule?.locked;
  const completed = l.data?.completed || !!justCompleted;

  const markComplete = () =>
    void complete.run(async () => {
      const r = await api.put<CompletionResult>(`/api/v1/enrolments/${encodeURIComponent(id)}/lessons/${encodeURIComponent(lesson)}/completion`);
      setJustCompleted(r);
      d.reload();
    });

  return (
    <div className="reader">
      <aside className="reader-nav" aria-label="Course contents">
        <button type="button" className="button secondary nav-toggle" aria-expanded={navOpen} aria-controls="module-nav" onClick={() => setNavOpen((o) => !o)}>
          {navOpen ? 'Hide course contents' : 'Show course contents'}
        </button>
        <div id="module-nav" className={navOpen ? 'nav-panel open' : 'nav-panel'}>
          {detail ? (
            <>
              <p className="nav-course">
                <Link href={`/learn/${id}`}>{detail.course_title}</Link>
              </p>
              <ProgressBar value={detail.percent_complete} label="Course progress" />
              <nav aria-label="Modules and lessons">
                <ModuleList detail={detail} current={lesson} />
              </nav>
              <CompletionPanel completion={detail.completion} id={`${id}-side`} />
            </>
          ) : d.error ? (
            <ErrorState error={d.error} onRetry={d.reload} />
          ) : (
            <Loading label="Loading the modules…" />
          )}
        </div>
      </aside>
      <div className="reader-main">
        {l.loading && !l.data && <Loading label="Loading the lesson…" />}
        {l.error && l.error.is('lesson_locked') && <LockedLesson error={l.error} detail={detail} id={id} />}
        {l.error && l.error.code !== 'lesson_locked' && (
          <section>
            <h1>Lesson</h1>
            <ErrorState error={l.error} onRetry={l.error.status >= 500 || l.error.status === 0 ? l.reload : undefined} />
            <p>
              <Link href={`/learn/${id}`}>See your progress</Link>
            </p>
          </section>
        )}
        {l.data && (
          <article className="lesson">
            <p className="breadcrumb">{module?.title ?? l.data.module}</p>
            <h1>{l.data.lesson.title}</h1>
            <p className="muted small">About {l.data.lesson.estimated_minutes} minutes</p>
            {l.data.lesson.objectives.length > 0 && (
              <section className="objectives" aria-labelledby="objectives-h">
                <h2 id="objectives-h" className="h3">
                  In this lesson you will
                </h2>
                <ul>
                  {l.data.lesson.objectives.map((o) => (
                    <li key={o}>{o}</li>
                  ))}
                </ul>
              </section>
            )}
            <div onClick={interceptLinks}>
              <Html html={l.data.lesson.body_html} className="prose" />
            </div>
            <div className="lesson-actions" aria-live="polite">
              {completed ? (
                <p className="done-note">
                  <span aria-hidden="true">✓ </span>Lesson complete
                  {justCompleted && ` · course ${justCompleted.percent_complete}% complete`}
                </p>
              ) : (
                <button type="button" className="button" onClick={markComplete} disabled={complete.busy}>
                  {complete.busy ? 'Saving…' : 'Mark this lesson complete'}
                </button>
              )}
              {complete.error && <Alert>{complete.error.message}</Alert>}
              {justCompleted?.enrolment_state === 'completed' && (
                <Alert kind="success" title="Course complete">
                  <p>
                    You have met every requirement of this course. Your certificate is being prepared: it appears on
                    your certificates page shortly, and we email you when it is ready.
                  </p>
                  <p>
                    <Link href="/certificates" className="button">
                      View certificate
                    </Link>
                  </p>
                </Alert>
              )}
            </div>
            <nav className="prev-next" aria-label="Lessons">
              {l.data.previous ? (
                <Link href={lessonHref(id, l.data.previous)} rel="prev">
                  <span aria-hidden="true">← </span>Previous lesson
                </Link>
              ) : (
                <span />
              )}
              {l.data.next && !nextLocked && (
                <Link href={lessonHref(id, l.data.next)} rel="next" className={completed ? 'button' : undefined}>
                  Next lesson<span aria-hidden="true"> →</span>
                </Link>
              )}
              {l.data.next && nextLocked && module?.quiz && (
                <Link href={quizHref(id, module.quiz.slug)} className={completed ? 'button' : undefined}>
                  Next: {module.quiz.title}
                  <span aria-hidden="true"> →</span>
                </Link>
              )}
              {l.data.next && nextLocked && !module?.quiz && (
                <span className="muted">The next module opens when this one is complete.</span>
              )}
              {!l.data.next && module?.quiz && (
                <Link href={quizHref(id, module.quiz.slug)} className={completed ? 'button' : undefined}>
                  Next: {module.quiz.title}
                  <span aria-hidden="true"> →</span>
                </Link>
              )}
            </nav>
          </article>
        )}
      </div>
    </div>
  );
}
