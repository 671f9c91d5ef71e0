//! Steps 12 and 13: law enforcement, and outside parties whose systems the
//! attacker used.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::record::RecordError;
use crate::text::{NonEmptyText, UserName};

/// Step 12: law enforcement was involved, or deliberately not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision", deny_unknown_fields)]
pub enum LawEnforcementRecord {
    /// An agency was contacted.
    Involved {
        /// Which agency ("BKA Cybercrime", "FBI IC3").
        agency: NonEmptyText,
        /// Their case or report reference, once there is one.
        #[serde(default)]
        case_reference: Option<NonEmptyText>,
        /// Whom we deal with there and how to reach them.
        contact: NonEmptyText,
        /// When they were first contacted.
        contacted_at: Timestamp,
    },
    /// Not involving law enforcement, and why (DESIGN.md: only if necessary
    /// or required).
    NotNeeded {
        /// Why not.
        rationale: NonEmptyText,
    },
}

/// Step 13: an outside party whose systems or people were used in the
/// attack (a supplier's compromised account, a hosting provider's server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OutsidePartyFields")]
pub struct OutsideParty {
    /// The organisation.
    pub organisation: NonEmptyText,
    /// How they figure in the attack.
    pub role_in_attack: NonEmptyText,
    /// Their security contact (a PSIRT address, a named person).
    pub security_contact: NonEmptyText,
    /// How we know the contact is genuine — the attacker may answer the
    /// address in a phishing mail ("security.txt on their domain, checked
    /// by phone with their SOC").
    pub contact_verified_how: NonEmptyText,
    /// When they were notified, once they were.
    pub notified_at: Option<Timestamp>,
    /// Who notified them.
    pub notified_by: Option<UserName>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutsidePartyFields {
    organisation: NonEmptyText,
    role_in_attack: NonEmptyText,
    security_contact: NonEmptyText,
    contact_verified_how: NonEmptyText,
    #[serde(default)]
    notified_at: Option<Timestamp>,
    #[serde(default)]
    notified_by: Option<UserName>,
}

impl TryFrom<OutsidePartyFields> for OutsideParty {
    type Error = RecordError;

    fn try_from(f: OutsidePartyFields) -> Result<Self, Self::Error> {
        if f.notified_at.is_some() != f.notified_by.is_some() {
            return Err(RecordError::NotifiedWhenAndWho);
        }
        Ok(Self {
            organisation: f.organisation,
            role_in_attack: f.role_in_attack,
            security_contact: f.security_contact,
            contact_verified_how: f.contact_verified_how,
            notified_at: f.notified_at,
            notified_by: f.notified_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn law_enforcement_needs_a_decision() {
        let ok = r#"{"decision":"involved","agency":"LKA","contact":"Kommissarin Roth, +49 30 1234","contacted_at":"2026-05-02T09:00:00Z"}"#;
        assert!(serde_json::from_str::<LawEnforcementRecord>(ok).is_ok());
        let no = r#"{"decision":"not_needed","rationale":"no personal data, no fraud"}"#;
        assert!(serde_json::from_str::<LawEnforcementRecord>(no).is_ok());
        for bad in [
            r#"{"decision":"not_needed"}"#,
            r#"{"decision":"involved","agency":"LKA"}"#,
            r#"{"decision":"maybe","rationale":"x"}"#,
            r#"{"decision":"not_needed","rationale":" "}"#,
        ] {
            assert!(
                serde_json::from_str::<LawEnforcementRecord>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn notified_needs_both_when_and_who() {
        let base = r#""organisation":"Acme Hosting","role_in_attack":"C2 server in their network","security_contact":"abuse@acme.example","contact_verified_how":"security.txt on acme.example""#;
        let cases = [
            (format!("{{{base}}}"), true),
            (
                format!(r#"{{{base},"notified_at":"2026-05-02T09:00:00Z","notified_by":"alice"}}"#),
                true,
            ),
            (
                format!(r#"{{{base},"notified_at":"2026-05-02T09:00:00Z"}}"#),
                false,
            ),
            (format!(r#"{{{base},"notified_by":"alice"}}"#), false),
        ];
        for (json, ok) in cases {
            assert_eq!(
                serde_json::from_str::<OutsideParty>(&json).is_ok(),
                ok,
                "{json}"
            );
        }
    }
}
