//! Problems found in course files: each with its file and line, collected rather than
//! stopped at, so one validation run reports them all.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

pub(super) struct Problems<'a> {
    pub(super) root: &'a Path,
    pub(super) list: Vec<Problem>,
}

impl Problems<'_> {
    pub(super) fn add(&mut self, file: &Path, line: usize, message: impl Into<String>) {
        let file = file.strip_prefix(self.root).unwrap_or(file).to_path_buf();
        self.list.push(Problem {
            file,
            line: line.max(1),
            message: message.into(),
        });
    }
}

/// 1-based line of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

pub(super) fn check_text(
    p: &mut Problems<'_>,
    file: &Path,
    line: usize,
    what: &str,
    value: &str,
    max: usize,
) {
    let n = value.trim().chars().count();
    if n == 0 {
        p.add(file, line, format!("{what} must not be empty"));
    } else if n > max {
        p.add(
            file,
            line,
            format!("{what} is longer than {max} characters"),
        );
    }
}
