//! SHA-256 chain hashes and their hex spelling.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A SHA-256 digest in the audit chain: the hash of one link, or the
/// `prev_hash` a link was computed over.
///
/// Written as 64 **lowercase** hex digits. Upper case is rejected rather than
/// folded so that every hash has exactly one spelling in a database row: a
/// verifier comparing stored text never has to wonder whether `AB` and `ab`
/// were meant to be the same.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash([u8; 32]);

impl Hash {
    /// The `prev_hash` of the first link: 32 zero bytes.
    ///
    /// A fixed, public constant rather than a secret or a random value: the
    /// chain's integrity comes from anchoring its head elsewhere, not from an
    /// unknown starting point, and anyone must be able to re-verify from row 1.
    pub const GENESIS: Hash = Hash([0; 32]);

    /// Wraps raw digest bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Hash(bytes)
    }

    /// The raw digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64-digit lowercase hex spelling.
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for byte in self.0 {
            out.push(char::from(DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
        }
        out
    }

    /// Parses exactly 64 lowercase hex digits.
    pub fn from_hex(text: &str) -> Result<Self, HexError> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            // Count characters, not bytes, so the message matches what a
            // person sees in the column.
            return Err(HexError::Length {
                length: text.chars().count(),
            });
        }
        let mut out = [0u8; 32];
        for (index, pair) in bytes.chunks_exact(2).enumerate() {
            let high = hex_value(pair[0]).ok_or_else(|| invalid(text, index * 2))?;
            let low = hex_value(pair[1]).ok_or_else(|| invalid(text, index * 2 + 1))?;
            out[index] = (high << 4) | low;
        }
        Ok(Hash(out))
    }

    /// SHA-256 over `prev ‖ canonical_event`: the link hash.
    ///
    /// `prev` enters as its 32 raw bytes, not as hex text, and the event as
    /// the UTF-8 bytes of its canonical JSON. There is no separator: `prev`
    /// has a fixed length, so the split point is unambiguous.
    pub fn chain(prev: &Hash, canonical_event: &[u8]) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update(prev.0);
        hasher.update(canonical_event);
        Hash(hasher.finalize().into())
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

fn invalid(text: &str, byte_index: usize) -> HexError {
    // Length was checked in bytes, so a multi-byte character makes the
    // length check pass only when some byte is not ASCII; report the
    // character that contains the offending byte.
    let character = text
        .char_indices()
        .take_while(|(start, _)| *start <= byte_index)
        .last()
        .map_or('\u{fffd}', |(_, c)| c);
    HexError::Character {
        index: byte_index,
        character,
    }
}

/// Why a hash's hex spelling was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// Not 64 characters long.
    #[error("expected 64 hex digits, found {length} characters")]
    Length {
        /// Number of characters found.
        length: usize,
    },
    /// A character other than `0-9a-f`.
    #[error("expected a lowercase hex digit at byte {index}, found {character:?}")]
    Character {
        /// Byte offset of the offending character.
        index: usize,
        /// The offending character.
        character: char,
    },
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl FromStr for Hash {
    type Err = HexError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Hash::from_hex(text)
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Hash::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(5);
        }
        let hash = Hash::from_bytes(bytes);
        let hex = hash.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(Hash::from_hex(&hex), Ok(hash));
        assert_eq!(hex.parse::<Hash>(), Ok(hash));
        assert_eq!(hash.to_string(), hex);
    }

    #[test]
    fn genesis_is_zeros() {
        assert_eq!(Hash::GENESIS.to_hex(), "0".repeat(64));
    }

    #[test]
    fn sha256_of_known_input() {
        // Computed independently: `(head -c 32 /dev/zero; printf abc) | sha256sum`.
        assert_eq!(
            Hash::chain(&Hash::GENESIS, b"abc").to_hex(),
            "365aa7d8f7f9402c4b9434502b4cc89ddb09fe50d7cd95b493b834c62d5a5370"
        );
    }

    #[test]
    fn rejects_malformed_hex() {
        assert_eq!(Hash::from_hex(""), Err(HexError::Length { length: 0 }));
        assert_eq!(
            Hash::from_hex(&"a".repeat(63)),
            Err(HexError::Length { length: 63 })
        );
        assert_eq!(
            Hash::from_hex(&"a".repeat(65)),
            Err(HexError::Length { length: 65 })
        );
        let upper = format!("{}A", "a".repeat(63));
        assert_eq!(
            Hash::from_hex(&upper),
            Err(HexError::Character {
                index: 63,
                character: 'A'
            })
        );
        let spaced = format!("{} {}", "a".repeat(31), "a".repeat(32));
        assert_eq!(
            Hash::from_hex(&spaced),
            Err(HexError::Character {
                index: 31,
                character: ' '
            })
        );
        // 62 ASCII bytes plus one two-byte character: 64 bytes, 63 chars.
        let multibyte = format!("{}é", "a".repeat(62));
        assert_eq!(
            Hash::from_hex(&multibyte),
            Err(HexError::Character {
                index: 62,
                character: 'é'
            })
        );
    }

    #[test]
    fn serde_uses_hex() {
        let hash = Hash::chain(&Hash::GENESIS, b"x");
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(json, format!("\"{}\"", hash.to_hex()));
        assert_eq!(serde_json::from_str::<Hash>(&json).unwrap(), hash);
        assert!(serde_json::from_str::<Hash>("\"zz\"").is_err());
    }
}
