//! Rule loading and validation.

use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

/// The engine's own small rule file, for unit tests that must not depend on
/// the built-in rule set (its rules duplicate built-in ones on purpose).
#[cfg(test)]
pub(crate) const ENGINE_TEST_RULES: (&str, &str) = (
    "engine_test_rules.toml",
    include_str!("engine_test_rules.toml"),
);

/// Every embedded rule file, `(file name, contents)`.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("cloud.toml", include_str!("../rules/cloud.toml")),
    ("code-hosts.toml", include_str!("../rules/code-hosts.toml")),
    (
        "keys-and-tokens.toml",
        include_str!("../rules/keys-and-tokens.toml"),
    ),
    ("databases.toml", include_str!("../rules/databases.toml")),
    ("generic.toml", include_str!("../rules/generic.toml")),
    ("saas-ai.toml", include_str!("../rules/saas-ai.toml")),
    (
        "saas-devops.toml",
        include_str!("../rules/saas-devops.toml"),
    ),
    (
        "saas-business.toml",
        include_str!("../rules/saas-business.toml"),
    ),
    (
        "chat-payment.toml",
        include_str!("../rules/chat-payment.toml"),
    ),
];

/// How specific a rule is to one provider's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Generic or heuristic (e.g. `password = "…"` assignments).
    Low,
    Medium,
    /// A provider-specific format.
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a leak of this kind of secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A checksum or structure check run on the captured value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validator {
    /// GitHub `gh?_` tokens: the last 6 characters are the base62 CRC32 of
    /// the random part.
    GithubCrc32,
    /// Three base64url parts; the header decodes to a JSON object with `alg`.
    Jwt,
}

impl Validator {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GithubCrc32 => "github-crc32",
            Self::Jwt => "jwt",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "github-crc32" => Some(Self::GithubCrc32),
            "jwt" => Some(Self::Jwt),
            _ => None,
        }
    }

    /// Whether `secret` passes this validator.
    pub fn check(self, secret: &str) -> bool {
        match self {
            Self::GithubCrc32 => crate::validators::validate_github_crc32(secret),
            Self::Jwt => crate::validators::validate_jwt(secret),
        }
    }
}

/// A rule's capture regex, compiled on first use.
///
/// A scan only needs the regexes of rules whose keywords occur, and
/// compiling all of them was most of a pre-commit run's start-up. The
/// pattern's syntax and capture group are checked when the rule is loaded
/// (with `regex-syntax`), and the built-in rules are compiled by the test
/// suite; rule files loaded with [`Ruleset::from_toml`] are compiled at once,
/// so that an error names the file and rule instead of surfacing mid-scan.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    /// The pattern as written in the rule file.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled regex.
    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            compile(&self.source).expect("rule patterns are compiled or checked when loaded")
        })
    }
}

impl Deref for Pattern {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.regex()
    }
}

/// Credentials are ASCII: without Unicode, `\w`, `\s`, `\b` and `.` are byte
/// classes, which compile several times faster (the whole rule set was ~1 s
/// of start-up with Unicode classes) and match faster too.
fn compile(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(source).unicode(false).build()
}

/// One validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub confidence: Confidence,
    pub severity: Severity,
    pub keywords: Vec<String>,
    /// The rule has no keyword and its regex searches every input (a format
    /// with no fixed literal, such as Discord's three-part tokens).
    pub always_run: bool,
    pub pattern: Pattern,
    pub min_entropy: Option<f64>,
    pub validator: Option<Validator>,
    pub placeholder_check: bool,
    pub examples: Vec<String>,
    pub counter_examples: Vec<String>,
    /// The rule file it came from (e.g. `cloud.toml`).
    pub file: String,
}

/// A rule file could not be loaded. Every variant names the file; rule
/// problems also name the rule id and the field.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: invalid TOML or unknown field: {error}")]
    Parse {
        file: String,
        #[source]
        error: Box<toml::de::Error>,
    },
    #[error("{file}: rule `{id}`: field `{field}`: {message}")]
    Invalid {
        file: String,
        id: String,
        field: &'static str,
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    provider: String,
    name: String,
    confidence: String,
    severity: String,
    keywords: Vec<String>,
    always_run: Option<bool>,
    pattern: String,
    min_entropy: Option<f64>,
    validator: Option<String>,
    placeholder_check: Option<bool>,
    examples: Vec<String>,
    counter_examples: Vec<String>,
}

/// An ordered, validated set of rules with unique ids.
#[derive(Debug, Clone, Default)]
pub struct Ruleset {
    rules: Vec<Rule>,
}

impl Ruleset {
    /// Every embedded rule file ([`BUILTIN_FILES`]).
    ///
    /// # Errors
    /// The first invalid rule or file (a bug in the shipped rules; the test
    /// suite checks this).
    pub fn builtin() -> Result<Self, RuleError> {
        let mut set = Self::default();
        for (name, text) in BUILTIN_FILES {
            set.extend(Self::parse(name, text, Compile::Lazily)?)?;
        }
        Ok(set)
    }

    /// Parses and validates one rule file; `name` is used in errors.
    ///
    /// # Errors
    /// Invalid TOML, unknown fields, or a rule that fails validation.
    pub fn from_toml(name: &str, text: &str) -> Result<Self, RuleError> {
        Self::parse(name, text, Compile::Now)
    }

    fn parse(name: &str, text: &str, when: Compile) -> Result<Self, RuleError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| RuleError::Parse {
            file: name.to_string(),
            error: Box::new(e),
        })?;
        let mut set = Self::default();
        for r in raw.rule {
            let rule = validate(name, r, when)?;
            set.push(rule)?;
        }
        Ok(set)
    }

    /// Adds the rules of `other`.
    ///
    /// # Errors
    /// An id present in both.
    pub fn extend(&mut self, other: Ruleset) -> Result<(), RuleError> {
        for rule in other.rules {
            self.push(rule)?;
        }
        Ok(())
    }

    fn push(&mut self, rule: Rule) -> Result<(), RuleError> {
        if let Some(prev) = self.rules.iter().find(|r| r.id == rule.id) {
            return Err(RuleError::Invalid {
                file: rule.file.clone(),
                id: rule.id.clone(),
                field: "id",
                message: format!("duplicate id (already defined in {})", prev.file),
            });
        }
        self.rules.push(rule);
        Ok(())
    }

    /// Keeps only the rules `keep` accepts (to switch rules off).
    pub fn retain(&mut self, keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(keep);
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// When [`validate`] compiles a rule's regex.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compile {
    Now,
    /// On first use; only for the built-in rules, which the tests compile.
    Lazily,
}

fn validate(file: &str, r: RawRule, when: Compile) -> Result<Rule, RuleError> {
    let err = |field: &'static str, message: String| RuleError::Invalid {
        file: file.to_string(),
        id: r.id.clone(),
        field,
        message,
    };
    if !is_kebab(&r.id) {
        return Err(err("id", "must be lowercase kebab-case".into()));
    }
    if r.provider.trim().is_empty() {
        return Err(err("provider", "must not be empty".into()));
    }
    if r.name.trim().is_empty() {
        return Err(err("name", "must not be empty".into()));
    }
    let confidence = match r.confidence.as_str() {
        "high" => Confidence::High,
        "medium" => Confidence::Medium,
        "low" => Confidence::Low,
        other => {
            return Err(err(
                "confidence",
                format!("`{other}` is not one of high, medium, low"),
            ));
        }
    };
    let severity = match r.severity.as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        other => {
            return Err(err(
                "severity",
                format!("`{other}` is not one of critical, high, medium, low"),
            ));
        }
    };
    let always_run = r.always_run.unwrap_or(false);
    match (r.keywords.is_empty(), always_run) {
        (true, false) => {
            return Err(err(
                "keywords",
                "needs at least one keyword (or `always_run = true` for a format with no literal: its regex then searches every input)".into(),
            ));
        }
        (false, true) => {
            return Err(err(
                "always_run",
                "a rule with keywords runs where they occur; drop the keywords or `always_run`"
                    .into(),
            ));
        }
        _ => {}
    }
    if r.keywords.iter().any(|k| k.is_empty()) {
        return Err(err("keywords", "keywords must not be empty strings".into()));
    }
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(&r.pattern)
        .map_err(|e| err("pattern", e.to_string()))?;
    let compiled = OnceLock::new();
    if when == Compile::Now {
        let regex = compile(&r.pattern).map_err(|e| err("pattern", e.to_string()))?;
        let _ = compiled.set(regex);
    }
    let pattern = Pattern {
        source: r.pattern.clone(),
        compiled,
    };
    if hir.properties().explicit_captures_len() < 1 {
        return Err(err(
            "pattern",
            "needs a capture group (group 1 is the secret)".into(),
        ));
    }
    if let Some(e) = r.min_entropy
        && !(0.0..=8.0).contains(&e)
    {
        return Err(err(
            "min_entropy",
            format!("{e} is not within 0..=8 bits per char"),
        ));
    }
    let validator = match &r.validator {
        None => None,
        Some(v) => Some(Validator::parse(v).ok_or_else(|| {
            err(
                "validator",
                format!("unknown validator `{v}` (known: github-crc32, jwt)"),
            )
        })?),
    };
    if r.examples.is_empty() {
        return Err(err("examples", "needs at least one example".into()));
    }
    if r.counter_examples.is_empty() {
        return Err(err(
            "counter_examples",
            "needs at least one counter-example".into(),
        ));
    }
    let mut seen = HashSet::new();
    let keywords = r
        .keywords
        .iter()
        .filter(|k| seen.insert(k.to_ascii_lowercase()))
        .cloned()
        .collect();
    Ok(Rule {
        id: r.id,
        provider: r.provider,
        name: r.name,
        confidence,
        severity,
        keywords,
        always_run,
        pattern,
        min_entropy: r.min_entropy,
        validator,
        placeholder_check: r.placeholder_check.unwrap_or(true),
        examples: r.examples,
        counter_examples: r.counter_examples,
        file: file.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in rules compile lazily, so this is where a pattern that
    /// parses but does not compile would be caught.
    #[test]
    fn every_builtin_pattern_compiles() {
        let rules = Ruleset::builtin().expect("built-in rules load");
        for rule in rules.rules() {
            if let Err(e) = compile(rule.pattern.as_str()) {
                panic!("{}: rule {}: {e}", rule.file, rule.id);
            }
        }
    }

    #[test]
    fn files_loaded_by_callers_fail_on_a_pattern_that_does_not_compile() {
        // Parses, but exceeds the compiled size limit.
        let huge = GOOD.replace("pattern = '''", "pattern = '''(?:a{1000}){1000}");
        let err = Ruleset::from_toml("custom.toml", &huge).expect_err("too big to compile");
        assert!(err.to_string().contains("custom.toml"), "{err}");
    }

    const GOOD: &str = r#"
[[rule]]
id = "t-one"
provider = "T"
name = "Test"
confidence = "high"
severity = "low"
keywords = ["tk_"]
pattern = '''(tk_[a-z0-9]{8})'''
examples = ["tk_a1b2c3d4"]
counter_examples = ["tk_"]
"#;

    fn invalid(text: &str) -> (String, String, &'static str) {
        match Ruleset::from_toml("x.toml", text).unwrap_err() {
            RuleError::Invalid {
                file, id, field, ..
            } => (file, id, field),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn parses_good_rule() {
        let set = Ruleset::from_toml("x.toml", GOOD).unwrap();
        assert_eq!(set.len(), 1);
        let r = set.get("t-one").unwrap();
        assert!(r.placeholder_check);
        assert_eq!(r.file, "x.toml");
    }

    #[test]
    fn empty_file_is_empty_set() {
        assert!(Ruleset::from_toml("e.toml", "").unwrap().is_empty());
    }

    #[test]
    fn errors_name_file_rule_and_field() {
        let (file, id, field) = invalid(&GOOD.replace("t-one", "T_One"));
        assert_eq!(
            (file.as_str(), id.as_str(), field),
            ("x.toml", "T_One", "id")
        );
        assert_eq!(
            invalid(&GOOD.replace("\"high\"", "\"sure\"")).2,
            "confidence"
        );
        assert_eq!(invalid(&GOOD.replace("\"low\"", "\"meh\"")).2, "severity");
        assert_eq!(
            invalid(&GOOD.replace("[\"tk_\"]\npattern", "[]\npattern")).2,
            "keywords"
        );
        assert_eq!(
            invalid(&GOOD.replace("(tk_[a-z0-9]{8})", "tk_[a-z0-9]{8}")).2,
            "pattern"
        );
        assert_eq!(
            invalid(&GOOD.replace("(tk_[a-z0-9]{8})", "(?=tk)(x)")).2,
            "pattern"
        );
        assert_eq!(
            invalid(&GOOD.replace("examples = [\"tk_a1b2c3d4\"]", "examples = []")).2,
            "examples"
        );
        assert_eq!(
            invalid(&GOOD.replace("counter_examples = [\"tk_\"]", "counter_examples = []")).2,
            "counter_examples"
        );
        let with_validator = GOOD.replace("\nexamples =", "\nvalidator = \"luhn\"\nexamples =");
        assert_eq!(invalid(&with_validator).2, "validator");
        let err = Ruleset::from_toml("x.toml", &GOOD.replace("t-one", "T_One")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("x.toml") && msg.contains("T_One") && msg.contains("`id`"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_field_is_refused() {
        let text = GOOD.replace("\nexamples =", "\ncolour = \"red\"\nexamples =");
        let err = Ruleset::from_toml("x.toml", &text).unwrap_err();
        assert!(matches!(err, RuleError::Parse { .. }));
        assert!(err.to_string().contains("x.toml"));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let text = format!("{GOOD}\n{GOOD}");
        assert_eq!(invalid(&text).2, "id");
    }

    /// The engine's own rule file loads (the whole built-in set is checked
    /// by `tests/rules.rs`).
    #[test]
    fn core_rules_load() {
        let (name, text) = ENGINE_TEST_RULES;
        let set = Ruleset::from_toml(name, text).unwrap();
        assert!(set.get("core-github-classic-pat").is_some());
        assert!(set.rules().iter().all(|r| r.id.starts_with("core-")));
    }
}
