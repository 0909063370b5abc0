// @generated automatically by Diesel CLI.

diesel::table! {
    attempt_questions (attempt_id, position) {
        attempt_id -> Uuid,
        position -> Int4,
        question_id -> Uuid,
        layout -> Jsonb,
        answer -> Nullable<Jsonb>,
        credit -> Nullable<Float8>,
        must_pass -> Bool,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_kind -> Text,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        subject_type -> Nullable<Text>,
        subject_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        details -> Jsonb,
        client_addr -> Nullable<Text>,
    }
}

diesel::table! {
    certificate_pdfs (certificate_id, paper) {
        certificate_id -> Uuid,
        paper -> Text,
        pdf -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    certificates (id) {
        id -> Uuid,
        serial -> Int8,
        code -> Text,
        enrolment_id -> Uuid,
        user_id -> Uuid,
        holder_name -> Text,
        course_id -> Uuid,
        course_slug -> Text,
        course_title -> Text,
        course_version -> Int4,
        completed_at -> Timestamptz,
        contact_hours -> Float8,
        externship -> Nullable<Jsonb>,
        issued_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        status_position -> Int8,
        kid -> Text,
        credential_jwt -> Text,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        superseded_by -> Nullable<Uuid>,
        superseded_at -> Nullable<Timestamptz>,
        expiry_noticed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    cohort_staff (cohort_id, user_id) {
        cohort_id -> Uuid,
        user_id -> Uuid,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    cohorts (id) {
        id -> Uuid,
        course_id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
        starts_on -> Date,
        target_on -> Nullable<Date>,
        capacity -> Nullable<Int4>,
        archived_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    course_assets (course_id, path) {
        course_id -> Uuid,
        path -> Text,
        content_type -> Text,
        bytes -> Bytea,
        sha256 -> Text,
    }
}

diesel::table! {
    course_modules (id) {
        id -> Uuid,
        course_id -> Uuid,
        slug -> Text,
        position -> Int4,
        title -> Text,
        summary -> Text,
        content_hash -> Text,
        retired_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    course_versions (id) {
        id -> Uuid,
        course_id -> Uuid,
        version -> Int4,
        content_hash -> Text,
        changes -> Jsonb,
        imported_at -> Timestamptz,
    }
}

diesel::table! {
    courses (id) {
        id -> Uuid,
        slug -> Text,
        title -> Text,
        summary -> Text,
        description_html -> Text,
        level -> Text,
        estimated_hours -> Int4,
        contact_hours -> Float8,
        sequential -> Bool,
        access_days -> Int4,
        published -> Bool,
        completion_all_lessons -> Bool,
        completion_externship -> Bool,
        externship_total_hours -> Nullable<Float8>,
        externship_min_total_procedures -> Nullable<Int4>,
        externship_notes_html -> Nullable<Text>,
        module_count -> Int4,
        lesson_count -> Int4,
        outline -> Text,
        content_hash -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        certificate_validity_months -> Nullable<Int4>,
    }
}

diesel::table! {
    enrolment_codes (id) {
        id -> Uuid,
        cohort_id -> Uuid,
        code -> Text,
        max_uses -> Nullable<Int4>,
        uses -> Int4,
        expires_at -> Nullable<Timestamptz>,
        disabled_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    enrolments (id) {
        id -> Uuid,
        user_id -> Uuid,
        course_id -> Uuid,
        course_version -> Int4,
        cohort_id -> Nullable<Uuid>,
        state -> Text,
        started_at -> Timestamptz,
        access_expires_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        withdrawn_at -> Nullable<Timestamptz>,
        last_activity_at -> Timestamptz,
        last_lesson_id -> Nullable<Uuid>,
        time_spent_seconds -> Int8,
        externship_met_at -> Nullable<Timestamptz>,
        externship_minutes -> Int4,
        externship_counts -> Jsonb,
        lessons_completed -> Int4,
        quizzes_passed -> Int4,
        facts_version -> Int8,
    }
}

diesel::table! {
    exam_domains (course_id, exam_slug, slug) {
        course_id -> Uuid,
        exam_slug -> Text,
        slug -> Text,
        position -> Int4,
        title -> Text,
        weight_low -> Nullable<Int2>,
        weight_high -> Nullable<Int2>,
    }
}

diesel::table! {
    exam_outlines (course_id, slug) {
        course_id -> Uuid,
        slug -> Text,
        position -> Int4,
        name -> Text,
        body -> Text,
        source -> Text,
        source_title -> Text,
        edition -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    externship_attestations (id) {
        id -> Uuid,
        enrolment_id -> Uuid,
        placement_id -> Uuid,
        token_hash -> Bytea,
        previous_token_hash -> Nullable<Bytea>,
        supervisor_name -> Text,
        supervisor_email -> Text,
        learner_name -> Text,
        course_title -> Text,
        entry_count -> Int4,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        reminded_at -> Nullable<Timestamptz>,
        voided_at -> Nullable<Timestamptz>,
        replaced_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        signature_name -> Nullable<Text>,
        decided_ip -> Nullable<Text>,
        decided_user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    externship_competency_ratings (attestation_id, competency) {
        attestation_id -> Uuid,
        enrolment_id -> Uuid,
        competency -> Text,
        rating -> Text,
        comment -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    externship_department_requirements (course_id, slug) {
        course_id -> Uuid,
        slug -> Text,
        name -> Text,
        position -> Int4,
        min_hours -> Float8,
    }
}

diesel::table! {
    externship_entries (id) {
        id -> Uuid,
        enrolment_id -> Uuid,
        placement_id -> Uuid,
        kind -> Text,
        client_id -> Uuid,
        client_seq -> Int4,
        occurred_on -> Date,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        minutes -> Nullable<Int4>,
        department -> Nullable<Text>,
        activities -> Nullable<Text>,
        shift_id -> Nullable<Uuid>,
        collection_type -> Nullable<Text>,
        method -> Nullable<Text>,
        age_group -> Nullable<Text>,
        successful -> Nullable<Bool>,
        unaided -> Nullable<Bool>,
        notes -> Nullable<Text>,
        state -> Text,
        attestation_id -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        rejected_reason -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamptz>,
        reviewed_by -> Nullable<Uuid>,
        review_note -> Nullable<Text>,
        amends_id -> Nullable<Uuid>,
        amend_reason -> Nullable<Text>,
        superseded_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    externship_placements (id) {
        id -> Uuid,
        enrolment_id -> Uuid,
        site_id -> Uuid,
        supervisor_name -> Text,
        supervisor_email -> Text,
        supervisor_credential -> Nullable<Text>,
        starts_on -> Date,
        ends_on -> Date,
        departments -> Array<Nullable<Text>>,
        cancelled_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    externship_procedure_requirements (course_id, slug) {
        course_id -> Uuid,
        slug -> Text,
        name -> Text,
        position -> Int4,
        min_count -> Int4,
    }
}

diesel::table! {
    externship_sites (id) {
        id -> Uuid,
        name -> Text,
        address -> Text,
        departments -> Array<Nullable<Text>>,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        archived_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    externship_tallies (enrolment_id, kind, state, counted, department, collection_type, successful, unaided) {
        enrolment_id -> Uuid,
        kind -> Text,
        state -> Text,
        counted -> Bool,
        department -> Text,
        collection_type -> Text,
        successful -> Bool,
        unaided -> Bool,
        entries -> Int4,
        minutes -> Int8,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        kind -> Text,
        payload -> Jsonb,
        state -> Text,
        run_at -> Timestamptz,
        attempts -> Int4,
        max_attempts -> Nullable<Int4>,
        lease_id -> Nullable<Uuid>,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        dedupe_key -> Nullable<Text>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    lesson_progress (enrolment_id, lesson_id) {
        enrolment_id -> Uuid,
        lesson_id -> Uuid,
        first_opened_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
        time_spent_seconds -> Int8,
        last_position -> Nullable<Jsonb>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    lessons (id) {
        id -> Uuid,
        course_id -> Uuid,
        module_id -> Uuid,
        slug -> Text,
        position -> Int4,
        title -> Text,
        estimated_minutes -> Int4,
        objectives -> Jsonb,
        free_preview -> Bool,
        body_html -> Text,
        content_hash -> Text,
        added_in_version -> Int4,
        changed_in_version -> Int4,
        retired_at -> Nullable<Timestamptz>,
        revision -> Int8,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Uuid,
        kind -> Text,
        recipient -> Text,
        recipient_name -> Nullable<Text>,
        subject -> Text,
        text_body -> Nullable<Text>,
        html_body -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        job_id -> Uuid,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        email -> Nullable<Text>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    question_banks (id) {
        id -> Uuid,
        course_id -> Uuid,
        module_id -> Nullable<Uuid>,
        slug -> Text,
        retired_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    question_domains (question_id, exam_slug, domain_slug) {
        question_id -> Uuid,
        course_id -> Uuid,
        exam_slug -> Text,
        domain_slug -> Text,
    }
}

diesel::table! {
    questions (id) {
        id -> Uuid,
        bank_id -> Uuid,
        slug -> Text,
        position -> Int4,
        kind -> Text,
        prompt_html -> Text,
        explanation_html -> Text,
        shuffle -> Bool,
        spec -> Jsonb,
        content_hash -> Text,
        retired_at -> Nullable<Timestamptz>,
        must_pass -> Bool,
        review_href -> Nullable<Text>,
        review_label -> Nullable<Text>,
        revision -> Int8,
    }
}

diesel::table! {
    quiz_attempts (id) {
        id -> Uuid,
        enrolment_id -> Uuid,
        quiz_id -> Uuid,
        number -> Int4,
        state -> Text,
        started_at -> Timestamptz,
        deadline -> Nullable<Timestamptz>,
        submitted_at -> Nullable<Timestamptz>,
        late -> Bool,
        pass_percent -> Int4,
        score -> Nullable<Float8>,
        max_score -> Int4,
        percent -> Nullable<Int4>,
        passed -> Nullable<Bool>,
        answers -> Jsonb,
        saved_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    quiz_outcomes (enrolment_id, quiz_id) {
        enrolment_id -> Uuid,
        quiz_id -> Uuid,
        best_percent -> Int4,
        passed_at -> Nullable<Timestamptz>,
        attempts_used -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    quizzes (id) {
        id -> Uuid,
        course_id -> Uuid,
        module_id -> Nullable<Uuid>,
        slug -> Text,
        title -> Text,
        is_final -> Bool,
        required -> Bool,
        requires_other_requirements -> Bool,
        pass_percent -> Int4,
        max_attempts -> Int4,
        time_limit_minutes -> Int4,
        cooldown_minutes -> Int4,
        review -> Text,
        draw -> Jsonb,
        content_hash -> Text,
        retired_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    rate_limit_buckets (bucket) {
        bucket -> Text,
        tokens -> Float8,
        allowed -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        client_addr -> Nullable<Text>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        public_jwk -> Jsonb,
        created_at -> Timestamptz,
        signs_from -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        role -> Text,
        email_verified_at -> Nullable<Timestamptz>,
        disabled_at -> Nullable<Timestamptz>,
        sessions_revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        password_changed_at -> Nullable<Timestamptz>,
        invited_at -> Nullable<Timestamptz>,
        invited_by -> Nullable<Uuid>,
    }
}

diesel::joinable!(attempt_questions -> questions (question_id));
diesel::joinable!(attempt_questions -> quiz_attempts (attempt_id));
diesel::joinable!(certificate_pdfs -> certificates (certificate_id));
diesel::joinable!(certificates -> courses (course_id));
diesel::joinable!(certificates -> enrolments (enrolment_id));
diesel::joinable!(certificates -> signing_keys (kid));
diesel::joinable!(certificates -> users (user_id));
diesel::joinable!(cohort_staff -> cohorts (cohort_id));
diesel::joinable!(cohort_staff -> users (user_id));
diesel::joinable!(cohorts -> courses (course_id));
diesel::joinable!(course_assets -> courses (course_id));
diesel::joinable!(course_modules -> courses (course_id));
diesel::joinable!(course_versions -> courses (course_id));
diesel::joinable!(enrolment_codes -> cohorts (cohort_id));
diesel::joinable!(enrolments -> cohorts (cohort_id));
diesel::joinable!(enrolments -> courses (course_id));
diesel::joinable!(enrolments -> lessons (last_lesson_id));
diesel::joinable!(enrolments -> users (user_id));
diesel::joinable!(exam_outlines -> courses (course_id));
diesel::joinable!(externship_attestations -> enrolments (enrolment_id));
diesel::joinable!(externship_attestations -> externship_placements (placement_id));
diesel::joinable!(externship_competency_ratings -> enrolments (enrolment_id));
diesel::joinable!(externship_competency_ratings -> externship_attestations (attestation_id));
diesel::joinable!(externship_department_requirements -> courses (course_id));
diesel::joinable!(externship_entries -> enrolments (enrolment_id));
diesel::joinable!(externship_entries -> externship_attestations (attestation_id));
diesel::joinable!(externship_entries -> externship_placements (placement_id));
diesel::joinable!(externship_entries -> users (reviewed_by));
diesel::joinable!(externship_placements -> enrolments (enrolment_id));
diesel::joinable!(externship_placements -> externship_sites (site_id));
diesel::joinable!(externship_placements -> users (created_by));
diesel::joinable!(externship_procedure_requirements -> courses (course_id));
diesel::joinable!(externship_tallies -> enrolments (enrolment_id));
diesel::joinable!(lesson_progress -> enrolments (enrolment_id));
diesel::joinable!(lesson_progress -> lessons (lesson_id));
diesel::joinable!(lessons -> courses (course_id));
diesel::joinable!(mail_outbox -> jobs (job_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(question_banks -> courses (course_id));
diesel::joinable!(question_domains -> questions (question_id));
diesel::joinable!(questions -> question_banks (bank_id));
diesel::joinable!(quiz_attempts -> enrolments (enrolment_id));
diesel::joinable!(quiz_attempts -> quizzes (quiz_id));
diesel::joinable!(quiz_outcomes -> enrolments (enrolment_id));
diesel::joinable!(quiz_outcomes -> quizzes (quiz_id));
diesel::joinable!(quizzes -> courses (course_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    attempt_questions,
    audit_log,
    certificate_pdfs,
    certificates,
    cohort_staff,
    cohorts,
    course_assets,
    course_modules,
    course_versions,
    courses,
    enrolment_codes,
    enrolments,
    exam_domains,
    exam_outlines,
    externship_attestations,
    externship_competency_ratings,
    externship_department_requirements,
    externship_entries,
    externship_placements,
    externship_procedure_requirements,
    externship_sites,
    externship_tallies,
    jobs,
    lesson_progress,
    lessons,
    mail_outbox,
    one_time_tokens,
    question_banks,
    question_domains,
    questions,
    quiz_attempts,
    quiz_outcomes,
    quizzes,
    rate_limit_buckets,
    refresh_tokens,
    signing_keys,
    users,
);
