//! The public pages in Simplified Chinese and English (R370–R373, ADR 0042): which language a
//! request gets, and the one table of every user-visible string (`assets/i18n.json`).
//!
//! # Design
//!
//! [`negotiate`] is pure: the `lang` query parameter and the `Accept-Language` header in, a
//! [`Lang`] out; it never fails, so a request in an unknown language still gets a page (R371).
//! The table is parsed once; a key missing in either language fails its unit test, not a
//! request.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// The table: one entry per key, both languages required (R370).
const TABLE_JSON: &str = include_str!("../assets/i18n.json");

/// R371: at most this many bytes of `Accept-Language` are read, and at most this many of its
/// ranges; a longer header is judged by its start.
const MAX_ACCEPT_LANGUAGE: usize = 512;
const MAX_RANGES: usize = 16;

/// A language of the public pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English: the default (R371).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The `lang` query value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The BCP 47 tag of `<html lang>` and `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// `en` or `zh`; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// A language range of `Accept-Language` (`zh-CN`, `en-GB`, `zh`): its primary subtag.
    fn from_range(range: &str) -> Option<Lang> {
        let primary = range.split('-').next().unwrap_or("");
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::Zh)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// R371: the language of a request: `?lang=` if it names one we have, else the
/// `Accept-Language` range of highest weight we have (the first on a tie), else English.
pub fn negotiate(lang: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(lang) = lang.and_then(Lang::from_code) {
        return lang;
    }
    let Some(header) = accept_language else {
        return Lang::default();
    };
    let header = header.get(..MAX_ACCEPT_LANGUAGE).unwrap_or(header);
    let mut best: Option<(u16, Lang)> = None;
    for item in header.split(',').take(MAX_RANGES) {
        let mut parts = item.split(';');
        let Some(lang) = Lang::from_range(parts.next().unwrap_or("").trim()) else {
            continue;
        };
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1000), parse_weight);
        let Some(weight) = weight.filter(|w| *w > 0) else {
            continue;
        };
        if best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, lang));
        }
    }
    best.map_or(Lang::default(), |(_, lang)| lang)
}

/// A `q` value in thousandths (`0.8` is 800), or `None` if it is not one.
fn parse_weight(q: &str) -> Option<u16> {
    let value: f32 = q.parse().ok()?;
    if !(0.0..=1.0).contains(&value) {
        return None;
    }
    // In 0..=1000 by the check above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((value * 1000.0).round() as u16)
}

/// One key in both languages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    en: String,
    zh: String,
}

fn parse_table() -> Result<BTreeMap<String, Entry>, serde_json::Error> {
    serde_json::from_str(TABLE_JSON)
}

static TABLE: LazyLock<BTreeMap<String, Entry>> =
    LazyLock::new(|| parse_table().unwrap_or_default());

/// R370: the text of `key` in `lang`; an unknown key shows as itself (the unit tests make sure
/// no page uses one).
pub fn text(lang: Lang, key: &str) -> &str {
    match (TABLE.get(key), lang) {
        (Some(entry), Lang::En) => &entry.en,
        (Some(entry), Lang::Zh) => &entry.zh,
        (None, _) => key,
    }
}

/// Every key in `lang`, as a JSON object for the page's script.
pub fn strings(lang: Lang) -> serde_json::Value {
    TABLE
        .keys()
        .map(|key| (key.clone(), text(lang, key).into()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// R372: the label of a stable status code (`VALID`, `SURRENDERED_FOR_AMENDMENT`), shown beside
/// the code, never instead of it.
pub fn status_label(lang: Lang, code: &str) -> String {
    format!("{code} · {}", text(lang, &format!("status_{code}")))
}

#[cfg(test)]
#[path = "i18n_tests.rs"]
mod tests;
