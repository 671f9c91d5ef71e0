//! Step 10: evidence items, their chain of custody, and analysis results.
//!
//! An evidence item is metadata: what it is, its SHA-256 as computed on
//! intake, and where the bytes are (Rampart's own write-once store, or
//! somewhere outside such as a disk image in cold storage). The bytes
//! themselves are the evidence store's business; this module only says what
//! a custody log must hold and which fields an item may never change.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::record::RecordError;
use crate::text::{NonEmptyText, UserName};

/// A SHA-256 digest as 64 lowercase hexadecimal characters.
///
/// Upper-case input is accepted and lowered: `sha256sum` prints lower case,
/// but some imaging tools print upper case, and both mean the same digest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// The digest's hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Sha256Hex {
    type Err = RecordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(RecordError::Sha256 {
                input: s.chars().take(70).collect(),
            })
        }
    }
}

impl TryFrom<String> for Sha256Hex {
    type Error = RecordError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Sha256Hex> for String {
    fn from(value: Sha256Hex) -> Self {
        value.0
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an evidence item's bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", deny_unknown_fields)]
pub enum EvidenceStorage {
    /// Uploaded to Rampart and kept, content-addressed and write-once, in its
    /// evidence store. The digest was computed by the server on intake.
    Stored {
        /// The media type the uploader declared (never sniffed or trusted
        /// for rendering: downloads are always served as attachments).
        media_type: String,
    },
    /// Kept outside Rampart (a disk image in cold storage, a seized laptop);
    /// the digest is the one its custodian computed.
    External {
        /// Where it is ("evidence safe B, shelf 2, bag 2026-117").
        location: NonEmptyText,
    },
}

/// Step 10: one piece of evidence. Created by an upload or a registration,
/// never through the generic record routes, and never changed afterwards:
/// what it is and its digest are what the custody log vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceItem {
    /// A short name: the uploaded file's name, or a label.
    pub name: NonEmptyText,
    /// What it is and why it matters.
    #[serde(default)]
    pub description: Option<NonEmptyText>,
    /// SHA-256 of the bytes.
    pub sha256: Sha256Hex,
    /// Size in bytes, when known (always for uploads).
    #[serde(default)]
    pub size: Option<u64>,
    /// Where the bytes are.
    pub storage: EvidenceStorage,
    /// Where the evidence was collected ("/var/log/nginx on edge-2").
    #[serde(default)]
    pub source: Option<NonEmptyText>,
    /// When it was collected, if not at intake.
    #[serde(default)]
    pub collected_at: Option<Timestamp>,
    /// Who collected it, if not whoever took it in (an outside firm).
    #[serde(default)]
    pub collected_by: Option<NonEmptyText>,
}

impl EvidenceItem {
    /// Whether Rampart holds the bytes.
    pub fn is_stored(&self) -> bool {
        matches!(self.storage, EvidenceStorage::Stored { .. })
    }
}

/// What a responder submits to register evidence kept outside Rampart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalEvidenceInput {
    /// A label ("laptop of j.doe, disk image").
    pub name: NonEmptyText,
    /// What it is.
    #[serde(default)]
    pub description: Option<NonEmptyText>,
    /// Where it is kept.
    pub location: NonEmptyText,
    /// The digest its custodian computed.
    pub sha256: Sha256Hex,
    /// Its size in bytes, if known.
    #[serde(default)]
    pub size: Option<u64>,
    /// Where it was collected.
    #[serde(default)]
    pub source: Option<NonEmptyText>,
    /// When it was collected.
    #[serde(default)]
    pub collected_at: Option<Timestamp>,
    /// Who collected it.
    #[serde(default)]
    pub collected_by: Option<NonEmptyText>,
}

impl From<ExternalEvidenceInput> for EvidenceItem {
    fn from(input: ExternalEvidenceInput) -> Self {
        Self {
            name: input.name,
            description: input.description,
            sha256: input.sha256,
            size: input.size,
            storage: EvidenceStorage::External {
                location: input.location,
            },
            source: input.source,
            collected_at: input.collected_at,
            collected_by: input.collected_by,
        }
    }
}

macro_rules! custody_actions {
    ($($(#[$meta:meta])* $variant:ident => $text:literal,)+) => {
        /// What happened to an evidence item.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum CustodyAction {
            $($(#[$meta])* $variant,)+
        }

        impl CustodyAction {
            /// Every action.
            pub const ALL: &[Self] = &[$(Self::$variant,)+];

            /// The stored and serialized name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// Parses [`as_str`](Self::as_str)'s output.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|a| a.as_str() == text)
            }
        }
    };
}

custody_actions! {
    /// The bytes were uploaded and hashed by the server.
    Intake => "intake",
    /// An item kept outside Rampart was registered.
    Registered => "registered",
    /// Someone read the item's metadata.
    Viewed => "viewed",
    /// Someone downloaded the bytes (after the digest was re-verified).
    Downloaded => "downloaded",
    /// The item was part of an export (custody report and bytes).
    Exported => "exported",
    /// The stored bytes no longer match the digest taken on intake.
    IntegrityFailure => "integrity_failure",
}

impl fmt::Display for CustodyAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl CustodyAction {
    /// Whether the action hands the bytes to someone, so it needs a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Downloaded | Self::Exported)
    }
}

/// One entry of an item's chain of custody: who did what with it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEvent {
    /// What happened.
    pub action: CustodyAction,
    /// Who did it.
    pub actor: UserName,
    /// When.
    pub at: Timestamp,
    /// Why (required for downloads and exports).
    pub reason: Option<NonEmptyText>,
    /// Facts worth keeping (the digest found on an integrity failure).
    pub detail: Option<String>,
}

impl CustodyEvent {
    /// An event; `reason` is required for actions that hand over the bytes.
    pub fn new(
        action: CustodyAction,
        actor: UserName,
        at: Timestamp,
        reason: Option<NonEmptyText>,
    ) -> Result<Self, RecordError> {
        if action.needs_reason() && reason.is_none() {
            return Err(RecordError::CustodyReasonRequired { action });
        }
        Ok(Self {
            action,
            actor,
            at,
            reason,
            detail: None,
        })
    }

    /// The same event with `detail` attached.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Step 10: the result of analysing evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForensicAnalysis {
    /// What was examined for ("persistence on build-7").
    pub title: NonEmptyText,
    /// The evidence items (record ids) it rests on.
    #[serde(default)]
    pub evidence: Vec<i64>,
    /// How (tools, procedure), so the analysis can be repeated.
    pub method: NonEmptyText,
    /// What was found.
    pub result: NonEmptyText,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_accepts_only_64_hex_digits() {
        let good = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assert_eq!(
            good.parse::<Sha256Hex>().unwrap().as_str(),
            good.to_ascii_lowercase()
        );
        for bad in [
            "",
            &good[1..],
            &format!("{good}0"),
            &good.replace('B', "g"),
            "é".repeat(32).as_str(),
            "sha256:ba7816bf",
        ] {
            assert!(bad.parse::<Sha256Hex>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn downloads_and_exports_need_a_reason() {
        let alice = UserName::parse("alice").unwrap();
        let now = Timestamp::UNIX_EPOCH;
        for &action in CustodyAction::ALL {
            let without = CustodyEvent::new(action, alice.clone(), now, None);
            assert_eq!(without.is_err(), action.needs_reason(), "{action}");
            assert_eq!(CustodyAction::parse(action.as_str()), Some(action));
        }
        let why = NonEmptyText::parse("reason", "malware analysis").unwrap();
        assert!(CustodyEvent::new(CustodyAction::Downloaded, alice, now, Some(why)).is_ok());
    }

    #[test]
    fn items_reject_unknown_fields_and_bad_digests() {
        let ok = r#"{"name":"access.log","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","size":3,"storage":{"kind":"stored","media_type":"text/plain"}}"#;
        assert!(
            serde_json::from_str::<EvidenceItem>(ok)
                .unwrap()
                .is_stored()
        );
        let unknown = ok.replace(r#""size":3"#, r#""size":3,"path":"/etc""#);
        assert!(serde_json::from_str::<EvidenceItem>(&unknown).is_err());
        let short = ok.replace("ba7816bf", "ba78");
        let err = serde_json::from_str::<EvidenceItem>(&short).unwrap_err();
        assert!(err.to_string().contains("sha256"), "{err}");
    }
}
