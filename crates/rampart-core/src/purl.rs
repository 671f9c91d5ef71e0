use std::fmt;

use crate::Ecosystem;

/// A package URL (`pkg:type/namespace/name@version`), built per the PURL
/// specification's encoding rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl(String);

impl Purl {
    /// Builds the PURL of a package. Returns `None` when the ecosystem has no
    /// PURL type.
    ///
    /// Names are split into namespace and name the way each type wants:
    /// npm scopes (`@scope/name`), Maven `group:artifact`, Go module paths,
    /// Packagist `vendor/name`.
    pub fn for_package(ecosystem: &Ecosystem, name: &str, version: Option<&str>) -> Option<Purl> {
        let purl_type = ecosystem.purl_type()?;
        let (namespace, name) = match ecosystem {
            Ecosystem::Maven => match name.split_once(':') {
                Some((group, artifact)) => (Some(group.to_string()), artifact.to_string()),
                None => (None, name.to_string()),
            },
            Ecosystem::Npm | Ecosystem::Packagist | Ecosystem::Go | Ecosystem::GitHubActions => {
                match name.rsplit_once('/') {
                    Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
                    None => (None, name.to_string()),
                }
            }
            Ecosystem::PyPI => (None, crate::normalize_package_name(ecosystem, name)),
            Ecosystem::Debian => (Some("debian".into()), name.to_string()),
            Ecosystem::Ubuntu => (Some("ubuntu".into()), name.to_string()),
            Ecosystem::Alpine => (Some("alpine".into()), name.to_string()),
            Ecosystem::Wolfi => (Some("wolfi".into()), name.to_string()),
            Ecosystem::Chainguard => (Some("chainguard".into()), name.to_string()),
            Ecosystem::RedHat => (Some("redhat".into()), name.to_string()),
            Ecosystem::RockyLinux => (Some("rocky".into()), name.to_string()),
            Ecosystem::AlmaLinux => (Some("almalinux".into()), name.to_string()),
            Ecosystem::Suse => (Some("suse".into()), name.to_string()),
            Ecosystem::OpenSuse => (Some("opensuse".into()), name.to_string()),
            _ => (None, name.to_string()),
        };
        let mut out = format!("pkg:{purl_type}/");
        if let Some(namespace) = namespace {
            for segment in namespace.split('/') {
                out.push_str(&percent_encode(segment));
                out.push('/');
            }
        }
        out.push_str(&percent_encode(&name));
        if let Some(version) = version.filter(|v| !v.is_empty()) {
            out.push('@');
            out.push_str(&percent_encode(version));
        }
        Some(Purl(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Percent-encodes everything outside the PURL spec's unreserved set. `@` is
/// encoded too, which matters for npm scopes (`%40scope`).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Purl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(eco: Ecosystem, name: &str, version: &str, want: &str) {
        let purl = Purl::for_package(&eco, name, Some(version)).unwrap();
        assert_eq!(purl.as_str(), want);
    }

    #[test]
    fn purls_per_ecosystem() {
        check(
            Ecosystem::Npm,
            "@babel/core",
            "7.0.0",
            "pkg:npm/%40babel/core@7.0.0",
        );
        check(
            Ecosystem::Npm,
            "lodash",
            "4.17.20",
            "pkg:npm/lodash@4.17.20",
        );
        check(
            Ecosystem::Maven,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        );
        check(
            Ecosystem::PyPI,
            "Zope.Interface",
            "5.4.0",
            "pkg:pypi/zope-interface@5.4.0",
        );
        check(
            Ecosystem::Go,
            "golang.org/x/net",
            "v0.5.6",
            "pkg:golang/golang.org/x/net@v0.5.6",
        );
        check(
            Ecosystem::CratesIo,
            "smallvec",
            "1.6.0",
            "pkg:cargo/smallvec@1.6.0",
        );
        check(
            Ecosystem::Debian,
            "openssl",
            "1:1.1.1n-0",
            "pkg:deb/debian/openssl@1%3A1.1.1n-0",
        );
    }
}
