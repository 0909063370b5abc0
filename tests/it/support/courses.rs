//! Course fixtures: `tests/fixtures/courses/`, copied and edited when a test needs a variant,
//! and imported the way `benchside import` does.

use std::path::{Path, PathBuf};

use benchside::catalog::import::{ImportReport, import};
use benchside::catalog::load::load_dir;

use super::db::count;
use crate::harness::TestApp;

/// A folder of course trees under `tests/fixtures/courses/` (`valid`, `broken`).
pub fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/courses")
        .join(name)
}

/// A copy of a fixture tree in a temporary folder, so a test can edit it.
pub fn copy_tree(from: &Path) -> PathBuf {
    let to = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("courses-{}", uuid::Uuid::new_v4().simple()));
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let dest = to.join(e.file_name());
            if e.path().is_dir() {
                copy(&e.path(), &dest);
            } else {
                std::fs::copy(e.path(), dest).unwrap();
            }
        }
    }
    copy(from, &to);
    to
}

/// Loads and imports every course under `dir`, panicking on any problem.
pub async fn import_dir(app: &TestApp, dir: &Path) -> ImportReport {
    let models = load_dir(dir).unwrap_or_else(|p| panic!("loading {}: {p:?}", dir.display()));
    let mut conn = app.conn().await;
    import(&mut conn, &models)
        .await
        .unwrap_or_else(|e| panic!("importing {}: {e:?}", dir.display()))
}

/// The fixture course `demo-course` (`tests/fixtures/courses/valid`), as it is
/// ([`FixtureCourse::DEMO`]: sequential, completion needs every lesson, the final exam and a
/// 20-hour externship) or edited: `FixtureCourse::DEMO.without_externship().unsequenced()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixtureCourse {
    /// Modules open in order.
    pub sequential: bool,
    /// Completion needs the externship.
    pub externship: bool,
}

impl FixtureCourse {
    pub const DEMO: FixtureCourse = FixtureCourse {
        sequential: true,
        externship: true,
    };

    /// Completion no longer needs the externship (`externship = false`).
    pub fn without_externship(self) -> Self {
        Self {
            externship: false,
            ..self
        }
    }

    /// Every module open from the start (`sequential = false`).
    pub fn unsequenced(self) -> Self {
        Self {
            sequential: false,
            ..self
        }
    }

    pub fn slug(self) -> &'static str {
        "demo-course"
    }

    /// A folder of course trees holding this course: the fixture itself, or an edited copy.
    pub fn dir(self) -> PathBuf {
        if self == Self::DEMO {
            return fixtures("valid");
        }
        let dir = copy_tree(&fixtures("valid"));
        let toml = dir.join("demo-course/course.toml");
        let mut s = std::fs::read_to_string(&toml).unwrap();
        for (on, from, to) in [
            (self.externship, "externship = true", "externship = false"),
            (self.sequential, "sequential = true", "sequential = false"),
        ] {
            if !on {
                assert!(s.contains(from), "the fixture's course.toml has `{from}`");
                s = s.replace(from, to);
            }
        }
        std::fs::write(&toml, s).unwrap();
        dir
    }
}

/// Imports the course (again, if it is there: an unchanged course is left as it is).
pub async fn import_course(app: &TestApp, course: FixtureCourse) -> ImportReport {
    import_dir(app, &course.dir()).await
}

/// Imports the course unless a course of its slug is there; one that is must have the same
/// settings.
pub async fn ensure_course(app: &TestApp, course: FixtureCourse) {
    let slug = course.slug();
    let there = count(
        app,
        &format!("SELECT count(*) AS n FROM courses WHERE slug = '{slug}'"),
    )
    .await;
    if there == 0 {
        import_course(app, course).await;
        return;
    }
    let same = count(
        app,
        &format!(
            "SELECT count(*) AS n FROM courses WHERE slug = '{slug}'
                AND sequential = {} AND completion_externship = {}",
            course.sequential, course.externship
        ),
    )
    .await;
    assert_eq!(
        same, 1,
        "{slug} is imported already with other settings than {course:?}"
    );
}
