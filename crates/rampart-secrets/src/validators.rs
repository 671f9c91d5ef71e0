//! Checksum and structure validators for captured values.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 6-character base62 checksum GitHub appends to its tokens: CRC32
/// (IEEE) of the random part, written in base62 (`0-9A-Za-z`), most
/// significant digit first, left-padded with `0` to 6 characters.
pub fn github_checksum(random: &str) -> String {
    let mut n = crc32fast::hash(random.as_bytes());
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    // 62^6 > 2^32, so nothing is left over.
    debug_assert_eq!(n, 0);
    String::from_utf8(out.to_vec()).expect("ASCII")
}

/// A GitHub token in the current format (`ghp_`, `gho_`, `ghu_`, `ghs_`,
/// `ghr_` followed by 36 base62 characters): the last 6 characters must be
/// [`github_checksum`] of the 30 random characters before them (the prefix
/// is not part of the checksummed data).
pub fn validate_github_crc32(token: &str) -> bool {
    let Some((prefix, body)) = token.split_once('_') else {
        return false;
    };
    if !matches!(prefix, "ghp" | "gho" | "ghu" | "ghs" | "ghr") {
        return false;
    }
    if body.len() != 36 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let (random, check) = body.split_at(30);
    github_checksum(random) == check
}

/// Decodes unpadded (or padded) base64url; `None` on any other character or
/// an impossible length.
fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A compact JWS: three base64url parts separated by `.`; the header decodes
/// to a JSON object with an `alg` member, the payload to JSON. The signature
/// may be empty only for `"alg": "none"`.
pub fn validate_jwt(token: &str) -> bool {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Some(header) = base64url_decode(h) else {
        return false;
    };
    let Ok(serde_json::Value::Object(header)) =
        serde_json::from_slice::<serde_json::Value>(&header)
    else {
        return false;
    };
    let Some(alg) = header.get("alg").and_then(|a| a.as_str()) else {
        return false;
    };
    let Some(payload) = base64url_decode(p) else {
        return false;
    };
    if serde_json::from_slice::<serde_json::Value>(&payload).is_err() {
        return false;
    }
    if sig.is_empty() {
        return alg.eq_ignore_ascii_case("none");
    }
    base64url_decode(sig).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random base62 string (xorshift), so the test
    /// builds its own tokens instead of trusting a stored one.
    fn random_base62(seed: u64, len: usize) -> String {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                BASE62[(x % 62) as usize] as char
            })
            .collect()
    }

    #[test]
    fn github_checksum_roundtrip_and_one_char_change_fails() {
        for seed in 1..200u64 {
            let random = random_base62(seed, 30);
            let token = format!("ghp_{random}{}", github_checksum(&random));
            assert_eq!(token.len(), 40);
            assert!(validate_github_crc32(&token), "{token}");
            for prefix in ["gho_", "ghu_", "ghs_", "ghr_"] {
                assert!(validate_github_crc32(&token.replacen("ghp_", prefix, 1)));
            }
            // Change one character of the random part, then of the checksum.
            for pos in [4, 20, 33, 34, 39] {
                let mut bytes = token.clone().into_bytes();
                bytes[pos] = if bytes[pos] == b'a' { b'b' } else { b'a' };
                let changed = String::from_utf8(bytes).unwrap();
                assert!(!validate_github_crc32(&changed), "{changed}");
            }
        }
    }

    #[test]
    fn github_checksum_known_value() {
        // Independently computed: CRC32("Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y") in base62.
        assert!(validate_github_crc32(
            "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"
        ));
        assert!(!validate_github_crc32(
            "ghx_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IL"
        ));
        assert!(!validate_github_crc32(
            "ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1I"
        ));
        assert!(!validate_github_crc32(
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        ));
    }

    #[test]
    fn base64url() {
        assert_eq!(base64url_decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url_decode("aGVsbG8=").unwrap(), b"hello");
        assert!(base64url_decode("a+b/").is_none());
        assert!(base64url_decode("a").is_none());
    }

    #[test]
    fn jwt() {
        let good = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiAidS04MDUzIiwgImlhdCI6IDE3MDA5MDU5NTN9.jtS3wnZNKlpNdncG-F2GkAJK1r2jQBvpyMvMyTX2zR8";
        assert!(validate_jwt(good));
        // No `alg` in the header.
        assert!(!validate_jwt(
            "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.YSJq4VM4rho0AE0zug0kasBMgbG68j47-e71958rSTQ"
        ));
        assert!(!validate_jwt(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0"
        ));
        assert!(!validate_jwt(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGpzb24.c2ln"
        ));
        // Unsigned token with a signature-less alg "none" is structurally valid.
        assert!(validate_jwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."));
        assert!(!validate_jwt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0."));
    }
}
