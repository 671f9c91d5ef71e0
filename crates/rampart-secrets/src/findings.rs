//! From matches to findings: one finding per distinct secret, with every
//! place it occurs, redacted, fingerprinted and weighed by where it was
//! found.
//!
//! This is the boundary the design draws: a secret's value does not leave
//! this crate unless the caller asked for it (`show_secrets`). Everything
//! downstream (policy, renderers, uploads) sees the redacted form and the
//! fingerprint only.

use std::collections::{BTreeSet, HashMap};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rampart_core::{
    CommitInfo, Confidence as CoreConfidence, Finding, FindingKind, Fingerprint, Location,
    SecretLocation, Severity as CoreSeverity,
};
use sha2::{Digest, Sha256};

use crate::engine::{Scanner, SecretMatch, redact};
use crate::known_public::is_known_public;
use crate::rules::{Confidence, Severity};

/// Paths where a credential is more often an example, a test value or
/// someone else's vendored code than a live secret: findings only in such
/// paths are reported one confidence and one severity level lower.
pub const DEFAULT_LOWER_CONFIDENCE_PATHS: &[&str] = &[
    // Lockfiles and generated metadata: integrity hashes look random.
    "**/*.lock",
    "**/package-lock.json",
    "**/npm-shrinkwrap.json",
    "**/pnpm-lock.yaml",
    "**/go.sum",
    // Minified and bundled code, source maps, vendored dependencies.
    "**/*.min.js",
    "**/*.min.css",
    "**/*.bundle.js",
    "**/*.js.map",
    "**/vendor/**",
    "**/node_modules/**",
    "**/third_party/**",
    "**/third-party/**",
    // Tests and their fixtures.
    "**/test/**",
    "**/tests/**",
    "**/__tests__/**",
    "**/spec/**",
    "**/fixtures/**",
    "**/testdata/**",
    "**/test-data/**",
    "**/__mocks__/**",
    "**/*_test.go",
    "**/*_test.py",
    "**/test_*.py",
    "**/*.test.js",
    "**/*.test.ts",
    "**/*.spec.js",
    "**/*.spec.ts",
];

/// A path glob in the configuration is not a valid glob.
#[derive(Debug, thiserror::Error)]
#[error("invalid path glob {glob:?}: {message}")]
pub struct PathRuleError {
    pub glob: String,
    pub message: String,
}

/// Globs (gitignore-like, `**` crosses directories) whose findings get a
/// lower confidence.
#[derive(Debug, Clone)]
pub struct PathRules {
    globs: Vec<String>,
    set: GlobSet,
}

impl PathRules {
    /// The built-in rules ([`DEFAULT_LOWER_CONFIDENCE_PATHS`]) when
    /// `builtin`, plus `extra`.
    pub fn new(builtin: bool, extra: &[String]) -> Result<PathRules, PathRuleError> {
        let mut globs: Vec<String> = Vec::new();
        if builtin {
            globs.extend(DEFAULT_LOWER_CONFIDENCE_PATHS.iter().map(|g| g.to_string()));
        }
        globs.extend(extra.iter().cloned());
        let mut builder = GlobSetBuilder::new();
        for glob in &globs {
            // A pattern without a slash names a file anywhere, as in
            // .gitignore.
            let anchored = if glob.contains('/') {
                glob.trim_start_matches('/').to_string()
            } else {
                format!("**/{glob}")
            };
            let compiled = Glob::new(&anchored).map_err(|e| PathRuleError {
                glob: glob.clone(),
                message: e.kind().to_string(),
            })?;
            builder.add(compiled);
        }
        let set = builder.build().map_err(|e| PathRuleError {
            glob: globs.join(", "),
            message: e.to_string(),
        })?;
        Ok(PathRules { globs, set })
    }

    /// No path lowers confidence.
    pub fn none() -> PathRules {
        PathRules {
            globs: Vec::new(),
            set: GlobSet::empty(),
        }
    }

    /// The globs, as configured.
    pub fn globs(&self) -> &[String] {
        &self.globs
    }

    /// Whether `path` (relative, `/`-separated) is one of the
    /// lower-confidence paths.
    pub fn lowers(&self, path: &str) -> bool {
        // Globs written as `**/test/**` must also match `test/a.rs` at the
        // root: globset's `**/` already matches zero directories.
        self.set.is_match(path)
    }
}

impl Default for PathRules {
    fn default() -> Self {
        PathRules::new(true, &[]).expect("built-in path rules are valid globs")
    }
}

/// How matches become findings.
#[derive(Debug, Clone, Default)]
pub struct FindingOptions {
    /// Put the value itself into each finding (`--show-secrets`).
    pub show_secrets: bool,
    pub path_rules: PathRules,
}

/// Collects matches from many files (or blobs) and turns them into one
/// finding per distinct `(rule, value)`.
///
/// Collectors are cheap to create per thread and [`merge`](Self::merge)
/// afterwards, so a parallel scan needs no lock.
#[derive(Debug, Default)]
pub struct SecretCollector {
    groups: HashMap<(String, String), BTreeSet<SecretLocation>>,
    /// Matches dropped because the value is a published example key.
    known_public: usize,
}

impl SecretCollector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the matches `scanner` found in one file. `path` is relative
    /// and `/`-separated; `commit` is set for history scans.
    ///
    /// Where rules of different confidence matched overlapping text (a
    /// GitHub token in `token = "ghp_…"` also satisfies the generic
    /// assignment rule), only the most confident match is kept: one secret,
    /// one finding, named by its most specific rule.
    pub fn add(
        &mut self,
        scanner: &Scanner,
        path: &str,
        commit: Option<&CommitInfo>,
        matches: Vec<SecretMatch>,
    ) {
        for m in most_specific(scanner, matches) {
            if is_known_public(&m.secret) {
                self.known_public += 1;
                continue;
            }
            let location = SecretLocation {
                path: path.to_string(),
                line: u32::try_from(m.line).unwrap_or(u32::MAX),
                commit: commit.cloned(),
            };
            self.groups
                .entry((m.rule_id, m.secret))
                .or_default()
                .insert(location);
        }
    }

    /// Takes over everything `other` collected.
    pub fn merge(&mut self, other: SecretCollector) {
        self.known_public += other.known_public;
        for (key, locations) in other.groups {
            self.groups.entry(key).or_default().extend(locations);
        }
    }

    /// How many distinct secrets were collected so far.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Matches dropped because the value is a known published example.
    pub fn known_public_dropped(&self) -> usize {
        self.known_public
    }

    /// One finding per distinct secret. Rules not run by `scanner` cannot
    /// occur (matches come from it); their matches are dropped defensively.
    pub fn into_findings(self, scanner: &Scanner, options: &FindingOptions) -> Vec<Finding> {
        let mut findings = Vec::with_capacity(self.groups.len());
        for ((rule_id, value), locations) in self.groups {
            let Some(rule) = scanner.rule(&rule_id) else {
                continue;
            };
            let locations: Vec<SecretLocation> = locations.into_iter().collect();
            let Some(first) = locations.first() else {
                continue;
            };
            let lowered = locations.iter().all(|l| options.path_rules.lowers(&l.path));
            let (confidence, severity) = if lowered {
                (
                    lower_confidence(rule.confidence),
                    lower_severity(rule.severity),
                )
            } else {
                (rule.confidence, rule.severity)
            };
            findings.push(Finding {
                id: rule.id.clone(),
                title: rule.name.clone(),
                severity: core_severity(severity),
                location: Location::new(first.path.clone(), Some(first.line)),
                fingerprint: secret_fingerprint(&rule.id, &value),
                kind: FindingKind::Secret {
                    provider: rule.provider.clone(),
                    confidence: core_confidence(confidence),
                    redacted: redact(&value),
                    value: options.show_secrets.then(|| value.clone()),
                    locations,
                },
            });
        }
        findings
    }
}

/// The stable fingerprint of a secret finding: the rule id and the SHA-256
/// of the value, never a path, line or time, so that moving or re-indenting
/// code keeps a baseline valid and the same leaked key has the same
/// fingerprint in every repository (which is what blast-radius queries
/// match on).
pub fn secret_fingerprint(rule_id: &str, value: &str) -> Fingerprint {
    let digest = Sha256::digest(value.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    Fingerprint::from_parts(&["secret", rule_id, &hex])
}

/// Drops every match that overlaps a match of a more confident rule.
/// Linear after sorting: overlapping matches form clusters of consecutive
/// spans, and each cluster keeps the matches of its highest confidence.
fn most_specific(scanner: &Scanner, mut matches: Vec<SecretMatch>) -> Vec<SecretMatch> {
    if matches.len() < 2 {
        return matches;
    }
    let confidence = |m: &SecretMatch| scanner.rule(&m.rule_id).map(|r| r.confidence);
    matches.sort_by_key(|m| (m.start, m.end));
    let mut kept = Vec::with_capacity(matches.len());
    let mut cluster: Vec<SecretMatch> = Vec::new();
    let mut cluster_end = 0usize;
    let rule_order = |m: &SecretMatch| scanner.rules().iter().position(|r| r.id == m.rule_id);
    let flush = |cluster: &mut Vec<SecretMatch>, kept: &mut Vec<SecretMatch>| {
        let best = cluster.iter().map(confidence).max().flatten();
        cluster.retain(|m| confidence(m) == best);
        if cluster.len() > 1 {
            // Two equally confident rules capturing the very same value (a
            // service-account JSON key is also a PKCS#8 key): one finding,
            // named by the rule listed first.
            cluster.sort_by_key(|m| (m.start, m.end, rule_order(m)));
            cluster.dedup_by(|later, earlier| {
                (later.start, later.end) == (earlier.start, earlier.end)
            });
        }
        kept.append(cluster);
    };
    for m in matches {
        if !cluster.is_empty() && m.start >= cluster_end {
            flush(&mut cluster, &mut kept);
        }
        cluster_end = if cluster.is_empty() {
            m.end
        } else {
            cluster_end.max(m.end)
        };
        cluster.push(m);
    }
    flush(&mut cluster, &mut kept);
    kept
}

fn lower_confidence(c: Confidence) -> Confidence {
    match c {
        Confidence::High => Confidence::Medium,
        Confidence::Medium | Confidence::Low => Confidence::Low,
    }
}

fn lower_severity(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium | Severity::Low => Severity::Low,
    }
}

fn core_confidence(c: Confidence) -> CoreConfidence {
    match c {
        Confidence::Low => CoreConfidence::Low,
        Confidence::Medium => CoreConfidence::Medium,
        Confidence::High => CoreConfidence::High,
    }
}

fn core_severity(s: Severity) -> CoreSeverity {
    match s {
        Severity::Low => CoreSeverity::Low,
        Severity::Medium => CoreSeverity::Medium,
        Severity::High => CoreSeverity::High,
        Severity::Critical => CoreSeverity::Critical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ruleset, ScanOptions};

    fn scanner() -> Scanner {
        Scanner::new(
            &Ruleset::builtin().expect("builtin rules"),
            ScanOptions {
                include_low_confidence: true,
            },
        )
    }

    /// A GitHub classic token with a valid checksum, built at run time so
    /// that no token-shaped literal sits in the source.
    fn github_token() -> String {
        let random = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5";
        format!("ghp_{random}{}", crate::github_checksum(random))
    }

    #[test]
    fn one_finding_per_distinct_secret_with_every_location() {
        let scanner = scanner();
        let token = github_token();
        let mut collector = SecretCollector::new();
        let text = format!("x\ntoken = \"{token}\"\n");
        collector.add(&scanner, "src/b.rs", None, scanner.scan(text.as_bytes()));
        let mut other = SecretCollector::new();
        let text = format!("GH={token}\n");
        other.add(&scanner, "deploy/.env", None, scanner.scan(text.as_bytes()));
        collector.merge(other);
        let findings = collector.into_findings(&scanner, &FindingOptions::default());
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let finding = &findings[0];
        let FindingKind::Secret {
            locations,
            redacted,
            value,
            confidence,
            ..
        } = &finding.kind
        else {
            panic!("not a secret finding");
        };
        let places: Vec<(&str, u32)> = locations
            .iter()
            .map(|l| (l.path.as_str(), l.line))
            .collect();
        assert_eq!(places, [("deploy/.env", 1), ("src/b.rs", 2)]);
        assert_eq!(finding.location, Location::new("deploy/.env", Some(1)));
        assert_eq!(redacted, "ghp_…");
        assert_eq!(value, &None, "the value stays out unless asked for");
        assert_eq!(*confidence, CoreConfidence::High);
        assert_eq!(finding.fingerprint, secret_fingerprint(&finding.id, &token));
    }

    #[test]
    fn show_secrets_puts_the_value_in() {
        let scanner = scanner();
        let token = github_token();
        let mut collector = SecretCollector::new();
        collector.add(
            &scanner,
            "a",
            None,
            scanner.scan(format!("t={token}").as_bytes()),
        );
        let options = FindingOptions {
            show_secrets: true,
            ..FindingOptions::default()
        };
        let findings = collector.into_findings(&scanner, &options);
        let FindingKind::Secret { value, .. } = &findings[0].kind else {
            panic!("not a secret finding");
        };
        assert_eq!(value.as_deref(), Some(token.as_str()));
    }

    #[test]
    fn findings_only_in_test_paths_are_lowered() {
        let scanner = scanner();
        let token = github_token();
        let text = format!("t={token}");
        let lowered = |paths: &[&str]| {
            let mut collector = SecretCollector::new();
            for p in paths {
                collector.add(&scanner, p, None, scanner.scan(text.as_bytes()));
            }
            let f = collector.into_findings(&scanner, &FindingOptions::default());
            let FindingKind::Secret { confidence, .. } = &f[0].kind else {
                panic!("not a secret finding");
            };
            (*confidence, f[0].severity)
        };
        let (high, severity) = lowered(&["src/config.rs"]);
        assert_eq!(high, CoreConfidence::High);
        let (medium, lower) = lowered(&["tests/fixtures/config.rs", "web/app.min.js"]);
        assert_eq!(medium, CoreConfidence::Medium);
        assert!(!lower.meets(severity), "{lower:?} < {severity:?}");
        // One real location is enough to keep the full weight.
        assert_eq!(lowered(&["tests/a.rs", "src/a.rs"]).0, CoreConfidence::High);
    }

    #[test]
    fn path_rules_anchor_like_gitignore() {
        let rules = PathRules::new(false, &["*.snap".into(), "/docs/**".into()]).unwrap();
        assert!(rules.lowers("a/b/c.snap"));
        assert!(rules.lowers("c.snap"));
        assert!(rules.lowers("docs/x/y.md"));
        assert!(!rules.lowers("src/docs.rs"));
        let defaults = PathRules::default();
        assert!(defaults.lowers("test/a.py"));
        assert!(defaults.lowers("pkg/foo_test.go"));
        assert!(defaults.lowers("Cargo.lock"));
        assert!(!defaults.lowers("src/latest/main.rs"));
        assert!(PathRules::new(false, &["a[".into()]).is_err());
    }

    const PINNED_A_B: &str = "e48118919b155e2530c4e202bf6fe7d2";

    #[test]
    fn fingerprints_depend_on_rule_and_value_only() {
        let a = secret_fingerprint("github-pat", "v1");
        assert_eq!(a, secret_fingerprint("github-pat", "v1"));
        assert_ne!(a, secret_fingerprint("github-pat", "v2"));
        assert_ne!(a, secret_fingerprint("gitlab-pat", "v1"));
        // Baselines and ignores store these: a change of scheme must be a
        // deliberate, versioned decision, never an accident.
        assert_eq!(secret_fingerprint("a", "b").as_str(), PINNED_A_B);
    }
}
