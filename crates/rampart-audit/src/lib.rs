//! Rampart's tamper-evident audit log, as pure logic.
//!
//! Every write, and every read of a restricted incident, appends an
//! [`AuditEvent`] to a hash chain:
//!
//! ```text
//! hash(n) = SHA-256( hash(n-1) ‖ canonical_json(event(n)) )      hash(0) = 32 zero bytes
//! ```
//!
//! * [`canonical_json`] is RFC 8785 (JCS), so the hashed bytes do not depend
//!   on the program that wrote the event.
//! * [`link`] turns an event into a [`ChainLink`]; [`ChainLink::to_stored`]
//!   gives the row a store writes ([`StoredLink`]: sequence, `prev_hash` and
//!   `hash` as hex, the canonical event text).
//! * [`verify`] re-computes a stored chain row by row in constant memory and
//!   returns its [`ChainSummary`] (length and head hash) or the first
//!   [`ChainBreak`], naming the sequence number and what is wrong there.
//! * [`verify_against_head`] additionally checks a head anchored elsewhere,
//!   which is the only way to notice deleted *last* rows or a chain rewritten
//!   with recomputed hashes.
//!
//! The storage crates persist rows and serialise appends (read the head and
//! insert the next row in one transaction, under a lock); this crate does no
//! I/O, has no async code and knows no SQL.
//!
//! ```
//! use rampart_audit::{Actor, AuditEvent, ChainSummary, Hash, Target, link, verify};
//!
//! let at: jiff::Timestamp = "2025-03-01T09:30:00Z".parse().unwrap();
//! let actor = Actor::User { id: "u-1".into(), name: "alice".into() };
//! let event = AuditEvent::new(
//!     1,
//!     at,
//!     actor,
//!     "incident.declare",
//!     Target::new("incident", "SEC-2025-0001"),
//!     serde_json::json!({"severity": "SEV2"}),
//! )
//! .unwrap();
//! let first = link(&Hash::GENESIS, event);
//! let summary = verify([first.to_stored()]).unwrap();
//! assert_eq!(summary, ChainSummary { length: 1, head: first.hash });
//! ```

mod canonical;
mod chain;
mod event;
mod hash;

pub use canonical::{
    CanonicalError, MAX_DEPTH, MAX_SAFE_INTEGER, canonical_json, write_canonical_json, write_number,
};
pub use chain::{
    AnchorParseError, ChainBreak, ChainLink, ChainSummary, HashColumn, StoredLink, Verifier, link,
    verify, verify_against_head,
};
pub use event::{Actor, AuditEvent, EventError, Target};
pub use hash::{Hash, HexError};
