//! `canonical_json` against the reference canonicaliser (`serde_json_canonicalizer`): the
//! document ids already on ledgers were computed with it, so the bytes must stay identical.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::canonical_json;

fn reference(v: &Value) -> Vec<u8> {
    serde_json_canonicalizer::to_vec(v).unwrap()
}

fn assert_same(v: &Value) {
    let ours = canonical_json(v).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&reference(v)),
        "for {v}"
    );
}

#[test]
fn the_dcsa_sample_canonicalises_exactly_as_the_reference_does() {
    let sample: Value =
        serde_json::from_str(include_str!("testkit/dcsa-issuance-request.json")).unwrap();
    assert_same(&sample);
    assert_same(&sample["document"]);
}

#[test]
fn awkward_keys_strings_and_numbers_canonicalise_as_the_reference_does() {
    let values = [
        json!({"\u{e000}": 1, "\u{1F600}": 2, "a": 3, "\u{ffff}": 4, "\u{10000}": 5, "": 6}),
        json!({"b": [1, {"z": null, "y": true}], "a": {"d": false, "c": []}}),
        json!([
            "\"",
            "\\",
            "/",
            "\u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f}",
            "é€😀",
            "\u{2028}"
        ]),
        json!([
            0,
            -0.0,
            1,
            -1,
            0.1,
            1e21,
            1e20,
            1e-7,
            1e-6,
            123.456e10,
            -5e-324,
            1.7976931348623157e308
        ]),
        json!([
            9_007_199_254_740_991_u64,
            9_007_199_254_740_992_u64,
            9_007_199_254_740_993_u64
        ]),
        json!([
            u64::MAX,
            i64::MIN,
            i64::MAX,
            -9_007_199_254_740_993_i64,
            -9_007_199_254_740_991_i64
        ]),
        json!({}),
        json!([]),
        json!("plain"),
        json!(null),
    ];
    for v in &values {
        assert_same(v);
    }
}

/// A small deterministic generator (no randomness in the ledger's code, only here).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn text(&mut self) -> String {
        const CHARS: [char; 12] = [
            'a',
            'B',
            '0',
            ' ',
            '"',
            '\\',
            '\n',
            '\u{1}',
            'é',
            '\u{e001}',
            '😀',
            '\u{10ffff}',
        ];
        let len = self.next() % 6;
        (0..len)
            .map(|_| CHARS[(self.next() % 12) as usize])
            .collect()
    }

    fn value(&mut self, depth: u32) -> Value {
        let pick = if depth > 3 {
            self.next() % 4
        } else {
            self.next() % 6
        };
        match pick {
            0 => Value::Null,
            1 => Value::Bool(self.next().is_multiple_of(2)),
            2 => match self.next() % 3 {
                0 => json!(self.next() as i64 - (1 << 31)),
                1 => json!((self.next() as f64) / 7.0 - 1e5),
                _ => json!(self.next() << 30),
            },
            3 => Value::String(self.text()),
            4 => Value::Array(
                (0..self.next() % 4)
                    .map(|_| self.value(depth + 1))
                    .collect(),
            ),
            _ => Value::Object(
                (0..self.next() % 5)
                    .map(|_| (self.text(), self.value(depth + 1)))
                    .collect(),
            ),
        }
    }
}

#[test]
fn generated_documents_canonicalise_as_the_reference_does() {
    let mut g = Lcg(0x5eed);
    for _ in 0..3_000 {
        assert_same(&g.value(0));
    }
}
