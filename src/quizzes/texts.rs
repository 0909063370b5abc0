//! How a question's parts are shown (pure): choices as inline HTML, matching and ordering
//! entries as plain text.

/// Rendered Markdown of one paragraph, without its `<p>` wrapper (choices are inline).
pub fn inline_html(html: &str) -> String {
    let t = html.trim();
    match t.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => t.to_string(),
    }
}

/// The text of rendered Markdown (matching and ordering entries are plain text).
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_lose_their_markup() {
        assert_eq!(
            inline_html("<p>10 <em>working</em> days</p>\n"),
            "10 <em>working</em> days"
        );
        assert_eq!(inline_html("<p>a</p>\n<p>b</p>"), "<p>a</p>\n<p>b</p>");
        assert_eq!(
            plain_text("<p>Heparin &amp; lithium (green)</p>\n"),
            "Heparin & lithium (green)"
        );
        assert_eq!(plain_text("<p>a &lt; b</p>"), "a < b");
    }
}
