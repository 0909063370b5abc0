//! The holder's certificate mails: issued, reissued, revoked and expired.

use super::Issuing;
use super::code::Code;
use super::issue::Draft;
use super::store::CertificateRow;
use crate::mail::templates::{self, Action, Body, RenderedMail};

fn certificates_page(issuing: &Issuing) -> Action {
    let base = url::Url::parse(issuing.urls.base()).expect("the public URL parses");
    Action {
        label: "See your certificates",
        url: templates::link(&base, "certificates", None),
    }
}

fn verify_line(issuing: &Issuing, code: &Code) -> String {
    format!(
        "Anyone can check it with the code {} at {}",
        code.grouped(),
        issuing.urls.verify_page(code)
    )
}

pub fn issued(issuing: &Issuing, draft: &Draft, code: &Code) -> RenderedMail {
    let title = &draft.course_title;
    Body {
        greeting: templates::greeting(&draft.holder_name),
        before: vec![
            format!("You have met every requirement of {title}. Congratulations!"),
            format!(
                "Your certificate of completion from {} is ready. Download it as a PDF, add it \
                 to your LinkedIn profile, or share its verification link with an employer.",
                issuing.provider_name
            ),
            verify_line(issuing, code),
        ],
        action: Some(certificates_page(issuing)),
        after: vec![
            "If your name or anything else on it is wrong, tell your program \
                     coordinator: they can reissue it."
                .into(),
        ],
    }
    .render(
        &draft.email,
        &draft.holder_name,
        &format!("Your certificate for {title}"),
        "certificate_issued",
    )
}

pub fn reissued(issuing: &Issuing, draft: &Draft, code: &Code) -> RenderedMail {
    let title = &draft.course_title;
    Body {
        greeting: templates::greeting(&draft.holder_name),
        before: vec![
            format!(
                "Your certificate for {title} has been reissued in the name {}. The previous \
                 one now points to this one when someone checks it.",
                draft.holder_name
            ),
            verify_line(issuing, code),
        ],
        action: Some(certificates_page(issuing)),
        after: vec![],
    }
    .render(
        &draft.email,
        &draft.holder_name,
        &format!("Your certificate for {title} was reissued"),
        "certificate_reissued",
    )
}

pub fn revoked(issuing: &Issuing, row: &CertificateRow, email: &str, name: &str) -> RenderedMail {
    let title = &row.course_title;
    let reason = row.revoked_reason.as_deref().unwrap_or("");
    Body {
        greeting: templates::greeting(name),
        before: vec![
            format!(
                "{} has revoked your certificate for {title}. Anyone who checks it now sees \
                 that it was revoked.",
                issuing.provider_name
            ),
            format!("The reason given: {reason}"),
        ],
        action: Some(certificates_page(issuing)),
        after: vec!["If you think this is a mistake, contact your program coordinator.".into()],
    }
    .render(
        email,
        name,
        &format!("Your certificate for {title} was revoked"),
        "certificate_revoked",
    )
}

pub fn expired(issuing: &Issuing, row: &CertificateRow, email: &str, name: &str) -> RenderedMail {
    let title = &row.course_title;
    Body {
        greeting: templates::greeting(name),
        before: vec![format!(
            "Your certificate for {title} has reached the end of its validity period. Anyone \
             who checks it now sees that it expired; your record of completion is unchanged."
        )],
        action: Some(certificates_page(issuing)),
        after: vec!["Ask your program coordinator how to renew it.".into()],
    }
    .render(
        email,
        name,
        &format!("Your certificate for {title} has expired"),
        "certificate_expired",
    )
}
