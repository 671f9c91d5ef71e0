//! The audit chain under tampering: every way of altering the stored rows is
//! detected and reported at the exact row, with the exact reason.

use rampart_audit::{
    Actor, AnchorParseError, AuditEvent, ChainBreak, ChainLink, ChainSummary, EventError, Hash,
    HashColumn, HexError, StoredLink, Target, Verifier, link, verify, verify_against_head,
};
use serde_json::json;

const LEN: u64 = 100;

fn time(sequence: u64) -> jiff::Timestamp {
    // 2025-03-01T00:00:00Z plus 1.5 s per event, with microsecond digits.
    jiff::Timestamp::from_microsecond(1_740_787_200_000_000 + sequence as i64 * 1_500_123).unwrap()
}

fn actor(sequence: u64) -> Actor {
    match sequence % 3 {
        0 => Actor::System {
            component: "retention".into(),
        },
        1 => Actor::User {
            id: "u-1".into(),
            name: "alice".into(),
        },
        _ => Actor::User {
            id: "u-2".into(),
            name: "bört 😀".into(),
        },
    }
}

fn event(sequence: u64) -> AuditEvent {
    let (action, target) = match sequence % 4 {
        0 => ("incident.read", Target::new("incident", "SEC-2025-0001")),
        1 => (
            "step.update",
            Target::new("step", format!("SEC-2025-0001/{}", sequence % 14 + 1)),
        ),
        2 => (
            "incident.declare",
            Target::new("incident", format!("SEC-2025-{sequence:04}")),
        ),
        _ => ("member.add", Target::new("membership", "SEC-2025-0001/u-2")),
    };
    AuditEvent::new(
        sequence,
        time(sequence),
        actor(sequence),
        action,
        target,
        json!({
            "n": sequence,
            "note": format!("entry {sequence}: «contained» \u{1}\n"),
            "ratio": sequence as f64 / 7.0,
            "tags": ["a", {"z": null, "b": true}],
        }),
    )
    .unwrap()
}

/// A valid chain of `LEN` links, as the store would have written it.
fn chain() -> Vec<ChainLink> {
    let mut links: Vec<ChainLink> = Vec::new();
    let mut prev = Hash::GENESIS;
    for sequence in 1..=LEN {
        let next = link(&prev, event(sequence));
        prev = next.hash;
        links.push(next);
    }
    links
}

fn rows() -> Vec<StoredLink> {
    chain().iter().map(ChainLink::to_stored).collect()
}

fn hash_of(rows: &[StoredLink], sequence: u64) -> Hash {
    Hash::from_hex(&rows[(sequence - 1) as usize].hash).unwrap()
}

fn index(sequence: u64) -> usize {
    (sequence - 1) as usize
}

/// Re-links rows `from..` after an edit, as an attacker with write access who
/// knows the algorithm would: every hash recomputed.
fn relink_from(rows: &mut [StoredLink], from: u64) {
    let mut prev = if from == 1 {
        Hash::GENESIS
    } else {
        hash_of(rows, from - 1)
    };
    for row in &mut rows[index(from)..] {
        row.prev_hash = prev.to_hex();
        prev = Hash::chain(&prev, row.event.as_bytes());
        row.hash = prev.to_hex();
    }
}

#[test]
fn intact_chain_verifies() {
    let rows = rows();
    let summary = verify(rows.clone()).unwrap();
    assert_eq!(
        summary,
        ChainSummary {
            length: LEN,
            head: hash_of(&rows, LEN)
        }
    );
    assert_eq!(rows[0].prev_hash, "0".repeat(64));
    assert_eq!(verify_against_head(rows.clone(), &summary), Ok(summary));
    // An older anchor is fine too: links appended since do not break it.
    let older = ChainSummary {
        length: 60,
        head: hash_of(&rows, 60),
    };
    assert_eq!(verify_against_head(rows, &older), Ok(summary));
}

#[test]
fn link_hash_is_sha256_of_prev_and_canonical_text() {
    let first = link(&Hash::GENESIS, event(1));
    assert_eq!(first.prev_hash, Hash::GENESIS);
    assert_eq!(
        first.hash,
        Hash::chain(&Hash::GENESIS, first.event.canonical().as_bytes())
    );
    assert_eq!(
        first.summary(),
        ChainSummary {
            length: 1,
            head: first.hash
        }
    );
    let stored = first.to_stored();
    assert_eq!(stored.event, first.event.canonical());
    assert_eq!(
        AuditEvent::from_canonical(&stored.event).unwrap(),
        first.event
    );
}

#[test]
fn empty_chain() {
    assert_eq!(verify(Vec::new()), Ok(ChainSummary::EMPTY));
    assert_eq!(
        verify_against_head(Vec::new(), &ChainSummary::EMPTY),
        Ok(ChainSummary::EMPTY)
    );
    assert_eq!(ChainSummary::EMPTY.next_sequence(), 1);
}

#[test]
fn changed_payload_byte_is_an_altered_row() {
    let mut rows = rows();
    let original = hash_of(&rows, 50);
    rows[index(50)].event = rows[index(50)].event.replace("\"n\":50", "\"n\":51");
    let computed = Hash::chain(&hash_of(&rows, 49), rows[index(50)].event.as_bytes());
    assert_eq!(
        verify(rows),
        Err(ChainBreak::HashMismatch {
            sequence: 50,
            stored: original,
            computed
        })
    );
}

#[test]
fn changed_actor_is_an_altered_row() {
    let mut rows = rows();
    let row = &mut rows[index(37)];
    assert!(row.event.contains("\"name\":\"alice\""));
    row.event = row
        .event
        .replace("\"name\":\"alice\"", "\"name\":\"mallory\"");
    let error = verify(rows).unwrap_err();
    assert!(
        matches!(error, ChainBreak::HashMismatch { sequence: 37, .. }),
        "{error:?}"
    );
}

#[test]
fn changed_time_is_an_altered_row() {
    let mut rows = rows();
    let row = &mut rows[index(12)];
    let at = format!("{:.6}", time(12));
    let earlier = format!(
        "{:.6}",
        time(12)
            .checked_sub(jiff::SignedDuration::from_hours(1))
            .unwrap()
    );
    assert!(row.event.contains(&at));
    row.event = row.event.replace(&at, &earlier);
    let error = verify(rows).unwrap_err();
    assert!(
        matches!(error, ChainBreak::HashMismatch { sequence: 12, .. }),
        "{error:?}"
    );
}

#[test]
fn altered_row_with_recomputed_hash_breaks_the_next_link() {
    let mut rows = rows();
    let row = &mut rows[index(40)];
    row.event = row.event.replace("\"n\":40", "\"n\":4000");
    let new_hash = Hash::chain(&hash_of(&rows, 39), rows[index(40)].event.as_bytes());
    rows[index(40)].hash = new_hash.to_hex();
    let original = chain()[index(40)].hash;
    assert_eq!(
        verify(rows),
        Err(ChainBreak::PrevHashMismatch {
            sequence: 41,
            expected: new_hash,
            found: original
        })
    );
}

#[test]
fn rewritten_history_is_caught_only_by_an_anchor() {
    let intact = rows();
    let anchor = ChainSummary {
        length: LEN,
        head: hash_of(&intact, LEN),
    };
    let older_anchor = ChainSummary {
        length: 60,
        head: hash_of(&intact, 60),
    };
    let mut rows = intact.clone();
    rows[index(40)].event = rows[index(40)].event.replace("\"n\":40", "\"n\":4000");
    relink_from(&mut rows, 40);
    // Internally consistent again: plain verification cannot tell.
    let summary = verify(rows.clone()).unwrap();
    assert_eq!(summary.length, LEN);
    assert_ne!(summary.head, anchor.head);
    assert_eq!(
        verify_against_head(rows.clone(), &anchor),
        Err(ChainBreak::AnchorMismatch {
            sequence: LEN,
            anchored: anchor.head,
            found: summary.head
        })
    );
    assert_eq!(
        verify_against_head(rows.clone(), &older_anchor),
        Err(ChainBreak::AnchorMismatch {
            sequence: 60,
            anchored: older_anchor.head,
            found: hash_of(&rows, 60)
        })
    );
    // An anchor taken before the rewritten row still holds: the rewrite is
    // after it, and only a later anchor can vouch for later rows.
    let early_anchor = ChainSummary {
        length: 39,
        head: hash_of(&intact, 39),
    };
    assert_eq!(verify_against_head(rows, &early_anchor), Ok(summary));
}

#[test]
fn deleted_middle_row_is_a_gap() {
    let mut rows = rows();
    rows.remove(index(50));
    assert_eq!(
        verify(rows),
        Err(ChainBreak::SequenceGap {
            sequence: 51,
            expected: 50
        })
    );
}

#[test]
fn deleted_middle_row_with_renumbered_sequences_breaks_prev_hash() {
    let intact = rows();
    let mut rows = intact.clone();
    rows.remove(index(50));
    for row in &mut rows[index(50)..] {
        row.sequence -= 1;
    }
    assert_eq!(
        verify(rows),
        Err(ChainBreak::PrevHashMismatch {
            sequence: 50,
            expected: hash_of(&intact, 49),
            found: hash_of(&intact, 50)
        })
    );
}

#[test]
fn deleted_first_row_is_a_gap() {
    let mut rows = rows();
    rows.remove(0);
    assert_eq!(
        verify(rows),
        Err(ChainBreak::SequenceGap {
            sequence: 2,
            expected: 1
        })
    );
}

/// Deleting the last row leaves a shorter chain that is valid in itself;
/// only a head recorded before the deletion can reveal it.
#[test]
fn deleted_last_row_is_caught_only_by_an_anchor() {
    let intact = rows();
    let anchor = verify(intact.clone()).unwrap();
    let mut rows = intact.clone();
    rows.pop();
    assert_eq!(
        verify(rows.clone()),
        Ok(ChainSummary {
            length: LEN - 1,
            head: hash_of(&intact, LEN - 1)
        })
    );
    assert_eq!(
        verify_against_head(rows, &anchor),
        Err(ChainBreak::Truncated {
            sequence: LEN,
            length: LEN - 1,
            anchored_length: LEN
        })
    );
    assert_eq!(
        verify_against_head(Vec::new(), &anchor),
        Err(ChainBreak::Truncated {
            sequence: 1,
            length: 0,
            anchored_length: LEN
        })
    );
}

#[test]
fn swapped_rows_are_out_of_sequence() {
    let mut rows = rows();
    rows.swap(index(30), index(31));
    assert_eq!(
        verify(rows),
        Err(ChainBreak::SequenceGap {
            sequence: 31,
            expected: 30
        })
    );
}

#[test]
fn swapped_rows_with_swapped_sequences_break_prev_hash() {
    let intact = rows();
    let mut rows = intact.clone();
    rows.swap(index(30), index(31));
    rows[index(30)].sequence = 30;
    rows[index(31)].sequence = 31;
    assert_eq!(
        verify(rows),
        Err(ChainBreak::PrevHashMismatch {
            sequence: 30,
            expected: hash_of(&intact, 29),
            found: hash_of(&intact, 30)
        })
    );
}

/// A forged row whose own hash is correct for its content, but computed over
/// a `prev_hash` that is not the real previous link's hash.
#[test]
fn inserted_forged_row_with_wrong_prev_breaks_prev_hash() {
    let intact = rows();
    let wrong_prev = Hash::chain(&Hash::GENESIS, b"not the previous link");
    let forged = link(&wrong_prev, event(51)).to_stored();
    let mut rows = intact.clone();
    // Replacing row 51: sequence continuity holds, the link does not.
    rows[index(51)] = forged.clone();
    assert_eq!(
        verify(rows),
        Err(ChainBreak::PrevHashMismatch {
            sequence: 51,
            expected: hash_of(&intact, 50),
            found: wrong_prev
        })
    );
    // Inserted before the real row 51: same finding at the same place.
    let mut rows = intact.clone();
    rows.insert(index(51), forged);
    assert_eq!(
        verify(rows),
        Err(ChainBreak::PrevHashMismatch {
            sequence: 51,
            expected: hash_of(&intact, 50),
            found: wrong_prev
        })
    );
}

#[test]
fn inserted_forged_row_with_correct_prev_breaks_the_row_after_it() {
    let intact = rows();
    let forged_event = AuditEvent::new(
        51,
        time(51),
        actor(1),
        "incident.close",
        Target::new("incident", "SEC-2025-0001"),
        json!({"forged": true}),
    )
    .unwrap();
    let forged = link(&hash_of(&intact, 50), forged_event);
    // Without renumbering: the real row 51 repeats the sequence.
    let mut rows = intact.clone();
    rows.insert(index(51), forged.to_stored());
    assert_eq!(
        verify(rows),
        Err(ChainBreak::DuplicateSequence { sequence: 51 })
    );
    // With the rest renumbered: the real row 51 (now 52) does not link to it.
    let mut rows = intact.clone();
    rows.insert(index(51), forged.to_stored());
    for row in &mut rows[index(52)..] {
        row.sequence += 1;
    }
    assert_eq!(
        verify(rows),
        Err(ChainBreak::PrevHashMismatch {
            sequence: 52,
            expected: forged.hash,
            found: hash_of(&intact, 50)
        })
    );
}

#[test]
fn duplicated_row_is_reported() {
    let mut rows = rows();
    let copy = rows[index(50)].clone();
    rows.insert(index(51), copy);
    assert_eq!(
        verify(rows),
        Err(ChainBreak::DuplicateSequence { sequence: 50 })
    );
}

#[test]
fn sequence_going_backwards_is_out_of_order() {
    let mut rows = rows();
    rows[index(50)].sequence = 20;
    assert_eq!(
        verify(rows),
        Err(ChainBreak::SequenceOutOfOrder {
            sequence: 20,
            previous: 49
        })
    );
    let mut rows = self::rows();
    rows[0].sequence = 0;
    assert_eq!(
        verify(rows),
        Err(ChainBreak::SequenceOutOfOrder {
            sequence: 0,
            previous: 0
        })
    );
}

#[test]
fn sequence_column_disagreeing_with_the_event_is_reported() {
    // A first row whose hash is right for its text, but whose text says 7.
    let forged = link(&Hash::GENESIS, event(7));
    let mut row = forged.to_stored();
    row.sequence = 1;
    assert_eq!(
        verify([row]),
        Err(ChainBreak::SequenceMismatch {
            sequence: 1,
            event_sequence: 7
        })
    );
}

#[test]
fn malformed_hashes_are_reported_with_their_column() {
    let mut rows = rows();
    rows[index(10)].prev_hash = "xyz".into();
    assert_eq!(
        verify(rows),
        Err(ChainBreak::MalformedHash {
            sequence: 10,
            column: HashColumn::PrevHash,
            error: HexError::Length { length: 3 }
        })
    );
    let mut rows = self::rows();
    rows[index(10)].hash = rows[index(10)].hash.to_uppercase();
    let error = verify(rows).unwrap_err();
    assert!(
        matches!(
            error,
            ChainBreak::MalformedHash {
                sequence: 10,
                column: HashColumn::Hash,
                error: HexError::Character { .. }
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("column `hash` is malformed"),
        "{error}"
    );
}

#[test]
fn forged_rows_with_valid_hashes_but_invalid_events_are_reported() {
    let mut pretty = serde_json::to_string_pretty(&event(1)).unwrap();
    let forged_hash = Hash::chain(&Hash::GENESIS, pretty.as_bytes());
    let row = StoredLink {
        sequence: 1,
        prev_hash: Hash::GENESIS.to_hex(),
        hash: forged_hash.to_hex(),
        event: pretty.clone(),
    };
    assert_eq!(
        verify([row]),
        Err(ChainBreak::InvalidEvent {
            sequence: 1,
            error: EventError::NotCanonical
        })
    );
    pretty = "not json".into();
    let row = StoredLink {
        sequence: 1,
        prev_hash: Hash::GENESIS.to_hex(),
        hash: Hash::chain(&Hash::GENESIS, pretty.as_bytes()).to_hex(),
        event: pretty,
    };
    let error = verify([row]).unwrap_err();
    assert!(
        matches!(
            error,
            ChainBreak::InvalidEvent {
                sequence: 1,
                error: EventError::Json(_)
            }
        ),
        "{error:?}"
    );
}

#[test]
fn break_messages_name_the_sequence_and_the_reason() {
    let mut rows = rows();
    rows.remove(index(50));
    let message = verify(rows).unwrap_err().to_string();
    assert_eq!(
        message,
        "audit chain broken at sequence 51: expected sequence 50 (a row was deleted or rows are out of order)"
    );
}

#[test]
fn verifier_resumes_from_a_trusted_summary() {
    let rows = rows();
    let trusted = ChainSummary {
        length: 60,
        head: hash_of(&rows, 60),
    };
    let mut verifier = Verifier::resume(trusted);
    for row in &rows[60..] {
        verifier.push(row).unwrap();
    }
    assert_eq!(verifier.summary(), verify(rows.clone()).unwrap());

    // A break after the trusted point is found; the verifier stays put.
    let mut tampered = rows.clone();
    tampered[index(62)].event = tampered[index(62)].event.replace("\"n\":62", "\"n\":0");
    let mut verifier = Verifier::resume(trusted);
    verifier.push(&tampered[index(61)]).unwrap();
    let error = verifier.push(&tampered[index(62)]).unwrap_err();
    assert_eq!(error.sequence(), 62);
    assert_eq!(verifier.summary().length, 61);

    // Resuming with a wrong head is noticed at the first row.
    let wrong = ChainSummary {
        length: 60,
        head: hash_of(&rows, 59),
    };
    let error = Verifier::resume(wrong).push(&rows[60]).unwrap_err();
    assert!(matches!(
        error,
        ChainBreak::PrevHashMismatch { sequence: 61, .. }
    ));
}

#[test]
fn anchors_print_and_parse() {
    let rows = rows();
    let summary = verify(rows).unwrap();
    let text = summary.to_string();
    assert_eq!(text, format!("100:{}", summary.head.to_hex()));
    assert_eq!(text.parse::<ChainSummary>(), Ok(summary));
    assert_eq!(format!(" {text}\n").parse::<ChainSummary>(), Ok(summary));
    assert_eq!(
        "100".parse::<ChainSummary>(),
        Err(AnchorParseError::MissingColon)
    );
    assert_eq!(
        format!("+100:{}", summary.head).parse::<ChainSummary>(),
        Err(AnchorParseError::Length("+100".into()))
    );
    assert_eq!(
        format!("99999999999999999999:{}", summary.head).parse::<ChainSummary>(),
        Err(AnchorParseError::Length("99999999999999999999".into()))
    );
    assert_eq!(
        "1:abc".parse::<ChainSummary>(),
        Err(AnchorParseError::Hash(HexError::Length { length: 3 }))
    );
    // An empty-chain anchor must name the genesis hash.
    let bogus = ChainSummary {
        length: 0,
        head: summary.head,
    };
    assert!(matches!(
        verify_against_head(Vec::new(), &bogus),
        Err(ChainBreak::AnchorMismatch { sequence: 0, .. })
    ));
    let json = serde_json::to_value(summary).unwrap();
    assert_eq!(json, json!({"length": 100, "head": summary.head.to_hex()}));
}

#[test]
fn hostile_rows_never_panic() {
    let hostile = [
        StoredLink {
            sequence: u64::MAX,
            prev_hash: String::new(),
            hash: String::new(),
            event: String::new(),
        },
        StoredLink {
            sequence: 1,
            prev_hash: "\u{0}".repeat(64),
            hash: "é".repeat(32),
            event: "\u{feff}".into(),
        },
        StoredLink {
            sequence: 1,
            prev_hash: Hash::GENESIS.to_hex(),
            hash: Hash::chain(&Hash::GENESIS, b"[[[[").to_hex(),
            event: "[[[[".into(),
        },
        StoredLink {
            sequence: 1,
            prev_hash: Hash::GENESIS.to_hex(),
            hash: Hash::chain(&Hash::GENESIS, "[".repeat(100_000).as_bytes()).to_hex(),
            event: "[".repeat(100_000),
        },
    ];
    for row in hostile {
        assert!(verify([row]).is_err());
    }
    // Sequence at the very top of the range, then one more row.
    let mut verifier = Verifier::resume(ChainSummary {
        length: u64::MAX,
        head: Hash::GENESIS,
    });
    let row = link(&Hash::GENESIS, event(1)).to_stored();
    assert_eq!(
        verifier.push(&row),
        Err(ChainBreak::SequenceOutOfOrder {
            sequence: 1,
            previous: u64::MAX
        })
    );
    assert_eq!(
        ChainSummary {
            length: u64::MAX,
            head: Hash::GENESIS
        }
        .next_sequence(),
        u64::MAX
    );
}

/// Deterministic pseudo-random numbers (SplitMix64); no dependency needed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// Changes one byte of one column of one row, at random, thousands of times:
/// every change is detected, at that row.
#[test]
fn every_random_single_byte_tampering_is_detected_at_its_row() {
    let intact = rows();
    let mut rng = SplitMix64(0xa0d1_7c4a_1300_0001);
    for round in 0..3_000 {
        let mut rows = intact.clone();
        let target = rng.below(rows.len());
        let sequence = rows[target].sequence;
        let column = rng.below(4);
        if column == 3 {
            // The sequence column: flip one bit of it.
            rows[target].sequence ^= 1 << rng.below(64);
            let error = verify(rows).unwrap_err();
            assert!(
                matches!(
                    error,
                    ChainBreak::SequenceGap { expected, .. } if expected == sequence
                ) || matches!(
                    error,
                    ChainBreak::SequenceOutOfOrder { previous, .. } if previous == sequence - 1
                ) || matches!(error, ChainBreak::DuplicateSequence { sequence: s } if s == sequence - 1),
                "round {round}: {error:?}"
            );
            continue;
        }
        let text = match column {
            0 => &mut rows[target].prev_hash,
            1 => &mut rows[target].hash,
            _ => &mut rows[target].event,
        };
        // Replace an ASCII byte by another printable ASCII byte, so the
        // column stays valid UTF-8, as a text column must.
        let mut bytes = std::mem::take(text).into_bytes();
        let ascii_positions: Vec<usize> =
            (0..bytes.len()).filter(|&i| bytes[i].is_ascii()).collect();
        let position = ascii_positions[rng.below(ascii_positions.len())];
        let old = bytes[position];
        let new = loop {
            let candidate = 0x20 + rng.below(0x5f) as u8;
            if candidate != old {
                break candidate;
            }
        };
        bytes[position] = new;
        *text = String::from_utf8(bytes).unwrap();
        let error = verify(rows).unwrap_err();
        assert_eq!(
            error.sequence(),
            sequence,
            "round {round}: column {column}, byte {position} {old:#x} -> {new:#x}: {error:?}"
        );
    }
}

/// `verify` consumes rows from any iterator one at a time: here 20,000 rows
/// are generated lazily and never collected.
#[test]
fn verify_streams_from_a_lazy_iterator() {
    const ROWS: u64 = 20_000;
    let rows = (1..=ROWS).scan(Hash::GENESIS, |prev, sequence| {
        let next = link(prev, event(sequence));
        *prev = next.hash;
        Some(next.to_stored())
    });
    let summary = verify(rows).unwrap();
    assert_eq!(summary.length, ROWS);
}
