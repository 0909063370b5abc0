// Quizzes (docs/api-quizzes.md): the quiz landing page and the player (the result with its
// review is quizResult.tsx).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/client';
import { ApiError } from '../api/errors';
import type { Answer, Answers, Attempt, Question, QuizInfo, SaveResult } from '../api/types';
import { answeredCount, currentOrder, isAnswered, move, parseNumber, setPair, toggleChoice } from '../quiz/answers';
import { AutosaveQueue, type AutosaveState } from '../quiz/autosave';
import { Countdown, formatClock, spokenTime, warningCrossed } from '../quiz/timer';
import { Link, navigate, usePageTitle } from '../router';
import { Alert, ErrorState, Html, Loading, formatDateTime, useLoad, useSubmit } from '../ui';

const REVIEW_TEXT: Record<string, string> = {
  after_submit: 'You can review your answers after each attempt.',
  after_pass: 'You can review your answers once you pass.',
  after_attempts_used: 'You can review your answers once you pass or use every attempt.',
};

const quizPath = (enrolment: string, slug: string) => `/api/v1/enrolments/${encodeURIComponent(enrolment)}/quizzes/${encodeURIComponent(slug)}`;

export function QuizPage({ id, quiz }: { id: string; quiz: string }) {
  const q = useLoad((signal) => api.get<QuizInfo>(quizPath(id, quiz), { signal }), `${id}/${quiz}`);
  const start = useSubmit();
  usePageTitle(q.data?.title ?? 'Quiz');

  if (q.loading && !q.data) return <Loading label="Loading the quiz…" />;
  if (q.error) {
    return (
      <section>
        <h1>Quiz</h1>
        {q.error.status === 404 ? (
          <Alert kind="info" title="This quiz is not available">
            <p>We could not find this quiz for your enrolment. It may have been removed from the course, or quizzes may not be open on this server yet.</p>
          </Alert>
        ) : (
          <ErrorState error={q.error} onRetry={q.reload} />
        )}
        <p>
          <Link href={`/learn/${id}`}>Back to your progress</Link>
        </p>
      </section>
    );
  }
  const info = q.data!;
  const begin = () =>
    void start.run(async () => {
      const a = await api.post<Attempt>(`${quizPath(id, quiz)}/attempts`);
      navigate(`/attempts/${a.id}`);
    });

  return (
    <section>
      <p className="breadcrumb">
        <Link href={`/learn/${id}`}>Course progress</Link>
      </p>
      <h1>{info.title}</h1>
      {info.passed && (
        <Alert kind="success">
          You passed this quiz{info.best_percent != null ? ` with ${info.best_percent}%` : ''}.
        </Alert>
      )}
      <dl className="facts-list">
        <div>
          <dt>Questions</dt>
          <dd>{info.question_count}</dd>
        </div>
        <div>
          <dt>Pass mark</dt>
          <dd>{info.pass_percent}%</dd>
        </div>
        <div>
          <dt>Time limit</dt>
          <dd>{info.time_limit_minutes > 0 ? `${info.time_limit_minutes} minutes` : 'None'}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>
            {info.attempts_used} used{info.attempts_left != null ? `, ${info.attempts_left} left` : ', unlimited'}
          </dd>
        </div>
        {info.best_percent != null && (
          <div>
            <dt>Best score</dt>
            <dd>{info.best_percent}%</dd>
          </div>
        )}
        {info.cooldown_minutes > 0 && (
          <div>
            <dt>Wait between attempts</dt>
            <dd>{info.cooldown_minutes} minutes</dd>
          </div>
        )}
      </dl>
      <p className="muted">{REVIEW_TEXT[info.review] ?? ''} Your best score counts.</p>

      {start.error && <Alert>{start.error.message}</Alert>}
      {info.status === 'available' && (
        <button type="button" className="button" onClick={begin} disabled={start.busy}>
          {start.busy ? 'Starting…' : info.attempts_used > 0 ? 'Start a new attempt' : 'Start the quiz'}
        </button>
      )}
      {info.status === 'open' && info.open_attempt && (
        <Link href={`/attempts/${info.open_attempt}`} className="button">
          Resume your attempt
        </Link>
      )}
      {info.status === 'locked' && (
        <Alert kind="info" title="Not open yet">
          <p>{info.locked_reason ?? 'Finish the earlier parts of the course first.'}</p>
        </Alert>
      )}
      {info.status === 'cooldown' && (
        <Alert kind="info" title="Take a break">
          <p>You can start your next attempt {info.available_at ? `at ${formatDateTime(info.available_at)}` : 'later'}.</p>
        </Alert>
      )}
      {info.status === 'exhausted' && (
        <Alert kind="info">You have used every attempt at this quiz. Contact your program coordinator if you need another.</Alert>
      )}
      {info.time_limit_minutes > 0 && info.status === 'available' && (
        <p className="muted small">The timer starts when you start the quiz and keeps running if you leave the page.</p>
      )}

      {info.attempts.length > 0 && (
        <>
          <h2>Your attempts</h2>
          <table className="table">
            <caption className="visually-hidden">Your attempts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Started</th>
                <th scope="col">Score</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {info.attempts.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    <Link href={a.state === 'open' ? `/attempts/${a.id}` : `/attempts/${a.id}/result`}>Attempt {a.number}</Link>
                  </th>
                  <td>{formatDateTime(a.started_at)}</td>
                  <td>{a.percent != null ? `${a.percent}%` : '–'}</td>
                  <td>{a.state === 'open' ? 'In progress' : a.passed ? 'Passed' : 'Not passed'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------
// The player

type Mode = 'one' | 'all';
const MODE_KEY = 'benchside.quiz.mode';

function readMode(): Mode {
  try {
    return localStorage.getItem(MODE_KEY) === 'all' ? 'all' : 'one';
  } catch {
    return 'one';
  }
}

const SAVE_TEXT: Record<AutosaveState['status'], string> = {
  idle: 'No changes yet',
  pending: 'Unsaved changes…',
  saving: 'Saving…',
  saved: 'All answers saved',
  offline: 'Offline: answers kept on this device',
  retrying: 'Saving failed: retrying',
  closed: 'This attempt is closed',
  error: 'An answer could not be saved',
};

export function QuizPlayer({ attemptId }: { attemptId: string }) {
  const loaded = useLoad((signal) => api.get<Attempt>(`/api/v1/attempts/${encodeURIComponent(attemptId)}`, { signal }), attemptId);
  usePageTitle(loaded.data ? `${loaded.data.quiz.title}: attempt ${loaded.data.number}` : 'Quiz');

  useEffect(() => {
    if (loaded.data?.state === 'submitted') navigate(`/attempts/${attemptId}/result`, { replace: true });
  }, [loaded.data, attemptId]);

  if (loaded.loading && !loaded.data) return <Loading label="Loading your attempt…" />;
  if (loaded.error) {
    return (
      <section>
        <h1>Quiz</h1>
        <ErrorState error={loaded.error} onRetry={loaded.error.status === 404 ? undefined : loaded.reload} />
        <p>
          <Link href="/dashboard">Back to my learning</Link>
        </p>
      </section>
    );
  }
  if (loaded.data!.state !== 'open') return <Loading label="Opening your result…" />;
  return <Player attempt={loaded.data!} />;
}

function Player({ attempt }: { attempt: Attempt }) {
  const [answers, setAnswers] = useState<Answers>(attempt.answers);
  const [save, setSave] = useState<AutosaveState>({ status: attempt.saved_at ? 'saved' : 'idle', unsaved: 0, savedAt: attempt.saved_at ?? null, message: null });
  const [mode, setModeState] = useState<Mode>(readMode);
  const [index, setIndex] = useState(0);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const queueRef = useRef<AutosaveQueue | null>(null);
  const countdownRef = useRef<Countdown | null>(attempt.seconds_left != null ? new Countdown(attempt.seconds_left) : null);
  const submittedRef = useRef(false);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const questions = attempt.questions;

  const submit = useCallback(
    async (auto: boolean) => {
      if (submittedRef.current) return;
      setSubmitting(true);
      setSubmitError(null);
      const queue = queueRef.current;
      try {
        try {
          await queue?.flushAll();
        } catch (e) {
          if (!auto) throw e;
        }
        submittedRef.current = true;
        await api.post<Attempt>(`/api/v1/attempts/${attempt.id}/submit`);
        queue?.clear();
        navigate(`/attempts/${attempt.id}/result`, { replace: true });
      } catch (e) {
        submittedRef.current = false;
        const err = e instanceof ApiError ? e : new ApiError(0, 'internal_error', null);
        if (err.is('attempt_closed')) {
          navigate(`/attempts/${attempt.id}/result`, { replace: true });
          return;
        }
        setSubmitError(
          err.is('network')
            ? 'You seem to be offline. Your answers are kept on this device; submit again when you are back online.'
            : err.message,
        );
      } finally {
        setSubmitting(false);
      }
    },
    [attempt.id],
  );

  // The autosave queue, with answers left on this device from before a reload.
  useEffect(() => {
    const queue = new AutosaveQueue({
      attemptId: attempt.id,
      storage: typeof localStorage === 'undefined' ? null : localStorage,
      send: (changes) => api.put<SaveResult>(`/api/v1/attempts/${attempt.id}/answers`, { answers: changes }),
      onState: setSave,
      onSaved: (r) => {
        if (r.seconds_left != null && countdownRef.current) countdownRef.current.sync(r.seconds_left);
      },
      onClosed: () => navigate(`/attempts/${attempt.id}/result`, { replace: true }),
    });
    queueRef.current = queue;
    setAnswers(queue.restore(attempt.answers));
    const online = () => queue.online();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      void queue.flush();
      queue.dispose();
      queueRef.current = null;
    };
  }, [attempt.id, attempt.answers]);

  const change = useCallback((key: string, a: Answer | null) => {
    setAnswers((prev) => {
      const next = { ...prev };
      if (a === null) delete next[key];
      else next[key] = a;
      return next;
    });
    queueRef.current?.set(key, a);
  }, []);

  const setMode = (m: Mode) => {
    setModeState(m);
    try {
      localStorage.setItem(MODE_KEY, m);
    } catch {
      /* private mode */
    }
  };

  const answered = answeredCount(questions, answers);
  const unanswered = questions.length - answered;
  const shown = mode === 'all' ? questions : questions.slice(index, index + 1);

  const goTo = (i: number) => {
    setIndex(i);
    window.setTimeout(() => document.getElementById(`q-${questions[i]!.key}-h`)?.focus(), 0);
  };

  const openConfirm = () => {
    setSubmitError(null);
    const d = dialogRef.current;
    if (d && typeof d.showModal === 'function') d.showModal();
    else if (window.confirm(`Submit your answers? ${unanswered} unanswered.`)) void submit(false);
  };

  return (
    <section className="player">
      <div className="player-bar">
        <h1 className="h2">
          {attempt.quiz.title} <span className="muted small">attempt {attempt.number}</span>
        </h1>
        <div className="player-status">
          {countdownRef.current && <Timer countdown={countdownRef.current} onExpired={() => void submit(true)} />}
          <p className={`save save-${save.status}`} role="status" aria-live="polite">
            {SAVE_TEXT[save.status]}
          </p>
        </div>
      </div>
      {save.message && save.status !== 'saved' && (
        <Alert kind={save.status === 'error' ? 'error' : 'warning'}>{save.message}</Alert>
      )}

      <fieldset className="mode">
        <legend>Show</legend>
        <label>
          <input type="radio" name="mode" checked={mode === 'one'} onChange={() => setMode('one')} /> One question at a time
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === 'all'} onChange={() => setMode('all')} /> All questions on one page
        </label>
      </fieldset>

      <p className="muted">
        {answered} of {questions.length} answered. Pass mark {attempt.quiz.pass_percent}%.
      </p>

      {mode === 'one' && (
        <nav aria-label="Questions" className="palette">
          <ol>
            {questions.map((q, i) => {
              const done = isAnswered(q, answers[q.key]);
              return (
                <li key={q.key}>
                  <button
                    type="button"
                    className={`pal${done ? ' answered' : ''}`}
                    aria-current={i === index ? 'step' : undefined}
                    onClick={() => goTo(i)}
                  >
                    {i + 1}
                    <span className="visually-hidden">{done ? ', answered' : ', not answered'}</span>
                  </button>
                </li>
              );
            })}
          </ol>
        </nav>
      )}

      <form
        onSubmit={(e) => {
          e.preventDefault();
          openConfirm();
        }}
        noValidate
      >
        {shown.map((q) => {
          const i = questions.indexOf(q);
          return (
            <QuestionView
              key={q.key}
              q={q}
              number={i + 1}
              total={questions.length}
              answer={answers[q.key]}
              onChange={(a) => change(q.key, a)}
              name={`${attempt.id}-${q.key}`}
            />
          );
        })}

        {mode === 'one' && (
          <div className="prev-next">
            <button type="button" className="button secondary" disabled={index === 0} onClick={() => goTo(index - 1)}>
              Previous question
            </button>
            {index < questions.length - 1 && (
              <button type="button" className="button secondary" onClick={() => goTo(index + 1)}>
                Next question
              </button>
            )}
          </div>
        )}

        {submitError && <Alert>{submitError}</Alert>}
        <div className="submit-row">
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? 'Submitting…' : 'Submit answers'}
          </button>
        </div>
      </form>

      <dialog ref={dialogRef} className="dialog" aria-labelledby="confirm-h" aria-describedby="confirm-d">
        <h2 id="confirm-h">Submit your answers?</h2>
        <p id="confirm-d">
          {unanswered === 0
            ? `You answered all ${questions.length} questions.`
            : `You answered ${answered} of ${questions.length} questions. Unanswered questions earn no points.`}{' '}
          You cannot change your answers after submitting.
        </p>
        <form method="dialog" className="dialog-actions">
          <button
            type="button"
            className="button"
            autoFocus
            onClick={() => {
              dialogRef.current?.close();
              void submit(false);
            }}
          >
            Submit now
          </button>
          <button type="submit" className="button secondary">
            Keep working
          </button>
        </form>
      </dialog>
    </section>
  );
}

function Timer({ countdown, onExpired }: { countdown: Countdown; onExpired: () => void }) {
  const [left, setLeft] = useState(countdown.secondsLeft());
  const [announce, setAnnounce] = useState('');
  const prev = useRef(left);
  const fired = useRef(false);
  useEffect(() => {
    const t = window.setInterval(() => {
      const now = countdown.secondsLeft();
      const crossed = warningCrossed(prev.current, now);
      if (crossed !== null) setAnnounce(`${spokenTime(crossed)} on this quiz.`);
      prev.current = now;
      setLeft(now);
      if (now <= 0 && !fired.current) {
        fired.current = true;
        setAnnounce('Time is up. Your answers are being submitted.');
        onExpired();
      }
    }, 1000);
    return () => window.clearInterval(t);
  }, [countdown, onExpired]);
  const low = left <= 60;
  return (
    <div className={`timer${low ? ' timer-low' : ''}`}>
      <span className="visually-hidden">Time left: </span>
      <span aria-hidden="true">⏱ </span>
      <time>{formatClock(left)}</time>
      <span className="visually-hidden" role="alert" aria-live="assertive">
        {announce}
      </span>
    </div>
  );
}

interface QuestionProps {
  q: Question;
  number: number;
  total: number;
  answer: Answer | undefined;
  onChange: (a: Answer | null) => void;
  name: string;
}

function QuestionView({ q, number, total, answer, onChange, name }: QuestionProps) {
  const hid = `q-${q.key}-h`;
  const pid = `q-${q.key}-p`;
  const TYPE_HINT: Record<Question['type'], string> = {
    single: 'Choose one answer.',
    multiple: 'Choose every answer that applies.',
    true_false: 'True or false?',
    matching: 'Match each item on the left with one on the right.',
    ordering: 'Put the items in the right order with the Move up and Move down buttons.',
    numeric: 'Type a number.',
  };
  return (
    <fieldset className="question" aria-labelledby={`${hid} ${pid}`}>
      <h2 id={hid} className="h3" tabIndex={-1}>
        Question {number} <span className="muted small">of {total}</span>
      </h2>
      <div id={pid}>
        <Html html={q.prompt_html} className="prose prompt" />
      </div>
      <p className="hint">{TYPE_HINT[q.type]}</p>
      <QuestionInput q={q} answer={answer} onChange={onChange} name={name} />
    </fieldset>
  );
}

function QuestionInput({ q, answer, onChange, name }: Omit<QuestionProps, 'number' | 'total'>) {
  switch (q.type) {
    case 'single':
      return (
        <div className="choices">
          {q.choices.map((c) => (
            <label key={c.key} className="choice">
              <input type="radio" name={name} value={c.key} checked={!!answer && 'choice' in answer && answer.choice === c.key} onChange={() => onChange({ choice: c.key })} />
              <span className="choice-html" dangerouslySetInnerHTML={{ __html: c.html }} />
            </label>
          ))}
        </div>
      );
    case 'multiple': {
      const keys = q.choices.map((c) => c.key);
      const chosen = answer && 'choices' in answer ? answer.choices : [];
      return (
        <div className="choices">
          {q.choices.map((c) => (
            <label key={c.key} className="choice">
              <input type="checkbox" name={name} value={c.key} checked={chosen.includes(c.key)} onChange={() => onChange(toggleChoice(answer, c.key, keys))} />
              <span className="choice-html" dangerouslySetInnerHTML={{ __html: c.html }} />
            </label>
          ))}
        </div>
      );
    }
    case 'true_false': {
      const v = answer && 'value' in answer && typeof answer.value === 'boolean' ? answer.value : null;
      return (
        <div className="choices choices-inline">
          {[true, false].map((b) => (
            <label key={String(b)} className="choice">
              <input type="radio" name={name} checked={v === b} onChange={() => onChange({ value: b })} />
              <span>{b ? 'True' : 'False'}</span>
            </label>
          ))}
        </div>
      );
    }
    case 'matching': {
      const pairs = answer && 'pairs' in answer ? answer.pairs : {};
      const owner = (r: string) => q.left.find((l) => pairs[l.key] === r);
      return (
        <div className="matching">
          {q.left.map((l) => {
            const id = `${name}-${l.key}`;
            return (
              <div key={l.key} className="match-row">
                <label htmlFor={id}>{l.text}</label>
                <select id={id} value={pairs[l.key] ?? ''} onChange={(e) => onChange(setPair(answer, l.key, e.target.value))}>
                  <option value="">Choose a match…</option>
                  {q.right.map((r) => {
                    const o = owner(r.key);
                    return (
                      <option key={r.key} value={r.key}>
                        {r.text}
                        {o && o.key !== l.key ? ` (now matched with ${o.text})` : ''}
                      </option>
                    );
                  })}
                </select>
              </div>
            );
          })}
        </div>
      );
    }
    case 'ordering':
      return <Ordering q={q} answer={answer} onChange={onChange} name={name} />;
    case 'numeric':
      return <NumericInput q={q} answer={answer} onChange={onChange} name={name} />;
  }
}

function Ordering({ q, answer, onChange, name }: { q: Extract<Question, { type: 'ordering' }>; answer: Answer | undefined; onChange: (a: Answer) => void; name: string }) {
  const order = currentOrder(q, answer);
  const text = useMemo(() => new Map(q.items.map((i) => [i.key, i.text])), [q.items]);
  const [said, setSaid] = useState('');
  const answered = isAnswered(q, answer);
  const shift = (key: string, delta: number, e: React.MouseEvent<HTMLButtonElement>) => {
    const next = move(order, key, delta);
    onChange({ order: next });
    const pos = next.indexOf(key);
    setSaid(`${text.get(key)} moved to position ${pos + 1} of ${next.length}.`);
    // Keep focus on a usable button of the moved item when it reaches either end.
    const li = e.currentTarget.closest('li');
    window.setTimeout(() => {
      const btns = document.querySelectorAll<HTMLButtonElement>(`[data-item="${name}-${key}"] button`);
      const same = Array.from(btns).find((b) => b.dataset.dir === String(delta) && !b.disabled);
      (same ?? Array.from(btns).find((b) => !b.disabled))?.focus();
      void li;
    }, 0);
  };
  return (
    <div className="ordering">
      {!answered && <p className="muted small">Not answered yet: move at least one item to give your order.</p>}
      <ol>
        {order.map((k, i) => (
          <li key={k} data-item={`${name}-${k}`}>
            <span className="order-pos" aria-hidden="true">
              {i + 1}
            </span>
            <span className="order-text">{text.get(k)}</span>
            <span className="order-buttons">
              <button type="button" className="button small secondary" data-dir="-1" disabled={i === 0} onClick={(e) => shift(k, -1, e)} aria-label={`Move ${text.get(k)} up`}>
                <span aria-hidden="true">↑</span> Up
              </button>
              <button type="button" className="button small secondary" data-dir="1" disabled={i === order.length - 1} onClick={(e) => shift(k, 1, e)} aria-label={`Move ${text.get(k)} down`}>
                <span aria-hidden="true">↓</span> Down
              </button>
            </span>
          </li>
        ))}
      </ol>
      <p className="visually-hidden" aria-live="polite">
        {said}
      </p>
    </div>
  );
}

function NumericInput({ q, answer, onChange, name }: { q: Extract<Question, { type: 'numeric' }>; answer: Answer | undefined; onChange: (a: Answer | null) => void; name: string }) {
  const initial = answer && 'value' in answer && typeof answer.value === 'number' ? String(answer.value) : '';
  const [text, setText] = useState(initial);
  const [bad, setBad] = useState(false);
  const id = `${name}-num`;
  return (
    <div className={`field numeric${bad ? ' field-error' : ''}`}>
      <label htmlFor={id}>Your answer{q.unit ? ` (${q.unit})` : ''}</label>
      {bad && (
        <p className="error-text" id={`${id}-err`}>
          Enter a number, like 4.5.
        </p>
      )}
      <div className="numeric-row">
        <input
          id={id}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={text}
          aria-invalid={bad || undefined}
          aria-describedby={bad ? `${id}-err` : undefined}
          onChange={(e) => {
            const t = e.target.value;
            setText(t);
            if (t.trim() === '') {
              setBad(false);
              onChange(null);
              return;
            }
            const n = parseNumber(t);
            setBad(n === null);
            if (n !== null) onChange({ value: n });
          }}
        />
        {q.unit && <span aria-hidden="true">{q.unit}</span>}
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------
// The result
