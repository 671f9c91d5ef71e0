//! Removing credentials that lockfiles carry in URLs
//! (`https://user:token@host/…`, `git+https://ghp_…@github.com/…`).
//!
//! Done once for every extractor in [`crate::extract`], so a format added
//! later cannot forget it: a scan report is uploaded, attached to pull
//! requests and pasted into tickets, and must never carry a token.

use rampart_core::{Component, ComponentVersion, PackageSource};

/// Replaces the user-info part of every `scheme://user-info@host` in `text`
/// with nothing. `git@` (the SSH convention, not a secret) is kept.
pub fn redact_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme_end) = rest.find("://") {
        let (before, after) = rest.split_at(scheme_end + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(at) if &authority[..at] != "git" => out.push_str(&authority[at + 1..]),
            _ => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Redacts every URL a component carries.
pub(crate) fn redact_component(component: &mut Component) {
    match &mut component.source {
        PackageSource::Git { url, .. } | PackageSource::Url(url) => {
            *url = redact_url_credentials(url);
        }
        PackageSource::Registry | PackageSource::Path(_) => {}
    }
    if let ComponentVersion::Unresolved { requirement } = &mut component.version {
        *requirement = redact_url_credentials(requirement);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_removed_from_every_url() {
        let check =
            |input: &str, want: &str| assert_eq!(redact_url_credentials(input), want, "{input}");
        check(
            "https://user:ghp_TOKEN@github.com/o/r.git",
            "https://github.com/o/r.git",
        );
        check(
            "git+https://ghp_TOKEN@github.com/o/r.git#abc",
            "git+https://github.com/o/r.git#abc",
        );
        check(
            "foo @ git+https://u:p@h/x.git@v1 ; extra https://a:b@c/",
            "foo @ git+https://h/x.git@v1 ; extra https://c/",
        );
        check(
            "ssh://git@github.com/o/r.git",
            "ssh://git@github.com/o/r.git",
        );
        check(
            "https://registry.npmjs.org/x/-/x-1.0.0.tgz",
            "https://registry.npmjs.org/x/-/x-1.0.0.tgz",
        );
        check("https://a@b@host/p", "https://host/p");
        check(">=2.0", ">=2.0");
        check("://@", "://");
        check("é://ü@ö", "é://ö");
    }
}
