//! Hostile inputs for the scanner with every built-in rule (low confidence
//! included): huge single lines, keywords repeated back to back, nested
//! prefixes, invalid UTF-8, random binary. Each must finish without a panic
//! (the engine's debug assertions check its windows as it goes); none of
//! these tests measures time (timing never goes into a pass/fail test), but
//! they are sized so that a quadratic engine would not finish in any
//! reasonable time.
//!
//! Sizes: 100 MB in optimised builds (`cargo test --release`); 2 MB in debug
//! builds, where the keyword pass and the regex crate run too slowly for
//! 100 MB inputs to be a sensible part of `cargo test`.

use std::sync::OnceLock;

use rampart_secrets::{Ruleset, ScanOptions, Scanner};

const BIG: usize = if cfg!(debug_assertions) {
    2 << 20
} else {
    100 << 20
};

/// A classic GitHub token with a valid checksum (from the engine's tests).
const GH: &str = "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";

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        Scanner::new(
            &Ruleset::builtin().expect("built-in rules load"),
            ScanOptions {
                include_low_confidence: true,
            },
        )
    })
}

/// `unit` repeated up to `len` bytes.
fn repeat(unit: &[u8], len: usize) -> Vec<u8> {
    unit.iter().copied().cycle().take(len).collect()
}

/// Deterministic pseudo-random bytes (xorshift64).
fn random_bytes(len: usize, mut x: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Scans `data`, then `data` followed by a real-looking token on its own
/// line, which must still be found at the right place.
fn finishes_and_still_finds(data: Vec<u8>) {
    let s = scanner();
    let _ = s.scan(&data);
    let mut data = data;
    data.push(b'\n');
    let at = data.len();
    data.extend_from_slice(GH.as_bytes());
    data.push(b'\n');
    let found = s.scan(&data);
    assert!(
        found.iter().any(|m| m.secret == GH && m.start == at),
        "the token after the hostile input was not found"
    );
}

#[test]
fn single_line_without_keywords() {
    finishes_and_still_finds(repeat(b"lorem ipsum dolor sit amet 0123456789 ", BIG));
}

#[test]
fn single_line_of_one_keyword() {
    // Every rule anchored on these has a window at every position.
    finishes_and_still_finds(repeat(b"password=", BIG / 4));
    finishes_and_still_finds(repeat(b"token ", BIG / 4));
}

#[test]
fn single_line_of_every_keyword() {
    let s = scanner();
    let mut unit = Vec::new();
    for rule in s.rules() {
        for k in &rule.keywords {
            unit.extend_from_slice(k.as_bytes());
            unit.extend_from_slice(b" = \"q8Zr2Lw9Xc\" ");
        }
    }
    finishes_and_still_finds(repeat(&unit, BIG / 2));
}

#[test]
fn nested_repeated_prefixes() {
    for unit in [
        &b"ghp_"[..],
        b"-----BEGIN ",
        b"-----BEGIN RSA PRIVATE KEY-----",
        b"password=",
        b"AKIA",
        b"eyJ",
        b"xoxb-1234567890-",
        b"https://user:",
        b"rampart:ignore ",
        b"$2b$",
    ] {
        finishes_and_still_finds(repeat(unit, BIG / 8));
    }
}

#[test]
fn unterminated_private_key_block() {
    // A PEM header followed by a long run of base64 and newlines that never
    // ends: the key rules' windows run to the end of the input.
    let mut data = b"-----BEGIN OPENSSH PRIVATE KEY-----\n".to_vec();
    let line = b"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n";
    data.extend(repeat(line, BIG / 4));
    finishes_and_still_finds(data);
}

#[test]
fn invalid_utf8() {
    let mut data = Vec::with_capacity(BIG / 4);
    let units: [&[u8]; 4] = [
        b"\xff\xfe",
        b"password=\xc3\x28",
        b"\xe2\x82",
        b"token:\xf0\x9f\x92",
    ];
    let mut i = 0usize;
    while data.len() < BIG / 4 {
        data.extend_from_slice(units[i % units.len()]);
        i += 1;
    }
    finishes_and_still_finds(data);
}

#[test]
fn random_binary_blob() {
    finishes_and_still_finds(random_bytes(BIG / 2, 0x9e37_79b9_7f4a_7c15));
}

#[test]
fn random_keywords_in_random_bytes() {
    // Keywords, near-misses and random bytes mixed on one line.
    let s = scanner();
    let keywords: Vec<&[u8]> = s
        .rules()
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.as_bytes()))
        .collect();
    let noise = random_bytes(BIG / 4, 0x2545_f491_4f6c_dd1d);
    let mut data = Vec::with_capacity(noise.len() * 2);
    for (i, chunk) in noise.chunks(7).enumerate() {
        data.extend(chunk.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
        data.extend_from_slice(keywords[(i * 31) % keywords.len()]);
    }
    finishes_and_still_finds(data);
}
