#![no_main]
//! Fuzz target: the hand-written parsers of incident records — indicator
//! values of every kind, ATT&CK technique ids, credential fingerprints,
//! SHA-256 digests, and the date check on announcement titles — never panic,
//! and a value they accept is stable under normalising again.

use libfuzzer_sys::fuzz_target;
use rampart_incident::{
    AttackTechnique, CredentialFingerprint, IndicatorKind, Sha256Hex, carries_date,
};

const KINDS: [IndicatorKind; 9] = [
    IndicatorKind::Ip,
    IndicatorKind::Cidr,
    IndicatorKind::Domain,
    IndicatorKind::Url,
    IndicatorKind::FileHash,
    IndicatorKind::Email,
    IndicatorKind::Account,
    IndicatorKind::UserAgent,
    IndicatorKind::TokenFingerprint,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in KINDS {
        if let Ok(normal) = kind.normalise(text) {
            assert_eq!(kind.normalise(&normal).as_deref(), Ok(normal.as_str()));
        }
    }
    let _ = text.parse::<AttackTechnique>();
    let _ = text.parse::<CredentialFingerprint>();
    let _ = text.parse::<Sha256Hex>();
    let _ = carries_date(text);
});
