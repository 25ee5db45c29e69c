//! The hash chain: canonical encoding of an event and the SHA-256 link to its predecessor.
//!
//! This module is the whole specification a verifier needs (see docs/adr/0003-hash-chain.md);
//! it does no I/O so the offline verifier and the database verifier share it.

use serde_json::Value;
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The `prev_hash` of the event at position 1.
pub const GENESIS: Hash = [0u8; 32];

/// Version of the canonical encoding, hashed into every event so it can evolve.
pub const ENCODING_VERSION: u32 = 1;

/// The fields of an event that the hash covers, in the order they are encoded.
#[derive(Debug, Clone, Copy)]
pub struct HashedFields<'a> {
    pub position: i64,
    pub event_id: &'a str,
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub stream_version: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub recorded_at_us: i64,
    /// Canonical JSON text of the payload (see [`canonical_json`]).
    pub payload: &'a str,
    /// Canonical JSON text of the metadata object.
    pub metadata: &'a str,
}

/// `SHA-256(prev_hash || line)`, where `line` is the UTF-8 JSON array
/// `[1,position,"event_id","aggregate_type","aggregate_id",stream_version,"event_type",
/// "event_version",recorded_at_us,payload,metadata]` with no whitespace.
pub fn event_hash(prev: &Hash, f: &HashedFields<'_>) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(canonical_line(f).as_bytes());
    h.finalize().into()
}

pub fn canonical_line(f: &HashedFields<'_>) -> String {
    let mut out = Vec::with_capacity(160 + f.payload.len() + f.metadata.len());
    out.push(b'[');
    write_json(&mut out, &ENCODING_VERSION);
    out.push(b',');
    write_json(&mut out, &f.position);
    for text in [f.event_id, f.aggregate_type, f.aggregate_id] {
        out.push(b',');
        write_json(&mut out, text);
    }
    out.push(b',');
    write_json(&mut out, &f.stream_version);
    for text in [f.event_type, f.event_version] {
        out.push(b',');
        write_json(&mut out, text);
    }
    out.push(b',');
    write_json(&mut out, &f.recorded_at_us);
    out.push(b',');
    out.extend_from_slice(f.payload.as_bytes());
    out.push(b',');
    out.extend_from_slice(f.metadata.as_bytes());
    out.push(b']');
    into_string(out)
}

/// Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant whitespace,
/// strings and numbers as serde_json writes them. Sorting is done here rather than relying
/// on serde_json's map type, which a dependency's `preserve_order` feature could change.
pub fn canonical_json(v: &Value) -> String {
    let mut out = Vec::with_capacity(256);
    write_canonical(v, &mut out);
    into_string(out)
}

/// Everything is written straight into one buffer: building a `String` per string and number
/// cost about half of the encoding (profile of the mixed load).
fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(out, k.as_str());
                out.push(b':');
                write_canonical(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(v, out);
            }
            out.push(b']');
        }
        scalar => write_json(out, scalar),
    }
}

/// serde_json's compact encoding of a string or scalar. Writing to a `Vec` cannot fail, and
/// neither can encoding a `str` or a `Value` (its map keys are strings).
fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let _ = serde_json::to_writer(out, value);
}

/// serde_json writes only UTF-8 into a buffer that held UTF-8, so the lossy branch is never
/// taken; it is there so that no input can panic here.
fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Hex encoding used wherever a hash is shown to people or written to an export.
pub fn to_hex(h: &Hash) -> String {
    hex::encode(h)
}

pub fn from_hex(s: &str) -> Option<Hash> {
    let bytes = hex::decode(s).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn fields<'a>(payload: &'a str, metadata: &'a str) -> HashedFields<'a> {
        HashedFields {
            position: 1,
            event_id: "0190b3a8-0000-7000-8000-000000000000",
            aggregate_type: "Meeting",
            aggregate_id: "rc-1",
            stream_version: 1,
            event_type: "MeetingConvened",
            event_version: "1",
            recorded_at_us: 1_700_000_000_000_000,
            payload,
            metadata,
        }
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v: Value = serde_json::from_str(r#"{ "b": 1, "a": {"d": [1, 2], "c": "x"} }"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":{"c":"x","d":[1,2]},"b":1}"#);
    }

    #[test]
    fn canonical_line_is_the_documented_array() {
        let line = canonical_line(&fields("{}", r#"{"actor":"alice"}"#));
        assert_eq!(
            line,
            r#"[1,1,"0190b3a8-0000-7000-8000-000000000000","Meeting","rc-1",1,"MeetingConvened","1",1700000000000000,{},{"actor":"alice"}]"#
        );
    }

    #[test]
    fn known_answer() {
        // Pinned so that any change to the encoding is a deliberate, versioned one.
        let h = event_hash(&GENESIS, &fields("{}", "{}"));
        let mut d = Sha256::new();
        d.update(GENESIS);
        d.update(br#"[1,1,"0190b3a8-0000-7000-8000-000000000000","Meeting","rc-1",1,"MeetingConvened","1",1700000000000000,{},{}]"#);
        let expected: Hash = d.finalize().into();
        assert_eq!(h, expected);
    }

    #[test]
    fn hash_depends_on_prev_and_every_field() {
        let base = event_hash(&GENESIS, &fields("{}", "{}"));
        assert_ne!(base, event_hash(&[1u8; 32], &fields("{}", "{}")));
        assert_ne!(base, event_hash(&GENESIS, &fields(r#"{"a":1}"#, "{}")));
        let mut f = fields("{}", "{}");
        f.position = 2;
        assert_ne!(base, event_hash(&GENESIS, &f));
    }

    /// The encoding before it wrote into one buffer; the hashes of every stored event were
    /// made with it, so the two must agree byte for byte.
    fn reference_canonical(v: &Value) -> String {
        match v {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                let parts: Vec<String> = entries
                    .into_iter()
                    .map(|(k, v)| {
                        format!("{}:{}", Value::String(k.clone()), reference_canonical(v))
                    })
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
            Value::Array(items) => {
                let parts: Vec<String> = items.iter().map(reference_canonical).collect();
                format!("[{}]", parts.join(","))
            }
            other => other.to_string(),
        }
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::from),
            "[\\x00-\\x1f\"\\\\/\u{7f}\u{2028}é😀]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn canonical_json_is_a_fixed_point(keys in proptest::collection::vec("[a-zé]{0,5}", 0..6), n in any::<i64>(), s in ".{0,20}") {
            let mut obj = serde_json::Map::new();
            for (i, k) in keys.iter().enumerate() {
                obj.insert(k.clone(), if i % 2 == 0 { json!(n) } else { json!(s.clone()) });
            }
            let v = Value::Object(obj);
            let once = canonical_json(&v);
            let reparsed: Value = serde_json::from_str(&once).unwrap();
            prop_assert_eq!(canonical_json(&reparsed), once);
        }

        #[test]
        fn canonical_json_matches_the_encoding_stored_hashes_were_made_with(v in any_json()) {
            prop_assert_eq!(canonical_json(&v), reference_canonical(&v));
        }

        #[test]
        fn the_line_matches_the_encoding_stored_hashes_were_made_with(
            text in any::<String>(),
            position in any::<i64>(),
            recorded in any::<i64>(),
        ) {
            let mut f = fields("{}", "{}");
            f.aggregate_id = &text;
            f.event_type = &text;
            f.position = position;
            f.recorded_at_us = recorded;
            let q = |t: &str| Value::String(t.to_owned()).to_string();
            let expected = format!(
                "[1,{position},{},{},{},1,{},{},{recorded},{{}},{{}}]",
                q(f.event_id), q(f.aggregate_type), q(&text), q(&text), q(f.event_version)
            );
            prop_assert_eq!(canonical_line(&f), expected);
        }
    }
}
