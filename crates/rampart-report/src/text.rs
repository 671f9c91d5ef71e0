//! Wording and small helpers the renderers share.

use rampart_core::{Component, ComponentVersion, Confidence, Finding, FindingKind, SecretLocation};

/// The vulnerability-specific parts of a finding, borrowed.
pub(crate) struct Vulnerability<'a> {
    pub package: &'a Component,
    pub aliases: &'a [String],
    pub fixed_versions: &'a [String],
    pub cvss_vectors: &'a [String],
    pub cvss_score: Option<f64>,
    pub references: &'a [String],
    pub informational: Option<&'a str>,
}

/// The vulnerability-specific parts, when `finding` is a vulnerability.
pub(crate) fn vulnerability(finding: &Finding) -> Option<Vulnerability<'_>> {
    match &finding.kind {
        FindingKind::Vulnerability {
            package,
            aliases,
            fixed_versions,
            cvss_vectors,
            cvss_score,
            references,
            informational,
        } => Some(Vulnerability {
            package,
            aliases,
            fixed_versions,
            cvss_vectors,
            // A NaN or out-of-range score would poison every format that
            // prints it; treat it as absent.
            cvss_score: cvss_score.filter(|s| s.is_finite() && (0.0..=10.0).contains(s)),
            references,
            informational: informational.as_deref(),
        }),
        FindingKind::Secret { .. } => None,
    }
}

/// The secret-specific parts of a finding, borrowed.
pub(crate) struct Secret<'a> {
    pub provider: &'a str,
    pub confidence: Confidence,
    /// What to print for the value: the value itself only when the scanner
    /// put it in (`--show-secrets`), else the redacted form.
    pub shown: &'a str,
    pub redacted: &'a str,
    pub value: Option<&'a str>,
    pub locations: &'a [SecretLocation],
}

/// The secret-specific parts, when `finding` is a secret.
pub(crate) fn secret(finding: &Finding) -> Option<Secret<'_>> {
    match &finding.kind {
        FindingKind::Secret {
            provider,
            confidence,
            redacted,
            value,
            locations,
        } => Some(Secret {
            provider,
            confidence: *confidence,
            shown: value.as_deref().unwrap_or(redacted),
            redacted,
            value: value.as_deref(),
            locations,
        }),
        FindingKind::Vulnerability { .. } => None,
    }
}

/// `src/a.rs:3`, with the commit's short id for history findings.
pub(crate) fn secret_location_label(location: &SecretLocation) -> String {
    match &location.commit {
        Some(commit) => format!(
            "{}:{} @ {}",
            location.path,
            location.line,
            commit.id.get(..12).unwrap_or(&commit.id)
        ),
        None => format!("{}:{}", location.path, location.line),
    }
}

/// `3 files`, `1 file`.
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("{n} {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// `name@version`, or `name (requirement)` when unresolved.
pub(crate) fn package_label(component: &Component) -> String {
    match &component.version {
        ComponentVersion::Exact(version) => format!("{}@{version}", component.name),
        ComponentVersion::Unresolved { requirement } if requirement.is_empty() => {
            format!("{} (any version)", component.name)
        }
        ComponentVersion::Unresolved { requirement } => {
            format!("{} ({requirement})", component.name)
        }
    }
}

/// The advisory's page on OSV.
pub(crate) fn osv_url(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{}", percent_encode_path(id))
}

/// Where to read about a finding: its first reference, else its OSV page.
pub(crate) fn advisory_url(finding: &Finding) -> String {
    vulnerability(finding)
        .and_then(|v| {
            v.references
                .iter()
                .find(|r| r.starts_with("https://") || r.starts_with("http://"))
                .cloned()
        })
        .unwrap_or_else(|| osv_url(&finding.id))
}

/// `1.2.3`, `1.2.3 or 2.0.1`, or `None` when no version fixes it.
pub(crate) fn fixed_in(fixed_versions: &[String]) -> Option<String> {
    match fixed_versions {
        [] => None,
        [one] => Some(one.clone()),
        many => Some(many.join(" or ")),
    }
}

/// Percent-encodes a relative path or id for use in a URI, keeping `/`.
pub(crate) fn percent_encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether `c` is invisible text that must not reach a terminal or a
/// rendered comment: a control character (general category Cc, including
/// ESC, BEL and the C1 controls) or a format character (Cf: bidi overrides
/// and isolates, zero-width characters, the BOM, tag characters...), which
/// can reorder or hide what a reader sees.
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control() || is_format(c)
}

/// General category Cf, as of Unicode 16.0 (the standard library has no
/// category lookup, and the set is small and very stable).
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{600}'..='\u{605}'
            | '\u{61C}'
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{890}'..='\u{891}'
            | '\u{8E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters() {
        for c in [
            '\u{1b}',
            '\u{7}',
            '\u{9b}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{200B}',
            '\u{200F}',
            '\u{FEFF}',
            '\u{AD}',
            '\u{E0041}',
        ] {
            assert!(is_hidden(c), "{:?}", c);
        }
        for c in ['a', ' ', 'é', '中', '\u{2028}', '\u{1F600}'] {
            assert!(!is_hidden(c), "{:?}", c);
        }
    }
}
