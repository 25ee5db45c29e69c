//! A `Printable` as a standalone HTML document (inline style, no script, prints on A4): the
//! register and registered documents in HTML, with the same content as their PDF and DOCX.
//! (The report and the Declaration keep their own HTML, which `audit replay` writes byte for
//! byte.)

use super::printable::{Block, Line, Printable, Span};
use crate::audit::replay::html_escape as esc;

fn line(l: &Line) -> String {
    let mut s = String::new();
    for span in &l.spans {
        match span {
            Span::Text(t) => s.push_str(&esc(t)),
            Span::Strong(t) => s.push_str(&format!("<strong>{}</strong>", esc(t))),
        }
    }
    if l.small {
        s = format!("<small>{s}</small>");
    }
    s
}

fn lang_attrs(l: &Line) -> String {
    match &l.lang {
        Some(lang) => format!(
            " lang=\"{}\" dir=\"{}\"",
            esc(lang),
            if lang == "ar" { "rtl" } else { "ltr" }
        ),
        None => String::new(),
    }
}

/// `doc` as an HTML document.
pub fn render(doc: &Printable) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"generator\" content=\"Plenary\">\n\
         <meta name=\"plenary-log-position\" content=\"{}\">\n\
         <meta name=\"plenary-log-hash\" content=\"{}\">\n<title>{}</title>\n",
        doc.lang,
        if doc.rtl { "rtl" } else { "ltr" },
        doc.position,
        esc(&doc.hash),
        esc(&doc.title)
    ));
    s.push_str(
        "<style>\n@page { size: A4; margin: 2cm; }\n\
         body { font-family: \"Noto Sans\", \"Noto Naskh Arabic\", \"Noto Sans CJK SC\", \"DejaVu Sans\", sans-serif; \
         font-size: 11pt; line-height: 1.45; max-width: 46em; margin: 2em auto; color: #111; }\n\
         .symbol { text-align: end; font-weight: bold; } small, footer { color: #444; }\n\
         table { border-collapse: collapse; } th, td { border: 1px solid #aaa; padding: .2em .6em; text-align: start; }\n\
         </style>\n</head>\n<body>\n",
    );
    if let Some(sym) = &doc.symbol {
        s.push_str(&format!(
            "<p class=\"symbol\" dir=\"ltr\">{}</p>\n",
            esc(sym)
        ));
    }
    s.push_str(&format!("<h1>{}</h1>\n", esc(&doc.title)));
    for b in &doc.blocks {
        match b {
            Block::Heading(level, t) => {
                let h = (*level).clamp(2, 4);
                s.push_str(&format!("<h{h}>{}</h{h}>\n", esc(t)));
            }
            Block::Para(l) => s.push_str(&format!("<p{}>{}</p>\n", lang_attrs(l), line(l))),
            Block::List(lines) => {
                s.push_str("<ul>\n");
                for l in lines {
                    s.push_str(&format!("<li{}>{}</li>\n", lang_attrs(l), line(l)));
                }
                s.push_str("</ul>\n");
            }
            Block::Table {
                caption,
                head,
                rows,
            } => {
                s.push_str("<table>\n");
                if !caption.is_empty() {
                    s.push_str(&format!("<caption>{}</caption>\n", esc(caption)));
                }
                s.push_str("<thead><tr>");
                for h in head {
                    s.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
                }
                s.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    s.push_str("<tr>");
                    for (i, c) in row.iter().enumerate() {
                        if i == 0 {
                            s.push_str(&format!("<th scope=\"row\">{}</th>", esc(c)));
                        } else {
                            s.push_str(&format!("<td>{}</td>", esc(c)));
                        }
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</tbody>\n</table>\n");
            }
        }
    }
    s.push_str(&format!(
        "<footer><p>{}</p></footer>\n</body>\n</html>\n",
        esc(&doc.made_from)
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_everywhere() {
        let evil = "<script>alert(1)</script>";
        let doc = Printable {
            lang: "en",
            rtl: false,
            symbol: Some(evil.into()),
            title: evil.into(),
            blocks: vec![
                Block::Heading(2, evil.into()),
                Block::Para(Line::text(evil)),
                Block::List(vec![Line::text(evil)]),
                Block::Table {
                    caption: evil.into(),
                    head: vec![evil.into()],
                    rows: vec![vec![evil.into(), evil.into()]],
                },
            ],
            position: 1,
            hash: "\"><script>".into(),
            made_from: evil.into(),
        };
        let html = render(&doc);
        assert!(!html.contains("<script"), "{html}");
        // The symbol, the title twice, a heading, a paragraph, an item, a caption, three
        // cells, the footer and the hash in its meta.
        assert_eq!(html.matches("&lt;script&gt;").count(), 12, "{html}");
    }
}
