//! Black-box tests of Benchside over HTTP against a real PostgreSQL.
//!
//! One test binary (`it`) holds every module, so the crate is linked once. Each test gets its
//! own database cloned from a migrated template; see `harness.rs`.

mod harness;
mod support;

mod account_mail;
mod accounts;
mod authz_matrix;
mod caching;
mod catalog;
mod catalog_externship;
mod catalog_hours;
mod catalog_must_pass;
mod catalog_validity;
mod certificate_print;
mod certificates;
mod cli;
mod cohort_imports;
mod cohorts;
mod completion;
mod credential_keys;
mod db_layer;
mod errors;
mod externship;
mod externship_rules;
mod harness_self;
mod health;
mod jobs;
mod layers;
mod learning;
mod mail;
mod metrics;
mod migrations;
mod openapi;
mod outage;
mod programs;
mod quizzes;
mod quizzes_must_pass;
mod readiness;
mod reports;
mod smtp;
mod spa;
