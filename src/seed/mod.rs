//! `benchside seed`: a realistic cohort of N learners at varied progress, for demos and for the
//! reports' measurements. Every step is one set-based statement (`generate_series`, joins on a
//! plan table), all in one transaction, so 10,000 learners take seconds, not minutes.
//!
//! The plan draws per learner how many lessons (in course order) they completed; from that
//! follow the lesson progress (the next lesson opened), module quiz attempts once a module's
//! lessons are done (most pass at the first try, some after two or three, a few fail
//! repeatedly), the final exam for those who finished every lesson, externship drafts and
//! pending attestation requests for those past half the course, and completion for those who
//! passed the final exam. Last activity is spread over the past month. It writes the tables of
//! accounts, learning, quizzes and externship directly: a seed, not a feature. Accounts share
//! one password, [`PASSWORD`].

use std::time::Instant;

use anyhow::Context;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use uuid::Uuid;

use crate::accounts::password::PasswordHasher;

/// Every seeded learner's password.
pub const PASSWORD: &str = "seed-learner-password";

/// What to seed.
#[derive(Debug, Clone)]
pub struct Options {
    pub learners: i64,
    pub course: String,
    pub cohort: Option<String>,
}

/// What was seeded.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub cohort_id: Uuid,
    pub cohort_name: String,
    pub learners: i64,
    pub lesson_progress: i64,
    pub attempts: i64,
    pub externship_entries: i64,
    pub completed: i64,
    pub seconds: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "cohort {} ({})", self.cohort_name, self.cohort_id)?;
        writeln!(f, "learners           {}", self.learners)?;
        writeln!(f, "lesson progress    {}", self.lesson_progress)?;
        writeln!(f, "quiz attempts      {}", self.attempts)?;
        writeln!(f, "externship entries {}", self.externship_entries)?;
        writeln!(f, "completed          {}", self.completed)?;
        writeln!(f, "password           {PASSWORD}")?;
        write!(f, "in {:.1} s", self.seconds)
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The steps after the plan, in order; `seed_args` holds the cohort, the course and the hash.
const STEPS: &[&str] = &[
    // Accounts: verified learners with varied names and one shared password hash ((SELECT hash FROM seed_args)).
    "INSERT INTO users (id, email, name, password_hash, role, email_verified_at)
     SELECT user_id, 'seed-' || replace((SELECT cohort FROM seed_args)::text, '-', '') || '-' || i || '@example.org',
            (ARRAY['Ana','Ben','Cara','Dev','Eli','Fatima','Gus','Hana','Ivan','Jo','Kemal','Lea',
                   'Mo','Nia','Omar','Pia','Quinn','Rosa','Sam','Tariq'])[1 + i % 20] || ' ' ||
            (ARRAY['Alves','Bauer','Cruz','Diaz','Evans','Fischer','Garcia','Huang','Ito','Jones',
                   'Kim','Lopez','Meyer','Nguyen','Okafor','Patel','Quist','Rossi','Silva','Tan'])[1 + (i / 20) % 20],
            (SELECT hash FROM seed_args), 'learner', now() - interval '70 days'
       FROM seed_plan",
    // Enrolments in the cohort, started over its first two weeks.
    "INSERT INTO enrolments (id, user_id, course_id, course_version, cohort_id, state, started_at,
                             access_expires_at, last_activity_at)
     SELECT p.enrolment_id, p.user_id, c.id, c.version, (SELECT cohort FROM seed_args), 'active', p.started_at,
            p.started_at + make_interval(days => c.access_days),
            greatest(p.started_at, now() - make_interval(secs => p.activity * 30 * 86400))
       FROM seed_plan p, courses c WHERE c.id = (SELECT course FROM seed_args)",
    // Lessons 1..k completed, lesson k+1 opened.
    "INSERT INTO lesson_progress (enrolment_id, lesson_id, first_opened_at, completed_at, time_spent_seconds, updated_at)
     SELECT p.enrolment_id, l.id,
            p.started_at + make_interval(hours => l.rank * 6),
            CASE WHEN l.rank <= p.k THEN p.started_at + make_interval(hours => l.rank * 6, mins => 40) END,
            CASE WHEN l.rank <= p.k THEN 600 + (l.rank * 37) % 1200 ELSE 120 END,
            now()
       FROM seed_plan p JOIN seed_lessons l ON l.rank <= p.k + 1",
    // The resume point and last activity the plan gives (the lesson rows' trigger moved
    // them to the rows' lessons and times).
    "UPDATE enrolments e SET last_lesson_id = CASE WHEN p.k > 0 THEN l.id END,
            last_activity_at = greatest(p.started_at, now() - make_interval(secs => p.activity * 30 * 86400))
       FROM seed_plan p JOIN seed_lessons l ON l.rank = least(p.k + 1, (SELECT max(rank) FROM seed_lessons))
      WHERE e.id = p.enrolment_id",
    // Quiz attempts: a module's quiz once its lessons are done, the final exam after every lesson.
    "CREATE TEMP TABLE seed_sittings ON COMMIT DROP AS
     SELECT p.enrolment_id, q.id AS quiz_id, q.pass_percent, p.started_at + make_interval(hours => q.after * 6 + 2) AS at,
            CASE WHEN r < 0.70 THEN 1 WHEN r < 0.88 THEN 2 ELSE 3 END AS tries,
            r >= 0.95 AS never_passes
       FROM seed_plan p
       JOIN (SELECT q.id, q.pass_percent, coalesce(max(l.rank), (SELECT max(rank) FROM seed_lessons)) AS after
               FROM quizzes q LEFT JOIN seed_lessons l ON l.module_id = q.module_id
              WHERE q.course_id = (SELECT course FROM seed_args) AND q.retired_at IS NULL
              GROUP BY q.id) q ON q.after <= p.k
       CROSS JOIN LATERAL (SELECT random() + 0 * extract(epoch FROM p.started_at) AS r) d",
    "INSERT INTO quiz_attempts (enrolment_id, quiz_id, number, state, started_at, submitted_at,
                                pass_percent, score, max_score, percent, passed)
     SELECT s.enrolment_id, s.quiz_id, n, 'submitted', s.at + make_interval(days => n - 1),
            s.at + make_interval(days => n - 1, mins => 20), s.pass_percent, g.pct / 10.0, 10, g.pct,
            g.pct >= s.pass_percent
       FROM seed_sittings s
       CROSS JOIN LATERAL generate_series(1, s.tries) n
       CROSS JOIN LATERAL (SELECT CASE WHEN n = s.tries AND NOT s.never_passes
                                       THEN s.pass_percent + floor(random() * (101 - s.pass_percent))::int
                                       ELSE floor(random() * s.pass_percent)::int END AS pct) g",
    "INSERT INTO quiz_outcomes (enrolment_id, quiz_id, best_percent, passed_at, attempts_used)
     SELECT a.enrolment_id, a.quiz_id, max(a.percent), min(a.submitted_at) FILTER (WHERE a.passed), count(*)
       FROM quiz_attempts a JOIN seed_plan p ON p.enrolment_id = a.enrolment_id
      GROUP BY a.enrolment_id, a.quiz_id",
    // Completion: every lesson done and every required quiz passed.
    "UPDATE enrolments e SET state = 'completed', completed_at = greatest(e.started_at, o.at),
            externship_met_at = CASE WHEN c.completion_externship THEN o.at END,
            externship_minutes = coalesce(round(c.externship_total_hours * 60)::int, 0)
       FROM seed_plan p, courses c,
            LATERAL (SELECT max(qo.passed_at) AS at, count(*) FILTER (WHERE qo.passed_at IS NULL) AS open
                       FROM quiz_outcomes qo JOIN quizzes q ON q.id = qo.quiz_id
                      WHERE qo.enrolment_id = p.enrolment_id AND q.required) o
      WHERE e.id = p.enrolment_id AND c.id = (SELECT course FROM seed_args) AND p.k = (SELECT max(rank) FROM seed_lessons)
        AND o.open = 0 AND o.at IS NOT NULL
        AND (SELECT count(*) FROM quizzes q WHERE q.course_id = (SELECT course FROM seed_args) AND q.required AND q.retired_at IS NULL)
          = (SELECT count(*) FROM quiz_outcomes qo JOIN quizzes q ON q.id = qo.quiz_id
              WHERE qo.enrolment_id = p.enrolment_id AND q.required AND qo.passed_at IS NOT NULL)",
];

/// The externship steps, for a course with an externship.
const EXTERNSHIP: &[&str] = &[
    "INSERT INTO externship_sites (id, name, address, departments)
     SELECT (SELECT cohort FROM seed_args), 'Seed clinical site ' || left((SELECT cohort FROM seed_args)::text, 8), '1 Hospital Way',
            coalesce((SELECT array_agg(slug ORDER BY position) FROM externship_department_requirements WHERE course_id = (SELECT course FROM seed_args)), '{}')",
    "INSERT INTO externship_placements (id, enrolment_id, site_id, supervisor_name, supervisor_email, starts_on, ends_on, departments)
     SELECT p.enrolment_id, p.enrolment_id, (SELECT cohort FROM seed_args), 'Sam Supervisor', 'supervisor@example.org',
            current_date - 40, current_date + 50, s.departments
       FROM seed_plan p, externship_sites s
      WHERE s.id = (SELECT cohort FROM seed_args) AND p.k * 2 >= (SELECT max(rank) FROM seed_lessons)",
    // A pending attestation request for about one in five placed learners, some over a week old.
    "INSERT INTO externship_attestations (id, enrolment_id, placement_id, token_hash, supervisor_name,
            supervisor_email, learner_name, course_title, entry_count, created_at, expires_at)
     SELECT pl.id, pl.enrolment_id, pl.id, sha256(convert_to(pl.id::text, 'UTF8')), 'Sam Supervisor',
            'supervisor@example.org', u.name, c.title, 4,
            now() - make_interval(days => (abs(hashtext(pl.id::text)) % 12)),
            now() - make_interval(days => (abs(hashtext(pl.id::text)) % 12)) + interval '14 days'
       FROM externship_placements pl JOIN seed_plan p ON p.enrolment_id = pl.enrolment_id
       JOIN users u ON u.id = p.user_id, courses c
      WHERE c.id = (SELECT course FROM seed_args) AND abs(hashtext(pl.id::text)) % 5 = 0",
    // Shifts of eight hours on distinct past days; submitted when a request is waiting.
    "INSERT INTO externship_entries (enrolment_id, placement_id, kind, client_id, client_seq, occurred_on,
            starts_at, ends_at, department, activities, state, attestation_id)
     SELECT pl.enrolment_id, pl.id, 'shift', pl.id, d, current_date - 30 + d,
            (current_date - 30 + d) + time '08:00', (current_date - 30 + d) + time '16:00',
            coalesce(pl.departments[1 + d % greatest(cardinality(pl.departments), 1)], 'general'),
            'Venipuncture at the draw station', CASE WHEN a.id IS NULL THEN 'draft' ELSE 'submitted' END, a.id
       FROM externship_placements pl JOIN seed_plan p ON p.enrolment_id = pl.enrolment_id
       LEFT JOIN externship_attestations a ON a.id = pl.id
       CROSS JOIN LATERAL generate_series(0, (abs(hashtext(pl.id::text)) % 6) + 1) d",
    // Collections: a few venipunctures on the first shift's day.
    "INSERT INTO externship_entries (enrolment_id, placement_id, kind, client_id, client_seq, occurred_on,
            collection_type, method, age_group, successful, unaided, state)
     SELECT pl.enrolment_id, pl.id, 'collection', p.user_id, n, current_date - 30,
            'venipuncture', 'evacuated_tube', 'adult', n % 7 <> 0, n % 5 <> 0, 'draft'
       FROM externship_placements pl JOIN seed_plan p ON p.enrolment_id = pl.enrolment_id
       CROSS JOIN LATERAL generate_series(0, abs(hashtext(p.user_id::text)) % 8) n",
];

/// Seeds a cohort (see the module doc).
pub async fn run(conn: &mut AsyncPgConnection, opts: &Options) -> anyhow::Result<Summary> {
    anyhow::ensure!(
        (1..=1_000_000).contains(&opts.learners),
        "--learners is 1 to 1000000"
    );
    let started = Instant::now();
    let hash = PasswordHasher::new(1)
        .hash(PASSWORD)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let name = opts.cohort.clone().unwrap_or_else(|| {
        format!(
            "Seed cohort {}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
        )
    });
    let course: Option<(Uuid, bool)> = crate::db::schema::courses::table
        .filter(crate::db::schema::courses::slug.eq(&opts.course))
        .select((
            crate::db::schema::courses::id,
            crate::db::schema::courses::externship_total_hours.is_not_null(),
        ))
        .first(conn)
        .await
        .optional()?;
    let (course, externship) = course.with_context(|| {
        format!(
            "no course {:?}: import it first (benchside courses import)",
            opts.course
        )
    })?;
    let learners = opts.learners;
    let mut summary = conn
        .transaction::<_, anyhow::Error, _>(async move |tx| {
            let cohort = plan(tx, course, &name, learners, &hash).await?;
            let extra: &[&str] = if externship { EXTERNSHIP } else { &[] };
            for step in STEPS.iter().chain(extra) {
                tx.batch_execute(step)
                    .await
                    .with_context(|| format!("seeding: {}", step.lines().next().unwrap_or("")))?;
            }
            tally(tx, cohort, name).await
        })
        .await?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The cohort (starting 60 days ago, target in 30) and the plan: per learner the IDs, the
/// start, the lessons completed (k: none for about 8 %, else uniform over 1..all) and the
/// activity draw; and the course's live lessons in order.
async fn plan(
    tx: &mut AsyncPgConnection,
    course: Uuid,
    name: &str,
    learners: i64,
    hash: &str,
) -> anyhow::Result<Uuid> {
    let cohort = diesel::sql_query(
        "INSERT INTO cohorts (course_id, name, starts_on, target_on)
         VALUES ($1, $2, current_date - 60, current_date + 30) RETURNING id",
    )
    .bind::<SqlUuid, _>(course)
    .bind::<Text, _>(name)
    .get_result::<Id>(tx)
    .await
    .context("the cohort (is the name taken?)")?
    .id;
    tx.batch_execute("SELECT setseed(0.4242)").await?;
    diesel::sql_query(
        "CREATE TEMP TABLE seed_args ON COMMIT DROP AS SELECT $1::uuid AS cohort, $2::uuid AS course, $3::text AS hash",
    )
    .bind::<SqlUuid, _>(cohort)
    .bind::<SqlUuid, _>(course)
    .bind::<Text, _>(hash)
    .execute(tx)
    .await?;
    diesel::sql_query(
        "CREATE TEMP TABLE seed_lessons ON COMMIT DROP AS
         SELECT l.id, l.module_id, row_number() OVER (ORDER BY m.position, l.position)::int AS rank
           FROM lessons l JOIN course_modules m ON m.id = l.module_id
          WHERE l.course_id = $1 AND l.retired_at IS NULL AND m.retired_at IS NULL",
    )
    .bind::<SqlUuid, _>(course)
    .execute(tx)
    .await?;
    diesel::sql_query(
        "CREATE TEMP TABLE seed_plan ON COMMIT DROP AS
         SELECT i, gen_random_uuid() AS user_id, gen_random_uuid() AS enrolment_id,
                (current_date - 60) + make_interval(mins => floor(random() * 14 * 1440)::int) AS started_at,
                CASE WHEN r < 0.08 THEN 0
                     ELSE 1 + floor(random() * (SELECT count(*) FROM seed_lessons))::int END AS k,
                random() AS activity
           FROM (SELECT i, random() AS r FROM generate_series(1, $1) i) s",
    )
    .bind::<BigInt, _>(learners)
    .execute(tx)
    .await?;
    Ok(cohort)
}

async fn tally(tx: &mut AsyncPgConnection, cohort: Uuid, name: String) -> anyhow::Result<Summary> {
    let count = |sql: &'static str| diesel::sql_query(sql).bind::<SqlUuid, _>(cohort);
    let n = |r: N| r.n;
    Ok(Summary {
        cohort_id: cohort,
        cohort_name: name,
        learners: n(count("SELECT count(*) AS n FROM enrolments WHERE cohort_id = $1").get_result(tx).await?),
        lesson_progress: n(count("SELECT count(*) AS n FROM lesson_progress lp JOIN enrolments e ON e.id = lp.enrolment_id WHERE e.cohort_id = $1").get_result(tx).await?),
        attempts: n(count("SELECT count(*) AS n FROM quiz_attempts a JOIN enrolments e ON e.id = a.enrolment_id WHERE e.cohort_id = $1").get_result(tx).await?),
        externship_entries: n(count("SELECT count(*) AS n FROM externship_entries x JOIN enrolments e ON e.id = x.enrolment_id WHERE e.cohort_id = $1").get_result(tx).await?),
        completed: n(count("SELECT count(*) AS n FROM enrolments WHERE cohort_id = $1 AND state = 'completed'").get_result(tx).await?),
        seconds: 0.0,
    })
}
