//! RFC 8785 conformance of `canonical_json`.
//!
//! Expected outputs come from RFC 8785 itself (the §3.2.2 example, the
//! §3.2.3 sorting example, the Appendix B number table) and from the test
//! data published alongside it by its first author
//! (github.com/cyberphone/json-canonicalization, `testdata/*/weird.json`).

use rampart_audit::{CanonicalError, MAX_DEPTH, canonical_json, write_number};
use serde_json::{Value, json};

fn canon_text(input: &str) -> String {
    let value: Value = serde_json::from_str(input).expect("test input is JSON");
    canonical_json(&value).expect("test input is canonicalisable")
}

fn number(value: f64) -> String {
    let mut out = String::new();
    write_number(value, &mut out);
    out
}

/// RFC 8785 §3.2.2: the example object, whose serialisation §3.2.2 and §3.2.4
/// give (member order per §3.2.3).
#[test]
fn rfc8785_section_3_2_2_example() {
    let input = r#"{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"#;
    let expected = concat!(
        r#"{"literals":[null,true,false],"#,
        r#""numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"#,
        r#""string":"€$\u000f\nA'B\"\\\\\"/"}"#
    );
    assert_eq!(canon_text(input), expected);
}

/// RFC 8785 §3.2.3: property sorting by UTF-16 code units, where the emoji
/// (a surrogate pair starting 0xD83D) sorts before U+FB33 although its code
/// point is higher.
#[test]
fn rfc8785_section_3_2_3_sorting() {
    let input = r#"{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }"#;
    let expected = concat!(
        "{\"\\r\":\"Carriage Return\",",
        "\"1\":\"One\",",
        "\"\u{80}\":\"Control\",",
        "\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",",
        "\"\u{20ac}\":\"Euro Sign\",",
        "\"\u{1f600}\":\"Emoji: Grinning Face\",",
        "\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
    );
    assert_eq!(canon_text(input), expected);
}

/// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text. The
/// two non-finite rows (NaN, Infinity) cannot be held by a
/// `serde_json::Value` at all; see `non_finite_numbers_cannot_enter`.
#[test]
fn rfc8785_appendix_b_numbers() {
    let table: &[(u64, &str)] = &[
        (0x0000000000000000, "0"),
        (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"),
        (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"),
        (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"),
        (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"),
        (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"),
        (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"),
        (0xbecbf647612f3696, "-0.0000033333333333333333"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ];
    // The last row ("round to even" in the RFC) is an exact tie between two
    // shortest candidates, where Rust's own formatting rounds up.
    assert_eq!(
        format!("{:e}", f64::from_bits(0x43143ff3c1cb0959)),
        "1.4249539237812063e15"
    );
    for &(bits, expected) in table {
        let value = f64::from_bits(bits);
        assert_eq!(number(value), expected, "bits {bits:016x}");
        // Through a `Value` too: the same path an audit payload takes.
        let json = Value::from(value);
        assert_eq!(canonical_json(&json).unwrap(), expected, "bits {bits:016x}");
    }
}

#[test]
fn non_finite_numbers_cannot_enter() {
    // `serde_json` turns non-finite floats into `null`, so a payload can
    // never carry one; the canonical form is then `null` too.
    assert_eq!(Value::from(f64::NAN), Value::Null);
    assert_eq!(Value::from(f64::INFINITY), Value::Null);
    assert!(serde_json::Number::from_f64(f64::NEG_INFINITY).is_none());
    assert!(serde_json::from_str::<Value>("NaN").is_err());
    assert!(serde_json::from_str::<Value>("1e400").is_err());
}

/// The RFC author's `weird.json` vector: DEL and `</script>` are not escaped.
#[test]
fn cyberphone_weird_vector() {
    let input = r#"{
      "\u20ac": "Euro Sign",
      "1": "One",
      "\u0080": "Control\u007f",
      "\ud83d\ude02": "Smiley",
      "\u00f6": "Latin Small Letter O With Diaeresis",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "</script>": "Browser Challenge"
    }"#;
    let expected = concat!(
        "{\"1\":\"One\",\"</script>\":\"Browser Challenge\",",
        "\"\u{80}\":\"Control\u{7f}\",",
        "\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",",
        "\"\u{20ac}\":\"Euro Sign\",\"\u{1f602}\":\"Smiley\",",
        "\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
    );
    assert_eq!(canon_text(input), expected);
}

#[test]
fn keys_sort_by_utf16_not_by_code_point() {
    // U+E000 (private use) is above every surrogate in UTF-16 but below
    // U+10000 as a code point: UTF-16 order puts the supplementary
    // characters first.
    let value = json!({
        "\u{e000}": 1,
        "\u{10000}": 2,
        "\u{1f600}": 3,
        "\u{ffff}": 4,
        "z": 5,
        "\u{7f}": 6,
        "": 7,
        "a\u{1f600}": 8,
        "a": 9,
    });
    let keys_in_output: Vec<String> = {
        let text = canonical_json(&value).unwrap();
        let parsed: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
        parsed.keys().cloned().collect()
    };
    assert_eq!(
        keys_in_output,
        [
            "",
            "a",
            "a\u{1f600}",
            "z",
            "\u{7f}",
            "\u{10000}",
            "\u{1f600}",
            "\u{e000}",
            "\u{ffff}"
        ]
    );
    // Plain `str` ordering would disagree, which is the point of the test.
    let mut by_code_point = keys_in_output.clone();
    by_code_point.sort();
    assert_ne!(by_code_point, keys_in_output);
}

#[test]
fn every_control_character_is_escaped_as_jcs_specifies() {
    let all_controls: String = (0u8..0x20).map(char::from).collect();
    let text = canonical_json(&Value::String(all_controls)).unwrap();
    let expected = concat!(
        "\"",
        r"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007",
        r"\b\t\n\u000b\f\r\u000e\u000f",
        r"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017",
        r"\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f",
        "\""
    );
    assert_eq!(text, expected);
    // Quote, backslash, slash, DEL, line separators, non-ASCII.
    let text = canonical_json(&json!("\"\\/\u{7f}\u{2028}\u{2029}é😀")).unwrap();
    assert_eq!(text, "\"\\\"\\\\/\u{7f}\u{2028}\u{2029}é😀\"");
    // Keys are escaped the same way.
    let text = canonical_json(&json!({"a\nb": "\u{1}"})).unwrap();
    assert_eq!(text, r#"{"a\nb":"\u0001"}"#);
}

#[test]
fn numbers() {
    let cases: &[(&str, &str)] = &[
        ("0", "0"),
        ("-0", "0"),
        ("0.0", "0"),
        ("-0.0", "0"),
        ("1", "1"),
        ("-1", "-1"),
        ("1.0", "1"),
        ("1e21", "1e+21"),
        ("1E21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("1e-7", "1e-7"),
        ("1e-6", "0.000001"),
        ("0.1", "0.1"),
        ("-0.5", "-0.5"),
        ("100", "100"),
        ("1e2", "100"),
        ("12.5e-1", "1.25"),
        ("9007199254740991", "9007199254740991"),
        ("-9007199254740991", "-9007199254740991"),
        ("9007199254740992.0", "9007199254740992"),
        ("18446744073709551616", "18446744073709552000"),
        ("123456789012345678901234567890.0", "1.2345678901234568e+29"),
    ];
    for &(input, expected) in cases {
        assert_eq!(canon_text(input), expected, "input {input}");
    }
}

#[test]
fn integers_that_a_double_cannot_hold_are_rejected() {
    for input in [
        "9007199254740992",
        "-9007199254740992",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
    ] {
        let value: Value = serde_json::from_str(input).unwrap();
        assert_eq!(
            canonical_json(&value),
            Err(CanonicalError::UnsafeInteger {
                path: String::new(),
                value: input.to_owned()
            }),
            "input {input}"
        );
    }
    let value = json!({"ids": [1, {"big": u64::MAX}]});
    assert_eq!(
        canonical_json(&value).unwrap_err().to_string(),
        "number 18446744073709551615 at `/ids/1/big` is outside ±(2^53 − 1) and would lose \
         precision; store it as a string"
    );
}

#[test]
fn nested_arrays_and_objects() {
    let input = r#"{ "b" : [ 1 , [ ] , { } , [ { "y" : 2 , "x" : [ true , null ] } ] ] ,
                     "a" : { "d" : { } , "c" : [ [ [ ] ] ] } }"#;
    assert_eq!(
        canon_text(input),
        r#"{"a":{"c":[[[]]],"d":{}},"b":[1,[],{},[{"x":[true,null],"y":2}]]}"#
    );
    assert_eq!(canon_text("[]"), "[]");
    assert_eq!(canon_text("{}"), "{}");
    assert_eq!(canon_text(r#""""#), r#""""#);
    // Array order is data and is kept.
    assert_eq!(canon_text("[3,1,2]"), "[3,1,2]");
}

#[test]
fn canonical_form_is_a_fixed_point_and_parses_back() {
    let input = r#"{"z":[1.5e300,-2.5e-300,{"é":"\u00e9","e\u0301":0}],"a":"\u001f\ud834\udd1e"}"#;
    let once = canon_text(input);
    let twice = canon_text(&once);
    assert_eq!(once, twice);
    let original: Value = serde_json::from_str(input).unwrap();
    let reparsed: Value = serde_json::from_str(&once).unwrap();
    assert_eq!(original, reparsed);
    // No Unicode normalisation: precomposed and decomposed é stay distinct.
    assert!(once.contains("\"é\":\"é\""));
    assert!(once.contains("\"e\u{301}\":0"));
}

fn nested_arrays(depth: usize) -> Value {
    let mut value = Value::Null;
    for _ in 0..depth {
        value = Value::Array(vec![value]);
    }
    value
}

#[test]
fn nesting_limit_matches_what_serde_json_can_read_back() {
    let deepest = nested_arrays(MAX_DEPTH);
    let text = canonical_json(&deepest).unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_ok());
    // One level more is what serde_json would refuse.
    let too_deep_text = format!("[{text}]");
    assert!(serde_json::from_str::<Value>(&too_deep_text).is_err());
    let error = canonical_json(&nested_arrays(MAX_DEPTH + 1)).unwrap_err();
    let expected_path = "/0".repeat(MAX_DEPTH);
    assert_eq!(
        error,
        CanonicalError::TooDeep {
            path: expected_path,
            limit: MAX_DEPTH
        }
    );
    // Far deeper input is refused at the limit, without recursing through
    // all of it.
    assert!(matches!(
        canonical_json(&nested_arrays(10_000)),
        Err(CanonicalError::TooDeep { .. })
    ));
}

/// Deterministic pseudo-random numbers (SplitMix64); no dependency needed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Splits any decimal number text into its significant digits (no leading or
/// trailing zeros) and the exponent `n` such that value = 0.DIGITS × 10^n.
fn decimal_parts(text: &str) -> (String, i64) {
    let text = text.trim_start_matches('-');
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i64>().unwrap()),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{whole}{fraction}");
    let leading = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0').to_owned();
    (digits, whole.len() as i64 - leading as i64 + exponent)
}

/// Every finite double tried reads back as itself (with `str::parse` and
/// with `serde_json`, which the verifier uses), and its digits agree with
/// `serde_json`'s own shortest-float formatter, an independent
/// implementation of the same "shortest, closest, ties to even" rule.
#[test]
fn numbers_round_trip_and_agree_with_an_independent_shortest_formatter() {
    let mut rng = SplitMix64(0x5eed_0001);
    let mut checked = 0;
    while checked < 200_000 {
        // Half raw bit patterns (every exponent), half "human" values.
        let value = if checked % 2 == 0 {
            f64::from_bits(rng.next())
        } else {
            let mantissa = (rng.next() % 1_000_000) as f64;
            let scale = 10f64.powi((rng.next() % 40) as i32 - 20);
            mantissa * scale
        };
        if !value.is_finite() || value == 0.0 {
            continue;
        }
        let ours = number(value);
        assert_eq!(
            ours.parse::<f64>().unwrap(),
            value,
            "{ours} does not round-trip"
        );
        // The verifier reads events back with serde_json: it must agree.
        let reread: f64 = serde_json::from_str(&ours).unwrap();
        assert_eq!(
            reread.to_bits(),
            value.to_bits(),
            "serde_json misreads {ours}"
        );
        let theirs = serde_json::to_string(&value).unwrap();
        assert_eq!(
            decimal_parts(&ours),
            decimal_parts(&theirs),
            "digits differ for {value:e}: ours {ours}, serde_json {theirs}"
        );
        checked += 1;
    }
}
