// Readiness by certification exam domain as a table per exam: each domain's published weight,
// a bar of its percent correct (decorative: the same figure is the cell's text) and what it
// rests on; the learner's view names the weakest domain with the lessons that teach it.
import type { DomainReadiness, ExamReadiness } from '../api/types';
import { Link } from '../router';
import { barValue, basisText, cohortBasisText, percentText, summaryText, weakestDomain, weightText } from './readiness';

function Bar({ d }: { d: DomainReadiness }) {
  return (
    <span className="readiness-bar" aria-hidden="true">
      <span className="readiness-bar-fill" style={{ width: `${barValue(d)}%` }} />
    </span>
  );
}

function ExamTable({ exam, cohort }: { exam: ExamReadiness; cohort: boolean }) {
  const weakest = exam.weakest;
  return (
    <table className="table readiness-table">
      <caption className="table-caption">
        {exam.name}
        {cohort ? ': mean percent correct per domain' : ': percent correct per domain'}
      </caption>
      <thead>
        <tr>
          <th scope="col">Domain</th>
          <th scope="col">Exam weight</th>
          <th scope="col">{cohort ? 'Mean correct' : 'Correct'}</th>
          <th scope="col">Based on</th>
        </tr>
      </thead>
      <tbody>
        {exam.domains.map((d) => (
          <tr key={d.slug} className={d.slug === weakest ? 'readiness-weakest' : undefined}>
            <th scope="row">
              {d.title}
              {/* The space keeps "Weakest" a word of its own in the row's text and accessible name. */}
              {d.slug === weakest && <> <span className="badge">Weakest</span></>}
            </th>
            <td>{weightText(d)}</td>
            <td>
              <Bar d={d} /> {percentText(d)}
            </td>
            <td>{cohort ? cohortBasisText(d) : basisText(d)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Source({ exam }: { exam: ExamReadiness }) {
  return (
    <p className="muted small">
      Domains from {exam.body}: <a href={exam.source}>{exam.source_title}</a>
      {exam.edition ? ` (${exam.edition})` : ''}.
    </p>
  );
}

/** The learner's readiness; `lessonHref` links a lesson of the enrolment. */
export function LearnerReadiness({ exams, lessonHref }: { exams: ExamReadiness[]; lessonHref: (slug: string) => string }) {
  if (exams.length === 0) return null;
  return (
    <section aria-labelledby="readiness-heading" className="readiness">
      <h2 id="readiness-heading">Exam readiness</h2>
      <p className="muted">
        Your latest answer to each question in your submitted quizzes, grouped by the certification exam's content domains.
      </p>
      {exams.map((exam) => {
        const w = weakestDomain(exam);
        return (
          <div key={exam.slug} className="readiness-exam">
            <h3>{exam.name}</h3>
            <p>{summaryText(exam)}</p>
            {w && w.lessons.length > 0 && (
              <>
                <p id={`review-${exam.slug}`}>Lessons that teach {w.title}:</p>
                <ul aria-labelledby={`review-${exam.slug}`}>
                  {w.lessons.map((l) => (
                    <li key={l.slug}>
                      <Link href={lessonHref(l.slug)}>{l.title}</Link>
                    </li>
                  ))}
                </ul>
              </>
            )}
            <ExamTable exam={exam} cohort={false} />
            <Source exam={exam} />
          </div>
        );
      })}
    </section>
  );
}

/** A cohort's readiness: the members' mean per domain. */
export function CohortReadinessTables({ exams }: { exams: ExamReadiness[] }) {
  if (exams.length === 0) return <p>This cohort's course declares no certification exam outlines.</p>;
  return (
    <>
      <p className="muted">
        Per domain, the mean over members with answers of each member's percent correct (latest answer per question, submitted quizzes).
      </p>
      {exams.map((exam) => (
        <div key={exam.slug} className="readiness-exam">
          <h3>{exam.name}</h3>
          {/* The admin area's sideways-scrolling table region (as its TableWrap): four columns
              and a bar do not fit a phone's width. */}
          <div className="table-wrap" role="region" aria-label={`${exam.name}: domains`} tabIndex={0}>
            <ExamTable exam={exam} cohort />
          </div>
          <Source exam={exam} />
        </div>
      ))}
    </>
  );
}
