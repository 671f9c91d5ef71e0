//! The shared storage conformance suite, run against a throwaway PostgreSQL
//! (started by `rampart-test-postgres`; the run fails if it cannot start).

mod support;

rampart_store::conformance_tests!(support::PostgresHarness);
