//! Interface strings, one message file per language (`messages.<lang>`, `key = text` lines),
//! compiled into the binary. Templates ask for keys; a missing key shows the key itself, and a
//! test makes sure the English file has every key the templates use.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The messages of one language, with its `lang` and `dir`.
#[derive(Debug)]
pub struct Messages {
    pub lang: &'static str,
    pub dir: &'static str,
    map: HashMap<&'static str, &'static str>,
}

impl Messages {
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).copied().unwrap_or(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }
}

fn parse(lang: &'static str, dir: &'static str, text: &'static str) -> Messages {
    let map = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    Messages { lang, dir, map }
}

/// English, the only language so far; the others are a file each (and an entry here).
pub fn english() -> &'static Messages {
    static EN: OnceLock<Messages> = OnceLock::new();
    EN.get_or_init(|| parse("en", "ltr", include_str!("messages.en")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `m.t("…")` in a template names a key of the English file.
    #[test]
    fn templates_use_only_known_keys() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = vec![];
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("m.t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !english().has(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from messages.en: {missing:?}"
        );
    }
}
