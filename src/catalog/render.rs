//! Markdown to sanitized HTML, at import time.
//!
//! - CommonMark with tables, footnotes and strikethrough; headings get `id` anchors.
//! - `lesson:<slug>` links become links to the lesson in the web app; relative image paths
//!   become the course's asset URLs.
//! - The result goes through ammonia: no scripts, no event handlers, no `javascript:` URLs,
//!   whatever the source held. [`check`] reports such content as errors before that.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Where a Markdown text sits, to resolve its links and images.
pub struct Context<'a> {
    pub course: &'a str,
    /// The module folder's slug (images live under it), if the text belongs to a module.
    pub module: Option<&'a str>,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// A link target a lesson may use: `lesson:<slug>` or an image path, resolved by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Lesson(String),
    Image(String),
}

/// A problem found in Markdown, at a byte offset of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub offset: usize,
    pub message: String,
}

const ALLOWED_RAW_TAGS: &[&str] = &[
    "abbr", "b", "br", "code", "del", "details", "em", "i", "kbd", "mark", "p", "s", "small",
    "span", "strong", "sub", "summary", "sup", "u",
];

/// Checks Markdown for unsafe content and collects its lesson links and images.
pub fn check(markdown: &str) -> (Vec<Finding>, Vec<(usize, Reference)>) {
    let mut findings = Vec::new();
    let mut refs = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                for problem in unsafe_html(&html) {
                    findings.push(Finding {
                        offset: range.start,
                        message: problem,
                    });
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = dest_url.trim();
                if let Some(slug) = url.strip_prefix("lesson:") {
                    refs.push((range.start, Reference::Lesson(slug.to_string())));
                } else if !(url.starts_with("https://")
                    || url.starts_with("http://")
                    || url.starts_with("mailto:")
                    || url.starts_with('#'))
                {
                    findings.push(Finding {
                        offset: range.start,
                        message: format!(
                            "link `{url}` must be https://, mailto:, #anchor or lesson:<slug>"
                        ),
                    });
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let url = dest_url.trim();
                if url.contains("://") || url.starts_with("//") || url.starts_with("data:") {
                    findings.push(Finding {
                        offset: range.start,
                        message: format!(
                            "image `{url}` must be a file in the module's images/ folder"
                        ),
                    });
                } else {
                    refs.push((range.start, Reference::Image(url.to_string())));
                }
            }
            _ => {}
        }
    }
    (findings, refs)
}

/// What is unsafe in a fragment of raw HTML.
fn unsafe_html(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('/') {
            continue; // closing tags were judged with their opening tag
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.is_empty() && !ALLOWED_RAW_TAGS.contains(&name.as_str()) {
            out.push(format!("unsafe HTML: <{name}> is not allowed"));
        }
    }
    if lower.contains("javascript:") || lower.contains("vbscript:") {
        out.push("unsafe HTML: a javascript: URL".into());
    }
    // Event handler attributes: on...= inside a tag.
    let bytes = lower.as_bytes();
    for (i, w) in lower.match_indices("on") {
        let before = if i == 0 { b' ' } else { bytes[i - 1] };
        if !(before.is_ascii_whitespace() || before == b'/' || before == b'"' || before == b'\'') {
            continue;
        }
        let after: String = lower[i + w.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let tail = lower[i + w.len() + after.len()..].trim_start();
        if !after.is_empty() && tail.starts_with('=') {
            out.push(format!("unsafe HTML: event handler attribute on{after}"));
        }
    }
    out
}

/// Renders Markdown to sanitized HTML.
pub fn render(markdown: &str, ctx: &Context<'_>) -> String {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id: None,
                classes,
                attrs,
            }) => {
                let id = unique_id(&slugify(&heading_text(&events, i)), &mut used_ids);
                out.push(Event::Start(Tag::Heading {
                    level: shift(*level),
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                out.push(Event::End(TagEnd::Heading(shift(*level))))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = match dest_url.trim().strip_prefix("lesson:") {
                    Some(slug) => CowStr::from(format!("/courses/{}/lessons/{slug}", ctx.course)),
                    None => dest_url.clone(),
                };
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let path = dest_url.trim().trim_start_matches("./");
                let dest = match ctx.module {
                    Some(m) => format!("/api/v1/courses/{}/assets/{m}/{path}", ctx.course),
                    None => format!("/api/v1/courses/{}/assets/{path}", ctx.course),
                };
                out.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: CowStr::from(dest),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    SANITIZER.clean(&html).to_string()
}

/// The text of the heading that starts at `events[start]`, for its anchor.
fn heading_text(events: &[Event<'_>], start: usize) -> String {
    let mut text = String::new();
    for e in &events[start + 1..] {
        match e {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => {}
        }
    }
    text
}

/// Every heading of a Markdown text as [`render`] anchors it: (`id`, text), in order.
pub fn headings(markdown: &str) -> Vec<(String, String)> {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if let Event::Start(Tag::Heading { id: None, .. }) = e {
            let text = heading_text(&events, i);
            out.push((unique_id(&slugify(&text), &mut used_ids), text));
        }
    }
    out
}

/// Lesson headings start at h2 (the page's h1 is the lesson title).
fn shift(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        other => other,
    }
}

pub fn slugify(text: &str) -> String {
    let mut s = String::new();
    let mut dash = false;
    for c in text.to_lowercase().chars() {
        if c.is_alphanumeric() {
            s.push(c);
            dash = false;
        } else if !dash && !s.is_empty() {
            s.push('-');
            dash = true;
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "section".into() } else { s }
}

fn unique_id(base: &str, used: &mut HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    let mut classes: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    classes.insert(
        "sup",
        ["footnote-reference", "footnote-definition-label"].into(),
    );
    classes.insert("div", ["footnote-definition"].into());
    b.add_tags(["details", "summary", "figure", "figcaption", "mark"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("div", ["id"])
        .add_tag_attributes("li", ["id"])
        .add_tag_attributes("ol", ["start"])
        .allowed_classes(classes)
        .url_schemes(["http", "https", "mailto"].into())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"));
    b
});

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context<'static> {
        Context {
            course: "phlebotomy-technician",
            module: Some("venipuncture"),
        }
    }

    #[test]
    fn headings_get_anchors_and_start_at_h2() {
        let html = render(
            "# Order of draw\n\n## Why it matters\n\n## Why it matters\n",
            &ctx(),
        );
        assert!(
            html.contains(r#"<h2 id="order-of-draw">Order of draw</h2>"#),
            "{html}"
        );
        assert!(html.contains(r#"<h2 id="why-it-matters">"#), "{html}");
        assert!(html.contains(r#"<h2 id="why-it-matters-2">"#), "{html}");
        // `headings` names the same anchors, with their text.
        let ids = headings("# Order of draw\n\n## Why it `matters`\n\n## Why it matters\n");
        assert_eq!(
            ids,
            vec![
                ("order-of-draw".to_string(), "Order of draw".to_string()),
                ("why-it-matters".to_string(), "Why it matters".to_string()),
                ("why-it-matters-2".to_string(), "Why it matters".to_string()),
            ]
        );
    }

    #[test]
    fn lesson_links_and_images_are_rewritten() {
        let html = render(
            "See [labels](lesson:two-identifiers).\n\n![Order](images/order-of-draw.svg)",
            &ctx(),
        );
        assert!(
            html.contains(r#"href="/courses/phlebotomy-technician/lessons/two-identifiers""#),
            "{html}"
        );
        assert!(
            html.contains(r#"src="/api/v1/courses/phlebotomy-technician/assets/venipuncture/images/order-of-draw.svg""#),
            "{html}"
        );
        assert!(html.contains(r#"alt="Order""#), "{html}");
    }

    #[test]
    fn tables_and_footnotes_render() {
        let html = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1].\n\n[^1]: A note.\n",
            &ctx(),
        );
        assert!(
            html.contains("<table>") && html.contains("<td>1</td>"),
            "{html}"
        );
        assert!(html.contains("footnote-definition"), "{html}");
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed_and_reported() {
        let md = "Hi <script>alert(1)</script>\n\n<img src=x onerror=\"alert(1)\">\n\n[x](javascript:alert(1))\n\n<span onclick='x()'>t</span>";
        let html = render(md, &ctx());
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        let (findings, _) = check(md);
        let all: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert!(all.iter().any(|m| m.contains("<script>")), "{all:?}");
        assert!(all.iter().any(|m| m.contains("onerror")), "{all:?}");
        assert!(all.iter().any(|m| m.contains("onclick")), "{all:?}");
        assert!(all.iter().any(|m| m.contains("javascript:")), "{all:?}");
    }

    #[test]
    fn plain_text_mentioning_on_is_not_an_event_handler() {
        let (findings, _) = check("Put the tourniquet on = snugly. <strong>once</strong> only.");
        assert!(findings.is_empty(), "{findings:?}");
    }
}
