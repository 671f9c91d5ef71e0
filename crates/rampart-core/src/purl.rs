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

    /// Parses a package URL per the PURL specification: the scheme and type
    /// are case-insensitive (the type comes back lower-cased), every other
    /// component is percent-decoded, empty namespace and subpath segments are
    /// dropped. Never panics.
    pub fn parse(s: &str) -> Result<ParsedPurl, PurlError> {
        ParsedPurl::parse(s)
    }
}

/// Why a string is not a package URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    #[error("a package URL must start with `pkg:`")]
    Scheme,
    #[error("the package URL has no type")]
    MissingType,
    #[error("invalid package URL type `{0}`")]
    InvalidType(String),
    #[error("the package URL has no name")]
    MissingName,
    #[error("invalid qualifier key `{0}`")]
    InvalidQualifierKey(String),
    #[error("qualifier `{0}` appears twice")]
    DuplicateQualifier(String),
    #[error("invalid namespace or subpath segment `{0}`")]
    InvalidSegment(String),
    #[error("invalid percent-encoding in `{0}`")]
    PercentEncoding(String),
}

/// A package URL taken apart. Every field is decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParsedPurl {
    /// Lower-cased, e.g. `npm`, `maven`, `deb`.
    pub purl_type: String,
    /// Segments joined with `/`; an npm scope keeps its `@`.
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    /// Sorted by key; keys lower-cased; qualifiers with empty values dropped.
    pub qualifiers: Vec<(String, String)>,
    pub subpath: Option<String>,
}

impl ParsedPurl {
    fn parse(s: &str) -> Result<ParsedPurl, PurlError> {
        let s = s.trim();
        let (rest, subpath) = match s.rsplit_once('#') {
            Some((rest, sub)) => (rest, decode_segments(sub, true)?),
            None => (s, None),
        };
        let (rest, qualifiers) = match rest.rsplit_once('?') {
            Some((rest, q)) => (rest, parse_qualifiers(q)?),
            None => (rest, Vec::new()),
        };
        let (scheme, rest) = rest.split_once(':').ok_or(PurlError::Scheme)?;
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(PurlError::Scheme);
        }
        let rest = rest.trim_start_matches('/');
        if rest.is_empty() {
            return Err(PurlError::MissingType);
        }
        let (purl_type, rest) = rest.split_once('/').ok_or(PurlError::MissingName)?;
        let purl_type = purl_type.to_ascii_lowercase();
        let valid_type = purl_type
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
            && !purl_type.starts_with(|c: char| c.is_ascii_digit());
        if !valid_type {
            return Err(PurlError::InvalidType(purl_type));
        }
        // The version is split off at the last `@`: an npm scope's `@` sits
        // before a `/`, so it is only mistaken for a version separator when
        // the name itself is missing.
        let (rest, version) = match rest.rsplit_once('@') {
            Some((rest, v)) if !rest.ends_with('/') && !rest.is_empty() => {
                (rest, Some(percent_decode(v)?).filter(|v| !v.is_empty()))
            }
            _ => (rest, None),
        };
        let rest = rest.trim_end_matches('/');
        let (namespace, name) = match rest.rsplit_once('/') {
            Some((ns, name)) => (decode_segments(ns, false)?, name),
            None => (None, rest),
        };
        let name = percent_decode(name)?;
        if name.is_empty() {
            return Err(PurlError::MissingName);
        }
        Ok(ParsedPurl {
            purl_type,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        })
    }

    /// The value of a qualifier such as `arch` or `distro`.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The canonical string form, encoded the way [`Purl::for_package`]
    /// encodes.
    pub fn to_purl(&self) -> Purl {
        let mut out = format!("pkg:{}/", self.purl_type);
        if let Some(namespace) = &self.namespace {
            for segment in namespace.split('/') {
                out.push_str(&percent_encode(segment));
                out.push('/');
            }
        }
        out.push_str(&percent_encode(&self.name));
        if let Some(version) = &self.version {
            out.push('@');
            out.push_str(&percent_encode(version));
        }
        for (i, (key, value)) in self.qualifiers.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(key);
            out.push('=');
            out.push_str(&percent_encode(value));
        }
        if let Some(subpath) = &self.subpath {
            out.push('#');
            let segments: Vec<String> = subpath.split('/').map(percent_encode).collect();
            out.push_str(&segments.join("/"));
        }
        Purl(out)
    }

    /// The ecosystem and the name in the ecosystem's canonical spelling (as
    /// [`crate::Component::name`] holds it). Types without an ecosystem of
    /// ours come back as `Ecosystem::Other("purl:<type>")` with the name
    /// `namespace/name`, so nothing is lost and nothing is matched against
    /// the wrong advisories.
    pub fn package(&self) -> (Ecosystem, String) {
        let ns = self.namespace.as_deref();
        let slash_joined = || match ns {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        };
        let ns_lower = ns.map(str::to_ascii_lowercase);
        let ecosystem = match (self.purl_type.as_str(), ns_lower.as_deref()) {
            ("cargo", _) => Some(Ecosystem::CratesIo),
            ("npm", _) => Some(Ecosystem::Npm),
            ("pypi", _) => Some(Ecosystem::PyPI),
            ("golang", _) => Some(Ecosystem::Go),
            ("maven", _) => Some(Ecosystem::Maven),
            ("gem", _) => Some(Ecosystem::RubyGems),
            ("nuget", _) => Some(Ecosystem::NuGet),
            ("composer", _) => Some(Ecosystem::Packagist),
            ("pub", _) => Some(Ecosystem::Pub),
            ("hex", _) => Some(Ecosystem::Hex),
            ("hackage", _) => Some(Ecosystem::Hackage),
            ("cran", _) => Some(Ecosystem::Cran),
            ("conan", _) => Some(Ecosystem::ConanCenter),
            ("swift", _) => Some(Ecosystem::SwiftUrl),
            ("deb" | "debian", Some("debian") | None) => Some(Ecosystem::Debian),
            ("deb" | "ubuntu", Some("ubuntu")) => Some(Ecosystem::Ubuntu),
            ("ubuntu", None) => Some(Ecosystem::Ubuntu),
            ("apk" | "alpine", Some("alpine") | None) => Some(Ecosystem::Alpine),
            ("apk" | "wolfi", Some("wolfi")) | ("wolfi", None) => Some(Ecosystem::Wolfi),
            ("apk", Some("chainguard")) => Some(Ecosystem::Chainguard),
            ("rpm", Some("redhat")) => Some(Ecosystem::RedHat),
            ("rpm", Some("rocky")) => Some(Ecosystem::RockyLinux),
            ("rpm", Some("almalinux")) => Some(Ecosystem::AlmaLinux),
            ("rpm", Some("suse" | "sles")) => Some(Ecosystem::Suse),
            ("rpm", Some("opensuse")) => Some(Ecosystem::OpenSuse),
            _ => None,
        };
        let Some(ecosystem) = ecosystem else {
            return (
                Ecosystem::Other(format!("purl:{}", self.purl_type)),
                slash_joined(),
            );
        };
        let name = match ecosystem {
            Ecosystem::Maven => match ns {
                Some(group) => format!("{group}:{}", self.name),
                None => self.name.clone(),
            },
            Ecosystem::Npm
            | Ecosystem::Packagist
            | Ecosystem::Go
            | Ecosystem::SwiftUrl
            | Ecosystem::ConanCenter => slash_joined(),
            // The namespace of an OS package names the distribution, which
            // the ecosystem already says.
            _ => self.name.clone(),
        };
        let name = crate::normalize_package_name(&ecosystem, &name);
        (ecosystem, name)
    }
}

fn parse_qualifiers(q: &str) -> Result<Vec<(String, String)>, PurlError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = key.to_ascii_lowercase();
        let valid_key = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            && !key.starts_with(|c: char| c.is_ascii_digit());
        if !valid_key {
            return Err(PurlError::InvalidQualifierKey(key));
        }
        let value = percent_decode(value)?;
        if value.is_empty() {
            continue;
        }
        if out.iter().any(|(k, _)| *k == key) {
            return Err(PurlError::DuplicateQualifier(key));
        }
        out.push((key, value));
    }
    out.sort();
    Ok(out)
}

/// Decodes `/`-separated segments, dropping empty ones (and, in a subpath,
/// `.` and `..`, which the spec forbids there).
fn decode_segments(s: &str, is_subpath: bool) -> Result<Option<String>, PurlError> {
    let mut segments = Vec::new();
    for segment in s.split('/') {
        if segment.is_empty() || (is_subpath && matches!(segment, "." | "..")) {
            continue;
        }
        let decoded = percent_decode(segment)?;
        // A segment that only decodes to a separator or a dot segment would
        // change meaning when the PURL is written back out.
        if decoded.contains('/') || (is_subpath && matches!(decoded.as_str(), "." | "..")) {
            return Err(PurlError::InvalidSegment(segment.to_string()));
        }
        segments.push(decoded);
    }
    Ok(Some(segments.join("/")).filter(|s| !s.is_empty()))
}

fn percent_decode(s: &str) -> Result<String, PurlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| PurlError::PercentEncoding(s.to_string()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::PercentEncoding(s.to_string()))
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

    #[test]
    fn parse_splits_every_part() {
        let p = Purl::parse(
            "PKG:Maven/org.apache/commons%2Dio@2.0%2B1?Classifier=sources&repository_url=repo.example%2Fm2&empty=#src//./main/",
        )
        .unwrap();
        assert_eq!(p.purl_type, "maven");
        assert_eq!(p.namespace.as_deref(), Some("org.apache"));
        assert_eq!(p.name, "commons-io");
        assert_eq!(p.version.as_deref(), Some("2.0+1"));
        assert_eq!(
            p.qualifiers,
            vec![
                ("classifier".to_string(), "sources".to_string()),
                ("repository_url".to_string(), "repo.example/m2".to_string()),
            ]
        );
        assert_eq!(p.qualifier("classifier"), Some("sources"));
        assert_eq!(p.subpath.as_deref(), Some("src/main"));
        assert_eq!(
            p.package(),
            (Ecosystem::Maven, "org.apache:commons-io".to_string())
        );
    }

    #[test]
    fn parse_maps_types_to_ecosystems() {
        let check = |purl: &str, eco: Ecosystem, name: &str| {
            let parsed = Purl::parse(purl).unwrap();
            assert_eq!(parsed.package(), (eco, name.to_string()), "{purl}");
        };
        check("pkg:npm/%40babel/core@7.0.0", Ecosystem::Npm, "@babel/core");
        check("pkg:npm/@babel/core@7.0.0", Ecosystem::Npm, "@babel/core");
        check(
            "pkg:pypi/Zope_Interface@5",
            Ecosystem::PyPI,
            "zope-interface",
        );
        check(
            "pkg:composer/Laravel/Framework@v7",
            Ecosystem::Packagist,
            "laravel/framework",
        );
        check(
            "pkg:golang/golang.org/x/net@v0.5.6",
            Ecosystem::Go,
            "golang.org/x/net",
        );
        check("pkg:gem/rails@7.0.0", Ecosystem::RubyGems, "rails");
        check(
            "pkg:nuget/Newtonsoft.Json@13.0.1",
            Ecosystem::NuGet,
            "newtonsoft.json",
        );
        check(
            "pkg:deb/debian/curl@7.74.0-1.3?arch=amd64",
            Ecosystem::Debian,
            "curl",
        );
        check("pkg:deb/ubuntu/curl@7.81.0", Ecosystem::Ubuntu, "curl");
        check("pkg:debian/curl@7.74.0", Ecosystem::Debian, "curl");
        check("pkg:apk/alpine/openssl@3.0.4", Ecosystem::Alpine, "openssl");
        check("pkg:alpine/openssl@3.0.4", Ecosystem::Alpine, "openssl");
        check("pkg:apk/wolfi/glibc@2.38", Ecosystem::Wolfi, "glibc");
        check("pkg:rpm/redhat/openssl@3.0.7", Ecosystem::RedHat, "openssl");
        check("pkg:pub/http@1.1.0", Ecosystem::Pub, "http");
        check("pkg:hex/phoenix@1.7.0", Ecosystem::Hex, "phoenix");
        check(
            "pkg:swift/github.com/apple/swift-nio@2.0.0",
            Ecosystem::SwiftUrl,
            "github.com/apple/swift-nio",
        );
        check(
            "pkg:cocoapods/AFNetworking@4.0.1",
            Ecosystem::Other("purl:cocoapods".into()),
            "AFNetworking",
        );
        check(
            "pkg:github/spdx/tools-java@2235d5d",
            Ecosystem::Other("purl:github".into()),
            "spdx/tools-java",
        );
        check(
            "pkg:rpm/fedora/curl@8",
            Ecosystem::Other("purl:rpm".into()),
            "fedora/curl",
        );
    }

    #[test]
    fn parse_round_trips_the_builder() {
        let cases = [
            (Ecosystem::Npm, "@babel/core", Some("7.0.0")),
            (Ecosystem::Npm, "lodash", None),
            (
                Ecosystem::Maven,
                "org.apache.logging.log4j:log4j-core",
                Some("2.14.1"),
            ),
            (Ecosystem::PyPI, "zope-interface", Some("5.4.0")),
            (Ecosystem::Go, "golang.org/x/net", Some("v0.5.6")),
            (Ecosystem::CratesIo, "smallvec", Some("1.6.0")),
            (Ecosystem::Packagist, "laravel/framework", Some("v7.30.6")),
            (Ecosystem::RubyGems, "rails", Some("7.0.0")),
            (Ecosystem::NuGet, "newtonsoft.json", Some("13.0.1")),
            (Ecosystem::Debian, "openssl", Some("1:1.1.1n-0")),
            (Ecosystem::Ubuntu, "openssl", Some("3.0.2-0ubuntu1")),
            (Ecosystem::Alpine, "openssl", Some("3.0.4-r0")),
            (Ecosystem::Chainguard, "glibc", Some("2.38")),
            (Ecosystem::RedHat, "openssl", Some("1:3.0.7-1.el9")),
            (Ecosystem::OpenSuse, "curl", Some("8.0")),
            (Ecosystem::Pub, "http", Some("1.1.0")),
            (Ecosystem::Hex, "phoenix", Some("1.7.0")),
        ];
        for (eco, name, version) in cases {
            let built = Purl::for_package(&eco, name, version).unwrap();
            let parsed = Purl::parse(built.as_str()).unwrap();
            assert_eq!(parsed.package(), (eco.clone(), name.to_string()), "{built}");
            assert_eq!(parsed.version.as_deref(), version, "{built}");
            assert_eq!(parsed.to_purl(), built);
        }
    }

    #[test]
    fn parse_refuses_what_is_not_a_purl() {
        assert_eq!(Purl::parse("npm/lodash@1"), Err(PurlError::Scheme));
        assert_eq!(Purl::parse("http://x/y"), Err(PurlError::Scheme));
        assert_eq!(Purl::parse("pkg:npm"), Err(PurlError::MissingName));
        assert_eq!(Purl::parse("pkg:npm/"), Err(PurlError::MissingName));
        assert_eq!(Purl::parse("pkg:/lodash"), Err(PurlError::MissingName));
        assert_eq!(Purl::parse("pkg://"), Err(PurlError::MissingType));
        assert!(matches!(
            Purl::parse("pkg:a/b%2Fc/d"),
            Err(PurlError::InvalidSegment(_))
        ));
        assert!(matches!(
            Purl::parse("pkg:a/b/d#x/%2E%2E"),
            Err(PurlError::InvalidSegment(_))
        ));
        assert!(matches!(
            Purl::parse("pkg:n%70m/x"),
            Err(PurlError::InvalidType(_))
        ));
        assert!(matches!(
            Purl::parse("pkg:npm/x%zz"),
            Err(PurlError::PercentEncoding(_))
        ));
        assert!(matches!(
            Purl::parse("pkg:npm/x%C3"),
            Err(PurlError::PercentEncoding(_))
        ));
        assert!(matches!(
            Purl::parse("pkg:npm/x?a=1&A=2"),
            Err(PurlError::DuplicateQualifier(_))
        ));
        assert!(matches!(
            Purl::parse("pkg:npm/x?=1"),
            Err(PurlError::InvalidQualifierKey(_))
        ));
        // Whatever parses, its canonical form parses back to the same thing
        // (the fuzz target checks the same property on arbitrary input).
        for tricky in [
            "pkg:",
            "pkg:a/%",
            "pkg:a/@@@",
            "pkg:a/#",
            "pkg:a/b?&&=",
            "pkg:a/\u{0}",
            "pkg:é/x",
            "pkg:a/é%E2%82",
            "pkg:t/x@@1",
            "pkg:t/@",
            "pkg:t/a/@",
            "pkg:t/a@/b",
            "pkg:t//x",
            "pkg:t/a//b/c/",
            "pkg:t/x#a/./b/../c",
            "pkg:t/x?b=%23&a=%3F#s%3Fx",
            "pkg:T/x@1 ",
            "pkg:npm/@scope/name",
            "pkg:t/x%2Fy@1%2F2",
            "pkg:t/a?q",
            "pkg:t/a?q=1&Q=",
        ] {
            if let Ok(parsed) = Purl::parse(tricky) {
                let canonical = parsed.to_purl();
                assert_eq!(Purl::parse(canonical.as_str()), Ok(parsed), "{tricky}");
            }
        }
    }
}
