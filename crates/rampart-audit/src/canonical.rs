//! RFC 8785 JSON Canonicalization Scheme (JCS).
//!
//! The audit chain hashes text, so two programs that mean the same event must
//! produce the same bytes. JCS fixes every free choice JSON leaves open:
//!
//! * **Whitespace:** none between tokens.
//! * **Object members:** sorted by the UTF-16 code units of their names
//!   (RFC 8785 §3.2.3), compared as unsigned integers. This differs from
//!   sorting Rust `String`s (UTF-8 byte order = code point order) only when a
//!   name contains a character at or above U+E000 and another one a character
//!   outside the Basic Multilingual Plane: UTF-16 puts `U+FB33` *after*
//!   `U+1F600` because the latter is encoded as the surrogate `0xD83D`.
//! * **Strings** (§3.2.2.2): `"` and `\` are escaped as `\"` and `\\`; the
//!   controls U+0008, U+0009, U+000A, U+000C, U+000D as `\b \t \n \f \r`;
//!   every other control below U+0020 as `\u00xx` with lowercase hex.
//!   Everything else, including `/`, U+007F and all non-ASCII text, is written
//!   as itself in UTF-8. No Unicode normalisation is applied (§3.1).
//! * **Numbers** (§3.2.2.3): the ECMAScript `Number.prototype.toString` form
//!   of the IEEE 754 double, see [`write_number`].
//! * **Literals:** `null`, `true`, `false`.
//!
//! # What this implementation rejects, and why
//!
//! JCS is defined over I-JSON (RFC 7493) values. `serde_json::Value` already
//! cannot hold NaN, infinities, lone surrogates or duplicate member names, so
//! those need no check here. Two things remain, both returned as
//! [`CanonicalError`] with the JSON Pointer of the offending value:
//!
//! * **Integers outside ±(2^53 − 1).** `serde_json` keeps them exactly as
//!   `i64`/`u64`, but JCS would first round them to a double: `2^53 + 1`
//!   would be written as `9007199254740992`. For a tamper-evident log that is
//!   unacceptable — two different payloads would hash the same — so such a
//!   number is an error, and callers put large identifiers in strings, as
//!   RFC 8785 Appendix D recommends.
//! * **Nesting deeper than [`MAX_DEPTH`]**, the limit of `serde_json`'s
//!   parser, so that everything canonicalised here can be parsed back by the
//!   verifier, and so that hostile input cannot exhaust the stack.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

/// Deepest nesting of arrays and objects accepted: 127, the deepest
/// `serde_json`'s parser reads (its recursion limit of 128 is reached by the
/// 128th level). The verifier parses events back with it, so nothing deeper
/// may be hashed.
pub const MAX_DEPTH: usize = 127;

/// The largest integer magnitude accepted: 2^53 − 1, ECMAScript's
/// `Number.MAX_SAFE_INTEGER`. Every integer up to it is exactly representable
/// as a double, so it canonicalises without loss.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a JSON value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// An integer that a double cannot hold exactly.
    #[error(
        "number {value} at `{path}` is outside ±(2^53 − 1) and would lose precision; store it as a string"
    )]
    UnsafeInteger {
        /// JSON Pointer (RFC 6901) to the number; empty for the root.
        path: String,
        /// The number as `serde_json` holds it.
        value: String,
    },
    /// Arrays and objects nested deeper than [`MAX_DEPTH`].
    #[error("value at `{path}` is nested deeper than {limit} levels")]
    TooDeep {
        /// JSON Pointer (RFC 6901) to the first value beyond the limit.
        path: String,
        /// The limit, [`MAX_DEPTH`].
        limit: usize,
    },
}

/// The RFC 8785 canonical form of `value`.
///
/// ```
/// let value = serde_json::json!({"b": [1.50, "\u{20ac}"], "a": null});
/// assert_eq!(
///     rampart_audit::canonical_json(&value).unwrap(),
///     r#"{"a":null,"b":[1.5,"€"]}"#
/// );
/// ```
pub fn canonical_json(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write_canonical_json(value, &mut out)?;
    Ok(out)
}

/// Appends the RFC 8785 canonical form of `value` to `out`.
///
/// On error `out` may hold a partial prefix; callers discard it.
pub fn write_canonical_json(value: &Value, out: &mut String) -> Result<(), CanonicalError> {
    let mut path = Vec::new();
    write_value(value, out, &mut path)
}

/// One step of the path to the value being written, kept only so that an
/// error can name where it happened.
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn write_value<'a>(
    value: &'a Value,
    out: &mut String,
    path: &mut Vec<Segment<'a>>,
) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => write_json_number(number, out, path)?,
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            enter(path)?;
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                path.push(Segment::Index(index));
                write_value(item, out, path)?;
                path.pop();
            }
            out.push(']');
        }
        Value::Object(members) => {
            enter(path)?;
            out.push('{');
            for (index, (key, item)) in sorted_members(members).into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                path.push(Segment::Key(key));
                write_value(item, out, path)?;
                path.pop();
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Checks that one more level of nesting is allowed. `path.len()` is the
/// number of containers already entered.
fn enter(path: &[Segment<'_>]) -> Result<(), CanonicalError> {
    if path.len() >= MAX_DEPTH {
        return Err(CanonicalError::TooDeep {
            path: pointer(path),
            limit: MAX_DEPTH,
        });
    }
    Ok(())
}

/// Members in RFC 8785 order: by UTF-16 code units of the name.
fn sorted_members(members: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut sorted: Vec<_> = members.iter().collect();
    // Names are unique in a `Map`, so an unstable sort is deterministic.
    sorted.sort_unstable_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    sorted
}

/// JSON Pointer (RFC 6901): `~` is written `~0` and `/` is written `~1`.
fn pointer(path: &[Segment<'_>]) -> String {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        match segment {
            Segment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Index(index) => {
                let _ = write!(out, "{index}");
            }
        }
    }
    out
}

fn write_json_number(
    number: &Number,
    out: &mut String,
    path: &[Segment<'_>],
) -> Result<(), CanonicalError> {
    if let Some(int) = number.as_i64() {
        if int.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(unsafe_integer(number, path));
        }
        // A safe integer's ECMAScript form is its plain decimal digits, which
        // is also what `i64`'s `Display` writes.
        let _ = write!(out, "{int}");
    } else if number.is_u64() {
        // `as_i64` failed, so this is above `i64::MAX` and certainly unsafe.
        return Err(unsafe_integer(number, path));
    } else if let Some(float) = number.as_f64() {
        write_number(float, out);
    }
    Ok(())
}

fn unsafe_integer(number: &Number, path: &[Segment<'_>]) -> CanonicalError {
    CanonicalError::UnsafeInteger {
        path: pointer(path),
        value: number.to_string(),
    }
}

/// Appends a JSON string literal escaped as RFC 8785 §3.2.2.2 requires.
pub(crate) fn write_string(text: &str, out: &mut String) {
    out.push('"');
    // Copy runs of characters that need no escaping in one go.
    let mut run_start = 0;
    for (index, c) in text.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{08}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{0c}' => "\\f",
            '\r' => "\\r",
            '\u{00}'..='\u{1f}' => "",
            _ => continue,
        };
        out.push_str(&text[run_start..index]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push_str(escape);
        }
        run_start = index + c.len_utf8();
    }
    out.push_str(&text[run_start..]);
    out.push('"');
}

/// Appends a finite double in ECMAScript `Number.prototype.toString` form
/// (ECMA-262 §6.1.6.1.20, "Number::toString"), which RFC 8785 §3.2.2.3
/// adopts. Non-finite values cannot occur in a `serde_json::Value`; if one is
/// passed anyway it is written as `null`, which is what ECMAScript's
/// `JSON.stringify` does.
///
/// # How this matches ECMAScript
///
/// ECMAScript picks the *shortest* decimal digit string `s` (length `k`) and
/// exponent `n` such that `s × 10^(n−k)` reads back as the same double; among
/// equally short candidates the one closest to the exact value; and between
/// two equally close ones the *even* one (the recommended step of the
/// specification, which V8 and RFC 8785 Appendix B follow).
///
/// Rust's `{:e}` formatting for `f64` (no precision) gives the shortest,
/// closest digits, but breaks an exact tie upwards: for the double
/// 1424953923781206.25 it writes `…206.3` where ECMAScript writes `…206.2`.
/// This function therefore checks for a tie against the double's
/// exact decimal expansion (`{:.767e}` is exact: no double has more than 767
/// significant decimal digits) and takes the even neighbour when it also
/// reads back as the same double.
///
/// The remaining work is layout, by the rules of the specification:
///
/// * `k ≤ n ≤ 21`: the digits followed by `n − k` zeros (`1e21` is the first
///   value written with an exponent);
/// * `0 < n ≤ 21`: a decimal point after the first `n` digits;
/// * `−6 < n ≤ 0`: `0.` followed by `−n` zeros and the digits (`1e-7` is the
///   first small value written with an exponent);
/// * otherwise exponent form `d[.ddd]e±x`, always with a sign.
///
/// Both zeros are written `0`. The whole finite range is supported, from
/// `5e-324` to `1.7976931348623157e+308`; the tests check every finite value
/// of RFC 8785 Appendix B and compare the digits with `serde_json`'s
/// independent shortest-float formatter on 200,000 pseudo-random doubles.
pub fn write_number(value: f64, out: &mut String) {
    if !value.is_finite() {
        out.push_str("null");
        return;
    }
    if value == 0.0 {
        out.push('0');
        return;
    }
    if value < 0.0 {
        out.push('-');
    }
    let (digits, n) = ecmascript_digits(value.abs());
    let k = digits.len() as i64;
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (whole, fraction) = digits.split_at(n as usize);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = n - 1;
        let _ = write!(
            out,
            "e{}{}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        );
    }
}

/// The ECMAScript digits `s` (without trailing zeros) and exponent `n` of a
/// finite positive double: value ≈ 0.s × 10^n.
fn ecmascript_digits(value: f64) -> (String, i64) {
    let (digits, exponent) = split_scientific(&format!("{value:e}"));
    let n = exponent + 1;
    let k = digits.len() as i64;
    // The digits of the exact value; its first digit has weight 10^(exact_n - 1).
    let (exact, exact_exponent) = split_scientific(&format!("{value:.767e}"));
    let exact_n = exact_exponent + 1;
    // `unit` is the weight of the last shortest digit, 10^(n - k); `split` is
    // the index in `exact` of the first digit below it.
    let unit = n - k;
    let Ok(split) = usize::try_from(exact_n - unit) else {
        return (digits, n);
    };
    let Some(rest) = exact.get(split..) else {
        // The exact value has no digits below the unit: no rounding happened.
        return (digits, n);
    };
    let tie = rest.starts_with('5') && rest[1..].bytes().all(|b| b == b'0');
    let odd = digits.bytes().last().is_some_and(|d| (d - b'0') % 2 == 1);
    if !tie || !odd {
        return (digits, n);
    }
    // The value lies exactly halfway between floor = exact[..split] and
    // floor + 1 (in units of 10^unit). The shortest digits are one of the
    // two; try the other, which is even.
    let floor = exact[..split].to_owned();
    let other = if floor.trim_start_matches('0') == digits {
        increment(&floor)
    } else {
        floor
    };
    let other = other.trim_start_matches('0');
    if other.is_empty() {
        return (digits, n);
    }
    let reads_back = format!("{other}e{unit}")
        .parse::<f64>()
        .is_ok_and(|parsed| parsed == value);
    if !reads_back {
        return (digits, n);
    }
    let other_n = other.len() as i64 + unit;
    (other.trim_end_matches('0').to_owned(), other_n)
}

/// Adds one to a decimal digit string: `"129"` → `"130"`, `"99"` → `"100"`.
/// (The bytes stay ASCII digits, so the lossy conversions never lose.)
fn increment(digits: &str) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    for byte in bytes.iter_mut().rev() {
        if *byte == b'9' {
            *byte = b'0';
        } else {
            *byte += 1;
            return String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    format!("1{}", String::from_utf8_lossy(&bytes))
}

/// Splits Rust's `{:e}` output (`1.2345e-7`, `5e-324`) into its significant
/// digits and decimal exponent. Written as a scan rather than with
/// `split_once` and `parse` so that it has no failure path to handle.
fn split_scientific(text: &str) -> (String, i64) {
    let mut digits = String::with_capacity(17);
    let mut exponent: i64 = 0;
    let mut negative = false;
    let mut in_exponent = false;
    for c in text.chars() {
        match c {
            'e' => in_exponent = true,
            '-' if in_exponent => negative = true,
            '0'..='9' if in_exponent => {
                exponent = exponent * 10 + i64::from(c as u8 - b'0');
            }
            '0'..='9' => digits.push(c),
            _ => {}
        }
    }
    (digits, if negative { -exponent } else { exponent })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn number(value: f64) -> String {
        let mut out = String::new();
        write_number(value, &mut out);
        out
    }

    #[test]
    fn layout_boundaries() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(-1.5), "-1.5");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(1e20), "100000000000000000000");
        assert_eq!(number(1e21), "1e+21");
        assert_eq!(number(1.5e21), "1.5e+21");
        assert_eq!(number(1e-6), "0.000001");
        assert_eq!(number(1e-7), "1e-7");
        assert_eq!(number(1.25e-7), "1.25e-7");
        assert_eq!(number(123.456), "123.456");
        assert_eq!(number(f64::NAN), "null");
    }

    #[test]
    fn ties_go_to_the_even_neighbour() {
        // 1424953923781206.25 lies exactly between …206.2 and …206.3.
        assert_eq!(
            format!("{:e}", f64::from_bits(0x43143ff3c1cb0959)),
            "1.4249539237812063e15"
        );
        assert_eq!(
            ecmascript_digits(f64::from_bits(0x43143ff3c1cb0959)),
            ("14249539237812062".to_owned(), 16)
        );
        // Not a tie: nothing changes.
        assert_eq!(ecmascript_digits(0.1), ("1".to_owned(), 0));
        assert_eq!(ecmascript_digits(1e23), ("1".to_owned(), 24));
    }

    #[test]
    fn increment_carries() {
        assert_eq!(increment("129"), "130");
        assert_eq!(increment("99"), "100");
        assert_eq!(increment(""), "1");
    }

    #[test]
    fn pointer_escapes_tilde_and_slash() {
        let value = json!({"a/b": {"c~d": [0, 1, 9007199254740992u64]}});
        assert_eq!(
            canonical_json(&value),
            Err(CanonicalError::UnsafeInteger {
                path: "/a~1b/c~0d/2".into(),
                value: "9007199254740992".into()
            })
        );
    }
}
