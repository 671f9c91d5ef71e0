//! `rampart.toml` parsing, ignores and exit codes.

use jiff::civil::{Date, date};
use rampart_core::{Finding, Severity};
use rampart_report::{IgnoreSelector, Policy, PolicyError, ScanReport, SkippedFile};

use crate::sample;

const TODAY: Date = date(2025, 6, 1);

fn parse(text: &str) -> Policy {
    Policy::from_toml_str(text, "rampart.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Parsing `text` fails on `line` with a message containing `needle`.
fn check_error(text: &str, line: Option<usize>, needle: &str) {
    match Policy::from_toml_str(text, "rampart.toml") {
        Ok(policy) => panic!("accepted {text:?}: {policy:?}"),
        Err(PolicyError::Parse {
            path,
            line: got_line,
            message,
        }) => {
            assert_eq!(path, "rampart.toml");
            assert_eq!(got_line, line, "line of {message:?} in {text:?}");
            assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        }
        Err(other) => panic!("unexpected error {other}"),
    }
}

/// Applying the policy in `text` to the sample findings leaves `active`
/// active, ignores `ignored`, and reports `expired` as (selector, matched).
fn check_apply(text: &str, active: &[&str], ignored: &[&str], expired: &[(&str, usize)]) {
    let findings = vec![
        sample::smallvec(),
        sample::lodash(),
        sample::requests(),
        sample::time(),
    ];
    let outcome = parse(text).apply(findings, TODAY);
    let ids = |fs: Vec<&Finding>| fs.into_iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(outcome.active.iter().collect()),
        active,
        "active for {text}"
    );
    assert_eq!(
        ids(outcome.ignored.iter().map(|i| &i.finding).collect()),
        ignored,
        "ignored for {text}"
    );
    let got: Vec<(String, usize)> = outcome
        .expired_ignores
        .iter()
        .map(|e| (e.selector.to_string(), e.matched))
        .collect();
    let want: Vec<(String, usize)> = expired.iter().map(|(s, n)| (s.to_string(), *n)).collect();
    assert_eq!(got, want, "expired for {text}");
}

const ALL: [&str; 4] = [
    "RUSTSEC-2021-0003",
    "GHSA-35jh-r3h4-6jhm",
    "PYSEC-2023-74",
    "RUSTSEC-2020-0071",
];

#[test]
fn defaults() {
    let policy = parse("");
    assert_eq!(policy.fail_on, Severity::Low);
    assert!(policy.ignores.is_empty() && policy.exclude.is_empty());
    assert_eq!(policy.scan.deps, None);
}

#[test]
fn full_policy() {
    let policy = parse(
        r#"
fail_on = "HIGH"
exclude = ["vendor/**", "*.min.js"]

[scan]
deps = true
secrets = false

[database]
max_age_days = 3

[[ignore]]
id = "RUSTSEC-2020-0071"
reason = "not reachable"
until = 2026-12-31
paths = ["crates/**"]

[[ignore]]
fingerprint = "ABCDEF"
reason = "test fixture"
until = "2027-01-15"
"#,
    );
    assert_eq!(policy.fail_on, Severity::High);
    assert_eq!(policy.exclude, ["vendor/**", "*.min.js"]);
    assert_eq!(
        (policy.scan.deps, policy.scan.secrets),
        (Some(true), Some(false))
    );
    assert_eq!(policy.database_max_age_days, Some(3));
    assert_eq!(policy.ignores.len(), 2);
    let first = &policy.ignores[0];
    assert_eq!(
        first.selector,
        IgnoreSelector::Id("RUSTSEC-2020-0071".into())
    );
    assert_eq!(first.until, Some(date(2026, 12, 31)));
    assert_eq!(first.paths, ["crates/**"]);
    assert_eq!(first.line, Some(12));
    let second = &policy.ignores[1];
    assert_eq!(
        second.selector,
        IgnoreSelector::Fingerprint("abcdef".into())
    );
    assert_eq!(second.until, Some(date(2027, 1, 15)));
}

#[test]
fn errors_name_file_and_line() {
    check_error("fail_on = \"none\"\n", Some(1), "invalid threshold");
    check_error("fail_on = \"unknown\"\n", Some(1), "invalid threshold");
    check_error("\n\nfail_on = 3\n", Some(3), "invalid type");
    check_error("colour = true\n", Some(1), "unknown field `colour`");
    check_error(
        "[scan]\ndeps = true\nsbom = true\n",
        Some(3),
        "unknown field `sbom`",
    );
    check_error(
        "[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = 2026-01-01\n",
        Some(4),
        "unknown field `expires`",
    );
    check_error("[[ignore]]\nid = \"X\"\n", Some(1), "`reason` is required");
    check_error(
        "[[ignore]]\nid = \"X\"\nreason = \"r\"\n\n[[ignore]]\nid = \"Y\"\n",
        Some(5),
        "ignore Y: `reason` is required",
    );
    check_error(
        "[[ignore]]\nid = \"X\"\nreason = \"  \"\n",
        Some(3),
        "`reason` is empty",
    );
    check_error("[[ignore]]\nreason = \"r\"\n", Some(1), "needs an `id`");
    check_error(
        "[[ignore]]\nid = \"X\"\nfingerprint = \"f\"\nreason = \"r\"\n",
        Some(1),
        "not both",
    );
    check_error(
        "[[ignore]]\nid = \"X\"\nreason = \"r\"\nuntil = \"next year\"\n",
        Some(4),
        "not a date",
    );
    check_error(
        "[[ignore]]\nid = \"X\"\nreason = \"r\"\nuntil = 2026-01-01T10:00:00\n",
        Some(4),
        "not a plain date",
    );
    check_error(
        "[[ignore]]\nid = \"X\"\nreason = \"r\"\nuntil = 5\n",
        Some(4),
        "found integer",
    );
    check_error("exclude = [\"\"]\n", Some(1), "empty glob");
    check_error("fail_on = \"high\n", Some(1), "");
}

#[test]
fn error_display_names_file_and_line() {
    let error = Policy::from_toml_str("bogus = 1\n", "conf/rampart.toml").unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("conf/rampart.toml:1: unknown field `bogus`"),
        "{error}"
    );
}

#[test]
fn ignores() {
    // Nothing ignored.
    check_apply("", &ALL, &[], &[]);
    // By the advisory id.
    check_apply(
        "[[ignore]]\nid = \"RUSTSEC-2021-0003\"\nreason = \"r\"\n",
        &ALL[1..],
        &ALL[..1],
        &[],
    );
    // By an alias, in any case.
    check_apply(
        "[[ignore]]\nid = \"cve-2021-23337\"\nreason = \"r\"\n",
        &[ALL[0], ALL[2], ALL[3]],
        &[ALL[1]],
        &[],
    );
    // By fingerprint.
    let fp = sample::requests().fingerprint.to_string();
    check_apply(
        &format!("[[ignore]]\nfingerprint = \"{fp}\"\nreason = \"r\"\n"),
        &[ALL[0], ALL[1], ALL[3]],
        &[ALL[2]],
        &[],
    );
    // Restricted to paths that do not match: not ignored.
    check_apply(
        "[[ignore]]\nid = \"RUSTSEC-2021-0003\"\nreason = \"r\"\npaths = [\"web/**\"]\n",
        &ALL,
        &[],
        &[],
    );
    // Restricted to paths that match.
    check_apply(
        "[[ignore]]\nid = \"GHSA-35jh-r3h4-6jhm\"\nreason = \"r\"\npaths = [\"web/**\"]\n",
        &[ALL[0], ALL[2], ALL[3]],
        &[ALL[1]],
        &[],
    );
    // Still valid on its last day.
    check_apply(
        "[[ignore]]\nid = \"PYSEC-2023-74\"\nreason = \"r\"\nuntil = 2025-06-01\n",
        &[ALL[0], ALL[1], ALL[3]],
        &[ALL[2]],
        &[],
    );
    // Expired the day before: the finding is back, and the ignore is
    // reported with what it matched.
    check_apply(
        "[[ignore]]\nid = \"PYSEC-2023-74\"\nreason = \"r\"\nuntil = 2025-05-31\n",
        &ALL,
        &[],
        &[("PYSEC-2023-74", 1)],
    );
    // An expired ignore that matches nothing is reported too.
    check_apply(
        "[[ignore]]\nid = \"GHSA-none\"\nreason = \"r\"\nuntil = \"2020-01-01\"\n",
        &ALL,
        &[],
        &[("GHSA-none", 0)],
    );
    // An expired ignore does not hide a finding another ignore covers.
    check_apply(
        "[[ignore]]\nid = \"CVE-2020-26235\"\nreason = \"old\"\nuntil = 2020-01-01\n\n\
         [[ignore]]\nid = \"RUSTSEC-2020-0071\"\nreason = \"new\"\n",
        &ALL[..3],
        &ALL[3..],
        &[("CVE-2020-26235", 1)],
    );
}

#[test]
fn ignored_findings_carry_their_ignore() {
    let policy = parse(
        "[[ignore]]\nid = \"CVE-2020-26235\"\nreason = \"not reachable\"\nuntil = 2030-01-01\n",
    );
    let outcome = policy.apply(vec![sample::time()], TODAY);
    let ignored = &outcome.ignored[0];
    assert_eq!(ignored.reason, "not reachable");
    assert_eq!(ignored.until, Some(date(2030, 1, 1)));
    assert_eq!(
        ignored.selector,
        Some(IgnoreSelector::Id("CVE-2020-26235".into()))
    );

    let policy = parse("[[ignore]]\nid = \"X\"\nreason = \"gone\"\nuntil = 2020-01-01\n");
    let expired = &policy.apply(vec![], TODAY).expired_ignores[0];
    assert_eq!(
        expired.location.as_ref().unwrap().to_string(),
        "rampart.toml:1"
    );
}

/// The exit code for findings of `severities` under `threshold`, with or
/// without an input error.
fn check_exit(threshold: Severity, severities: &[Severity], error: bool, want: u8) {
    let mut report = ScanReport::new("0", ".");
    report.threshold = threshold;
    for severity in severities {
        let mut finding = sample::smallvec();
        finding.severity = *severity;
        report.findings.push(finding);
    }
    if error {
        report.errors.push(SkippedFile {
            path: "x".into(),
            reason: "y".into(),
        });
    }
    assert_eq!(
        report.exit_code(),
        want,
        "{threshold} {severities:?} error={error}"
    );
}

#[test]
fn exit_codes() {
    use Severity::*;
    check_exit(Low, &[], false, 0);
    check_exit(Low, &[Info], false, 0);
    check_exit(Info, &[Info], false, 1);
    check_exit(Low, &[Low], false, 1);
    check_exit(High, &[Medium, Low], false, 0);
    check_exit(High, &[Medium, Critical], false, 1);
    check_exit(Medium, &[Unknown], false, 1);
    check_exit(High, &[Unknown], false, 0);
    check_exit(Critical, &[High], false, 0);
    check_exit(Low, &[], true, 2);
    check_exit(Critical, &[Critical], true, 2);
}

/// Mangled policies and baselines are errors, never panics: every prefix of
/// a valid file, and the file with bytes swapped by a fixed pseudo-random
/// sequence.
#[test]
fn hostile_input_never_panics() {
    let policy = "fail_on = \"high\"\nexclude = [\"a/**\"]\n[scan]\ndeps = true\n\
                  [[ignore]]\nid = \"X\"\nreason = \"r\"\nuntil = 2026-02-28\npaths = [\"**/*.lock\"]\n";
    let baseline = "{\"version\": 1, \"fingerprints\": [\"abc\", \"def\"]}";
    let alphabet = b"[]{}\"'=.,:-#\n\\ 0123456789abxyz\xc3\xa9";
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for text in [policy, baseline] {
        for end in 0..=text.len() {
            let prefix = &text[..end];
            let _ = Policy::from_toml_str(prefix, "p");
            let _ = rampart_report::Baseline::from_json_str(prefix, "b");
        }
        for _ in 0..2000 {
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % bytes.len();
                bytes[at] = alphabet[(next() as usize) % alphabet.len()];
            }
            let mangled = String::from_utf8_lossy(&bytes);
            if let Ok(policy) = Policy::from_toml_str(&mangled, "p") {
                policy.apply(vec![sample::smallvec()], TODAY);
            }
            let _ = rampart_report::Baseline::from_json_str(&mangled, "b");
        }
    }
}
