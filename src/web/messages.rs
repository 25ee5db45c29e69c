//! Interface strings, one message file per official language (`messages.<lang>`, `key = text`
//! lines), compiled into the binary. Templates ask for keys; a missing key shows the English
//! text. Tests make sure every file has exactly the keys of the English one.
//!
//! A line `#! machine-translated` marks every key after it as machine-translated and not yet
//! reviewed, up to a line `#! reviewed`; the pages say so in the footer.
//!
//! The language is the one the reader chose (a cookie set by `/language/{lang}`), else the
//! first of the six in the browser's `Accept-Language`, else English.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use axum::http::{header, HeaderMap};

/// The cookie that remembers the reader's choice.
pub const COOKIE: &str = "plenary_lang";

/// The messages of one language, with its `lang` and `dir`.
#[derive(Debug)]
pub struct Messages {
    pub lang: &'static str,
    pub dir: &'static str,
    /// The language's name in itself, for the switch.
    pub name: &'static str,
    map: HashMap<&'static str, &'static str>,
    machine: HashSet<&'static str>,
    /// Keys in file order, to compare the files.
    #[allow(dead_code)] // read by the tests
    keys: Vec<&'static str>,
}

impl Messages {
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        match self.map.get(key) {
            Some(v) => v,
            None if self.lang != "en" => english().t(key),
            None => key,
        }
    }

    /// The words for a code of the record (a status), from `<group>.<code>` (spaces as `_`);
    /// the code itself where there are none.
    pub fn code<'a>(&'a self, group: &str, code: &'a str) -> &'a str {
        let key = format!("{group}.{}", code.replace(' ', "_"));
        match self
            .map
            .get(key.as_str())
            .or_else(|| english().map.get(key.as_str()))
        {
            Some(v) => v,
            None => code,
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Some of this language's strings are machine-translated and not yet reviewed.
    pub fn machine_translated(&self) -> bool {
        !self.machine.is_empty()
    }

    /// Whether `key`'s text was machine-translated and not yet reviewed.
    pub fn is_machine(&self, key: &str) -> bool {
        self.machine.contains(key)
    }

    /// The interface in every language, for the switch.
    pub fn languages(&self) -> &'static [Messages] {
        all()
    }
}

fn parse(lang: &'static str, name: &'static str, text: &'static str) -> Messages {
    let mut map = HashMap::new();
    let mut machine = HashSet::new();
    let mut keys = vec![];
    let mut machine_now = false;
    for line in text.lines().map(str::trim) {
        match line {
            "#! machine-translated" => machine_now = true,
            "#! reviewed" => machine_now = false,
            l if l.is_empty() || l.starts_with('#') => {}
            l => {
                if let Some((k, v)) = l.split_once('=') {
                    let (k, v) = (k.trim(), v.trim());
                    map.insert(k, v);
                    keys.push(k);
                    if machine_now {
                        machine.insert(k);
                    }
                }
            }
        }
    }
    let dir = if lang == "ar" { "rtl" } else { "ltr" };
    Messages {
        lang,
        dir,
        name,
        map,
        machine,
        keys,
    }
}

/// The six official languages, in the United Nations' order (the English alphabetical order
/// of their names in English: Arabic, Chinese, English, French, Russian, Spanish).
pub fn all() -> &'static [Messages] {
    static ALL: OnceLock<Vec<Messages>> = OnceLock::new();
    ALL.get_or_init(|| {
        vec![
            parse("ar", "العربية", include_str!("messages.ar")),
            parse("zh", "中文", include_str!("messages.zh")),
            parse("en", "English", include_str!("messages.en")),
            parse("fr", "Français", include_str!("messages.fr")),
            parse("ru", "Русский", include_str!("messages.ru")),
            parse("es", "Español", include_str!("messages.es")),
        ]
    })
}

pub fn english() -> &'static Messages {
    get("en").unwrap_or(&all()[2])
}

/// The messages of `lang` (`ar`, `zh`, `en`, `fr`, `ru`, `es`).
pub fn get(lang: &str) -> Option<&'static Messages> {
    all().iter().find(|m| m.lang == lang)
}

/// The reader's language: the remembered choice, else the browser's preference among the six,
/// else English.
pub fn choose(headers: &HeaderMap) -> &'static Messages {
    if let Some(m) = super::session::cookie(headers, COOKIE).and_then(get) {
        return m;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(from_accept_language)
        .unwrap_or_else(english)
}

/// The first of the six among the languages an `Accept-Language` header lists, by quality
/// (`fr-CA` is French, `zh-Hant` is Chinese).
pub fn from_accept_language(value: &str) -> Option<&'static Messages> {
    accept_language::parse(value).iter().find_map(|tag| {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        get(&primary)
    })
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

    /// Each language has every English key, once, and nothing else, none of them empty.
    #[test]
    fn every_language_covers_every_string() {
        let en = english();
        assert!(en.keys.len() > 100);
        for m in all() {
            let mut seen = HashSet::new();
            for k in &m.keys {
                assert!(seen.insert(*k), "{}: {k} twice", m.lang);
                assert!(!m.t(k).is_empty(), "{}: {k} is empty", m.lang);
            }
            let missing: Vec<_> = en.keys.iter().filter(|k| !m.has(k)).collect();
            let extra: Vec<_> = m.keys.iter().filter(|k| !en.has(k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", m.lang);
            assert!(extra.is_empty(), "{} has unknown keys {extra:?}", m.lang);
        }
        assert!(!en.machine_translated());
    }

    #[test]
    fn the_machine_translated_marker_is_read() {
        let m = parse(
            "xx",
            "x",
            "a = 1\n#! machine-translated\nb = 2\n#! reviewed\nc = 3\n",
        );
        assert!(!m.is_machine("a") && m.is_machine("b") && !m.is_machine("c"));
        assert!(m.machine_translated());
    }

    #[test]
    fn the_browser_preference_picks_one_of_the_six() {
        let pick = |h: &str| from_accept_language(h).map(|m| m.lang);
        assert_eq!(pick("fr-CA,fr;q=0.9,en;q=0.8"), Some("fr"));
        assert_eq!(pick("de-DE, ar;q=0.5, en;q=0.3"), Some("ar"));
        assert_eq!(pick("en;q=0.2, zh-Hant;q=0.9"), Some("zh"));
        assert_eq!(pick("de, it"), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("ES"), Some("es"));
    }

    #[test]
    fn a_remembered_choice_wins_over_the_browser() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, "ru".parse().unwrap());
        assert_eq!(choose(&h).lang, "ru");
        h.insert(header::COOKIE, "plenary_lang=es".parse().unwrap());
        assert_eq!(choose(&h).lang, "es");
        h.insert(header::COOKIE, "plenary_lang=xx".parse().unwrap());
        assert_eq!(choose(&h).lang, "ru");
        assert_eq!(choose(&HeaderMap::new()).lang, "en");
        assert_eq!(get("ar").unwrap().dir, "rtl");
    }
}
