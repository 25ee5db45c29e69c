//! Documents of the record for people and spreadsheets: the Declaration, the register and the
//! meeting report as HTML, PDF and DOCX, and the register, participation figures and audit
//! history as CSV. The JSON API, the pages and the command line all call these, so a download
//! is the same file whichever door it came through, and `audit replay` writes it offline.

pub mod csv;
pub mod docx;
pub mod html;
pub mod pdf;
pub mod printable;
pub mod report;

use printable::Printable;

/// The printed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("{0}")]
    NoFonts(String),
    #[error("{0}")]
    Failed(String),
}

/// `doc` in `format`: the one call the API, the pages and `audit replay` make.
pub fn print(format: Format, doc: &Printable) -> Result<Vec<u8>, PrintError> {
    match format {
        Format::Pdf => pdf::render(doc).map_err(|e| match e {
            pdf::PdfError::NoFonts => PrintError::NoFonts(e.to_string()),
            pdf::PdfError::Typeset(_) => PrintError::Failed(e.to_string()),
        }),
        Format::Docx => docx::render(doc).map_err(PrintError::Failed),
    }
}
