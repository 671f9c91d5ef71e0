//! Linking events into a hash chain and verifying a stored chain.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::event::{AuditEvent, EventError};
use crate::hash::{Hash, HexError};

/// An event linked into the chain: what the store writes as one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    /// The event.
    pub event: AuditEvent,
    /// The hash of the previous link, [`Hash::GENESIS`] for sequence 1.
    pub prev_hash: Hash,
    /// `SHA-256(prev_hash ‖ event.canonical())`.
    pub hash: Hash,
}

/// Links `event` after the link whose hash is `prev`.
///
/// The caller supplies the sequence number inside the event and is
/// responsible for it being one more than the previous link's, under the same
/// lock or transaction that read `prev`: this function cannot see the store.
/// [`ChainSummary::next_sequence`] gives the number to use.
pub fn link(prev: &Hash, event: AuditEvent) -> ChainLink {
    let hash = Hash::chain(prev, event.canonical().as_bytes());
    ChainLink {
        event,
        prev_hash: *prev,
        hash,
    }
}

impl ChainLink {
    /// The row to store: the canonical text is stored verbatim because it is
    /// what was hashed; re-serialising later could change a byte.
    pub fn to_stored(&self) -> StoredLink {
        StoredLink {
            sequence: self.event.sequence(),
            prev_hash: self.prev_hash.to_hex(),
            hash: self.hash.to_hex(),
            event: self.event.canonical().to_owned(),
        }
    }

    /// The chain's summary once this link is its last: what to anchor.
    pub fn summary(&self) -> ChainSummary {
        ChainSummary {
            length: self.event.sequence(),
            head: self.hash,
        }
    }
}

/// One audit row as a database holds it. Hashes are hex text and the event
/// is its canonical JSON text, so a verifier needs nothing but the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLink {
    /// The row's sequence column.
    pub sequence: u64,
    /// The row's `prev_hash` column, 64 lowercase hex digits.
    pub prev_hash: String,
    /// The row's `hash` column, 64 lowercase hex digits.
    pub hash: String,
    /// The row's event column: canonical JSON text of the event.
    pub event: String,
}

/// The state of a verified chain: how many links, and the hash of the last.
///
/// Written `LENGTH:HEX` (e.g. `100:9f86…`), the form `rampart audit head`
/// prints for anchoring elsewhere and [`verify_against_head`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainSummary {
    /// Number of links, which is also the last sequence number (0 if empty).
    pub length: u64,
    /// Hash of the last link; [`Hash::GENESIS`] for an empty chain.
    pub head: Hash,
}

impl ChainSummary {
    /// The summary of a chain with no links.
    pub const EMPTY: ChainSummary = ChainSummary {
        length: 0,
        head: Hash::GENESIS,
    };

    /// The sequence number the next link must carry.
    pub fn next_sequence(&self) -> u64 {
        self.length.saturating_add(1)
    }
}

impl fmt::Display for ChainSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.length, self.head)
    }
}

/// Why a `LENGTH:HEX` anchor could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorParseError {
    /// No `:` between length and hash.
    #[error("expected LENGTH:HASH, found no `:`")]
    MissingColon,
    /// The length is not a decimal number.
    #[error("anchor length {0:?} is not a non-negative integer")]
    Length(String),
    /// The hash is not 64 lowercase hex digits.
    #[error("anchor hash: {0}")]
    Hash(#[from] HexError),
}

impl FromStr for ChainSummary {
    type Err = AnchorParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (length, head) = text
            .trim()
            .split_once(':')
            .ok_or(AnchorParseError::MissingColon)?;
        // `u64::from_str` accepts a leading `+`; an anchor has one spelling.
        if length.is_empty() || !length.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AnchorParseError::Length(length.to_owned()));
        }
        let length = length
            .parse()
            .map_err(|_| AnchorParseError::Length(length.to_owned()))?;
        Ok(ChainSummary {
            length,
            head: Hash::from_hex(head)?,
        })
    }
}

/// Which hash column of a row was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashColumn {
    /// The `prev_hash` column.
    PrevHash,
    /// The `hash` column.
    Hash,
}

impl fmt::Display for HashColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HashColumn::PrevHash => "prev_hash",
            HashColumn::Hash => "hash",
        })
    }
}

/// The first broken link of a chain, and why it is broken.
///
/// Every variant carries the sequence number of the row at which the chain
/// stops verifying ([`ChainBreak::sequence`]). The messages say what kind of
/// tampering each finding usually means, but cannot prove intent: a row
/// whose stored hash does not match was *altered*, whatever the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// The row's sequence is higher than the next expected one: rows are
    /// missing before it (deleted), or rows are out of order.
    #[error(
        "audit chain broken at sequence {sequence}: expected sequence {expected} (a row was deleted or rows are out of order)"
    )]
    SequenceGap {
        /// The row's sequence.
        sequence: u64,
        /// The sequence that should have come next.
        expected: u64,
    },
    /// The same sequence twice in a row: a duplicated or inserted row.
    #[error(
        "audit chain broken at sequence {sequence}: the sequence appears twice (a row was duplicated or inserted)"
    )]
    DuplicateSequence {
        /// The repeated sequence.
        sequence: u64,
    },
    /// The row's sequence is lower than its predecessor's, or 0 at the
    /// start: rows are out of order.
    #[error(
        "audit chain broken at sequence {sequence}: it follows sequence {previous} (rows are out of order)"
    )]
    SequenceOutOfOrder {
        /// The row's sequence.
        sequence: u64,
        /// The sequence of the row before it (0 at the start of the chain).
        previous: u64,
    },
    /// A hash column is not 64 lowercase hex digits.
    #[error("audit chain broken at sequence {sequence}: column `{column}` is malformed: {error}")]
    MalformedHash {
        /// The row's sequence.
        sequence: u64,
        /// Which column.
        column: HashColumn,
        /// What is wrong with it.
        error: HexError,
    },
    /// The row's `prev_hash` is not the previous row's hash: a row before it
    /// was deleted, inserted or reordered, or the previous row was rewritten
    /// with a recomputed hash.
    #[error(
        "audit chain broken at sequence {sequence}: prev_hash {found} is not the hash of the previous link, {expected} (a row was deleted, inserted, reordered or rewritten)"
    )]
    PrevHashMismatch {
        /// The row's sequence.
        sequence: u64,
        /// The previous link's hash ([`Hash::GENESIS`] for the first row).
        expected: Hash,
        /// The row's `prev_hash`.
        found: Hash,
    },
    /// `SHA-256(prev_hash ‖ event)` is not the stored hash: the row's event
    /// text or hash was altered.
    #[error(
        "audit chain broken at sequence {sequence}: stored hash {stored} does not match the recomputed {computed} (the row was altered)"
    )]
    HashMismatch {
        /// The row's sequence.
        sequence: u64,
        /// The row's `hash` column.
        stored: Hash,
        /// The hash recomputed from `prev_hash` and the event text.
        computed: Hash,
    },
    /// The hash matches but the event text is not a valid canonical event:
    /// the row was forged by someone who could recompute hashes, or written
    /// by a faulty program.
    #[error("audit chain broken at sequence {sequence}: the event is invalid: {error}")]
    InvalidEvent {
        /// The row's sequence.
        sequence: u64,
        /// What is wrong with the event.
        error: EventError,
    },
    /// The sequence column disagrees with the sequence inside the hashed
    /// event: the column was altered.
    #[error(
        "audit chain broken at sequence {sequence}: the event inside the row says sequence {event_sequence} (the sequence column was altered)"
    )]
    SequenceMismatch {
        /// The row's sequence column.
        sequence: u64,
        /// The sequence recorded in the event.
        event_sequence: u64,
    },
    /// The link at the anchored sequence has a different hash than the
    /// anchor: history up to the anchor was rewritten (with recomputed hashes,
    /// so nothing else could notice).
    #[error(
        "audit chain broken at sequence {sequence}: its hash {found} differs from the anchored head {anchored} (history was rewritten)"
    )]
    AnchorMismatch {
        /// The anchored sequence.
        sequence: u64,
        /// The anchored hash.
        anchored: Hash,
        /// The hash the chain has at that sequence.
        found: Hash,
    },
    /// The chain ends before the anchored sequence: rows were deleted from
    /// its end.
    #[error(
        "audit chain broken at sequence {sequence}: the chain ends at sequence {length}, before the anchored head at {anchored_length} (rows were deleted from the end)"
    )]
    Truncated {
        /// The first missing sequence.
        sequence: u64,
        /// The chain's actual length.
        length: u64,
        /// The anchored length.
        anchored_length: u64,
    },
}

impl ChainBreak {
    /// The sequence number at which the chain stops verifying.
    pub fn sequence(&self) -> u64 {
        match self {
            ChainBreak::SequenceGap { sequence, .. }
            | ChainBreak::DuplicateSequence { sequence }
            | ChainBreak::SequenceOutOfOrder { sequence, .. }
            | ChainBreak::MalformedHash { sequence, .. }
            | ChainBreak::PrevHashMismatch { sequence, .. }
            | ChainBreak::HashMismatch { sequence, .. }
            | ChainBreak::InvalidEvent { sequence, .. }
            | ChainBreak::SequenceMismatch { sequence, .. }
            | ChainBreak::AnchorMismatch { sequence, .. }
            | ChainBreak::Truncated { sequence, .. } => *sequence,
        }
    }
}

/// Verifies rows one at a time, keeping only the last sequence and hash, so
/// any number of rows verifies in constant memory.
///
/// [`verify`] and [`verify_against_head`] wrap it for plain iterators; use it
/// directly when rows come from a fallible source (a database cursor) or to
/// verify only the rows appended since a trusted [`ChainSummary`].
///
/// After a push returns an error the verifier is unchanged; the caller stops
/// there, since everything after the first break is unverifiable.
#[derive(Debug, Clone)]
pub struct Verifier {
    state: ChainSummary,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new()
    }
}

impl Verifier {
    /// A verifier expecting sequence 1 with `prev_hash` = [`Hash::GENESIS`].
    pub fn new() -> Self {
        Verifier {
            state: ChainSummary::EMPTY,
        }
    }

    /// A verifier continuing after a trusted point (for example an anchor
    /// verified earlier): the next row must be `from.length + 1` with
    /// `prev_hash` = `from.head`.
    pub fn resume(from: ChainSummary) -> Self {
        Verifier { state: from }
    }

    /// What has been verified so far.
    pub fn summary(&self) -> ChainSummary {
        self.state
    }

    /// Verifies the next row.
    ///
    /// Checks, in this order, so that the reason given is the most specific
    /// one: the sequence follows the previous one; `prev_hash` is well-formed
    /// and equals the previous hash; `hash` is well-formed and equals
    /// `SHA-256(prev_hash ‖ event)`; the event text is a valid event in
    /// canonical form whose own sequence matches the column.
    pub fn push(&mut self, row: &StoredLink) -> Result<(), ChainBreak> {
        let sequence = row.sequence;
        let previous = self.state.length;
        match previous.checked_add(1) {
            Some(expected) if sequence == expected => {}
            Some(expected) if sequence > expected => {
                return Err(ChainBreak::SequenceGap { sequence, expected });
            }
            _ if sequence == previous && previous != 0 => {
                return Err(ChainBreak::DuplicateSequence { sequence });
            }
            _ => return Err(ChainBreak::SequenceOutOfOrder { sequence, previous }),
        }

        let prev_hash =
            Hash::from_hex(&row.prev_hash).map_err(|error| ChainBreak::MalformedHash {
                sequence,
                column: HashColumn::PrevHash,
                error,
            })?;
        if prev_hash != self.state.head {
            return Err(ChainBreak::PrevHashMismatch {
                sequence,
                expected: self.state.head,
                found: prev_hash,
            });
        }

        let stored = Hash::from_hex(&row.hash).map_err(|error| ChainBreak::MalformedHash {
            sequence,
            column: HashColumn::Hash,
            error,
        })?;
        let computed = Hash::chain(&prev_hash, row.event.as_bytes());
        if computed != stored {
            return Err(ChainBreak::HashMismatch {
                sequence,
                stored,
                computed,
            });
        }

        let event = AuditEvent::from_canonical(&row.event)
            .map_err(|error| ChainBreak::InvalidEvent { sequence, error })?;
        if event.sequence() != sequence {
            return Err(ChainBreak::SequenceMismatch {
                sequence,
                event_sequence: event.sequence(),
            });
        }

        self.state = ChainSummary {
            length: sequence,
            head: stored,
        };
        Ok(())
    }
}

/// Verifies a whole chain from its first row, in sequence order, and returns
/// its length and head.
///
/// Streams: rows are consumed one at a time and dropped, so memory use does
/// not grow with the chain.
///
/// A chain whose *last* rows were deleted still verifies: what remains is a
/// valid, shorter chain. Detecting that needs a head recorded elsewhere
/// earlier; see [`verify_against_head`].
pub fn verify<I>(links: I) -> Result<ChainSummary, ChainBreak>
where
    I: IntoIterator<Item = StoredLink>,
{
    let mut verifier = Verifier::new();
    for row in links {
        verifier.push(&row)?;
    }
    Ok(verifier.summary())
}

/// Verifies a whole chain as [`verify`] does, and also that it contains the
/// anchored head: the link at sequence `anchor.length` must have hash
/// `anchor.head`.
///
/// This is what catches the two attacks [`verify`] cannot: deleting rows from
/// the end ([`ChainBreak::Truncated`]) and rewriting history with every hash
/// recomputed ([`ChainBreak::AnchorMismatch`]). Links appended after the
/// anchor was taken are fine.
pub fn verify_against_head<I>(links: I, anchor: &ChainSummary) -> Result<ChainSummary, ChainBreak>
where
    I: IntoIterator<Item = StoredLink>,
{
    if anchor.length == 0 && anchor.head != Hash::GENESIS {
        // An anchor for an empty chain can only be the genesis hash.
        return Err(ChainBreak::AnchorMismatch {
            sequence: 0,
            anchored: anchor.head,
            found: Hash::GENESIS,
        });
    }
    let mut verifier = Verifier::new();
    for row in links {
        verifier.push(&row)?;
        let state = verifier.summary();
        if state.length == anchor.length && state.head != anchor.head {
            return Err(ChainBreak::AnchorMismatch {
                sequence: state.length,
                anchored: anchor.head,
                found: state.head,
            });
        }
    }
    let state = verifier.summary();
    if state.length < anchor.length {
        return Err(ChainBreak::Truncated {
            sequence: state.length + 1,
            length: state.length,
            anchored_length: anchor.length,
        });
    }
    Ok(state)
}
