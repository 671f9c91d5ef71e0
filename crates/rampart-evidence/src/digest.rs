//! The content address of a blob.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest: the identity and storage address of an evidence blob.
///
/// Written as 64 lowercase hex digits (what `sha256sum` prints). Parsing
/// accepts uppercase digits too, because people paste digests from tools
/// that print them that way; the value is the same and `Display` always
/// normalises to lowercase, so a digest has exactly one storage key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest(pub [u8; 32]);

impl Sha256Digest {
    /// The digest of `bytes`, computed in one go (for small inputs and tests).
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (i, byte) in self.0.iter().enumerate() {
            out[2 * i] = HEX[usize::from(byte >> 4)];
            out[2 * i + 1] = HEX[usize::from(byte & 0x0f)];
        }
        // Only ASCII hex digits were written.
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({self})")
    }
}

/// Why a string is not a SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestParseError {
    /// Not 64 characters long.
    #[error("a SHA-256 digest is 64 hex digits, this one has {0} characters")]
    Length(usize),
    /// A character that is not a hex digit.
    #[error("a SHA-256 digest is 64 hex digits, found {found:?} at character {position}")]
    NotHex {
        /// The offending character.
        found: char,
        /// Its position, counted in characters from 1.
        position: usize,
    },
}

impl FromStr for Sha256Digest {
    type Err = DigestParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // Checked per character, not per byte, so that multibyte input is
        // reported (and never sliced) correctly.
        let mut nibbles = [0u8; 64];
        let mut count = 0;
        for (index, c) in text.chars().enumerate() {
            let value = c.to_digit(16).ok_or(DigestParseError::NotHex {
                found: c,
                position: index + 1,
            })?;
            if let Some(slot) = nibbles.get_mut(index) {
                // to_digit(16) is below 16.
                *slot = value as u8;
            }
            count = index + 1;
        }
        if count != 64 {
            return Err(DigestParseError::Length(count));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(nibbles.chunks_exact(2)) {
            *byte = (pair[0] << 4) | pair[1];
        }
        Ok(Self(bytes))
    }
}

impl serde::Serialize for Sha256Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Sha256Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Sha256Digest;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a SHA-256 digest as 64 hex digits")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn round_trips_and_matches_sha256sum() {
        let digest: Sha256Digest = ABC.parse().unwrap();
        assert_eq!(digest, Sha256Digest::of(b"abc"));
        assert_eq!(digest.to_string(), ABC);
        assert_eq!(format!("{digest:?}"), format!("Sha256Digest({ABC})"));
    }

    #[test]
    fn uppercase_is_accepted_and_normalised() {
        let digest: Sha256Digest = ABC.to_uppercase().parse().unwrap();
        assert_eq!(digest.to_string(), ABC);
    }

    #[test]
    fn bad_input_is_an_error_naming_the_problem() {
        let cases: Vec<(String, DigestParseError)> = vec![
            (String::new(), DigestParseError::Length(0)),
            (ABC[..63].to_owned(), DigestParseError::Length(63)),
            (format!("{ABC}0"), DigestParseError::Length(65)),
            (
                format!("{}g", &ABC[..63]),
                DigestParseError::NotHex {
                    found: 'g',
                    position: 64,
                },
            ),
            (
                format!(" {}", &ABC[..63]),
                DigestParseError::NotHex {
                    found: ' ',
                    position: 1,
                },
            ),
            (
                format!("{}\n", &ABC[..63]),
                DigestParseError::NotHex {
                    found: '\n',
                    position: 64,
                },
            ),
            // 64 bytes but 32 characters: must not be sliced mid-character.
            (
                "é".repeat(32),
                DigestParseError::NotHex {
                    found: 'é',
                    position: 1,
                },
            ),
            (
                format!("{}é", &ABC[..62]),
                DigestParseError::NotHex {
                    found: 'é',
                    position: 63,
                },
            ),
            // Full-width digits are Unicode digits but not hex digits.
            (
                format!("{}１", &ABC[..63]),
                DigestParseError::NotHex {
                    found: '１',
                    position: 64,
                },
            ),
            (
                format!("0x{}", &ABC[..62]),
                DigestParseError::NotHex {
                    found: 'x',
                    position: 2,
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(input.parse::<Sha256Digest>(), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn long_input_fails_on_its_first_bad_character_or_length() {
        let long = "a".repeat(10_000);
        assert_eq!(
            long.parse::<Sha256Digest>(),
            Err(DigestParseError::Length(10_000))
        );
    }

    #[test]
    fn serde_uses_the_hex_string() {
        let digest = Sha256Digest::of(b"abc");
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(json, format!("\"{ABC}\""));
        assert_eq!(serde_json::from_str::<Sha256Digest>(&json).unwrap(), digest);
        let error = serde_json::from_str::<Sha256Digest>("\"abc\"").unwrap_err();
        assert!(error.to_string().contains("3 characters"), "{error}");
    }
}
