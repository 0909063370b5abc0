//! The layering rule, checked on the source: a module of `src/` uses only modules on lower
//! layers, following the layer list in `docs/ARCHITECTURE.md` (the fenced `layers` block:
//! one layer per line, lowest first). Two modules on one layer do not use each other, and a
//! module missing from the list fails the check until it is given a layer.
//!
//! A use is any path `crate::m...` (in `use` trees too: `crate::{a, b::c}`), or
//! `benchside::m...` in `main.rs`, outside comments and string literals. Macros exported at
//! the crate root (`crate::text_enum!`) count as a use of the module that defines them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One use that breaks the rule.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
    why: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}` uses `{}` ({})",
            self.file, self.line, self.from, self.to, self.why
        )
    }
}

/// The layer list: module -> layer index (0 = lowest).
fn parse_layers(doc: &str) -> HashMap<String, usize> {
    let start = doc
        .find("```layers")
        .expect("docs/ARCHITECTURE.md has a ```layers block");
    let body = &doc[start + "```layers".len()..];
    let body = &body[..body.find("```").expect("the layers block is closed")];
    let mut layers = HashMap::new();
    for (i, line) in body.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let line = line.split('#').next().unwrap_or("");
        for module in line.split_whitespace() {
            assert!(
                layers.insert(module.to_string(), i).is_none(),
                "{module} is listed twice in the layers block"
            );
        }
    }
    layers
}

/// The source with comments and the contents of string and char literals blanked out
/// (newlines kept, so line numbers stay right).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, s: &[u8]| {
        for &c in s {
            out.push(if c == b'\n' { '\n' } else { ' ' });
        }
    };
    while i < b.len() {
        let rest = &b[i..];
        let end = if rest.starts_with(b"//") {
            rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (0usize, 0);
            while j < rest.len() {
                if rest[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            j
        } else if rest[0] == b'r'
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
            && let Some(hashes) = rest[1..].iter().position(|&c| c != b'#')
            && rest.get(1 + hashes) == Some(&b'"')
        {
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let body = &rest[2 + hashes..];
            2 + hashes
                + body
                    .windows(close.len())
                    .position(|w| w == close.as_slice())
                    .map_or(body.len(), |p| p + close.len())
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(rest.len())
        } else if rest[0] == b'\'' {
            // A char literal ('a', '\n', '\u{1F600}'); otherwise a lifetime.
            match rest.iter().skip(1).take(11).position(|&c| c == b'\'') {
                Some(p) if p == 1 || rest[1] == b'\\' => p + 2,
                _ => 1,
            }
        } else {
            out.push(rest[0] as char);
            i += 1;
            continue;
        };
        blank(&mut out, &rest[..end]);
        i += end;
    }
    out
}

/// The first segments of the top-level items of the `use` group starting after `{`.
fn group_heads(s: &str) -> Vec<(usize, String)> {
    let mut heads = Vec::new();
    let (mut depth, mut expect_head) = (0usize, true);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => expect_head = true,
            c if expect_head && depth == 0 && (c.is_ascii_alphabetic() || c == '_') => {
                let name: String = s[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                heads.push((i, name));
                expect_head = false;
            }
            _ => {}
        }
    }
    heads
}

/// Every module `code` uses through `root::` (`crate` or `benchside`), with its byte offset.
fn uses(code: &str, root: &str) -> Vec<(usize, String)> {
    let prefix = format!("{root}::");
    let mut found = Vec::new();
    for (at, _) in code.match_indices(&prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let after = &code[at + prefix.len()..];
        if let Some(group) = after.strip_prefix('{') {
            let base = at + prefix.len() + 1;
            found.extend(group_heads(group).into_iter().map(|(i, m)| (base + i, m)));
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((at, name));
            }
        }
    }
    found
}

/// The module a source file belongs to (`src/learning/access.rs` -> `learning`).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

/// Checks `files` (path relative to `src/` -> source) against `layers`.
fn check(files: &BTreeMap<PathBuf, String>, layers: &HashMap<String, usize>) -> Vec<Violation> {
    let mut macros: HashMap<String, String> = HashMap::new();
    for (rel, src) in files {
        let Some(module) = module_of(rel) else {
            continue;
        };
        for part in src.split("#[macro_export]").skip(1) {
            if let Some(rest) = part.trim_start().strip_prefix("macro_rules!") {
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                macros.insert(name, module.clone());
            }
        }
    }
    let mut violations = Vec::new();
    for (rel, src) in files {
        let Some(from) = module_of(rel) else {
            continue;
        };
        let file = format!("src/{}", rel.display());
        let code = code_only(src);
        let root = if from == "main" { "benchside" } else { "crate" };
        let mut bad = |offset: usize, to: String, why: String| {
            let line = code[..offset].matches('\n').count() + 1;
            violations.push(Violation {
                file: file.clone(),
                line,
                from: from.clone(),
                to,
                why,
            });
        };
        let Some(&mine) = layers.get(&from) else {
            bad(0, from.clone(), "not in the layer list".into());
            continue;
        };
        for (offset, to) in uses(&code, root) {
            let to = macros.get(&to).cloned().unwrap_or(to);
            if to == from || to == "self" || to == "super" {
                continue;
            }
            match layers.get(&to) {
                None => bad(offset, to, "not in the layer list".into()),
                Some(&theirs) if theirs > mine => {
                    bad(offset, to, format!("layer {theirs} is above layer {mine}"))
                }
                Some(&theirs) if theirs == mine => {
                    bad(offset, to, format!("both are on layer {mine}"))
                }
                Some(_) => {}
            }
        }
    }
    violations
}

fn sources(dir: &Path, rel: &Path, out: &mut BTreeMap<PathBuf, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir.join(rel))
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.join(rel).display()))
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = rel.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            sources(dir, &path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.insert(path, std::fs::read_to_string(e.path()).unwrap());
        }
    }
}

#[test]
fn every_module_uses_only_lower_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    let layers = parse_layers(&doc);
    let mut files = BTreeMap::new();
    sources(&root.join("src"), Path::new(""), &mut files);
    assert!(files.len() > 40, "found only {} source files", files.len());
    let violations = check(&files, &layers);
    assert!(
        violations.is_empty(),
        "{} use(s) break the layers in docs/ARCHITECTURE.md:\n{}",
        violations.len(),
        violations
            .iter()
            .map(|v| format!("  {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_check_catches_upward_sideways_and_unlisted_uses_and_ignores_comments_and_strings() {
    let layers = parse_layers("```layers\nconfig\ndb\nhttp audit   # primitives\nlearning\n```");
    let files: BTreeMap<PathBuf, String> = [
        (
            "db/mod.rs",
            "use crate::config::Config;\nuse crate::{audit, learning::x};\n",
        ),
        ("http/error.rs", "fn f() { crate::audit::record(); }\n"),
        ("audit/mod.rs", "// crate::learning in a comment\nconst S: &str = \"crate::learning\";\nconst R: &str = r#\"crate::learning\"#;\nfn g<'a>(c: char) -> bool { c == '\"' }\n/* crate::learning /* nested */ */\n"),
        ("learning/mod.rs", "use crate::{db, http::AppError};\ncrate::text_enum! {}\n"),
        ("db/text_enum.rs", "#[macro_export]\nmacro_rules! text_enum { () => {} }\n"),
        ("cohorts/mod.rs", "use crate::db;\n"),
        ("lib.rs", "pub mod anything;\n"),
    ]
    .into_iter()
    .map(|(p, s)| (PathBuf::from(p), s.to_string()))
    .collect();
    let found: Vec<String> = check(&files, &layers)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        vec![
            "src/cohorts/mod.rs:1: `cohorts` uses `cohorts` (not in the layer list)",
            "src/db/mod.rs:2: `db` uses `audit` (layer 2 is above layer 1)",
            "src/db/mod.rs:2: `db` uses `learning` (layer 3 is above layer 1)",
            "src/http/error.rs:1: `http` uses `audit` (both are on layer 2)",
        ]
    );
}
