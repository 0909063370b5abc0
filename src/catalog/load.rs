//! Reading and validating `courses/`: every problem is collected (with its file and line) and
//! reported together; a course with no problems becomes a [`CourseModel`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::model::*;
pub use super::problems::Problem;
use super::problems::{Problems, check_text, line_of};
use super::render::{self, Context, Reference};
use super::{exams, externship};
use super::{hours, validity};
use crate::slug::is_slug;

mod must_pass;

// ---- the file formats (see courses/README.md) --------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    slug: Spanned<String>,
    title: String,
    summary: String,
    description: String,
    level: Spanned<String>,
    estimated_hours: i64,
    contact_hours: Spanned<f64>,
    sequential: bool,
    access_days: i64,
    #[serde(default)]
    certificate_validity_months: Option<Spanned<toml::Value>>,
    #[serde(default = "yes")]
    published: bool,
    completion: RawCompletion,
    #[serde(default)]
    quizzes: Vec<Spanned<RawQuiz>>,
    externship: Option<Spanned<externship::RawExternship>>,
    #[serde(default)]
    exams: Vec<Spanned<exams::RawExam>>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompletion {
    #[serde(default = "yes")]
    all_lessons: bool,
    #[serde(default)]
    quizzes: Vec<Spanned<String>>,
    #[serde(default)]
    externship: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    slug: Spanned<String>,
    title: String,
    #[serde(default)]
    r#final: bool,
    pass_percent: i64,
    #[serde(default)]
    max_attempts: i64,
    #[serde(default)]
    time_limit_minutes: i64,
    #[serde(default)]
    cooldown_minutes: i64,
    #[serde(default = "after_submit")]
    review: String,
    #[serde(default)]
    required: Option<bool>,
    #[serde(default)]
    requires_other_requirements: bool,
    draw: Vec<RawDraw>,
}

fn after_submit() -> String {
    "after_submit".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDraw {
    bank: String,
    count: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    title: String,
    summary: String,
    quiz: Option<Spanned<RawQuiz>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    title: String,
    estimated_minutes: i64,
    #[serde(default)]
    objectives: Vec<String>,
    #[serde(default)]
    free_preview: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBank {
    #[serde(default)]
    questions: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    slug: String,
    #[serde(rename = "type")]
    kind: String,
    prompt: String,
    explanation: String,
    #[serde(default = "yes")]
    shuffle: bool,
    choices: Option<Vec<RawChoice>>,
    answer: Option<toml::Value>,
    pairs: Option<Vec<RawPair>>,
    distractors: Option<Vec<String>>,
    items: Option<Vec<String>>,
    tolerance: Option<f64>,
    unit: Option<String>,
    #[serde(default)]
    must_pass: bool,
    /// `lesson-slug#heading-anchor`.
    review: Option<String>,
    /// `<exam-slug>:<domain-slug>` of the course's `[[exams]]`.
    #[serde(default)]
    domains: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    text: String,
    #[serde(default)]
    correct: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPair {
    left: String,
    right: String,
}

// ---- helpers ----------------------------------------------------------------------------------

/// `NN-<slug>` (or `NN-<slug>.md`) -> (NN, slug).
fn numbered(name: &str) -> Option<(i32, String)> {
    let (n, rest) = name.split_once('-')?;
    let n: i32 = n.parse().ok()?;
    Some((n, rest.to_string()))
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn hash_json(v: &impl serde::Serialize) -> String {
    sha256_hex(&[serde_json::to_string(v).unwrap_or_default().as_bytes()])
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    p: &mut Problems<'_>,
    file: &Path,
    text: &str,
    line_offset: usize,
) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            let msg = e.message().trim().to_string();
            p.add(file, line + line_offset, msg);
            None
        }
    }
}

fn read(p: &mut Problems<'_>, file: &Path) -> Option<String> {
    match std::fs::read_to_string(file) {
        Ok(s) => Some(s),
        Err(e) => {
            p.add(file, 1, format!("cannot read: {e}"));
            None
        }
    }
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

// ---- loading ----------------------------------------------------------------------------------

/// Loads and validates every course under `root` (each sub-folder with a `course.toml`).
pub fn load_dir(root: &Path) -> Result<Vec<CourseModel>, Vec<Problem>> {
    let mut p = Problems {
        root,
        list: Vec::new(),
    };
    if !root.is_dir() {
        p.add(root, 1, "not a folder");
        return Err(p.list);
    }
    let mut courses = Vec::new();
    for dir in sorted_entries(root) {
        if dir.is_dir()
            && dir.join("course.toml").is_file()
            && let Some(c) = load_course(&mut p, &dir)
        {
            courses.push(c);
        }
    }
    if p.list.is_empty() {
        Ok(courses)
    } else {
        p.list
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        Err(p.list)
    }
}

struct LessonSource {
    file: PathBuf,
    text: String,
    body_offset_lines: usize,
    body: String,
    module_slug: String,
    module_dir: PathBuf,
}

/// What a course's files add up to while they are read.
#[derive(Default)]
struct Parts {
    /// All source files, for the course's content hash.
    files: BTreeMap<String, Vec<u8>>,
    modules: Vec<ModuleModel>,
    /// Each quiz with the file and line that declare it.
    quizzes: Vec<(PathBuf, usize, QuizModel)>,
    assets: Vec<AssetModel>,
    /// Each lesson's source with the index of its module in `modules`.
    lesson_sources: Vec<(usize, LessonSource)>,
    module_slugs: HashSet<String>,
    /// Questions per bank, also for banks with problems (so draws are still checked).
    bank_sizes: HashMap<String, usize>,
    /// Must-pass questions per bank (banks without problems).
    bank_must_pass: HashMap<String, usize>,
}

/// A module folder being read.
struct ModuleDir<'a> {
    /// The folder name, `NN-<slug>`.
    name: &'a str,
    slug: &'a str,
    dir: &'a Path,
    course: &'a str,
}

/// What one module folder holds.
#[derive(Default)]
struct ModuleContents {
    lessons: Vec<LessonModel>,
    bank: Option<BankModel>,
    /// `[[questions]]` tables in questions.toml, if there is one.
    bank_size: Option<usize>,
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string()
}

fn load_course(p: &mut Problems<'_>, dir: &Path) -> Option<CourseModel> {
    let errors_before = p.list.len();
    let course_file = dir.join("course.toml");
    let text = read(p, &course_file)?;
    // A course.toml that does not parse still lets the modules be checked.
    let raw: Option<RawCourse> = parse_toml(p, &course_file, &text, 0);
    let folder = name_of(dir);
    let cf = &course_file;
    let slug = match &raw {
        Some(raw) => check_course(p, cf, &text, raw, &folder),
        None => folder.clone(),
    };
    let validity = raw
        .as_ref()
        .and_then(|r| validity::months(p, cf, &text, r.certificate_validity_months.as_ref()));
    let mut parts = Parts::default();
    parts
        .files
        .insert("course.toml".into(), text.as_bytes().to_vec());
    load_modules(p, dir, cf, &slug, &mut parts);
    check_lessons(p, cf, &parts.lesson_sources);
    must_pass::resolve_reviews(p, &slug, &mut parts);
    let exams = raw
        .as_ref()
        .map(|r| exams::models(p, cf, &text, &r.exams))
        .unwrap_or_default();
    if raw.is_some() {
        let banks = parts.modules.iter().filter_map(|m| m.bank.as_ref());
        exams::check_tags(p, &exams, banks);
    }
    let quizzes = course_quizzes(p, cf, &text, raw.as_ref(), &mut parts);
    if let Some(r) = raw.as_ref().filter(|_| p.list.len() == errors_before) {
        hours::check(p, cf, &text, &r.contact_hours, &parts.modules, &quizzes);
    }
    let externship = raw
        .as_ref()
        .and_then(|r| r.externship.as_ref())
        .and_then(|e| externship::model(p, cf, &text, e, &slug));
    if let Some(r) = &raw
        && r.completion.externship
        && r.externship.is_none()
    {
        p.add(
            cf,
            1,
            "completion.externship is true but the course has no [externship] table",
        );
    }
    let raw = raw?;
    if p.list.len() > errors_before {
        return None;
    }
    let mut course = finish_course(raw, slug, validity, parts, quizzes, externship);
    course.exams = exams;
    Some(course)
}

/// Checks course.toml's own fields; returns the course's slug.
fn check_course(
    p: &mut Problems<'_>,
    cf: &Path,
    text: &str,
    raw: &RawCourse,
    folder: &str,
) -> String {
    let slug = raw.slug.get_ref().clone();
    let line = line_of(text, raw.slug.span().start);
    if !is_slug(&slug) {
        p.add(cf, line, format!("slug `{slug}` is not a valid slug"));
    } else if slug != folder {
        p.add(
            cf,
            line,
            format!("slug `{slug}` must equal the folder name `{folder}`"),
        );
    }
    check_text(p, cf, 1, "title", &raw.title, 200);
    check_text(p, cf, 1, "summary", &raw.summary, 300);
    if !["beginner", "intermediate", "advanced"].contains(&raw.level.get_ref().as_str()) {
        p.add(
            cf,
            line_of(text, raw.level.span().start),
            "level must be beginner, intermediate or advanced",
        );
    }
    if !(1..=10000).contains(&raw.estimated_hours) {
        p.add(cf, 1, "estimated_hours must be from 1 to 10000");
    }
    hours::check_range(p, cf, text, &raw.contact_hours);
    if !(1..=3650).contains(&raw.access_days) {
        p.add(cf, 1, "access_days must be from 1 to 3650");
    }
    slug
}

/// Reads every folder under `modules/`.
fn load_modules(p: &mut Problems<'_>, dir: &Path, cf: &Path, course: &str, parts: &mut Parts) {
    let modules_dir = dir.join("modules");
    if !modules_dir.is_dir() {
        p.add(cf, 1, "the course has no modules/ folder");
    }
    for mdir in sorted_entries(&modules_dir)
        .into_iter()
        .filter(|d| d.is_dir())
    {
        load_module(p, &mdir, course, parts);
    }
    if parts.modules.is_empty() {
        p.add(cf, 1, "the course has no modules");
    }
}

/// Reads one module folder: module.toml, its lessons, questions.toml and images.
fn load_module(p: &mut Problems<'_>, mdir: &Path, course: &str, parts: &mut Parts) {
    let name = name_of(mdir);
    let module_file = mdir.join("module.toml");
    let Some((position, mslug)) = numbered(&name).filter(|(_, s)| is_slug(s)) else {
        p.add(
            mdir,
            1,
            "a module folder is named NN-<slug> (e.g. 01-laboratory-safety)",
        );
        return;
    };
    if !parts.module_slugs.insert(mslug.clone()) {
        p.add(mdir, 1, format!("duplicate module slug `{mslug}`"));
    }
    let Some(mtext) = read(p, &module_file) else {
        return;
    };
    parts
        .files
        .insert(format!("{name}/module.toml"), mtext.as_bytes().to_vec());
    let Some(rm) = parse_toml::<RawModule>(p, &module_file, &mtext, 0) else {
        return;
    };
    check_text(p, &module_file, 1, "title", &rm.title, 200);
    check_text(p, &module_file, 1, "summary", &rm.summary, 300);
    if let Some(q) = rm.quiz
        && let Some(quiz) = quiz_model(p, &module_file, &mtext, &q, Some(&mslug), true)
    {
        let line = line_of(&mtext, q.span().start);
        parts.quizzes.push((module_file.clone(), line, quiz));
    }
    let md = ModuleDir {
        name: &name,
        slug: &mslug,
        dir: mdir,
        course,
    };
    let mut contents = ModuleContents::default();
    for f in sorted_entries(mdir) {
        module_entry(p, &md, &f, parts, &mut contents);
    }
    if contents.lessons.is_empty() {
        p.add(&module_file, 1, format!("module `{mslug}` has no lessons"));
    }
    if let Some(n) = contents.bank_size {
        let size = contents.bank.as_ref().map_or(n, |b| b.questions.len());
        parts.bank_sizes.insert(mslug.clone(), size);
    }
    if let Some(b) = &contents.bank {
        let n = b.questions.iter().filter(|q| q.must_pass).count();
        parts.bank_must_pass.insert(mslug.clone(), n);
    }
    parts.modules.push(ModuleModel {
        slug: mslug,
        position,
        title: rm.title,
        summary: rm.summary,
        lessons: contents.lessons,
        bank: contents.bank,
        content_hash: String::new(),
    });
}

/// One entry of a module folder: the images folder, questions.toml or a lesson.
fn module_entry(
    p: &mut Problems<'_>,
    md: &ModuleDir<'_>,
    f: &Path,
    parts: &mut Parts,
    contents: &mut ModuleContents,
) {
    let (name, mslug) = (md.name, md.slug);
    let fname = name_of(f);
    if f.is_dir() {
        if fname == "images" {
            for img in sorted_entries(f) {
                if let Some(a) = asset(p, &img, mslug) {
                    parts
                        .files
                        .insert(format!("{name}/images/{}", a.path), a.bytes.clone());
                    parts.assets.push(a);
                }
            }
        } else {
            p.add(f, 1, "unexpected folder (a module holds lessons, questions.toml, module.toml and images/)");
        }
        return;
    }
    if fname == "module.toml" {
        return;
    }
    if fname == "questions.toml" {
        let Some(qtext) = read(p, f) else { return };
        parts
            .files
            .insert(format!("{name}/questions.toml"), qtext.as_bytes().to_vec());
        contents.bank_size = Some(qtext.matches("[[questions]]").count());
        contents.bank = bank_model(p, f, &qtext, md.course, mslug);
        return;
    }
    let Some(stem) = fname.strip_suffix(".md") else {
        p.add(
            f,
            1,
            "unexpected file (lessons are .md, questions in questions.toml)",
        );
        return;
    };
    let Some((lpos, lslug)) = numbered(stem).filter(|(_, s)| is_slug(s)) else {
        p.add(
            f,
            1,
            "a lesson file is named NN-<slug>.md (e.g. 01-order-of-draw.md)",
        );
        return;
    };
    let Some(ltext) = read(p, f) else { return };
    parts
        .files
        .insert(format!("{name}/{fname}"), ltext.as_bytes().to_vec());
    if let Some((lesson, src)) = lesson_front(p, f, &ltext, &lslug, lpos, mslug, md.dir) {
        contents.lessons.push(lesson);
        parts.lesson_sources.push((parts.modules.len(), src));
    }
}

/// The slug of a lesson from its file name.
fn lesson_slug(src: &LessonSource) -> String {
    src.file
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(numbered)
        .map(|(_, s)| s)
        .unwrap_or_default()
}

/// Lesson slugs are unique across the course; links and images must resolve; every lesson
/// ends with its references.
fn check_lessons(p: &mut Problems<'_>, cf: &Path, sources: &[(usize, LessonSource)]) {
    let mut lesson_slugs: HashMap<String, usize> = HashMap::new();
    for (_, src) in sources {
        *lesson_slugs.entry(lesson_slug(src)).or_default() += 1;
    }
    for (slug, n) in &lesson_slugs {
        if *n > 1 {
            p.add(cf, 1, format!("lesson slug `{slug}` is used by {n} lessons; lesson slugs are unique in a course"));
        }
    }
    for (_, src) in sources {
        check_lesson_body(p, src, &lesson_slugs);
    }
}

fn check_lesson_body(
    p: &mut Problems<'_>,
    src: &LessonSource,
    lesson_slugs: &HashMap<String, usize>,
) {
    let (findings, refs) = render::check(&src.body);
    for f in findings {
        p.add(
            &src.file,
            src.body_offset_lines + line_of(&src.body, f.offset) - 1,
            f.message,
        );
    }
    for (offset, r) in refs {
        let line = src.body_offset_lines + line_of(&src.body, offset) - 1;
        match r {
            Reference::Lesson(s) if !lesson_slugs.contains_key(&s) => {
                p.add(&src.file, line, format!("link to a missing lesson `{s}`"));
            }
            Reference::Image(path) => {
                let rel = path.trim_start_matches("./");
                let ok = rel.starts_with("images/")
                    && !rel.contains("..")
                    && src.module_dir.join(rel).is_file();
                if !ok {
                    p.add(
                        &src.file,
                        line,
                        format!("image `{path}` is not a file in this module's images/ folder"),
                    );
                }
            }
            _ => {}
        }
    }
    if !src
        .body
        .lines()
        .any(|l| l.trim().eq_ignore_ascii_case("## references"))
    {
        let last = src.body.trim_end().lines().count().max(1);
        p.add(
            &src.file,
            src.body_offset_lines + last - 1,
            "a lesson ends with a `## References` section citing its sources",
        );
    }
    let _ = (&src.text, &src.module_slug);
}

/// Adds the course-level quizzes to the modules' ones, checks slugs, draws and the final
/// exam, and marks the quizzes [completion] names as required.
fn course_quizzes(
    p: &mut Problems<'_>,
    cf: &Path,
    text: &str,
    raw: Option<&RawCourse>,
    parts: &mut Parts,
) -> Vec<QuizModel> {
    let no_quizzes = Vec::new();
    for q in raw.map_or(&no_quizzes, |r| &r.quizzes) {
        if let Some(quiz) = quiz_model(p, cf, text, q, None, false) {
            let line = line_of(text, q.span().start);
            parts.quizzes.push((cf.to_path_buf(), line, quiz));
        }
    }
    check_draws(p, &parts.quizzes, &parts.bank_sizes);
    must_pass::check_draws(p, &parts.quizzes, &parts.bank_must_pass);
    if parts.quizzes.iter().filter(|(_, _, q)| q.is_final).count() > 1 {
        p.add(cf, 1, "a course has at most one final exam");
    }
    // Completion: named quizzes exist and become required.
    let mut quizzes: Vec<QuizModel> = std::mem::take(&mut parts.quizzes)
        .into_iter()
        .map(|(_, _, q)| q)
        .collect();
    let no_names = Vec::new();
    for s in raw.map_or(&no_names, |r| &r.completion.quizzes) {
        match quizzes.iter_mut().find(|q| &q.slug == s.get_ref()) {
            Some(q) => q.required = true,
            None => p.add(
                cf,
                line_of(text, s.span().start),
                format!("completion names a missing quiz `{}`", s.get_ref()),
            ),
        }
    }
    quizzes
}

/// Quiz slugs are unique, and every draw names a bank that holds enough questions.
fn check_draws(
    p: &mut Problems<'_>,
    quizzes: &[(PathBuf, usize, QuizModel)],
    banks: &HashMap<String, usize>,
) {
    let mut quiz_slugs = HashSet::new();
    for (file, line, quiz) in quizzes {
        if !quiz_slugs.insert(quiz.slug.clone()) {
            p.add(file, *line, format!("duplicate quiz slug `{}`", quiz.slug));
        }
        for d in &quiz.draw {
            match banks.get(&d.bank) {
                None => p.add(
                    file,
                    *line,
                    format!(
                        "quiz `{}` draws from a missing bank `{}`",
                        quiz.slug, d.bank
                    ),
                ),
                Some(&n) if (d.count as usize) > n => p.add(
                    file,
                    *line,
                    format!(
                        "quiz `{}` draws {} questions from bank `{}`, which holds {n}",
                        quiz.slug, d.count, d.bank
                    ),
                ),
                _ => {}
            }
        }
    }
}

/// Renders the lessons (everything resolves now), computes the content hashes and builds the
/// model.
fn finish_course(
    raw: RawCourse,
    slug: String,
    validity: Option<i32>,
    parts: Parts,
    mut quizzes: Vec<QuizModel>,
    externship: Option<ExternshipModel>,
) -> CourseModel {
    let mut modules = parts.modules;
    for (mi, src) in parts.lesson_sources {
        render_lesson(&mut modules[mi], &src, &slug);
    }
    for m in &mut modules {
        m.lessons.sort_by_key(|l| l.position);
        m.content_hash = hash_json(&(&m.title, &m.summary, m.position));
    }
    modules.sort_by_key(|m| m.position);
    for q in &mut quizzes {
        q.content_hash = hash_json(&(
            &q.title,
            &q.module_slug,
            q.is_final,
            q.required,
            q.requires_other_requirements,
            q.pass_percent,
            q.max_attempts,
            q.time_limit_minutes,
            q.cooldown_minutes,
            &q.review,
            &q.draw,
        ));
    }
    let ctx = Context {
        course: &slug,
        module: None,
    };
    CourseModel {
        description_html: render::render(&raw.description, &ctx),
        slug: slug.clone(),
        title: raw.title,
        summary: raw.summary,
        level: raw.level.into_inner(),
        estimated_hours: raw.estimated_hours as i32,
        contact_hours: raw.contact_hours.into_inner(),
        sequential: raw.sequential,
        access_days: raw.access_days as i32,
        certificate_validity_months: validity,
        published: raw.published,
        completion_all_lessons: raw.completion.all_lessons,
        completion_externship: raw.completion.externship,
        modules,
        quizzes,
        externship,
        exams: Vec::new(),
        assets: parts.assets,
        content_hash: sha256_hex(
            &parts
                .files
                .iter()
                .flat_map(|(k, v)| [k.as_bytes(), v.as_slice()])
                .collect::<Vec<_>>(),
        ),
    }
}

/// Renders one lesson's body into its module's model and hashes the lesson.
fn render_lesson(module: &mut ModuleModel, src: &LessonSource, course: &str) {
    let ctx = Context {
        course,
        module: Some(&src.module_slug),
    };
    let html = render::render(&src.body, &ctx);
    let lslug = lesson_slug(src);
    if let Some(l) = module.lessons.iter_mut().find(|l| l.slug == lslug) {
        l.body_html = html;
        l.content_hash = hash_json(&(
            &l.title,
            l.position,
            l.estimated_minutes,
            &l.objectives,
            l.free_preview,
            &l.body_html,
            &module.slug,
        ));
    }
}

fn quiz_model(
    p: &mut Problems<'_>,
    file: &Path,
    text: &str,
    q: &Spanned<RawQuiz>,
    module: Option<&str>,
    in_module: bool,
) -> Option<QuizModel> {
    let line = line_of(text, q.span().start);
    let r = q.get_ref();
    let before = p.list.len();
    let slug = r.slug.get_ref();
    if !is_slug(slug) {
        p.add(
            file,
            line,
            format!("quiz slug `{slug}` is not a valid slug"),
        );
    }
    check_text(p, file, line, "quiz title", &r.title, 200);
    if !(1..=100).contains(&r.pass_percent) {
        p.add(file, line, "pass_percent must be from 1 to 100");
    }
    if r.max_attempts < 0 || r.max_attempts > 1000 {
        p.add(
            file,
            line,
            "max_attempts must be from 0 (unlimited) to 1000",
        );
    }
    if !(0..=1440).contains(&r.time_limit_minutes) {
        p.add(
            file,
            line,
            "time_limit_minutes must be from 0 (untimed) to 1440",
        );
    }
    if !(0..=525600).contains(&r.cooldown_minutes) {
        p.add(file, line, "cooldown_minutes must be from 0 to 525600");
    }
    if !["after_submit", "after_pass", "after_attempts_used"].contains(&r.review.as_str()) {
        p.add(
            file,
            line,
            "review must be after_submit, after_pass or after_attempts_used",
        );
    }
    if r.draw.is_empty() {
        p.add(file, line, format!("quiz `{slug}` draws no questions"));
    }
    let mut seen = HashSet::new();
    for d in &r.draw {
        if d.count < 1 {
            p.add(
                file,
                line,
                format!("quiz `{slug}`: a draw count must be at least 1"),
            );
        }
        if !seen.insert(d.bank.clone()) {
            p.add(
                file,
                line,
                format!("quiz `{slug}` names bank `{}` twice", d.bank),
            );
        }
    }
    if in_module && r.r#final {
        p.add(
            file,
            line,
            "the final exam is declared in course.toml, not in a module",
        );
    }
    if !in_module && r.required.is_some() {
        p.add(
            file,
            line,
            "course-level quizzes become required through [completion].quizzes",
        );
    }
    if p.list.len() > before {
        return None;
    }
    Some(QuizModel {
        slug: slug.clone(),
        module_slug: module.map(str::to_string),
        title: r.title.clone(),
        is_final: r.r#final,
        required: r.required.unwrap_or(false),
        requires_other_requirements: r.requires_other_requirements,
        pass_percent: r.pass_percent as i32,
        max_attempts: r.max_attempts as i32,
        time_limit_minutes: r.time_limit_minutes as i32,
        cooldown_minutes: r.cooldown_minutes as i32,
        review: r.review.clone(),
        draw: r
            .draw
            .iter()
            .map(|d| Draw {
                bank: d.bank.clone(),
                count: d.count as i32,
            })
            .collect(),
        content_hash: String::new(),
    })
}

fn lesson_front(
    p: &mut Problems<'_>,
    file: &Path,
    text: &str,
    slug: &str,
    position: i32,
    module_slug: &str,
    module_dir: &Path,
) -> Option<(LessonModel, LessonSource)> {
    let normalized = text.replace("\r\n", "\n");
    let Some(rest) = normalized.strip_prefix("+++\n") else {
        p.add(
            file,
            1,
            "a lesson starts with TOML front matter between `+++` lines",
        );
        return None;
    };
    let Some(end) = rest
        .find("\n+++\n")
        .or_else(|| rest.strip_suffix("\n+++").map(|s| s.len()))
    else {
        p.add(file, 1, "the front matter has no closing `+++` line");
        return None;
    };
    let front = &rest[..end + 1];
    let body = rest.get(end + 5..).unwrap_or("").to_string();
    let fm: RawFrontMatter = parse_toml(p, file, front, 1)?;
    let front_lines = front.matches('\n').count();
    let body_offset_lines = front_lines + 3; // the two +++ lines, 1-based
    let before = p.list.len();
    check_text(p, file, 2, "title", &fm.title, 200);
    if !(1..=600).contains(&fm.estimated_minutes) {
        p.add(file, 2, "estimated_minutes must be from 1 to 600");
    }
    if fm.objectives.is_empty() {
        p.add(file, 2, "a lesson lists its learning objectives");
    }
    for o in &fm.objectives {
        check_text(p, file, 2, "an objective", o, 300);
    }
    if body.trim().is_empty() {
        p.add(file, body_offset_lines, "the lesson has no text");
    }
    if p.list.len() > before {
        return None;
    }
    Some((
        LessonModel {
            slug: slug.to_string(),
            position,
            title: fm.title,
            estimated_minutes: fm.estimated_minutes as i32,
            objectives: fm.objectives,
            free_preview: fm.free_preview,
            body_html: String::new(),
            content_hash: String::new(),
        },
        LessonSource {
            file: file.to_path_buf(),
            text: text.to_string(),
            body_offset_lines,
            body,
            module_slug: module_slug.to_string(),
            module_dir: module_dir.to_path_buf(),
        },
    ))
}

fn asset(p: &mut Problems<'_>, file: &Path, module: &str) -> Option<AssetModel> {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let content_type = match ext.as_str() {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        _ => {
            p.add(file, 1, "images are .svg, .png, .jpg or .webp");
            return None;
        }
    };
    let valid_name = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
        && !name.starts_with('.');
    if !valid_name {
        p.add(file, 1, "image file names use a-z, 0-9, -, _ and .");
        return None;
    }
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            p.add(file, 1, format!("cannot read: {e}"));
            return None;
        }
    };
    if bytes.len() > 2 * 1024 * 1024 {
        p.add(file, 1, "images are at most 2 MiB");
        return None;
    }
    if ext == "svg" {
        let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        let bad = [
            ("<script", "a <script> element"),
            ("<foreignobject", "a <foreignObject> element"),
            ("javascript:", "a javascript: URL"),
            ("href=\"http", "an external reference"),
            ("href='http", "an external reference"),
            ("href=\"//", "an external reference"),
            ("@import", "an external stylesheet"),
            ("url(http", "an external reference"),
        ];
        for (needle, what) in bad {
            if let Some(i) = text.find(needle) {
                p.add(file, line_of(&text, i), format!("unsafe SVG: {what}"));
            }
        }
        let handler = text.match_indices(" on").find(|(i, _)| {
            let after: String = text[i + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            !after.is_empty() && text[i + 3 + after.len()..].trim_start().starts_with('=')
        });
        if let Some((i, _)) = handler {
            p.add(
                file,
                line_of(&text, i),
                "unsafe SVG: an event handler attribute",
            );
        }
    }
    Some(AssetModel {
        path: format!("{module}/images/{name}"),
        content_type: content_type.into(),
        sha256: sha256_hex(&[&bytes]),
        bytes,
    })
}

fn bank_model(
    p: &mut Problems<'_>,
    file: &Path,
    text: &str,
    course: &str,
    module: &str,
) -> Option<BankModel> {
    let raw: RawBank = parse_toml(p, file, text, 0)?;
    let before = p.list.len();
    let mut seen = HashSet::new();
    let ctx = Context {
        course,
        module: Some(module),
    };
    let mut questions = Vec::new();
    for (i, q) in raw.questions.iter().enumerate() {
        let qc = QuestionCheck {
            file,
            line: line_of(text, q.span().start),
            r: q.get_ref(),
            ctx: &ctx,
        };
        if let Some(question) = qc.model(p, i, &mut seen) {
            questions.push(question);
        }
    }
    if raw.questions.is_empty() {
        p.add(file, 1, "the question bank is empty");
    }
    if p.list.len() > before {
        return None;
    }
    Some(BankModel {
        slug: module.to_string(),
        questions,
    })
}

/// One `[[questions]]` table being checked.
struct QuestionCheck<'a> {
    file: &'a Path,
    line: usize,
    r: &'a RawQuestion,
    ctx: &'a Context<'a>,
}

impl QuestionCheck<'_> {
    fn add(&self, p: &mut Problems<'_>, message: impl Into<String>) {
        p.add(self.file, self.line, message);
    }

    fn render(&self, markdown: &str) -> String {
        render::render(markdown, self.ctx)
    }

    /// A key that the question's type does not use.
    fn unused(&self, p: &mut Problems<'_>, present: bool, key: &str) {
        if present {
            let kind = &self.r.kind;
            self.add(p, format!("`{key}` does not belong to a {kind} question"));
        }
    }

    /// Checks the question (its slug unique in `seen`) and builds it at `position`.
    fn model(
        &self,
        p: &mut Problems<'_>,
        position: usize,
        seen: &mut HashSet<String>,
    ) -> Option<QuestionModel> {
        let r = self.r;
        if !is_slug(&r.slug) {
            self.add(p, format!("question slug `{}` is not a valid slug", r.slug));
        } else if !seen.insert(r.slug.clone()) {
            self.add(p, format!("duplicate question slug `{}`", r.slug));
        }
        check_text(p, self.file, self.line, "prompt", &r.prompt, 4000);
        check_text(p, self.file, self.line, "explanation", &r.explanation, 4000);
        for (what, md) in [("prompt", &r.prompt), ("explanation", &r.explanation)] {
            let (findings, refs) = render::check(md);
            for f in findings {
                self.add(p, format!("{what}: {}", f.message));
            }
            if !refs.is_empty() {
                self.add(
                    p,
                    format!("{what}: questions may not link to lessons or images"),
                );
            }
        }
        let review = self.review(p);
        let spec = self.spec(p)?;
        let prompt_html = self.render(&r.prompt);
        let explanation_html = self.render(&r.explanation);
        let content_hash = hash_json(&(
            &r.kind,
            &prompt_html,
            &explanation_html,
            r.shuffle,
            &spec,
            position,
            r.must_pass,
            &r.domains,
        ));
        Some(QuestionModel {
            slug: r.slug.clone(),
            position: position as i32,
            kind: r.kind.clone(),
            prompt_html,
            explanation_html,
            shuffle: r.shuffle,
            spec,
            must_pass: r.must_pass,
            review,
            domains: r.domains.clone(),
            content_hash,
            source: (self.file.to_path_buf(), self.line),
        })
    }

    /// `review = "lesson-slug#anchor"`: required on a must-pass question, only there. The
    /// lesson and anchor are resolved once every lesson is read ([`resolve_reviews`]).
    fn review(&self, p: &mut Problems<'_>) -> Option<ReviewModel> {
        let r = self.r;
        let Some(target) = &r.review else {
            if r.must_pass {
                self.add(p, "a must-pass question names the lesson section to review: `review = \"lesson-slug#section-anchor\"`");
            }
            return None;
        };
        if !r.must_pass {
            self.add(
                p,
                "`review` belongs to a must-pass question (`must_pass = true`)",
            );
            return None;
        }
        let parsed = target
            .split_once('#')
            .filter(|(l, a)| is_slug(l) && !a.is_empty() && !a.contains(char::is_whitespace));
        let Some((lesson, anchor)) = parsed else {
            self.add(
                p,
                format!("review `{target}` is not `lesson-slug#section-anchor`"),
            );
            return None;
        };
        Some(ReviewModel {
            lesson: lesson.to_string(),
            anchor: anchor.to_string(),
            href: String::new(),
            label: String::new(),
            file: self.file.to_path_buf(),
            line: self.line,
        })
    }

    /// The type-specific part, as stored in `questions.spec`.
    fn spec(&self, p: &mut Problems<'_>) -> Option<Value> {
        match self.r.kind.as_str() {
            "single" | "multiple" => self.choice_spec(p),
            "true_false" => self.true_false_spec(p),
            "matching" => self.matching_spec(p),
            "ordering" => self.ordering_spec(p),
            "numeric" => self.numeric_spec(p),
            other => {
                self.add(p, format!("unknown question type `{other}` (single, multiple, true_false, matching, ordering, numeric)"));
                None
            }
        }
    }

    fn choice_spec(&self, p: &mut Problems<'_>) -> Option<Value> {
        let r = self.r;
        self.unused(p, r.answer.is_some(), "answer");
        self.unused(p, r.pairs.is_some(), "pairs");
        self.unused(p, r.items.is_some(), "items");
        self.unused(p, r.tolerance.is_some(), "tolerance");
        self.unused(p, r.distractors.is_some(), "distractors");
        let Some(c) = &r.choices else {
            self.add(p, "choices are missing");
            return None;
        };
        let correct = c.iter().filter(|c| c.correct).count();
        if !(2..=8).contains(&c.len()) {
            self.add(p, "a question has 2 to 8 choices");
        }
        if r.kind == "single" && correct != 1 {
            self.add(
                p,
                format!(
                    "a single-choice question has exactly one correct choice (found {correct})"
                ),
            );
        }
        if r.kind == "multiple" && correct == 0 {
            self.add(p, "a multiple-choice question has no correct choice");
        }
        let texts: HashSet<&str> = c.iter().map(|c| c.text.trim()).collect();
        if texts.len() != c.len() || texts.contains("") {
            self.add(p, "choices must be distinct and not empty");
        }
        Some(
            json!({ "choices": c.iter().map(|c| json!({ "html": self.render(&c.text), "correct": c.correct })).collect::<Vec<_>>() }),
        )
    }

    fn true_false_spec(&self, p: &mut Problems<'_>) -> Option<Value> {
        let r = self.r;
        self.unused(p, r.choices.is_some(), "choices");
        self.unused(p, r.pairs.is_some(), "pairs");
        self.unused(p, r.items.is_some(), "items");
        self.unused(p, r.tolerance.is_some(), "tolerance");
        match r.answer.as_ref().and_then(|a| a.as_bool()) {
            Some(b) => Some(json!({ "answer": b })),
            None => {
                self.add(
                    p,
                    "a true_false question has `answer = true` or `answer = false`",
                );
                None
            }
        }
    }

    fn matching_spec(&self, p: &mut Problems<'_>) -> Option<Value> {
        let r = self.r;
        self.unused(p, r.choices.is_some(), "choices");
        self.unused(p, r.answer.is_some(), "answer");
        self.unused(p, r.items.is_some(), "items");
        self.unused(p, r.tolerance.is_some(), "tolerance");
        let Some(pairs) = &r.pairs else {
            self.add(p, "pairs are missing");
            return None;
        };
        if !(2..=10).contains(&pairs.len()) {
            self.add(p, "a matching question has 2 to 10 pairs");
        }
        let lefts: HashSet<&str> = pairs.iter().map(|p| p.left.trim()).collect();
        let mut rights: HashSet<&str> = pairs.iter().map(|p| p.right.trim()).collect();
        if lefts.len() != pairs.len()
            || rights.len() != pairs.len()
            || lefts.contains("")
            || rights.contains("")
        {
            self.add(
                p,
                "matching pairs need distinct, non-empty left and right texts",
            );
        }
        let distractors = r.distractors.clone().unwrap_or_default();
        for d in &distractors {
            if !rights.insert(d.trim()) {
                self.add(p, format!("distractor `{d}` repeats a right-hand text"));
            }
        }
        Some(json!({
            "pairs": pairs.iter().map(|p| json!({ "left": self.render(&p.left), "right": self.render(&p.right) })).collect::<Vec<_>>(),
            "distractors": distractors.iter().map(|d| self.render(d)).collect::<Vec<_>>(),
        }))
    }

    fn ordering_spec(&self, p: &mut Problems<'_>) -> Option<Value> {
        let r = self.r;
        self.unused(p, r.choices.is_some(), "choices");
        self.unused(p, r.answer.is_some(), "answer");
        self.unused(p, r.pairs.is_some(), "pairs");
        self.unused(p, r.tolerance.is_some(), "tolerance");
        let Some(items) = &r.items else {
            self.add(p, "items are missing");
            return None;
        };
        let distinct: HashSet<&str> = items.iter().map(|s| s.trim()).collect();
        if !(2..=10).contains(&items.len()) {
            self.add(p, "an ordering question has 2 to 10 items");
        }
        if distinct.len() != items.len() || distinct.contains("") {
            self.add(p, "ordering items must be distinct and not empty");
        }
        Some(json!({ "items": items.iter().map(|s| self.render(s)).collect::<Vec<_>>() }))
    }

    fn numeric_spec(&self, p: &mut Problems<'_>) -> Option<Value> {
        let r = self.r;
        self.unused(p, r.choices.is_some(), "choices");
        self.unused(p, r.pairs.is_some(), "pairs");
        self.unused(p, r.items.is_some(), "items");
        let answer = r
            .answer
            .as_ref()
            .and_then(|a| a.as_float().or_else(|| a.as_integer().map(|i| i as f64)));
        let tolerance = r.tolerance.unwrap_or(0.0);
        match answer {
            Some(a) if a.is_finite() && tolerance.is_finite() && tolerance >= 0.0 => {
                Some(json!({ "answer": a, "tolerance": tolerance, "unit": r.unit }))
            }
            Some(_) => {
                self.add(
                    p,
                    "a numeric answer must be finite and its tolerance zero or more",
                );
                None
            }
            None => {
                self.add(p, "a numeric question has a number `answer`");
                None
            }
        }
    }
}
