// The catalog (search), the course page (outline, requirements, contact hours, enrol, join
// with a code), and lesson links from lesson bodies (`/courses/{slug}/lessons/{lesson}`).
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { CourseOutline, CoursePage as CoursePageT, Dashboard, Enrolment, PreviewView } from '../api/types';
import { Link, interceptLinks, navigate, useLocation, usePageTitle } from '../router';
import { signInPath, useSession } from '../session';
import { Alert, Empty, ErrorState, Field, Html, Loading, hours, useLoad, useSubmit } from '../ui';

const LEVELS: Record<string, string> = { beginner: 'Beginner', intermediate: 'Intermediate', advanced: 'Advanced' };

export function Catalog({ intro = false }: { intro?: boolean }) {
  usePageTitle(intro ? '' : 'Courses');
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const page = Math.max(1, Number(search.get('page') ?? '1') || 1);
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const list = useLoad(
    (signal) => api.get<CoursePageT>('/api/v1/courses', { auth: false, signal, query: { q, page, per_page: 20 } }),
    `${q}|${page}`,
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const s = new URLSearchParams();
    if (text.trim()) s.set('q', text.trim());
    navigate(`/courses${s.toString() ? `?${s}` : ''}`);
  };
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.per_page)) : 1;
  const pageHref = (p: number) => {
    const s = new URLSearchParams();
    if (q) s.set('q', q);
    if (p > 1) s.set('page', String(p));
    return `/courses${s.toString() ? `?${s}` : ''}`;
  };

  return (
    <section>
      {intro ? (
        <div className="hero">
          <h1>Train for the lab, at your own pace</h1>
          <p className="lead">
            Self-paced courses for phlebotomy and medical laboratory careers: modular lessons, quizzes, and a clinical
            externship, ending in a certificate employers can verify.
          </p>
          <p>
            <Link href="/sign-up" className="button">
              Create a free account
            </Link>{' '}
            <Link href="/sign-in" className="button secondary">
              Sign in
            </Link>
          </p>
          <h2>Courses</h2>
        </div>
      ) : (
        <h1>Courses</h1>
      )}
      <form role="search" className="search" onSubmit={submit}>
        <label htmlFor="course-search">Search courses</label>
        <div className="search-row">
          <input id="course-search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. phlebotomy" />
          <button type="submit" className="button">
            Search
          </button>
        </div>
      </form>
      {list.loading && !list.data && <Loading label="Loading courses…" />}
      {list.error && <ErrorState error={list.error} onRetry={list.reload} />}
      {list.data && (
        <>
          <p role="status" className="muted">
            {list.data.total === 0
              ? ''
              : `${list.data.total} ${list.data.total === 1 ? 'course' : 'courses'}${q ? ` matching “${q}”` : ''}`}
          </p>
          {list.data.items.length === 0 ? (
            <Empty>
              <p>{q ? `No course matches “${q}”. Try fewer or different words.` : 'No courses are published yet.'}</p>
              {q && <Link href="/courses">Show every course</Link>}
            </Empty>
          ) : (
            <ul className="cards">
              {list.data.items.map((c) => (
                <li key={c.slug} className="card">
                  <h3>
                    <Link href={`/courses/${encodeURIComponent(c.slug)}`}>{c.title}</Link>
                  </h3>
                  <p>{c.summary}</p>
                  <ul className="facts" aria-label="Course facts">
                    <li>{LEVELS[c.level] ?? c.level}</li>
                    <li>{c.module_count} modules · {c.lesson_count} lessons</li>
                    <li>About {hours(c.estimated_hours)}</li>
                    <li>{hours(c.contact_hours)} contact</li>
                    {c.has_externship && <li>Clinical externship</li>}
                  </ul>
                </li>
              ))}
            </ul>
          )}
          {pages > 1 && (
            <nav aria-label="Pages" className="pager">
              {page > 1 && <Link href={pageHref(page - 1)}>Previous page</Link>}
              <span>
                Page {page} of {pages}
              </span>
              {page < pages && <Link href={pageHref(page + 1)}>Next page</Link>}
            </nav>
          )}
        </>
      )}
    </section>
  );
}

export function JoinWithCode() {
  const { user } = useSession();
  const [code, setCode] = useState('');
  const { busy, error, run } = useSubmit();
  if (!user) return null;
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const en = await api.post<Enrolment>('/api/v1/enrolments/join', { code: code.trim() });
          navigate(`/learn/${en.id}`);
        });
      }}
      noValidate
    >
      <h2 className="h3">Have an enrolment code?</h2>
      <Field label="Enrolment code" hint="From your program coordinator, for example PHLEB-SPRING-27." value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" autoCapitalize="characters" error={error ? error.message : null} />
      <button type="submit" className="button secondary" disabled={busy || !code.trim()}>
        {busy ? 'Joining…' : 'Join'}
      </button>
    </form>
  );
}

export function CoursePage({ slug }: { slug: string }) {
  const { user } = useSession();
  const course = useLoad((signal) => api.get<CourseOutline>(`/api/v1/courses/${encodeURIComponent(slug)}`, { auth: false, signal }), slug);
  const mine = useLoad(
    (signal) => (user ? api.get<Dashboard>('/api/v1/me/enrolments', { signal }) : Promise.resolve<Dashboard>({ enrolments: [] })),
    `${slug}|${user?.id ?? ''}`,
  );
  usePageTitle(course.data?.title ?? 'Course');
  const enrol = useSubmit();
  const enrolment = mine.data?.enrolments.find((e) => e.course_slug === slug);

  if (course.loading && !course.data) return <Loading label="Loading the course…" />;
  if (course.error) {
    return (
      <section>
        <h1>{course.error.status === 404 ? 'Course not found' : 'Course'}</h1>
        {course.error.status === 404 ? (
          <p>
            There is no published course at this address. <Link href="/courses">Browse the catalog</Link>.
          </p>
        ) : (
          <ErrorState error={course.error} onRetry={course.reload} />
        )}
      </section>
    );
  }
  const c = course.data!;
  const minutes = c.modules.reduce((s, m) => s + m.lessons.reduce((t, l) => t + l.estimated_minutes, 0), 0);

  return (
    <article>
      <p className="breadcrumb">
        <Link href="/courses">Courses</Link>
      </p>
      <h1>{c.title}</h1>
      <p className="lead">{c.summary}</p>
      <ul className="facts" aria-label="Course facts">
        <li>{LEVELS[c.level] ?? c.level}</li>
        <li>{c.module_count} modules · {c.lesson_count} lessons</li>
        <li>About {hours(c.estimated_hours)} of study</li>
        <li>
          <strong>{hours(c.contact_hours)}</strong> contact
        </li>
        <li>Access for {c.access_days} days</li>
      </ul>

      <div className="enrol-box">
        {!user && user !== undefined && (
          <p>
            <Link href={signInPath(`/courses/${slug}`)} className="button">
              Sign in to enrol
            </Link>{' '}
            or <Link href="/sign-up">create an account</Link>.
          </p>
        )}
        {user && mine.loading && !mine.data && <Loading label="Checking your enrolments…" />}
        {user && enrolment && (
          <p>
            <Link href={`/learn/${enrolment.id}`} className="button">
              {enrolment.percent_complete > 0 ? 'Continue learning' : 'Start learning'}
            </Link>{' '}
            <span className="muted">You are enrolled ({enrolment.percent_complete}% complete).</span>
          </p>
        )}
        {user && mine.data && !enrolment && (
          <>
            {enrol.error && <Alert>{enrol.error.message}</Alert>}
            <button
              type="button"
              className="button"
              disabled={enrol.busy}
              onClick={() =>
                void enrol.run(async () => {
                  const en = await api.post<Enrolment>(`/api/v1/courses/${encodeURIComponent(slug)}/enrolment`);
                  navigate(`/learn/${en.id}`);
                })
              }
            >
              {enrol.busy ? 'Enrolling…' : 'Enrol in this course'}
            </button>
          </>
        )}
      </div>

      {c.description_html && <Html html={c.description_html} className="prose" />}

      <h2>Course outline</h2>
      <p className="muted">
        About {minutes < 90 ? `${minutes} minutes` : hours(Math.round(minutes / 60))} of lessons
        {c.sequential ? '; modules open in order as you complete them' : ''}.
      </p>
      <ol className="outline">
        {c.modules.map((m) => (
          <li key={m.slug}>
            <h3>{m.title}</h3>
            {m.summary && <p>{m.summary}</p>}
            <ul>
              {m.lessons.map((l) => (
                <li key={l.slug}>
                  {l.free_preview ? <Link href={`/courses/${slug}/lessons/${l.slug}`}>{l.title}</Link> : l.title}{' '}
                  <span className="muted">
                    ({l.estimated_minutes} min{l.free_preview ? ', free preview' : ''})
                  </span>
                </li>
              ))}
              {m.quiz && (
                <li>
                  Quiz: {m.quiz.title}{' '}
                  <span className="muted">
                    ({m.quiz.question_count} questions, pass at {m.quiz.pass_percent}%{m.quiz.required ? ', required' : ''})
                  </span>
                </li>
              )}
            </ul>
          </li>
        ))}
      </ol>
      {c.quizzes.length > 0 && (
        <>
          <h2>Exams</h2>
          <ul>
            {c.quizzes.map((q) => (
              <li key={q.slug}>
                {q.title}: {q.question_count} questions, pass at {q.pass_percent}%
                {q.time_limit_minutes > 0 && `, ${q.time_limit_minutes} minutes`}
                {q.max_attempts > 0 && `, ${q.max_attempts} attempts`}
                {q.requires_other_requirements && ', opens once everything else is complete'}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>Requirements for the certificate</h2>
      <ul>
        {c.completion.all_lessons && <li>Complete every lesson.</li>}
        {c.completion.required_quizzes.length > 0 && (
          <li>
            Pass{' '}
            {c.completion.required_quizzes
              .map((s) => [...c.modules.map((m) => m.quiz), ...c.quizzes].find((q) => q?.slug === s)?.title ?? s)
              .join(', ')}
            .
          </li>
        )}
        {c.completion.externship && c.externship && (
          <li>
            A clinical externship of at least {hours(c.externship.total_hours)}
            {c.externship.procedures.length > 0 && (
              <>
                , including{' '}
                {c.externship.procedures.map((p) => `${p.min_count} ${p.name.toLowerCase()}`).join(', ')}
              </>
            )}
            , attested by your site supervisor.
          </li>
        )}
      </ul>
      {c.externship && c.externship.competencies.length > 0 && (
        <>
          <h2>Skills your supervisor observes</h2>
          <ul>
            {c.externship.competencies.map((k) => (
              <li key={k.slug}>
                {k.name}{' '}
                <span className="muted">
                  ({k.observations} satisfactory {k.observations === 1 ? 'observation' : 'observations'})
                </span>
                {k.description && <div className="muted">{k.description}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
      {c.externship && c.externship.certifications.length > 0 && (
        <Certifications externship={c.externship} />
      )}
      <JoinWithCode />
    </article>
  );
}

/** Certifying bodies' published thresholds beside the course: readiness, not requirements. */
function Certifications({ externship }: { externship: NonNullable<CourseOutline['externship']> }) {
  const procName = (slug: string) =>
    ({ venipuncture: 'venipunctures', 'skin-puncture': 'skin punctures', arterial: 'arterial punctures' })[slug] ?? slug;
  return (
    <>
      <h2>Certification thresholds</h2>
      <p className="muted">
        What certifying bodies publish, shown so you can see how your externship compares. These are not
        requirements of this course, and each body has other requirements too: check its current rules before you
        apply.
      </p>
      <ul>
        {externship.certifications.map((k) => {
          const parts = [
            ...(k.clinical_hours != null ? [`${hours(k.clinical_hours)} of clinical practice`] : []),
            ...k.procedures.map((p) => `${p.min_count} ${procName(p.slug)}`),
            ...(k.min_total_procedures != null ? [`${k.min_total_procedures} successful unaided collections in all`] : []),
          ];
          return (
            <li key={k.slug}>
              <strong>{k.name}</strong> ({k.body}): {parts.join(', ')}.{' '}
              <a href={k.source} rel="noopener noreferrer" target="_blank">
                {k.source_title}
              </a>
              {k.note && <div className="muted">{k.note}</div>}
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** `/courses/{slug}/lessons/{lesson}`: the enrolled lesson when enrolled, else the free preview. */
export function LessonLink({ slug, lesson }: { slug: string; lesson: string }) {
  const { user } = useSession();
  const [preview, setPreview] = useState<PreviewView | null>(null);
  const [failed, setFailed] = useState(false);
  usePageTitle(preview?.lesson.title ?? 'Lesson');
  useEffect(() => {
    if (user === undefined) return;
    let live = true;
    (async () => {
      if (user) {
        const d = await api.get<Dashboard>('/api/v1/me/enrolments');
        const en = d.enrolments.find((e) => e.course_slug === slug);
        if (en) {
          navigate(`/learn/${en.id}/lessons/${encodeURIComponent(lesson)}`, { replace: true });
          return;
        }
      }
      const p = await api.get<PreviewView>(`/api/v1/courses/${encodeURIComponent(slug)}/lessons/${encodeURIComponent(lesson)}/preview`, { auth: false });
      if (live) setPreview(p);
    })().catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [user, slug, lesson]);

  if (failed) {
    return (
      <section>
        <h1>This lesson is for enrolled learners</h1>
        <p>
          Enrol in the course to read it. <Link href={`/courses/${slug}`}>See the course</Link>.
        </p>
      </section>
    );
  }
  if (!preview) return <Loading label="Opening the lesson…" />;
  return (
    <article className="lesson">
      <p className="breadcrumb">
        <Link href={`/courses/${slug}`}>{preview.course_title}</Link> · Free preview
      </p>
      <h1>{preview.lesson.title}</h1>
      <div onClick={interceptLinks}>
        <Html html={preview.lesson.body_html} className="prose" />
      </div>
      <p>
        <Link href={`/courses/${slug}`} className="button">
          See the course and enrol
        </Link>
      </p>
    </article>
  );
}
