//! The migrations are embedded at compile time (`embed_migrations!` in src/db/mod.rs), which
//! tracks the files it read but not a migration folder added since: rebuild when anything
//! under migrations/ changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
