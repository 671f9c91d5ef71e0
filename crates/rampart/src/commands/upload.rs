//! Uploads to the findings inventory: `rampart scan --upload` (the scan
//! report as a [`ScanUpload`]) and `rampart upload sarif|sbom` (another
//! tool's file, checked and stripped here before it leaves the machine).

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use rampart_api::{ScanUpload, UploadQuery, UploadReceipt};
use rampart_client::{Client, ClientError};
use rampart_core::{Finding, FindingKind, normalize_package_name};
use rampart_inventory::finding::{
    MAX_IDS, MAX_TITLE_CHARS, extract_advisory_ids, truncate_bytes, truncate_chars,
};
use rampart_inventory::sarif::{self, SarifLimits};
use rampart_inventory::{
    FindingDetail, FindingFingerprint, FingerprintOrigin, IncomingComponent, IncomingFinding,
    IncomingKind, LocalSuppression, PackageRef, UploadScope, check_scope_name, strip_sarif,
};
use rampart_report::{IgnoredFinding, ScanReport, SecretSource, SuppressionSource};

use crate::cli::{InventoryUploadArgs, ScanArgs, UploadCommand, UploadProvenance, UploadTarget};
use crate::commands::incident::{connect, emit};

/// Where a scan's dependency findings and components go.
pub const DEPS_SCOPE: &str = "rampart:deps";
/// A working-tree secret scan.
pub const SECRETS_SCOPE: &str = "rampart:secrets";
/// A `--history` secret scan: kept apart so alternating working-tree and
/// history scans do not flip each other's findings fixed and reopened.
pub const SECRETS_HISTORY_SCOPE: &str = "rampart:secrets-history";

/// Longest message sent with a finding: a summary, not a report.
const MAX_MESSAGE_BYTES: usize = 1024;

/// What the scan report cannot say about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadOptions {
    /// The commit scanned.
    pub commit: Option<String>,
    /// The CI run.
    pub run: Option<String>,
    /// `--partial`: the scan covers only part of the service.
    pub partial: bool,
    /// The scan root was a directory: one lockfile or file is only part
    /// of a service.
    pub root_is_dir: bool,
    /// A `--history` scan limited to some commits (`--since`).
    pub history_limited: bool,
}

/// The body of `POST /services/{service}/uploads/scan` for `report`.
///
/// Scopes: `rampart:deps` when dependencies were scanned, and
/// `rampart:secrets` (working tree) or `rampart:secrets-history`
/// (`--history`) when secrets were. A scope is complete only when the
/// root is a directory, nothing failed to parse (an unreadable lockfile
/// must not turn its findings "fixed") and `--partial` was not given; a
/// history scope also needs the whole history. Staged scans are refused
/// with `--upload` before they run; should one get here, it is incomplete.
///
/// Ignored findings are sent with their `local_suppression`, so that
/// suppressing a finding locally is not mistaken for fixing it. A secret
/// is described by its redacted form and provider only: its value has no
/// field to go in, even under `--show-secrets`.
///
/// The same report gives byte-identical JSON: findings are sorted by
/// (scope, fingerprint), components by their order.
pub fn scan_upload(report: &ScanReport, opts: &UploadOptions) -> ScanUpload {
    let complete = opts.root_is_dir && report.errors.is_empty() && !opts.partial;
    let mut scopes = Vec::new();
    if report.dependencies_scanned {
        scopes.push(UploadScope {
            scope: DEPS_SCOPE.into(),
            complete,
        });
    }
    let secret_scope = report.secrets.as_ref().map(|summary| match summary.source {
        SecretSource::WorkingTree => UploadScope {
            scope: SECRETS_SCOPE.into(),
            complete,
        },
        SecretSource::History => UploadScope {
            scope: SECRETS_HISTORY_SCOPE.into(),
            complete: complete && !opts.history_limited,
        },
        SecretSource::Staged => UploadScope {
            scope: SECRETS_SCOPE.into(),
            complete: false,
        },
    });
    let secret_scope_name = secret_scope
        .as_ref()
        .map_or(SECRETS_SCOPE, |s| s.scope.as_str())
        .to_owned();
    scopes.extend(secret_scope);
    scopes.sort();

    let active = report.findings.iter().map(|f| (f, None));
    let ignored = report
        .ignored
        .iter()
        .map(|i| (&i.finding, Some(suppression(i))));
    let mut findings: Vec<IncomingFinding> = active
        .chain(ignored)
        .map(|(finding, local)| incoming_finding(finding, &secret_scope_name, local))
        .collect();
    // Stable: where one fingerprint is both active and ignored (two
    // ignores, one expired), the active one comes first and stays.
    findings.sort_by(|a, b| (&a.scope, &a.fingerprint).cmp(&(&b.scope, &b.fingerprint)));
    findings.dedup_by(|b, a| a.scope == b.scope && a.fingerprint == b.fingerprint);

    let mut components: Vec<IncomingComponent> = if report.dependencies_scanned {
        report
            .components
            .iter()
            .map(|c| IncomingComponent {
                scope: DEPS_SCOPE.into(),
                ecosystem: c.ecosystem.osv_name().to_owned(),
                name: normalize_package_name(&c.ecosystem, &c.name),
                version: c.version.exact().map(str::to_owned),
                purl: c.purl().map(|p| p.as_str().to_owned()),
                path: c.location.path.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    components.sort();
    components.dedup();

    ScanUpload {
        tool: Some(format!("rampart {}", report.tool_version)),
        commit: opts.commit.clone(),
        run: opts.run.clone(),
        scopes,
        findings,
        components,
    }
}

fn suppression(ignored: &IgnoredFinding) -> LocalSuppression {
    let (source, reason) = match ignored.source {
        SuppressionSource::Policy => ("rampart.toml", Some(ignored.reason.clone())),
        // The baseline's "reason" is only the word "baseline".
        SuppressionSource::Baseline => ("baseline", None),
    };
    let reason = match (reason, ignored.until) {
        (Some(reason), Some(until)) => Some(format!("{reason} (until {until})")),
        (reason, _) => reason,
    };
    LocalSuppression {
        source: source.into(),
        reason: reason.map(|r| truncate_bytes(&r, MAX_MESSAGE_BYTES)),
    }
}

fn incoming_finding(
    finding: &Finding,
    secret_scope: &str,
    local_suppression: Option<LocalSuppression>,
) -> IncomingFinding {
    let path = Some(finding.location.path.clone()).filter(|p| !p.is_empty());
    let line = finding.location.line.map(u64::from);
    let (scope, kind, package, ids, detail) = match &finding.kind {
        FindingKind::Vulnerability {
            package,
            fixed_versions,
            references,
            informational,
            ..
        } => {
            let version = package.version.exact();
            let fix = match fixed_versions.as_slice() {
                [] => "no fixed version".to_owned(),
                versions => format!("fixed in {}", versions.join(" or ")),
            };
            let message = format!(
                "{} {}: {fix}",
                package.name,
                version.unwrap_or("(version unresolved)")
            );
            let detail = FindingDetail {
                message: Some(truncate_bytes(&message, MAX_MESSAGE_BYTES)),
                help_uri: references
                    .iter()
                    .find(|r| r.starts_with("https://") || r.starts_with("http://"))
                    .cloned(),
                tags: informational.iter().cloned().collect(),
            };
            let package = PackageRef {
                ecosystem: package.ecosystem.osv_name().to_owned(),
                name: normalize_package_name(&package.ecosystem, &package.name),
                version: version.map(str::to_owned),
            };
            (
                DEPS_SCOPE,
                IncomingKind::Vulnerability,
                Some(package),
                advisory_ids(finding),
                detail,
            )
        }
        FindingKind::Secret {
            provider, redacted, ..
        } => {
            // Only what every default output shows: never `value`.
            let detail = FindingDetail {
                message: Some(truncate_bytes(
                    &format!("{provider} credential {redacted}"),
                    MAX_MESSAGE_BYTES,
                )),
                help_uri: None,
                tags: Vec::new(),
            };
            (secret_scope, IncomingKind::Secret, None, Vec::new(), detail)
        }
    };
    IncomingFinding {
        scope: scope.to_owned(),
        fingerprint: FindingFingerprint::from(finding.fingerprint.clone()),
        fingerprint_origin: FingerprintOrigin::Rampart,
        kind,
        rule_id: finding.id.clone(),
        title: truncate_chars(&finding.title, MAX_TITLE_CHARS),
        severity: finding.severity,
        path,
        line,
        package,
        ids,
        detail,
        local_suppression,
    }
}

/// The advisory's id and aliases, upper-cased, sorted, each once. An id
/// of a scheme "affected by X" queries do not parse (`MAL-…`, `OSV-…`) is
/// kept as it is, upper-cased.
fn advisory_ids(finding: &Finding) -> Vec<String> {
    let mut ids = Vec::new();
    for id in finding.all_ids() {
        let before = ids.len();
        extract_advisory_ids(id, &mut ids);
        let plain = id.trim();
        if ids.len() == before
            && !plain.is_empty()
            && plain.len() <= 64
            && plain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        {
            ids.push(plain.to_ascii_uppercase());
        }
    }
    ids.sort();
    ids.dedup();
    ids.truncate(MAX_IDS);
    ids
}

/// Commit and run: the flags, else what the CI says. `env` reads one
/// variable (injected for tests).
pub fn provenance(
    commit: Option<String>,
    run: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Option<String>, Option<String>) {
    let var = |name: &str| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let commit = commit
        .or_else(|| var("GITHUB_SHA"))
        .or_else(|| var("CI_COMMIT_SHA"))
        .or_else(|| var("BUILDKITE_COMMIT"));
    let run = run
        .or_else(|| {
            // A re-run of a GitHub workflow keeps its run id; the attempt
            // tells it apart, so the re-run is not taken for a retry.
            var("GITHUB_RUN_ID").map(|id| match var("GITHUB_RUN_ATTEMPT") {
                Some(attempt) => format!("{id}-{attempt}"),
                None => id,
            })
        })
        .or_else(|| var("CI_PIPELINE_ID"))
        .or_else(|| var("BUILDKITE_BUILD_ID"));
    (commit, run)
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Where `scan --upload` sends its report.
pub(crate) struct ScanDestination {
    client: Client,
    service: String,
    commit: Option<String>,
    run: Option<String>,
    partial: bool,
}

/// The upload `args` ask for, checked before the scan runs: `None`
/// without `--upload`.
pub(crate) fn scan_destination(args: &ScanArgs) -> anyhow::Result<Option<ScanDestination>> {
    let Some(url) = &args.upload else {
        return Ok(None);
    };
    anyhow::ensure!(
        !args.staged,
        "--upload cannot be combined with --staged: a pre-commit scan covers only the staged files"
    );
    let service = args
        .service
        .clone()
        .context("--upload needs --service NAME")?;
    let token = process_env("RAMPART_TOKEN")
        .filter(|t| !t.trim().is_empty())
        .context(
            "--upload needs an API token in RAMPART_TOKEN (create one with `rampart token create` \
             on the server)",
        )?;
    let client = Client::new(url, Some(token))?;
    let (commit, run) = provenance(args.commit.clone(), args.run.clone(), &process_env);
    Ok(Some(ScanDestination {
        client,
        service,
        commit,
        run,
        partial: args.partial,
    }))
}

impl ScanDestination {
    /// Uploads `report` and says on stderr what it changed (stdout is the
    /// report's).
    pub(crate) fn send(
        &self,
        report: &ScanReport,
        root_is_dir: bool,
        history_limited: bool,
    ) -> anyhow::Result<()> {
        let options = UploadOptions {
            commit: self.commit.clone(),
            run: self.run.clone(),
            partial: self.partial,
            root_is_dir,
            history_limited,
        };
        let body = scan_upload(report, &options);
        let receipt = self
            .client
            .upload_scan(&self.service, &body)
            .map_err(|e| upload_failed(&self.service, e))?;
        eprintln!("{}", receipt_line(&receipt));
        Ok(())
    }
}

fn upload_failed(service: &str, error: ClientError) -> anyhow::Error {
    match error.status() {
        Some(status) => anyhow::anyhow!("upload to {service} failed: HTTP {status}: {error}"),
        None => anyhow::anyhow!("upload to {service} failed: {error}"),
    }
}

/// `uploaded to checkout: 3 new, 1 fixed, 0 reopened, 120 components
/// (upload 17)`, or `… unchanged (duplicate of upload 17)`.
pub fn receipt_line(receipt: &UploadReceipt) -> String {
    if receipt.duplicate {
        return format!(
            "uploaded to {}: unchanged (duplicate of upload {})",
            receipt.service, receipt.upload_id
        );
    }
    let c = &receipt.counts;
    format!(
        "uploaded to {}: {} new, {} fixed, {} reopened, {} components (upload {})",
        receipt.service, c.new, c.fixed, c.reopened, c.components, receipt.upload_id
    )
}

/// `rampart upload sarif|sbom`.
pub fn run(args: InventoryUploadArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    // Every local check comes before the connection, so a wrong file is
    // reported without a server or token.
    let (target, prepared) = match &args.command {
        UploadCommand::Sarif { file, target } => (target, prepare_sarif(file)?),
        UploadCommand::Sbom { file, name, target } => {
            (target, prepare_sbom(file, name.as_deref())?)
        }
    };
    let client = connect(options)?;
    let query = upload_query(target, prepared.name, &process_env);
    let service = &target.service;
    let receipt = match prepared.kind {
        Prepared::Sarif => client.upload_sarif(service, &query, &prepared.bytes),
        Prepared::Sbom { media_type } => {
            client.upload_sbom(service, &query, media_type, &prepared.bytes)
        }
    }
    .map_err(|e| upload_failed(service, e))?;
    emit(options, &receipt, |receipt| {
        println!("{}", receipt_line(receipt));
        for scope in &receipt.scopes {
            let how = if scope.complete {
                "complete"
            } else {
                "partial"
            };
            println!("  scope {} ({how})", scope.scope);
        }
        if receipt.counts.skipped > 0 {
            match receipt.counts.skipped {
                1 => println!("  1 entry was neither a finding nor a component"),
                n => println!("  {n} entries were neither findings nor components"),
            }
        }
    })
}

fn upload_query(
    target: &UploadTarget,
    name: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> UploadQuery {
    let UploadProvenance {
        commit,
        run,
        partial,
    } = target.provenance.clone();
    let (commit, run) = provenance(commit, run, env);
    UploadQuery {
        commit,
        run,
        complete: partial.then_some(false),
        name,
    }
}

/// A file checked and ready to send.
struct PreparedFile {
    bytes: Vec<u8>,
    kind: Prepared,
    name: Option<String>,
}

enum Prepared {
    Sarif,
    Sbom { media_type: &'static str },
}

/// Reads, parses and strips a SARIF log: what the server would refuse is
/// refused here, naming the file and the field, and source excerpts
/// (where scanners put the secrets they found) never leave the machine.
fn prepare_sarif(file: &Path) -> anyhow::Result<PreparedFile> {
    let limits = SarifLimits::default();
    let bytes = read_limited(file, limits.max_bytes)?;
    let parsed = sarif::parse(&bytes, &limits)
        .with_context(|| format!("{} is not a SARIF 2.1.0 log Rampart reads", file.display()))?;
    if parsed.scopes.is_empty() {
        anyhow::bail!("{}: the log has no runs to upload", file.display());
    }
    let stripped = strip_sarif(&bytes).with_context(|| format!("{}", file.display()))?;
    Ok(PreparedFile {
        bytes: stripped,
        kind: Prepared::Sarif,
        name: None,
    })
}

/// Reads and parses an SBOM, so a malformed one is refused before any
/// network call; sends it unchanged with its format's media type.
fn prepare_sbom(file: &Path, name: Option<&str>) -> anyhow::Result<PreparedFile> {
    if let Some(name) = name {
        check_scope_name(&format!("sbom:{name}"))
            .map_err(|why| anyhow::anyhow!("--name {name:?}: {why}"))?;
    }
    let bytes = read_limited(file, rampart_deps::sbom::MAX_BYTES)?;
    let sbom = rampart_deps::sbom::parse(&bytes)
        .with_context(|| format!("{} is not an SBOM Rampart reads", file.display()))?;
    let media_type = match sbom.format {
        rampart_deps::sbom::SbomFormat::CycloneDx => "application/vnd.cyclonedx+json",
        rampart_deps::sbom::SbomFormat::Spdx => "application/spdx+json",
    };
    Ok(PreparedFile {
        bytes,
        kind: Prepared::Sbom { media_type },
        name: name.map(str::to_owned),
    })
}

/// The file's bytes, refusing more than `max` (enforced while reading:
/// device files report no size).
fn read_limited(file: &Path, max: usize) -> anyhow::Result<Vec<u8>> {
    let handle =
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut bytes = Vec::new();
    handle
        .take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", file.display()))?;
    anyhow::ensure!(
        bytes.len() <= max,
        "{} is larger than the upload limit of {max} bytes",
        file.display()
    );
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::commands::scan::{Scanned, scan};

    fn scan_args(args: &[&str]) -> ScanArgs {
        let mut argv = vec!["rampart", "scan"];
        argv.extend(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Scan(args) => args,
            other => panic!("{other:?}"),
        }
    }

    fn run_scan(args: &[&str]) -> Scanned {
        scan(&scan_args(args)).unwrap().expect("a scanner ran")
    }

    fn options(scanned: &Scanned) -> UploadOptions {
        UploadOptions {
            root_is_dir: scanned.root_is_dir,
            ..UploadOptions::default()
        }
    }

    // Real-looking GitHub token: matches the built-in rule.
    const TOKEN: &str = "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";
    const OTHER: &str = "glpat-xK9pQ2mN7vR4tY8wZ3aB";

    fn planted_tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("deploy.py"),
            format!("GITHUB_TOKEN = \"{TOKEN}\"\n"),
        )
        .unwrap();
        dir
    }

    #[test]
    fn a_secret_value_is_nowhere_in_the_body_even_with_show_secrets() {
        let dir = planted_tree();
        let root = dir.path().display().to_string();
        let scanned = run_scan(&[&root, "--secrets", "--show-secrets"]);
        assert!(
            !scanned.report.findings.is_empty(),
            "the planted token was not found"
        );
        let upload = scan_upload(&scanned.report, &options(&scanned));
        let body = serde_json::to_vec(&upload).unwrap();
        let text = String::from_utf8(body.clone()).unwrap();
        for needle in [TOKEN, &TOKEN[4..], &TOKEN[8..24]] {
            assert!(
                !body.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} is in {text}"
            );
        }
        assert_eq!(
            upload.scopes,
            [UploadScope {
                scope: SECRETS_SCOPE.into(),
                complete: true
            }]
        );
        let finding = &upload.findings[0];
        assert_eq!(finding.kind, IncomingKind::Secret);
        assert_eq!(finding.scope, SECRETS_SCOPE);
        assert_eq!(finding.path.as_deref(), Some("deploy.py"));
        assert_eq!(finding.line, Some(1));
        assert_eq!(
            finding.detail.message.as_deref(),
            Some("GitHub credential ghp_…")
        );
        assert_eq!(
            finding.fingerprint.as_str(),
            scanned.report.findings[0].fingerprint.as_str()
        );
        // The server reads it back with unknown fields refused.
        let back: ScanUpload = serde_json::from_slice(&body).unwrap();
        assert_eq!(back, upload);
    }

    #[test]
    fn ignored_findings_travel_with_their_local_suppression() {
        let dir = planted_tree();
        let root = dir.path().display().to_string();
        let baseline = dir.path().join("baseline.json");
        let baseline_arg = baseline.display().to_string();
        run_scan(&[&root, "--secrets", "--write-baseline", &baseline_arg]);
        std::fs::write(dir.path().join("other.env"), format!("TOKEN={OTHER}\n")).unwrap();
        let scanned = run_scan(&[&root, "--secrets", "--baseline", &baseline_arg]);
        assert_eq!(scanned.report.findings.len(), 1);
        assert_eq!(scanned.report.ignored.len(), 1);
        let upload = scan_upload(&scanned.report, &options(&scanned));
        assert_eq!(upload.findings.len(), 2);
        let suppressed: Vec<_> = upload
            .findings
            .iter()
            .filter_map(|f| f.local_suppression.as_ref().map(|s| (f, s)))
            .collect();
        assert_eq!(suppressed.len(), 1);
        let (finding, suppression) = suppressed[0];
        assert_eq!(finding.path.as_deref(), Some("deploy.py"));
        assert_eq!(suppression.source, "baseline");

        // A rampart.toml ignore names its reason.
        let other = upload
            .findings
            .iter()
            .find(|f| f.path.as_deref() == Some("other.env"))
            .unwrap();
        std::fs::write(
            dir.path().join("rampart.toml"),
            format!(
                "[[ignore]]\nfingerprint = \"{}\"\nreason = \"test fixture\"\n",
                other.fingerprint
            ),
        )
        .unwrap();
        let scanned = run_scan(&[&root, "--secrets"]);
        let upload = scan_upload(&scanned.report, &options(&scanned));
        let policy = upload
            .findings
            .iter()
            .find(|f| f.path.as_deref() == Some("other.env"))
            .and_then(|f| f.local_suppression.clone())
            .expect("other.env is ignored");
        assert_eq!(policy.source, "rampart.toml");
        assert_eq!(policy.reason.as_deref(), Some("test fixture"));
    }

    #[test]
    fn scopes_are_complete_only_for_a_whole_directory() {
        let dir = planted_tree();
        let root = dir.path().display().to_string();
        let scanned = run_scan(&[&root, "--secrets"]);
        let partial = UploadOptions {
            partial: true,
            ..options(&scanned)
        };
        assert!(!scan_upload(&scanned.report, &partial).scopes[0].complete);

        let file = dir.path().join("deploy.py").display().to_string();
        let single = run_scan(&[&file, "--secrets"]);
        assert!(!single.root_is_dir);
        assert!(!scan_upload(&single.report, &options(&single)).scopes[0].complete);

        let mut broken = scanned.report.clone();
        broken.errors.push(rampart_report::SkippedFile {
            path: "x".into(),
            reason: "unreadable".into(),
        });
        assert!(!scan_upload(&broken, &options(&scanned)).scopes[0].complete);

        let mut history = scanned.report.clone();
        if let Some(summary) = history.secrets.as_mut() {
            summary.source = SecretSource::History;
        }
        let whole = scan_upload(&history, &options(&scanned));
        assert_eq!(
            whole.scopes,
            [UploadScope {
                scope: SECRETS_HISTORY_SCOPE.into(),
                complete: true
            }]
        );
        assert!(
            whole
                .findings
                .iter()
                .all(|f| f.scope == SECRETS_HISTORY_SCOPE)
        );
        let since = UploadOptions {
            history_limited: true,
            ..options(&scanned)
        };
        assert!(!scan_upload(&history, &since).scopes[0].complete);
    }

    /// The shared OSV fixtures imported into a fresh database, and a copy
    /// of our vulnerable Rust project; `None` (after a loud SKIPPED line)
    /// when the fixtures are missing outside CI.
    fn rust_project() -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
        let advisories = rampart_fixtures::sub("osv/rustsec")?;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("advisories.db");
        rampart_osv::db::import(&db, &[advisories]).unwrap();
        let project = dir.path().join("vulnerable-rust");
        std::fs::create_dir(&project).unwrap();
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vulnerable-rust/Cargo.lock"),
            project.join("Cargo.lock"),
        )
        .unwrap();
        Some((dir, db, project))
    }

    #[test]
    fn a_dependency_scan_uploads_findings_ids_and_components_deterministically() {
        let Some((_dir, db, project)) = rust_project() else {
            return;
        };
        let (db, root) = (db.display().to_string(), project.display().to_string());
        let args = ["--deps", "--db", db.as_str(), root.as_str()];
        let scanned = run_scan(&args);
        let upload = scan_upload(&scanned.report, &options(&scanned));
        assert_eq!(
            upload.scopes,
            [UploadScope {
                scope: DEPS_SCOPE.into(),
                complete: true
            }]
        );
        let smallvec = upload
            .findings
            .iter()
            .find(|f| f.rule_id == "RUSTSEC-2021-0003")
            .expect("the smallvec advisory");
        assert_eq!(smallvec.kind, IncomingKind::Vulnerability);
        assert_eq!(
            smallvec.package,
            Some(PackageRef {
                ecosystem: "crates.io".into(),
                name: "smallvec".into(),
                version: Some("1.6.0".into()),
            })
        );
        for id in ["CVE-2021-25900", "GHSA-43W2-9J62-HQ99", "RUSTSEC-2021-0003"] {
            assert!(smallvec.ids.iter().any(|i| i == id), "{:?}", smallvec.ids);
        }
        assert!(smallvec.ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(smallvec.path.as_deref(), Some("Cargo.lock"));
        assert_eq!(
            smallvec.detail.message.as_deref(),
            Some("smallvec 1.6.0: fixed in 1.6.1")
        );
        assert!(
            upload
                .findings
                .windows(2)
                .all(|w| (&w[0].scope, &w[0].fingerprint) < (&w[1].scope, &w[1].fingerprint))
        );
        assert_eq!(
            upload.components.len(),
            scanned.report.components.len(),
            "one component per package"
        );
        let component = upload
            .components
            .iter()
            .find(|c| c.name == "smallvec")
            .unwrap();
        assert_eq!(component.purl.as_deref(), Some("pkg:cargo/smallvec@1.6.0"));
        assert_eq!(component.path, "Cargo.lock");
        assert!(upload.components.windows(2).all(|w| w[0] < w[1]));

        // The same scan twice (and on one thread) gives the same bytes,
        // so the server can tell a retry from a change.
        let first = serde_json::to_vec(&upload).unwrap();
        let again = run_scan(&args);
        let mut single = args.to_vec();
        single.extend(["-j", "1"]);
        let single = run_scan(&single);
        for other in [again, single] {
            let body = serde_json::to_vec(&scan_upload(&other.report, &options(&other))).unwrap();
            assert_eq!(first, body);
        }
    }

    #[test]
    fn commit_and_run_default_from_the_ci() {
        let github = |name: &str| match name {
            "GITHUB_SHA" => Some("abc".to_owned()),
            "GITHUB_RUN_ID" => Some("42".to_owned()),
            "GITHUB_RUN_ATTEMPT" => Some("2".to_owned()),
            "CI_COMMIT_SHA" => Some("gitlab".to_owned()),
            _ => None,
        };
        assert_eq!(
            provenance(None, None, &github),
            (Some("abc".into()), Some("42-2".into()))
        );
        assert_eq!(
            provenance(Some("mine".into()), Some("7".into()), &github),
            (Some("mine".into()), Some("7".into()))
        );
        let gitlab = |name: &str| match name {
            "CI_COMMIT_SHA" => Some("def".to_owned()),
            "CI_PIPELINE_ID" => Some("99".to_owned()),
            "GITHUB_SHA" => Some("  ".to_owned()),
            _ => None,
        };
        assert_eq!(
            provenance(None, None, &gitlab),
            (Some("def".into()), Some("99".into()))
        );
        let buildkite = |name: &str| match name {
            "BUILDKITE_COMMIT" => Some("b1".to_owned()),
            "BUILDKITE_BUILD_ID" => Some("uuid".to_owned()),
            _ => None,
        };
        assert_eq!(
            provenance(None, None, &buildkite),
            (Some("b1".into()), Some("uuid".into()))
        );
        assert_eq!(provenance(None, None, &|_| None), (None, None));
    }

    #[test]
    fn receipts_read_as_one_line() {
        let mut receipt: UploadReceipt = serde_json::from_value(serde_json::json!({
            "upload_id": 17, "duplicate": false, "service": "checkout", "format": "scan",
            "scopes": [], "uploaded_at": "2026-11-28T10:00:00Z", "uploaded_by": "ci",
            "counts": {"new": 3, "seen_again": 5, "fixed": 1, "reopened": 0,
                       "components_added": 2, "components_removed": 0, "components": 120,
                       "skipped": 0}
        }))
        .unwrap();
        assert_eq!(
            receipt_line(&receipt),
            "uploaded to checkout: 3 new, 1 fixed, 0 reopened, 120 components (upload 17)"
        );
        receipt.duplicate = true;
        assert_eq!(
            receipt_line(&receipt),
            "uploaded to checkout: unchanged (duplicate of upload 17)"
        );
    }

    #[test]
    fn partial_uploads_say_so_in_the_query() {
        let target = UploadTarget {
            service: "svc".into(),
            provenance: UploadProvenance {
                commit: None,
                run: Some("5".into()),
                partial: true,
            },
        };
        let query = upload_query(&target, Some("app".into()), &|_| None);
        assert_eq!(
            query,
            UploadQuery {
                commit: None,
                run: Some("5".into()),
                complete: Some(false),
                name: Some("app".into()),
            }
        );
        let whole = UploadTarget {
            provenance: UploadProvenance::default(),
            ..target
        };
        assert_eq!(upload_query(&whole, None, &|_| None).complete, None);
    }
}
