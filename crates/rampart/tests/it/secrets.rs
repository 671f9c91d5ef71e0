//! `rampart scan --secrets` as a user runs it: working trees, baselines and
//! ignores, redaction, staged blobs and git history.
//!
//! Credentials are assembled at run time from a prefix and a random-looking
//! tail, so this file holds no token-shaped literal (scanning our own
//! repository stays quiet) and every run plants fresh values.

use std::path::Path;
use std::process::Command;

use crate::{Env, Run};

/// An AWS access key id: `AKIA` and 16 characters of [A-Z2-7].
fn aws_key_id(seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    format!("AKIA{}", random_tail(seed, 16, ALPHABET))
}

/// A Slack bot token: `xoxb-`, two numeric parts and a 24-character tail.
fn slack_bot_token(seed: u64) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    format!(
        "xoxb-{}-{}-{}",
        random_tail(seed, 12, b"0123456789"),
        random_tail(seed + 1, 13, b"0123456789"),
        random_tail(seed + 2, 24, ALNUM)
    )
}

/// Deterministic, evenly spread characters (a small LCG is plenty).
fn random_tail(seed: u64, len: usize, alphabet: &[u8]) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[((state >> 33) % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

fn write(env: &Env, rel: &str, text: &str) {
    let path = env.path(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn secrets_of(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "secret")
        .collect()
}

/// Runs git in `dir` with a fixed identity and no user configuration.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dana Dev")
        .env("GIT_AUTHOR_EMAIL", "dana@example.com")
        .env("GIT_AUTHOR_DATE", "2024-05-06T07:08:09Z")
        .env("GIT_COMMITTER_NAME", "Dana Dev")
        .env("GIT_COMMITTER_EMAIL", "dana@example.com")
        .env("GIT_COMMITTER_DATE", "2024-05-06T07:08:09Z")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

fn git_available() -> bool {
    let ok = Command::new("git").arg("--version").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "git is required for the history tests under CI"
        );
        eprintln!("SKIPPED: git is not installed");
    }
    ok
}

fn assert_never_printed(run: &Run, values: &[&str]) {
    for value in values {
        assert!(
            !run.stdout().contains(value) && !run.stderr().contains(value),
            "the value {value} was printed:\n{}\n{}",
            run.stdout(),
            run.stderr()
        );
    }
}

#[test]
fn a_working_tree_reports_each_secret_once_with_every_location_redacted() {
    let env = Env::new();
    let key = aws_key_id(1);
    let token = slack_bot_token(2);
    write(&env, "app/src/config.py", &format!("AWS_KEY = \"{key}\"\n"));
    write(
        &env,
        "app/deploy/.env",
        &format!("\n\nAWS_ACCESS_KEY_ID={key}\n"),
    );
    write(
        &env,
        "app/notify.js",
        &format!("const slack = '{token}';\n"),
    );
    write(&env, "app/clean.rs", "fn main() {}\n");

    for format in ["table", "json", "sarif", "markdown"] {
        let run = env.rampart(&["scan", "--secrets", "--format", format, "app"]);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        assert_never_printed(&run, &[&key, &token]);
    }

    let report = env
        .rampart(&["scan", "--secrets", "--format", "json", "app"])
        .json();
    let found = secrets_of(&report);
    assert_eq!(found.len(), 2, "{report:#}");
    let aws = found
        .iter()
        .find(|f| f["rule_id"] == "aws-access-key-id")
        .unwrap();
    assert_eq!(aws["kind"], "secret");
    assert_eq!(aws["confidence"], "high");
    assert_eq!(aws["redacted"], "AKIA…");
    assert_eq!(aws["secret"], serde_json::Value::Null);
    assert_eq!(aws["fingerprint"].as_str().unwrap().len(), 32);
    let places: Vec<(String, u64)> = aws["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("deploy/.env".to_string(), 3),
            ("src/config.py".to_string(), 1)
        ]
    );
    assert_eq!(report["summary"]["secrets"]["files"], 4);
    assert_eq!(report["summary"]["secrets"]["source"], "working-tree");

    // The same tree gives the same bytes, whatever the thread count.
    let single = env.rampart(&["scan", "--secrets", "-j", "1", "--format", "json", "app"]);
    assert_eq!(single.json(), report);

    let shown = env.rampart(&["scan", "--secrets", "--show-secrets", "app"]);
    assert!(shown.stdout().contains(&key), "{}", shown.stdout());
}

#[test]
fn gitignore_binary_and_size_limits_are_honoured_and_counted() {
    let env = Env::new();
    write(&env, "repo/.gitignore", "generated/\n");
    write(
        &env,
        "repo/generated/keys.txt",
        &format!("key={}\n", aws_key_id(3)),
    );
    let mut binary = b"\x7fELF\x00\x00".to_vec();
    binary.extend_from_slice(aws_key_id(4).as_bytes());
    std::fs::write(env.path("repo/tool.bin"), binary).unwrap();
    write(
        &env,
        "repo/big.sql",
        &format!("{}\n-- {}\n", "x".repeat(4096), aws_key_id(5)),
    );
    write(&env, "repo/ok.txt", "nothing here\n");

    let run = env.rampart(&[
        "scan",
        "--secrets",
        "--max-file-size",
        "2K",
        "--format",
        "json",
        "repo",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    let summary = &run.json()["summary"]["secrets"];
    assert_eq!(summary["skipped_binary"], 1, "{summary}");
    assert_eq!(summary["skipped_large"], 1, "{summary}");
    assert_eq!(summary["max_file_bytes"], 2048);
    let table = env.rampart(&["scan", "--secrets", "--max-file-size", "2K", "repo"]);
    assert!(
        table
            .stdout()
            .contains("Not scanned for secrets: 1 binary file, 1 file over 2.0 KiB."),
        "{}",
        table.stdout()
    );

    // Without the ignore files the generated key is found.
    let all = env.rampart(&[
        "scan",
        "--secrets",
        "--no-ignore",
        "--format",
        "json",
        "repo",
    ]);
    assert_eq!(all.code(), 1);
    assert_eq!(secrets_of(&all.json()).len(), 2, "{}", all.stdout());

    let bad = env.rampart(&["scan", "--secrets", "--max-file-size", "ten", "repo"]);
    assert_eq!(bad.code(), 2);
    assert!(bad.stderr().contains("invalid size"), "{}", bad.stderr());
}

#[test]
fn inline_ignores_baselines_and_policy_ignores() {
    let env = Env::new();
    let old = aws_key_id(6);
    write(
        &env,
        "svc/a.py",
        &format!(
            "KEY = \"{old}\"\nDOC = \"{}\"  # rampart:ignore\nTOK = \"{}\"  # rampart:ignore aws-access-key-id\n",
            aws_key_id(7),
            slack_bot_token(8)
        ),
    );
    let report = env
        .rampart(&["scan", "--secrets", "--format", "json", "svc"])
        .json();
    let found = secrets_of(&report);
    // Line 2 is ignored outright; on line 3 only the AWS rule is, so the
    // Slack token is still reported.
    let rules: Vec<&str> = found
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["aws-access-key-id", "slack-bot-token"],
        "{report:#}"
    );

    // A baseline accepts what is there today; only new secrets fail.
    let baseline = env.path("baseline.json");
    let run = env.rampart(&[
        "scan",
        "--secrets",
        "--write-baseline",
        baseline.to_str().unwrap(),
        "svc",
    ]);
    assert_eq!(run.code(), 1);
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(!text.contains(&old), "the baseline holds fingerprints only");
    assert!(
        !text.contains("line"),
        "no line numbers in the baseline: {text}"
    );
    let with_baseline = [
        "scan",
        "--secrets",
        "--baseline",
        baseline.to_str().unwrap(),
        "svc",
    ];
    assert_eq!(env.rampart(&with_baseline).code(), 0);
    // Moving the secret to another line keeps it accepted.
    let moved = std::fs::read_to_string(env.path("svc/a.py")).unwrap();
    write(&env, "svc/a.py", &format!("\n\n\n{moved}"));
    assert_eq!(env.rampart(&with_baseline).code(), 0);
    write(&env, "svc/b.py", &format!("NEW = \"{}\"\n", aws_key_id(9)));
    let run = env.rampart(&with_baseline);
    assert_eq!(run.code(), 1);
    assert!(run.stdout().contains("b.py"), "{}", run.stdout());
    std::fs::remove_file(env.path("svc/b.py")).unwrap();

    // A policy ignore by fingerprint, with a reason and an expiry.
    let fingerprint = found[0]["fingerprint"].as_str().unwrap().to_string();
    let slack = found[1]["fingerprint"].as_str().unwrap().to_string();
    write(
        &env,
        "svc/rampart.toml",
        &format!(
            "[[ignore]]\nfingerprint = \"{fingerprint}\"\nreason = \"revoked 2024-01-02, kept for the migration test\"\nuntil = 2999-01-01\n\n[[ignore]]\nfingerprint = \"{slack}\"\nreason = \"workspace deleted\"\nuntil = 2020-01-01\n"
        ),
    );
    let run = env.rampart(&["scan", "--secrets", "--format", "json", "svc"]);
    let report = run.json();
    assert_eq!(report["ignored"].as_array().unwrap().len(), 1, "{report:#}");
    assert_eq!(report["expired_ignores"].as_array().unwrap().len(), 1);
    assert_eq!(run.code(), 1, "the expired ignore no longer suppresses");
}

#[test]
fn path_rules_lower_the_confidence_of_test_fixtures() {
    let env = Env::new();
    let key = aws_key_id(10);
    write(&env, "p/tests/fixtures/creds.txt", &format!("id={key}\n"));
    let report = env
        .rampart(&["scan", "--secrets", "--format", "json", "p"])
        .json();
    let finding = secrets_of(&report)[0];
    assert_eq!(finding["confidence"], "medium", "{finding:#}");
    assert_eq!(finding["severity"], "medium");

    write(
        &env,
        "p/rampart.toml",
        "[secrets]\nbuiltin_path_rules = false\n",
    );
    let report = env
        .rampart(&["scan", "--secrets", "--format", "json", "p"])
        .json();
    assert_eq!(secrets_of(&report)[0]["confidence"], "high");

    write(
        &env,
        "p/rampart.toml",
        "[secrets]\ndisable_rules = [\"no-such-rule\"]\n",
    );
    let run = env.rampart(&["scan", "--secrets", "p"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("rampart.toml:1") && run.stderr().contains("no-such-rule"),
        "{}",
        run.stderr()
    );
    write(
        &env,
        "p/rampart.toml",
        "[secrets]\ndisable_rules = [\"aws-access-key-id\"]\n",
    );
    assert_eq!(env.rampart(&["scan", "--secrets", "p"]).code(), 0);
}

#[test]
fn staged_scans_only_what_the_commit_would_record() {
    if !git_available() {
        return;
    }
    let env = Env::new();
    let repo = env.path("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(&env, "repo/readme.md", "hello\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "first"]);

    // Not staged: a pre-commit hook must let the commit through.
    write(
        &env,
        "repo/draft.py",
        &format!("k = '{}'\n", aws_key_id(11)),
    );
    let run = env.rampart(&["scan", "--staged", "--format", "json", "repo"]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert_eq!(run.json()["summary"]["secrets"]["source"], "staged");

    git(&repo, &["add", "draft.py"]);
    let run = env.rampart(&["scan", "--staged", "repo"]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert!(run.stdout().contains("draft.py"), "{}", run.stdout());
    assert!(run.stdout().contains("1 staged file"), "{}", run.stdout());

    let outside = env.path("not-a-repo");
    std::fs::create_dir_all(&outside).unwrap();
    let run = env.rampart(&["scan", "--staged", "not-a-repo"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("not-a-repo"), "{}", run.stderr());
    let run = env.rampart(&["scan", "--staged", "--deps", "repo"]);
    assert_eq!(run.code(), 2);
}

#[test]
fn history_finds_a_deleted_secret_with_the_commit_that_added_it() {
    if !git_available() {
        return;
    }
    let env = Env::new();
    let repo = env.path("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    write(&env, "repo/app.py", "print('v1')\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "v1"]);
    git(&repo, &["tag", "v1"]);
    let token = slack_bot_token(12);
    write(
        &env,
        "repo/app.py",
        &format!("print('v2')\nSLACK = '{token}'\n"),
    );
    git(&repo, &["commit", "-qam", "v2 adds a token"]);
    write(&env, "repo/app.py", "print('v3')\n");
    git(&repo, &["commit", "-qam", "v3 removes it"]);

    // The working tree is clean; the history is not.
    assert_eq!(env.rampart(&["scan", "--secrets", "repo"]).code(), 0);
    let run = env.rampart(&["scan", "--history", "--format", "json", "repo"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_never_printed(&run, &[&token]);
    let report = run.json();
    let found = secrets_of(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    let location = &found[0]["locations"][0];
    assert_eq!(location["path"], "app.py");
    assert_eq!(location["line"], 2);
    assert_eq!(location["commit"]["author"], "Dana Dev <dana@example.com>");
    assert_eq!(location["commit"]["date"], "2024-05-06T07:08:09Z");
    assert_eq!(location["commit"]["id"].as_str().unwrap().len(), 40);
    assert_eq!(report["summary"]["secrets"]["commits"], 3);
    assert_eq!(
        report["summary"]["secrets"]["files"], 3,
        "three distinct blobs"
    );

    let table = env.rampart(&["scan", "--history", "repo"]);
    assert!(
        table
            .stdout()
            .contains("by Dana Dev <dana@example.com> on 2024-05-06"),
        "{}",
        table.stdout()
    );

    // Since v1: the two later commits, the token still among them.
    let since = env.rampart(&[
        "scan",
        "--history",
        "--since",
        "v1",
        "--format",
        "json",
        "repo",
    ]);
    assert_eq!(since.code(), 1);
    assert_eq!(since.json()["summary"]["secrets"]["commits"], 2);
    let range = env.rampart(&["scan", "--history", "--since", "HEAD~1..HEAD", "repo"]);
    assert_eq!(range.code(), 0, "{}", range.stdout());

    let unknown = env.rampart(&["scan", "--history", "--since", "v9", "repo"]);
    assert_eq!(unknown.code(), 2);
    assert!(unknown.stderr().contains("v9"), "{}", unknown.stderr());
}
