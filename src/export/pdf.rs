//! PDF through Typst, compiled in process: pure Rust, no browser, real text shaping (Arabic
//! joined and laid out right to left, Chinese with its own glyphs) and line breaking. A
//! `Printable` becomes Typst markup in which every piece of the record's text is a string
//! literal, so nothing a user typed can act as markup. The output carries no date and is the
//! same bytes for the same document (tested).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use super::printable::{Block, Line, Printable, Span};

/// The families the documents ask for, in order; Typst falls back along the list per glyph.
const FAMILIES: &[&str] = &[
    "Noto Sans",
    "Noto Naskh Arabic",
    "Noto Sans CJK SC",
    "DejaVu Sans",
];

/// Font files looked for (Debian's fonts-noto-core, fonts-noto-cjk and fonts-dejavu-core),
/// and `PLENARY_FONT_DIR`'s files if set. Only these few are read: scanning every installed
/// font would cost far more than a document.
const FONT_FILES: &[&str] = &[
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Italic.ttf",
    "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
];

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no font to typeset with: install fonts-noto-core and fonts-noto-cjk (Debian), or \
         point PLENARY_FONT_DIR at a directory of .ttf/.otf files"
    )]
    NoFonts,
    #[error("the document could not be typeset: {0}")]
    Typeset(String),
}

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn font_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = FONT_FILES.iter().map(PathBuf::from).collect();
    if let Some(dir) = std::env::var_os("PLENARY_FONT_DIR") {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut extra: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| matches!(e, "ttf" | "otf" | "ttc" | "otc"))
                })
                .collect();
            extra.sort();
            paths.extend(extra);
        }
    }
    paths
}

fn load(path: &Path) -> Vec<Font> {
    match std::fs::read(path) {
        Ok(bytes) => Font::iter(Bytes::new(bytes)).collect(),
        Err(_) => Vec::new(),
    }
}

/// Read once per process, on the first document.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = font_paths().iter().flat_map(|p| load(p)).collect();
        tracing::info!(faces = fonts.len(), "fonts read for PDF export");
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// One document's world: its one source file, the fonts, no other files and no clock.
struct OneSource {
    main: FileId,
    source: Source,
}

impl World for OneSource {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// A Typst string literal: the text stays text whatever it contains.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn line_markup(l: &Line) -> String {
    let mut s = String::new();
    for span in &l.spans {
        match span {
            Span::Text(t) => s.push_str(&format!("#{}", lit(t))),
            Span::Strong(t) => s.push_str(&format!("#strong({})", lit(t))),
        }
    }
    if l.small {
        s = format!("#text(size: 0.85em, fill: luma(70))[{s}]");
    }
    s
}

fn direction(lang: &str) -> &'static str {
    if lang == "ar" {
        "rtl"
    } else {
        "ltr"
    }
}

fn para_markup(l: &Line) -> String {
    match &l.lang {
        // Its own language and base direction: an English original in an Arabic document.
        Some(lang) => format!(
            "#block(width: 100%)[#set text(lang: {}, dir: {})\n{}]\n\n",
            lit(lang),
            direction(lang),
            line_markup(l)
        ),
        None => format!("{}\n\n", line_markup(l)),
    }
}

/// The Typst source of `doc` (public for tests that check the escaping).
pub fn markup(doc: &Printable) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "#set document(title: {}, date: none)\n",
        lit(&doc.title)
    ));
    let families = FAMILIES
        .iter()
        .map(|f| lit(f))
        .collect::<Vec<_>>()
        .join(", ");
    s.push_str(&format!(
        "#set text(font: ({families}), size: 10.5pt, lang: {}, dir: {})\n",
        lit(doc.lang),
        if doc.rtl { "rtl" } else { "ltr" }
    ));
    // The footer's two parts are separate paragraphs, so the page number never lands inside
    // a right-to-left sentence.
    s.push_str(&format!(
        "#set page(paper: \"a4\", margin: (x: 2cm, top: 2cm, bottom: 2.4cm), footer: \
         [#set text(size: 7pt, fill: luma(70)); #grid(columns: (1fr, auto), column-gutter: 1em, \
         [#{}], [#context counter(page).display(\"1 / 1\", both: true)])])\n",
        lit(&doc.made_from)
    ));
    s.push_str("#set par(leading: 0.6em, spacing: 0.9em)\n");
    s.push_str("#show heading: set block(above: 1.3em, below: 0.7em)\n");
    s.push_str("#show heading.where(level: 1): set text(size: 16pt)\n");
    s.push_str("#show heading.where(level: 2): set text(size: 13pt)\n");
    s.push_str("#show heading.where(level: 3): set text(size: 11pt)\n");
    if let Some(sym) = &doc.symbol {
        s.push_str(&format!(
            "#align(end)[#block[#set text(dir: ltr)\n#strong({})]]\n\n",
            lit(sym)
        ));
    }
    s.push_str(&format!("#heading(level: 1)[#{}]\n\n", lit(&doc.title)));
    for b in &doc.blocks {
        match b {
            Block::Heading(level, t) => {
                s.push_str(&format!("#heading(level: {level})[#{}]\n\n", lit(t)))
            }
            Block::Para(l) => s.push_str(&para_markup(l)),
            Block::List(lines) => {
                s.push_str("#list(tight: true");
                for l in lines {
                    s.push_str(&format!(", [{}]", line_markup(l)));
                }
                s.push_str(")\n\n");
            }
            Block::Table {
                caption,
                head,
                rows,
            } => {
                if !caption.is_empty() {
                    s.push_str(&format!("#strong({})\n\n", lit(caption)));
                }
                s.push_str(&format!(
                    "#table(columns: {}, stroke: 0.5pt + luma(150), inset: 4pt, table.header(",
                    head.len().max(1)
                ));
                s.push_str(
                    &head
                        .iter()
                        .map(|h| format!("[#strong({})]", lit(h)))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
                s.push(')');
                for row in rows {
                    for cell in row {
                        s.push_str(&format!(", [#{}]", lit(cell)));
                    }
                }
                s.push_str(")\n\n");
            }
        }
    }
    s
}

/// Typesets `doc` as PDF. CPU-bound (tens of milliseconds for the Declaration): callers on
/// the async runtime run it on a blocking thread.
pub fn render(doc: &Printable) -> Result<Vec<u8>, PdfError> {
    let _span = tracing::info_span!("pdf", blocks = doc.blocks.len()).entered();
    if fonts().fonts.is_empty() {
        return Err(PdfError::NoFonts);
    }
    let main = FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new("document.typ").map_err(|e| PdfError::Typeset(format!("{e:?}")))?,
    ));
    let world = OneSource {
        main,
        source: Source::new(main, markup(doc)),
    };
    let typeset = typst::compile::<PagedDocument>(&world).output;
    // Typst memoizes across compilations; a server exports now and then, so keep nothing.
    typst::comemo::evict(0);
    let document = typeset.map_err(|errors| {
        PdfError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("plenary:{}", doc.hash)),
        creator: typst::foundations::Smart::Custom(Some("Plenary".into())),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| {
        PdfError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::lit;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(lit(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(lit("#set page(width: 1pt)"), "\"#set page(width: 1pt)\"");
        assert_eq!(lit("x\u{7}y\nz"), "\"x\\u{7}y\\nz\"");
    }
}
