//! A request head that hyper cannot parse (a control byte in a header value, say) is answered
//! by hyper itself, before any of our code sees a request: a bare `400 Bad Request` with no
//! body, and hyper has no hook to change that answer. [`Guarded`] wraps each connection,
//! watches the bytes of each request head as they are read, and when hyper writes that bare
//! answer, writes a problem+json 400 naming the header (and the rule) in its place.
//!
//! Nothing a client sends is altered, and no request hyper accepted is touched: only hyper's
//! own answer to a head it refused is replaced, after which hyper closes the connection.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How hyper starts its automatic answer to a head it cannot parse.
const BARE_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\n";
/// Bytes of a header name kept to name it in the answer.
const NAME_MAX: usize = 64;

/// A connection whose bare parse-error answers become problem+json.
pub struct Guarded<IO> {
    io: IO,
    scan: HeadScan,
    /// Our answer, replacing hyper's, and how much of it is written.
    pending: Vec<u8>,
    sent: usize,
}

impl<IO> Guarded<IO> {
    pub fn new(io: IO) -> Self {
        Self {
            io,
            scan: HeadScan::default(),
            pending: Vec::new(),
            sent: 0,
        }
    }
}

impl<IO: AsyncWrite + Unpin> Guarded<IO> {
    /// Writes what is left of our answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes over `buf` if it is hyper's bare answer to the head just scanned.
    fn replaces(&mut self, buf: &[u8]) -> bool {
        if !self.scan.refused() || !is_bare_400(buf) {
            // A response begins: whatever is read next is the next request's head.
            self.scan = HeadScan::default();
            return false;
        }
        self.pending = self.scan.answer();
        self.sent = 0;
        true
    }
}

/// hyper's answer: status 400, no content type, no body. Every answer of ours carries a
/// content type, so this cannot be one of them.
fn is_bare_400(buf: &[u8]) -> bool {
    if !buf.starts_with(BARE_400) {
        return false;
    }
    let head = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buf, |end| &buf[..end]);
    let head = head.to_ascii_lowercase();
    let has = |what: &[u8]| head.windows(what.len()).any(|w| w == what);
    has(b"\r\ncontent-length: 0") && !has(b"\r\ncontent-type:")
}

impl<IO: AsyncRead + Unpin> AsyncRead for Guarded<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.io).poll_read(cx, buf))?;
        if this.scan.watching() {
            for &b in &buf.filled()[before..] {
                this.scan.byte(b);
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Guarded<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        if this.replaces(buf) {
            // hyper's bytes count as written; ours go out now or on its flush.
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        // hyper's answer is a head alone: one buffer.
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            if this.replaces(first) {
                if let Poll::Ready(Err(e)) = this.drain(cx) {
                    return Poll::Ready(Err(e));
                }
                return Poll::Ready(Ok(first.len()));
            }
        }
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum At {
    /// Before or in the request line.
    #[default]
    RequestLine,
    LineStart,
    Name,
    Value,
    /// After the blank line: the head is complete (what follows is a body).
    Done,
}

/// Follows one request head byte by byte, with httparse's rules for header bytes (RFC 9110
/// §5.5: a value holds visible ASCII, spaces, tabs and obs-text, never a control byte), and
/// keeps the first offence. No buffer: a few bytes of state per connection.
#[derive(Debug, Clone, Copy)]
struct HeadScan {
    at: At,
    /// Whether anything but line breaks was read (empty lines may precede a request).
    started: bool,
    name: [u8; NAME_MAX],
    name_len: usize,
    /// The first offending byte, and whether it was in a header's name or value (the header
    /// is `name[..name_len]` then) or in the request line.
    offence: Option<(u8, Where)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    RequestLine,
    Name,
    Value,
}

impl Default for HeadScan {
    fn default() -> Self {
        Self {
            at: At::RequestLine,
            started: false,
            name: [0; NAME_MAX],
            name_len: 0,
            offence: None,
        }
    }
}

fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// RFC 9110 token characters, which a header name is made of.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl HeadScan {
    fn byte(&mut self, b: u8) {
        if self.offence.is_some() {
            return;
        }
        match self.at {
            At::Done => {}
            At::RequestLine => match b {
                b'\n' if self.started => self.at = At::LineStart,
                b'\r' | b'\n' => {}
                b if is_control(b) => self.offence = Some((b, Where::RequestLine)),
                _ => self.started = true,
            },
            At::LineStart => match b {
                b'\n' => self.at = At::Done,
                b'\r' => {}
                b => {
                    self.name_len = 0;
                    self.at = At::Name;
                    self.name_byte(b);
                }
            },
            At::Name => match b {
                b':' => self.at = At::Value,
                b => self.name_byte(b),
            },
            At::Value => match b {
                b'\n' => self.at = At::LineStart,
                b'\r' | b'\t' => {}
                b if is_control(b) => self.offence = Some((b, Where::Value)),
                _ => {}
            },
        }
    }

    fn name_byte(&mut self, b: u8) {
        if !is_token(b) {
            self.offence = Some((b, Where::Name));
        } else if self.name_len < NAME_MAX {
            self.name[self.name_len] = b.to_ascii_lowercase();
            self.name_len += 1;
        }
    }

    /// Whether bytes still matter: the head has not ended and broke no rule yet (a body is
    /// not read byte by byte).
    fn watching(&self) -> bool {
        self.offence.is_none() && self.at != At::Done
    }

    /// Whether hyper's bare 400 can be for this head: it broke a rule, or never ended.
    fn refused(&self) -> bool {
        self.offence.is_some() || self.at != At::Done
    }

    /// The problem+json answer, as the API's `ApiError::bad_request` would render it.
    fn answer(&self) -> Vec<u8> {
        let name = std::str::from_utf8(&self.name[..self.name_len]).unwrap_or("");
        let (field, detail) = match self.offence {
            Some((b, Where::Value)) => (
                name.to_owned(),
                format!(
                    "the value of header {name} holds the control byte 0x{b:02x}: a header value \
                     may hold visible characters, spaces and tabs only"
                ),
            ),
            Some((b, Where::Name)) if self.name_len > 0 => (
                name.to_owned(),
                format!(
                    "the name of header {name} is followed by the byte 0x{b:02x}: a header name \
                     is letters, digits and !#$%&'*+-.^_`|~, then a colon"
                ),
            ),
            Some((b, Where::Name)) => (
                "headers".to_owned(),
                format!(
                    "a header line starts with the byte 0x{b:02x}: a header name is letters, \
                     digits and !#$%&'*+-.^_`|~, then a colon"
                ),
            ),
            Some((b, Where::RequestLine)) => (
                "request-line".to_owned(),
                format!(
                    "the request line holds the control byte 0x{b:02x}: method, target and \
                     version are visible characters separated by single spaces"
                ),
            ),
            None => (
                "request-line".to_owned(),
                "the request head is not valid HTTP/1.1 (RFC 9112): check the request line \
                 and that each header is a name, a colon and a value"
                    .to_owned(),
            ),
        };
        let body = serde_json::json!({
            "type": "/problems/invalid-input",
            "title": "Bad Request",
            "status": 400,
            "detail": detail,
            "field": field,
        })
        .to_string();
        let mut out = format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body.as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(bytes: &[u8]) -> HeadScan {
        let mut s = HeadScan::default();
        bytes.iter().for_each(|&b| s.byte(b));
        s
    }

    fn answer(bytes: &[u8]) -> serde_json::Value {
        let out = scan(bytes).answer();
        let at = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        serde_json::from_slice(&out[at..]).unwrap()
    }

    #[test]
    fn a_well_formed_head_is_not_refused() {
        let s = scan(b"\r\nGET /x HTTP/1.1\r\nHost: a\r\nX-Note: caf\xc3\xa9\tok\r\n\r\n{\x01}");
        assert!(!s.refused());
    }

    #[test]
    fn the_offending_header_is_named() {
        let p = answer(b"GET / HTTP/1.1\r\nHost: a\r\nX-Note: a\x01b\r\n\r\n");
        assert_eq!(p["field"], "x-note");
        assert!(p["detail"].as_str().unwrap().contains("0x01"), "{p}");
        assert_eq!(
            answer(b"GET / HTTP/1.1\r\nAuthorization: B\x7f\r\n")["field"],
            "authorization"
        );
        assert_eq!(answer(b"GET / HTTP/1.1\r\nX (y): z\r\n")["field"], "x");
        assert_eq!(answer(b"GET /\x00 HTTP/1.1\r\n")["field"], "request-line");
        // A head that never ended: hyper refused it for a reason of its own.
        assert!(scan(b"GET / HTTP/1.1\r\nHost").refused());
    }

    #[test]
    fn only_hypers_bare_answer_is_replaced() {
        assert!(is_bare_400(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Sun, 06 Dec 2026 02:26:08 GMT\r\n\r\n"
        ));
        assert!(!is_bare_400(
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 0\r\n\r\n"
        ));
        assert!(!is_bare_400(
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
        ));
    }
}
