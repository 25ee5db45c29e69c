//! Documents of the record for people and spreadsheets: the meeting report as a standalone
//! HTML document, and the register, participation figures and audit history as CSV. The
//! JSON API, the pages and the command line all call these, so a download is the same file
//! whichever door it came through.

pub mod csv;
pub mod report;
