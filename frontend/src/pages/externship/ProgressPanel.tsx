// Progress against the course's requirements (approved records only), with what is waiting
// for attestation or approval, and the certifying bodies' thresholds as readiness information.
import { useId } from 'react';
import { meterGroups, meterOf, pendingText, type MeterView } from './progress';
import type { Readiness, Summary } from './types';

function Meter({ m }: { m: MeterView }) {
  const id = useId();
  return (
    <li className={`ext-meter${m.met ? ' met' : ''}`}>
      <p className="ext-meter-label" id={id}>
        <span>{m.label}</span>
        <span className="ext-meter-value">
          {m.text}
          {m.met && (
            <span className="check">
              <span aria-hidden="true"> ✓</span>
              <span className="visually-hidden"> (met)</span>
            </span>
          )}
        </span>
      </p>
      <progress max={100} value={m.percent} aria-labelledby={id} aria-valuetext={`${m.text}${m.met ? ', met' : ''}`}>
        {m.percent}%
      </progress>
    </li>
  );
}

export function ProgressPanel({ summary }: { summary: Summary }) {
  const pending = pendingText(summary);
  return (
    <section aria-labelledby="ext-progress-h" className="ext-section">
      <h2 id="ext-progress-h">Your progress</h2>
      <p className="muted">Counted from approved entries: attested by your supervisor and approved by your program.</p>
      {summary.met && <p className="ext-done-text">Every externship requirement of this course is met.</p>}
      {pending && <p className="ext-pending">{pending}</p>}
      {meterGroups(summary).map((g) => (
        <div key={g.id} className="ext-meter-group">
          {(g.meters.length > 1 || g.meters[0]?.label !== g.title) && <h3 className="h4">{g.title}</h3>}
          <ul className="ext-meters">
            {g.meters.map((m) => (
              <Meter key={m.key} m={m} />
            ))}
          </ul>
        </div>
      ))}
      <p className="small muted">Approved collection attempts in all, successful or not: {summary.attempts}.</p>
    </section>
  );
}

function ReadinessItem({ r }: { r: Readiness }) {
  return (
    <li className="ext-row">
      <p className="ext-row-title">
        {r.name} <span className="muted small">({r.body})</span>
      </p>
      <p className="small">{r.met ? 'Your approved record reaches these published thresholds.' : 'Not reached yet:'}</p>
      <ul className="ext-readiness-measures">
        {r.measures.map((m) => {
          const v = meterOf(m, m.slug === 'hours' ? 'hours' : 'count');
          return (
            <li key={m.slug}>
              {m.name}: {v.text} {m.met ? <span className="check">(reached)</span> : <span className="muted">(not yet)</span>}
            </li>
          );
        })}
      </ul>
      {r.note && <p className="small">{r.note}</p>}
      <p className="small">
        Source:{' '}
        <a href={r.source} target="_blank" rel="noopener noreferrer">
          {r.source_title}
          <span className="visually-hidden"> (opens in a new tab)</span>
        </a>
      </p>
    </li>
  );
}

export function ReadinessPanel({ certifications }: { certifications: Readiness[] }) {
  if (!certifications.length) return null;
  return (
    <section aria-labelledby="ext-ready-h" className="ext-section">
      <h2 id="ext-ready-h">Certification readiness (information only)</h2>
      <p>
        Readiness information: certifying bodies’ published clinical thresholds, compared with your approved record. They are <strong>not</strong> this
        course’s requirements, and bodies change their rules: check the source before you apply for an exam.
      </p>
      <ul className="ext-readiness">
        {certifications.map((r) => (
          <ReadinessItem key={r.slug} r={r} />
        ))}
      </ul>
    </section>
  );
}
