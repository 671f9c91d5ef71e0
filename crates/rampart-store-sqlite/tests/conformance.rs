//! The shared storage conformance suite, run against SQLite.

mod support;

rampart_store::conformance_tests!(support::SqliteHarness);
