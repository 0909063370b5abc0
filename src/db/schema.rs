// @generated automatically by Diesel CLI.

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
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        lease_id -> Nullable<Uuid>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(audit_log, mail_outbox,);
