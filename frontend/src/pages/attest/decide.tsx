// The supervisor's decision form: each waiting entry attested or rejected (with a reason),
// competencies rated, a typed signature. Checked in the browser first; nothing is sent until
// the supervisor presses the button.
import { useState } from 'react';
import { api } from '../../api/client';
import { Alert, Field } from '../../ui';
import { EntryCard } from './cards';
import { focusField, RadioGroup, TextArea } from './fields';
import {
  attestAll,
  commentId,
  initialForm,
  ratingId,
  RATINGS,
  refusalOf,
  setEntry,
  setRating,
  SIGNATURE_ID,
  tally,
  toRequest,
  validate,
  waitingEntries,
  type DecisionForm,
  type FieldError,
  type Refusal,
} from './form';
import { plural } from './outcome';
import { MAX_SIGNATURE, MAX_TEXT, type Competency, type SupervisorPage } from './types';

interface Props {
  token: string;
  page: SupervisorPage;
  /** The decision was recorded: the page as it now stands. */
  onDecided: (page: SupervisorPage) => void;
  /** The link turned out to be used, expired or replaced: read the page again. */
  onLinkChanged: (state: Extract<Refusal, { kind: 'link' }>['state']) => void;
}

export function DecideForm({ token, page, onDecided, onLinkChanged }: Props) {
  const [form, setForm] = useState<DecisionForm>(() => initialForm(page));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [general, setGeneral] = useState<{ message: string; reload: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const entries = waitingEntries(page);
  const { attest, reject } = tally(form);
  const errorOf = (id: string) => errors.find((e) => e.id === id)?.message ?? null;

  const submit = async () => {
    setGeneral(null);
    const found = validate(form, page);
    setErrors(found);
    if (found.length) {
      focusField(found[0]!.id);
      return;
    }
    setBusy(true);
    try {
      const decided = await api.post<SupervisorPage>(
        `/api/v1/attestations/${encodeURIComponent(token)}`,
        toRequest(form, page),
        { auth: false },
      );
      onDecided(decided);
    } catch (e) {
      const r = refusalOf(e, form);
      if (r.kind === 'link') onLinkChanged(r.state);
      else if (r.kind === 'field') {
        setErrors([r.error]);
        focusField(r.error.id);
      } else {
        setGeneral(r);
        window.setTimeout(() => focusField('decision-problem'), 0);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="attest-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void submit();
      }}
    >
      {errors.length > 1 && (
        <div className="alert alert-error error-summary">
          <p className="alert-title">Check {plural(errors.length, 'thing')} before sending:</p>
          <ul>
            {errors.map((e) => (
              <li key={e.id}>
                <a
                  href={`#${e.id}`}
                  onClick={(ev) => {
                    ev.preventDefault();
                    focusField(e.id);
                  }}
                >
                  {e.message}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}

      {entries.length > 0 && (
        <section aria-labelledby="entries-heading">
          <div className="section-head">
            <h2 id="entries-heading">Entries to attest ({entries.length})</h2>
            {entries.length > 1 && (
              <button type="button" className="button secondary small" onClick={() => setForm(attestAll)}>
                Attest all
              </button>
            )}
          </div>
          <p className="muted">
            Attest each entry you can confirm took place as recorded. Reject one that is not right and say why: it goes
            back to the learner to correct.
          </p>
          <ul className="entry-list">
            {entries.map((e) => (
              <EntryCard
                key={e.id}
                entry={e}
                departments={page.departments}
                choice={form.entries[e.id] ?? { decision: 'attest', reason: '' }}
                error={errorOf(`reason-${e.id}`)}
                onChange={(patch) => setForm((f) => setEntry(f, e.id, patch))}
              />
            ))}
          </ul>
        </section>
      )}

      {page.competencies.length > 0 && (
        <section aria-labelledby="competencies-heading">
          <h2 id="competencies-heading">Competencies</h2>
          <p className="muted">Rate what you observed during this period. Leave a competency unrated if you prefer not to rate it now.</p>
          {page.competencies.map((c) => (
            <CompetencyField
              key={c.slug}
              competency={c}
              value={form.ratings[c.slug] ?? { rating: null, comment: '' }}
              ratingError={errorOf(ratingId(c.slug))}
              commentError={errorOf(commentId(c.slug))}
              onChange={(patch) => setForm((f) => setRating(f, c.slug, patch))}
            />
          ))}
        </section>
      )}

      <section aria-labelledby="sign-heading" className="panel signature">
        <h2 id="sign-heading">Sign</h2>
        <p id="signature-statement">
          By typing your name you confirm that you supervised {page.learner_name} at {page.site_name}, and that the
          entries you attest took place as recorded. Your name and the time are recorded with your decision.
        </p>
        <Field
          id={SIGNATURE_ID}
          label="Your full name"
          autoComplete="name"
          maxLength={MAX_SIGNATURE}
          value={form.signature}
          error={errorOf(SIGNATURE_ID)}
          hint={`As you would sign it, for example ${page.supervisor_name}.`}
          aria-describedby={`signature-statement ${SIGNATURE_ID}-hint${errorOf(SIGNATURE_ID) ? ` ${SIGNATURE_ID}-error` : ''}`}
          onChange={(e) => setForm((f) => ({ ...f, signature: e.target.value }))}
        />
        {entries.length > 0 && (
          <p className="tally" aria-live="polite">
            You are attesting {plural(attest, 'entry', 'entries')}
            {reject > 0 ? ` and rejecting ${plural(reject, 'entry', 'entries')}` : ''}.
          </p>
        )}
        {general && (
          <div id="decision-problem" tabIndex={-1}>
            <Alert title="Your decision was not recorded">
              <p>{general.message}</p>
              {general.reload && (
                <button type="button" className="button secondary" onClick={() => window.location.reload()}>
                  Reload the page
                </button>
              )}
            </Alert>
          </div>
        )}
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Sending…' : 'Sign and send my decision'}
        </button>
      </section>
    </form>
  );
}

function CompetencyField({
  competency,
  value,
  ratingError,
  commentError,
  onChange,
}: {
  competency: Competency;
  value: { rating: (typeof RATINGS)[number]['value'] | null; comment: string };
  ratingError: string | null;
  commentError: string | null;
  onChange: (patch: { rating?: (typeof RATINGS)[number]['value']; comment?: string }) => void;
}) {
  return (
    <div className="card competency">
      <RadioGroup
        id={ratingId(competency.slug)}
        name={`rating-${competency.slug}`}
        legend={competency.name}
        hint={competency.description ?? undefined}
        error={ratingError}
        options={RATINGS}
        value={value.rating}
        onChange={(rating) => onChange({ rating })}
      />
      <TextArea
        id={commentId(competency.slug)}
        label={
          <>
            Comment <span className="muted">(optional)</span>
            <span className="visually-hidden"> on {competency.name}</span>
          </>
        }
        rows={2}
        maxLength={MAX_TEXT}
        value={value.comment}
        error={commentError}
        onChange={(e) => onChange({ comment: e.target.value })}
      />
    </div>
  );
}
