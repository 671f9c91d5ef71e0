//! The conformance suite every [`Store`](crate::Store) backend passes.
//!
//! One suite, not one hand-kept copy per backend: each case is a
//! `pub async fn <case>(h: &dyn Harness)` that asks the backend's [`Harness`]
//! for a fresh, empty, migrated store and checks one part of the trait's
//! contract (the doc comments of [`Store`](crate::Store) and the row types)
//! with exact values. A backend's integration test generates one
//! `#[tokio::test]` per case with [`conformance_tests!`](crate::conformance_tests):
//!
//! ```ignore
//! // crates/rampart-store-<backend>/tests/conformance.rs
//! struct MyHarness;
//!
//! #[async_trait::async_trait]
//! impl rampart_store::conformance::Harness for MyHarness {
//!     async fn fresh(&self) -> (Arc<dyn Store>, Box<dyn RawSql>) { /* … */ }
//! }
//!
//! // `MyHarness` is an expression evaluated afresh in every test and
//! // borrowed (`&MyHarness`); a unit struct, a constructor call or a static
//! // all work.
//! rampart_store::conformance_tests!(MyHarness);
//! ```
//!
//! The calling crate needs `tokio` (features `macros`, `rt-multi-thread`)
//! as a dev-dependency, because `#[tokio::test]` resolves it there.
//!
//! Cases are independent (each starts from [`Harness::fresh`]), use fixed
//! timestamps with microsecond digits and never sleep, so they may run in
//! parallel and give the same result every time. Tamper tests edit the
//! database through [`RawSql`] and rely on two schema facts only:
//! `audit_log(seq BIGINT PRIMARY KEY, prev_hash TEXT NOT NULL, hash TEXT NOT
//! NULL, event TEXT NOT NULL)` and `evidence_custody(record_id, seq, actor,
//! …)`, whose updates and deletes the schema refuses with a message
//! containing `append-only`; their SQL is plain enough for SQLite and
//! PostgreSQL alike.

use std::sync::Arc;

mod access;
mod audit;
mod catalog;
mod changes;
mod concurrency;
mod evidence;
mod findings;
mod incidents;
mod roundtrip;
mod support;
mod users;

pub use access::*;
pub use audit::*;
pub use catalog::*;
pub use changes::*;
pub use concurrency::*;
pub use evidence::*;
pub use findings::*;
pub use incidents::*;
pub use roundtrip::*;
pub use users::*;

/// What a backend provides so the suite can run against it.
#[async_trait::async_trait]
pub trait Harness: Send + Sync {
    /// A fresh, empty, migrated store, and raw SQL access to the same database (for tamper tests).
    async fn fresh(&self) -> (Arc<dyn crate::Store>, Box<dyn RawSql>);
}

/// Direct access to a store's database, bypassing the store: how the tamper
/// tests play the attacker who edits rows.
#[async_trait::async_trait]
pub trait RawSql: Send + Sync {
    /// Executes one statement (no parameters); returns rows affected, or the driver's message.
    async fn execute(&self, sql: &str) -> Result<u64, String>;
}

/// Generates one `#[tokio::test(flavor = "multi_thread", worker_threads = 2)]`
/// per conformance case, each calling `rampart_store::conformance::<case>(&$harness)`,
/// plus a `#[test]` checking that this list names every case of the suite.
///
/// `$harness` is an expression whose type implements
/// [`Harness`](crate::conformance::Harness); it is evaluated in every test
/// and borrowed for the case's duration:
///
/// ```ignore
/// rampart_store::conformance_tests!(SqliteHarness);
/// rampart_store::conformance_tests!(PostgresHarness::shared());
/// ```
///
/// Every `pub async fn` case of the suite must appear in the list below; a
/// test in `rampart-store` (and the generated `conformance_suite_lists_every_case`)
/// fails otherwise.
#[macro_export]
macro_rules! conformance_tests {
    ($harness:expr) => {
        $crate::conformance_tests!(@cases tests ($harness));
    };
    // The names of the listed cases, for the completeness check; also makes
    // `rampart-store`'s own build resolve every listed path.
    (@names) => {
        $crate::conformance_tests!(@cases names ())
    };
    (@cases $mode:ident $args:tt) => {
        $crate::conformance_tests! {@$mode $args
            // users, tokens, sessions, sign-in throttling
            users_create_and_get,
            users_duplicate_name_conflicts,
            users_list_sorted_by_name,
            users_set_role,
            users_set_password_hash,
            users_disable_ends_sessions,
            users_count_active_with_role,
            tokens_create_and_lookup,
            tokens_name_unique_per_user,
            tokens_list_newest_first,
            tokens_revoke,
            sessions_create_lookup_delete,
            sessions_delete_expired,
            login_failures_record_count_clear,
            // incidents
            incident_declare,
            incident_ids_count_per_year,
            incident_unknown,
            incidents_visible_only_to_members_and_grantees,
            // apply_incident_changes
            change_steps,
            change_step_owner_and_notes,
            change_records_every_kind,
            change_update_record,
            change_members,
            change_access_requests,
            change_break_glass,
            change_notifications,
            change_details_close_reopen,
            change_stale_version_writes_nothing,
            change_failure_rolls_back_whole_call,
            change_unknown_incident,
            writes_roll_back_when_audit_draft_invalid,
            response_log_in_order,
            facts_count_records,
            // concurrency
            concurrent_same_version_one_wins,
            concurrent_writes_keep_chain,
            concurrent_declarations_get_distinct_ids,
            update_incident_serialises_decisions,
            update_incident_refusal_writes_nothing,
            // evidence and its chain of custody
            evidence_added_with_intake_custody,
            evidence_failed_batch_leaves_nothing,
            custody_append_refused_for_other_records,
            custody_append_keeps_version,
            custody_seq_per_item,
            custody_logs_ordered,
            evidence_all_for_verification,
            custody_rows_are_append_only,
            // audit chain and tampering
            audit_empty_chain,
            audit_chain_verifies_and_matches_head,
            tamper_altered_event,
            tamper_altered_hash,
            tamper_deleted_middle_row,
            tamper_reordered_rows,
            tamper_duplicated_row,
            tamper_forged_row,
            tamper_truncated_tail_needs_anchor,
            tamper_rewritten_chain_needs_anchor,
            // the catalog
            catalog_round_trips,
            catalog_replace_keeps_created_at,
            catalog_members_replaced_whole,
            catalog_empty_update_writes_nothing,
            catalog_refusal_writes_nothing,
            catalog_source_ref_clash_conflicts,
            catalog_teams_of_user,
            catalog_unreadable_rows_are_corrupt,
            // the findings inventory
            findings_upload_records_open_findings_due_by_sla,
            findings_duplicate_upload_writes_nothing,
            findings_upload_a_b_a_applies_again,
            findings_complete_scope_fixes_missing,
            findings_partial_scope_never_fixes,
            findings_fixed_reopens,
            findings_scopes_are_independent,
            findings_components_diff,
            findings_triage_accepted_risk_and_expiry,
            findings_triage_unknown_finding_not_found,
            findings_events_are_append_only,
            findings_package_hits_call_keep_once_per_version,
            findings_advisory_hits_by_any_id,
            findings_secret_hits_across_services,
            findings_counts_use_effective_state,
            findings_unknown_service_not_found,
            // round trips
            timestamps_keep_microseconds,
            unicode_round_trips,
        }
    };
    (@tests ($harness:expr) $($case:ident,)+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::conformance::$case(&$harness).await;
            }
        )+

        #[test]
        fn conformance_suite_lists_every_case() {
            $crate::conformance::check_every_case_listed($crate::conformance_tests!(@names))
                .unwrap();
        }
    };
    (@names () $($case:ident,)+) => {
        &[$({
            // Naming the function makes a stale entry a compile error.
            let _ = $crate::conformance::$case;
            stringify!($case)
        }),+]
    };
}

/// The source of every module that may hold cases, by module name: scanned
/// for `pub async fn` so that a case missing from
/// [`conformance_tests!`](crate::conformance_tests) is noticed.
const SOURCES: [(&str, &str); 11] = [
    ("access", include_str!("access.rs")),
    ("audit", include_str!("audit.rs")),
    ("catalog", include_str!("catalog.rs")),
    ("changes", include_str!("changes.rs")),
    ("concurrency", include_str!("concurrency.rs")),
    ("evidence", include_str!("evidence.rs")),
    ("findings", include_str!("findings.rs")),
    ("incidents", include_str!("incidents.rs")),
    ("roundtrip", include_str!("roundtrip.rs")),
    ("support", include_str!("support.rs")),
    ("users", include_str!("users.rs")),
];

/// Checks that `listed` (the macro's list) names exactly the suite's cases:
/// every `pub async fn` in its modules, each once. Also checks that every
/// module declared here is scanned, so a new topic file cannot hide cases.
#[doc(hidden)]
pub fn check_every_case_listed(listed: &[&str]) -> Result<(), String> {
    let this = include_str!("mod.rs");
    let declared: Vec<&str> = this
        .lines()
        .filter_map(|line| line.strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let scanned: Vec<&str> = SOURCES.iter().map(|(name, _)| *name).collect();
    if declared != scanned {
        return Err(format!(
            "modules declared {declared:?} but scanned {scanned:?}: add the new file to SOURCES"
        ));
    }
    let mut defined: Vec<&str> = SOURCES
        .iter()
        .flat_map(|(_, source)| case_names(source))
        .chain(case_names(this))
        .collect();
    defined.sort_unstable();
    let mut listed_sorted = listed.to_vec();
    listed_sorted.sort_unstable();
    let missing: Vec<&&str> = defined
        .iter()
        .filter(|name| !listed_sorted.contains(name))
        .collect();
    let extra: Vec<&&str> = listed_sorted
        .iter()
        .filter(|name| !defined.contains(name))
        .collect();
    let repeated: Vec<&[&str]> = listed_sorted
        .windows(2)
        .filter(|pair| pair[0] == pair[1])
        .collect();
    if missing.is_empty() && extra.is_empty() && repeated.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "conformance_tests! is out of date: cases not listed {missing:?}, \
             listed but not cases {extra:?}, listed twice {repeated:?}"
        ))
    }
}

/// Names of the `pub async fn` items in `source`.
fn case_names(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|line| {
        let rest = line.trim_start().strip_prefix("pub async fn ")?;
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
        Some(&rest[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_lists_every_case() {
        check_every_case_listed(crate::conformance_tests!(@names)).unwrap();
    }

    #[test]
    fn completeness_check_notices_a_missing_case() {
        let listed: &[&str] = crate::conformance_tests!(@names);
        let without_last = &listed[..listed.len() - 1];
        let error = check_every_case_listed(without_last).unwrap_err();
        assert!(error.contains(listed[listed.len() - 1]), "{error}");

        let mut doubled = listed.to_vec();
        doubled.push(listed[0]);
        assert!(check_every_case_listed(&doubled).is_err());
    }

    #[test]
    fn case_names_reads_signatures() {
        let source = "pub async fn alpha(h: &dyn Harness) {}\n    pub async fn beta_2(h: &dyn Harness)\npub(super) async fn helper() {}\n";
        assert_eq!(case_names(source).collect::<Vec<_>>(), ["alpha", "beta_2"]);
    }
}
