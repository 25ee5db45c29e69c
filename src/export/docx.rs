//! DOCX with docx-rs: the same `Printable` as the PDF, as a Word document a secretariat can
//! edit into its own templates. Right-to-left documents set `w:bidi` on every paragraph and
//! name the complex-script and East Asian fonts, so Word lays Arabic and Chinese out itself.
//! The log position and hash are in every page's footer and in two custom properties.

use docx_rs::{
    AlignmentType, Docx, Footer, PageMargin, Paragraph, Run, RunFonts, Style, StyleType, Table,
    TableCell, TableRow,
};

use super::printable::{Block, Line, Printable, Span};

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Noto Sans")
        .hi_ansi("Noto Sans")
        .cs("Noto Naskh Arabic")
        .east_asia("Noto Sans CJK SC")
}

fn para(rtl: bool) -> Paragraph {
    let mut p = Paragraph::new();
    if rtl {
        p.property = p.property.bidi(true);
    }
    p
}

fn runs(mut p: Paragraph, l: &Line) -> Paragraph {
    for s in &l.spans {
        let (text, strong) = match s {
            Span::Text(t) => (t, false),
            Span::Strong(t) => (t, true),
        };
        let mut r = Run::new().add_text(text.as_str());
        if strong {
            r = r.bold();
        }
        if l.small {
            r = r.size(18).color("444444");
        }
        p = p.add_run(r);
    }
    p
}

fn line_rtl(doc: &Printable, l: &Line) -> bool {
    match &l.lang {
        Some(lang) => lang == "ar",
        None => doc.rtl,
    }
}

/// `doc` as the bytes of a .docx file.
pub fn render(doc: &Printable) -> Result<Vec<u8>, String> {
    let _span = tracing::info_span!("docx", blocks = doc.blocks.len()).entered();
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .bold()
            .size(size)
            .outline_lvl(level)
    };
    let mut d = Docx::new()
        .default_fonts(fonts())
        .default_size(21)
        .page_size(11906, 16838) // A4, in twentieths of a point
        .page_margin(
            PageMargin::new()
                .top(1134)
                .bottom(1134)
                .left(1134)
                .right(1134),
        )
        .add_style(heading("Heading1", "heading 1", 32, 0))
        .add_style(heading("Heading2", "heading 2", 26, 1))
        .add_style(heading("Heading3", "heading 3", 22, 2))
        .custom_property("plenary-log-position", doc.position.to_string())
        .custom_property("plenary-log-hash", doc.hash.clone())
        .footer(
            Footer::new().add_paragraph(
                para(doc.rtl).add_run(
                    Run::new()
                        .add_text(doc.made_from.as_str())
                        .size(14)
                        .color("444444"),
                ),
            ),
        );
    if let Some(sym) = &doc.symbol {
        d = d.add_paragraph(
            para(doc.rtl)
                .align(AlignmentType::End)
                .add_run(Run::new().add_text(sym.as_str()).bold()),
        );
    }
    d = d.add_paragraph(
        para(doc.rtl)
            .style("Heading1")
            .add_run(Run::new().add_text(doc.title.as_str())),
    );
    for b in &doc.blocks {
        match b {
            Block::Heading(level, t) => {
                d = d.add_paragraph(
                    para(doc.rtl)
                        .style(&format!("Heading{}", level.clamp(&1, &3)))
                        .add_run(Run::new().add_text(t.as_str())),
                )
            }
            Block::Para(l) => d = d.add_paragraph(runs(para(line_rtl(doc, l)), l)),
            Block::List(lines) => {
                for l in lines {
                    let p = para(line_rtl(doc, l))
                        .indent(
                            Some(567),
                            Some(docx_rs::SpecialIndentType::Hanging(283)),
                            None,
                            None,
                        )
                        .add_run(Run::new().add_text("• "));
                    d = d.add_paragraph(runs(p, l));
                }
            }
            Block::Table {
                caption,
                head,
                rows,
            } => {
                if !caption.is_empty() {
                    d = d.add_paragraph(
                        para(doc.rtl).add_run(Run::new().add_text(caption.as_str()).bold()),
                    );
                }
                let cell = |t: &str, bold: bool| {
                    let mut r = Run::new().add_text(t);
                    if bold {
                        r = r.bold();
                    }
                    TableCell::new().add_paragraph(para(doc.rtl).add_run(r))
                };
                let mut trs = vec![TableRow::new(head.iter().map(|h| cell(h, true)).collect())];
                trs.extend(
                    rows.iter()
                        .map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())),
                );
                d = d.add_table(Table::new(trs));
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
