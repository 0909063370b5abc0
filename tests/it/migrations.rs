//! Migrations: every `down.sql` reverses its `up.sql`, and `src/db/schema.rs` is exactly what
//! `diesel print-schema` prints for the migrated database.

use std::path::{Path, PathBuf};
use std::process::Command;

use benchside::db::MIGRATIONS;
use diesel::QueryableByName;
use diesel::migration::{Migration, MigrationSource};
use diesel::pg::Pg;
use diesel::sql_types::Text;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::MigrationHarness;

use crate::harness::TestDb;

pub fn all() -> Vec<Box<dyn Migration<Pg>>> {
    MigrationSource::<Pg>::migrations(&MIGRATIONS).unwrap()
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Everything a migration can create in the `public` schema, one sorted line per object.
/// Diesel's own bookkeeping table is left out.
const SNAPSHOT: &str = r#"
SELECT line FROM (
  SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type,
                is_nullable, coalesce(column_default, '')) AS line
    FROM information_schema.columns
   WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
  UNION ALL
  SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
    FROM pg_constraint
   WHERE connamespace = 'public'::regnamespace
     AND conrelid::regclass::text <> '__diesel_schema_migrations'
  UNION ALL
  SELECT format('index %s', indexdef) FROM pg_indexes
   WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'
  UNION ALL
  SELECT format('function %s %s', p.oid::regprocedure, md5(pg_get_functiondef(p.oid)))
    FROM pg_proc p WHERE pronamespace = 'public'::regnamespace
  UNION ALL
  SELECT format('trigger %s', pg_get_triggerdef(t.oid))
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
  UNION ALL
  SELECT format('type %s %s', t.typname, t.typtype) FROM pg_type t
   WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c')
     AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
  UNION ALL
  SELECT format('enum %s %s %s', t.typname, e.enumsortorder, e.enumlabel)
    FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
   WHERE t.typnamespace = 'public'::regnamespace
  UNION ALL
  SELECT format('sequence %s', sequence_name) FROM information_schema.sequences
   WHERE sequence_schema = 'public'
  UNION ALL
  SELECT format('view %s %s', viewname, md5(definition)) FROM pg_views WHERE schemaname = 'public'
  UNION ALL
  SELECT format('extension %s', extname) FROM pg_extension
) s ORDER BY line
"#;

type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

fn snapshot(conn: &mut SyncConn) -> Vec<String> {
    diesel::RunQueryDsl::load::<Line>(diesel::sql_query(SNAPSHOT), conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

#[actix_web::test]
async fn every_down_migration_reverses_its_up() {
    let db = TestDb::empty().await;
    let url = db.url.clone();
    let steps = tokio::task::spawn_blocking(move || {
        let mut conn = <SyncConn as diesel::Connection>::establish(&url).unwrap();
        let migrations = all();
        assert!(!migrations.is_empty());
        // Creates diesel's bookkeeping table.
        assert!(conn.applied_migrations().unwrap().is_empty());
        let mut states = vec![snapshot(&mut conn)];
        for m in &migrations {
            let name = m.name().to_string();
            let before = snapshot(&mut conn);
            conn.run_migration(m.as_ref())
                .unwrap_or_else(|e| panic!("{name} up: {e}"));
            let after = snapshot(&mut conn);
            assert_ne!(before, after, "{name} changes the schema");
            conn.revert_migration(m.as_ref())
                .unwrap_or_else(|e| panic!("{name} down: {e}"));
            let reverted = snapshot(&mut conn);
            assert_eq!(
                before, reverted,
                "{name}: down.sql leaves the schema as before up.sql"
            );
            conn.run_migration(m.as_ref())
                .unwrap_or_else(|e| panic!("{name} up again: {e}"));
            assert_eq!(
                after,
                snapshot(&mut conn),
                "{name}: up.sql runs again after down.sql"
            );
            states.push(after);
        }
        // Reverting everything, newest first, walks back through the same states.
        for m in migrations.iter().rev() {
            conn.revert_migration(m.as_ref()).unwrap();
            states.pop();
            assert_eq!(
                &snapshot(&mut conn),
                states.last().unwrap(),
                "after reverting {}",
                m.name()
            );
        }
        migrations.len()
    })
    .await
    .unwrap();
    assert_eq!(steps, all().len());
}

fn diesel_cli() -> PathBuf {
    if let Some(p) = std::env::var_os("DIESEL") {
        return PathBuf::from(p);
    }
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin")))
        .chain(std::env::var_os("CARGO_HOME").map(|h| Path::new(&h).join("bin")))
        .map(|d| d.join("diesel"));
    for c in candidates {
        if c.is_file() {
            return c;
        }
    }
    panic!(
        "diesel_cli is needed for the schema check: `make test` installs it, or run \
         `cargo install diesel_cli --no-default-features --features postgres --locked`"
    );
}

#[actix_web::test]
async fn schema_rs_matches_diesel_print_schema() {
    let db = TestDb::migrated().await;
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(diesel_cli())
        .args(["print-schema", "--database-url", &db.url])
        .current_dir(root)
        .output()
        .expect("running diesel print-schema");
    assert!(
        out.status.success(),
        "diesel print-schema failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string(Path::new(root).join("src/db/schema.rs")).unwrap();
    assert!(
        printed == committed,
        "src/db/schema.rs is stale; regenerate it with `make schema`.\n--- printed ---\n{printed}"
    );
}
