//! The rules of triage: who may set a finding to which state is the
//! server's business; what a valid request looks like is this module's.
//!
//! * `accepted_risk` needs a reason and an expiry after now and at most
//!   `max_accept_days` away: an accepted risk always comes back.
//! * `false_positive` and `fixed` need a reason.
//! * `open` needs nothing, and clears the stored reason and expiry (a
//!   reason given anyway goes to the history only).
//! * Setting the state a finding already has is allowed and is a change
//!   like any other: it is recorded (who confirmed it, when, with what
//!   reason), and for an accepted risk it is how the expiry is extended.

use jiff::{SignedDuration, Timestamp};

use crate::upload::FindingState;

/// Longest triage reason, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

/// What someone asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageInput {
    pub state: FindingState,
    pub reason: Option<String>,
    pub expires_at: Option<Timestamp>,
}

/// A valid triage decision, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageChange {
    /// The state it had (effective at `at`).
    pub from: FindingState,
    pub to: FindingState,
    /// Trimmed; for the history. Stored on the finding unless `to` is open.
    pub reason: Option<String>,
    /// Only for `AcceptedRisk`.
    pub expires_at: Option<Timestamp>,
    pub at: Timestamp,
}

impl TriageChange {
    /// The reason kept on the finding itself: none once it is open.
    pub fn state_reason(&self) -> Option<&str> {
        match self.to {
            FindingState::Open => None,
            _ => self.reason.as_deref(),
        }
    }
}

/// A refused triage request, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct TriageError {
    field: &'static str,
    message: String,
}

impl TriageError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }

    /// The request field at fault (`reason`, `expires_at`).
    pub fn field(&self) -> &'static str {
        self.field
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Checks `request` against the finding's `current` (effective) state.
pub fn triage(
    current: FindingState,
    request: &TriageInput,
    now: Timestamp,
    max_accept_days: u32,
) -> Result<TriageChange, TriageError> {
    let reason = request
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    if let Some(reason) = &reason
        && reason.chars().count() > MAX_REASON_CHARS
    {
        return Err(TriageError::new(
            "reason",
            format!("a reason is at most {MAX_REASON_CHARS} characters"),
        ));
    }
    let to = request.state;
    if to != FindingState::AcceptedRisk && request.expires_at.is_some() {
        return Err(TriageError::new(
            "expires_at",
            "only an accepted risk has an expiry",
        ));
    }
    if to != FindingState::Open && reason.is_none() {
        return Err(TriageError::new(
            "reason",
            format!("setting a finding to {to} needs a reason"),
        ));
    }
    let expires_at = if to == FindingState::AcceptedRisk {
        let Some(expiry) = request.expires_at else {
            return Err(TriageError::new(
                "expires_at",
                "an accepted risk needs an expiry",
            ));
        };
        let limit = now
            .checked_add(SignedDuration::from_hours(i64::from(max_accept_days) * 24))
            .unwrap_or(Timestamp::MAX);
        if expiry <= now {
            return Err(TriageError::new(
                "expires_at",
                "the expiry must be in the future",
            ));
        }
        if expiry > limit {
            return Err(TriageError::new(
                "expires_at",
                format!("a risk is accepted for at most {max_accept_days} days"),
            ));
        }
        Some(expiry)
    } else {
        None
    };
    Ok(TriageChange {
        from: current,
        to,
        reason,
        expires_at,
        at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingState::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    const NOW: &str = "2026-11-28T10:00:00Z";

    fn input(state: FindingState, reason: Option<&str>, expires: Option<&str>) -> TriageInput {
        TriageInput {
            state,
            reason: reason.map(Into::into),
            expires_at: expires.map(ts),
        }
    }

    fn field(result: Result<TriageChange, TriageError>) -> &'static str {
        result.unwrap_err().field()
    }

    #[test]
    fn accepted_risk_needs_reason_and_bounded_expiry() {
        let now = ts(NOW);
        let ok = triage(
            Open,
            &input(
                AcceptedRisk,
                Some("  vendor fix in Q1  "),
                Some("2027-01-01T00:00:00Z"),
            ),
            now,
            365,
        )
        .unwrap();
        assert_eq!(ok.reason.as_deref(), Some("vendor fix in Q1"));
        assert_eq!(ok.expires_at, Some(ts("2027-01-01T00:00:00Z")));
        assert_eq!(ok.state_reason(), Some("vendor fix in Q1"));
        assert_eq!((ok.from, ok.to, ok.at), (Open, AcceptedRisk, now));

        let cases = [
            (
                input(AcceptedRisk, None, Some("2027-01-01T00:00:00Z")),
                "reason",
            ),
            (
                input(AcceptedRisk, Some("   "), Some("2027-01-01T00:00:00Z")),
                "reason",
            ),
            (input(AcceptedRisk, Some("r"), None), "expires_at"),
            (input(AcceptedRisk, Some("r"), Some(NOW)), "expires_at"),
            (
                input(AcceptedRisk, Some("r"), Some("2026-01-01T00:00:00Z")),
                "expires_at",
            ),
            (
                input(AcceptedRisk, Some("r"), Some("2027-11-28T10:00:01Z")),
                "expires_at",
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(
                field(triage(Open, &request, now, 365)),
                expected,
                "{request:?}"
            );
        }
        // Exactly the limit is allowed.
        assert!(
            triage(
                Open,
                &input(AcceptedRisk, Some("r"), Some("2027-11-28T10:00:00Z")),
                now,
                365
            )
            .is_ok()
        );
        let long = "x".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(
            field(triage(
                Open,
                &input(FalsePositive, Some(&long), None),
                now,
                365
            )),
            "reason"
        );
        let longest = "é".repeat(MAX_REASON_CHARS);
        assert!(triage(Open, &input(FalsePositive, Some(&longest), None), now, 365).is_ok());
    }

    #[test]
    fn false_positive_and_fixed_need_a_reason() {
        let now = ts(NOW);
        for state in [FalsePositive, Fixed] {
            assert_eq!(
                field(triage(Open, &input(state, None, None), now, 365)),
                "reason"
            );
            assert!(triage(Open, &input(state, Some("why"), None), now, 365).is_ok());
            assert_eq!(
                field(triage(
                    Open,
                    &input(state, Some("why"), Some("2027-01-01T00:00:00Z")),
                    now,
                    365
                )),
                "expires_at"
            );
        }
    }

    #[test]
    fn open_clears_reason_and_expiry() {
        let change = triage(
            AcceptedRisk,
            &input(Open, Some("changed my mind"), None),
            ts(NOW),
            365,
        )
        .unwrap();
        assert_eq!(change.to, Open);
        assert_eq!(change.expires_at, None);
        assert_eq!(change.state_reason(), None);
        assert_eq!(change.reason.as_deref(), Some("changed my mind"));
        assert!(triage(Fixed, &input(Open, None, None), ts(NOW), 365).is_ok());
    }

    #[test]
    fn the_same_state_again_is_a_recorded_change() {
        let change = triage(
            FalsePositive,
            &input(FalsePositive, Some("test fixture"), None),
            ts(NOW),
            365,
        )
        .unwrap();
        assert_eq!((change.from, change.to), (FalsePositive, FalsePositive));
    }
}
