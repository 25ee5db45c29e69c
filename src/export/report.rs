//! The meeting report as a document: a standalone HTML file (inline style, no script, prints
//! on A4) in any of the six languages, and the same body inside the web page.

use askama::Template;

use crate::app::history::FrameworkView;
use crate::app::report::MeetingReport;
use crate::web::messages::Messages;

/// A paragraph of the Declaration annex in the reader's language where a translation exists,
/// with the original kept beside it.
#[derive(Debug, Clone)]
pub struct AnnexParagraph {
    pub number: String,
    pub text: String,
    /// The language of `text`.
    pub lang: String,
    /// The original wording when `text` is a translation, with the translation's origin
    /// (a message key) and whether it was made of an older wording.
    pub original: Option<String>,
    pub origin: &'static str,
    pub stale: bool,
}

/// The paragraphs of `f` in `m`'s language where a translation exists, the original kept.
pub fn localized_paragraphs(f: &FrameworkView, m: &Messages) -> Vec<AnnexParagraph> {
    f.paragraphs
        .iter()
        .map(|p| {
            let translation = p
                .translations
                .iter()
                .find(|t| crate::domain::values::LanguageTag::parse(m.lang) == Ok(t.language));
            match translation {
                Some(t) => AnnexParagraph {
                    number: p.number.clone(),
                    text: t.text.to_string(),
                    lang: m.lang.to_owned(),
                    original: Some(p.text.to_string()),
                    origin: match t.origin {
                        crate::domain::framework::TranslationOrigin::Human => "framework.human",
                        crate::domain::framework::TranslationOrigin::Machine => "framework.machine",
                    },
                    stale: t.out_of_date,
                },
                None => AnnexParagraph {
                    number: p.number.clone(),
                    text: p.text.to_string(),
                    lang: "en".into(),
                    original: None,
                    origin: "",
                    stale: false,
                },
            }
        })
        .collect()
}

pub use crate::app::report::Localized;

/// How a register entry was taken, in `m`'s language (none for an outcome).
pub fn how_taken(e: &crate::app::register::RegisterEntry, m: &Messages) -> Option<String> {
    e.how.as_ref()?;
    Some(match e.tally {
        Some((yes, no, abstain)) => m
            .t("register.by_vote")
            .replace("{yes}", &yes.to_string())
            .replace("{no}", &no.to_string())
            .replace("{abstain}", &abstain.to_string()),
        None => m.t("register.without_vote").to_owned(),
    })
}

/// What both the page and the document show.
pub struct ReportView<'a> {
    pub r: &'a MeetingReport,
    pub paragraphs: Vec<AnnexParagraph>,
    pub head_short: String,
    lang: &'static str,
}

impl<'a> ReportView<'a> {
    pub fn new(r: &'a MeetingReport, m: &Messages) -> Self {
        let paragraphs = r
            .annexes
            .declaration
            .iter()
            .flat_map(|f| localized_paragraphs(f, m))
            .collect();
        Self {
            r,
            paragraphs,
            head_short: r.hash.chars().take(16).collect(),
            lang: m.lang,
        }
    }

    /// `original` (the text of `text_of` `number`) in the reader's language where a
    /// translation exists, a person's preferred to a machine's.
    fn localized(&self, text_of: &str, number: u32, original: &str) -> Localized {
        Localized::choose(
            original,
            self.lang,
            self.r
                .translations
                .iter()
                .filter(|t| t.text_of == text_of && t.number == number)
                .map(|t| {
                    (
                        t.language.as_str(),
                        t.origin,
                        t.text.as_str(),
                        t.stale,
                        original,
                    )
                }),
        )
    }

    /// An agenda item's title, translated where it is.
    pub fn item_title(&self, number: &u32, title: &str) -> Localized {
        self.localized("agenda_item", *number, title)
    }

    /// How a register entry was taken, in the reader's language.
    pub fn how(&self, e: &crate::app::register::RegisterEntry, m: &Messages) -> Option<String> {
        how_taken(e, m)
    }

    /// A register entry's text, translated where it is.
    pub fn decision_text(&self, e: &crate::app::register::RegisterEntry) -> Localized {
        e.localized(self.lang)
    }

    pub fn gender(&self, by: &std::collections::BTreeMap<String, u32>, g: &str) -> u32 {
        by.get(g).copied().unwrap_or(0)
    }
}

#[derive(Template)]
#[template(path = "report_document.html")]
struct ReportDocument<'a> {
    m: &'a Messages,
    rv: ReportView<'a>,
}

/// The report as a standalone HTML document in `m`'s language.
pub fn html(r: &MeetingReport, m: &Messages) -> String {
    let doc = ReportDocument {
        m,
        rv: ReportView::new(r, m),
    };
    doc.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "the report template failed");
        String::new()
    })
}
