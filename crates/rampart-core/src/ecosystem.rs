use std::fmt;
use std::str::FromStr;

/// A package ecosystem, named as the OSV schema names it.
///
/// OS distributions may carry a release suffix in OSV (`Debian:12`,
/// `Alpine:v3.19`); the suffix is not part of the ecosystem and travels
/// separately (see [`Ecosystem::split_osv`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    CratesIo,
    Npm,
    PyPI,
    Go,
    Maven,
    RubyGems,
    NuGet,
    Packagist,
    Pub,
    Hex,
    Hackage,
    Cran,
    ConanCenter,
    SwiftUrl,
    GitHubActions,
    Debian,
    Ubuntu,
    Alpine,
    RedHat,
    RockyLinux,
    AlmaLinux,
    Suse,
    OpenSuse,
    Wolfi,
    Chainguard,
    /// Any ecosystem OSV knows and we do not model specially.
    Other(String),
}

/// The ecosystem string was empty.
#[derive(Debug, thiserror::Error)]
#[error("empty ecosystem name")]
pub struct EcosystemParseError;

impl Ecosystem {
    /// The name OSV uses for this ecosystem.
    pub fn osv_name(&self) -> &str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Pub => "Pub",
            Ecosystem::Hex => "Hex",
            Ecosystem::Hackage => "Hackage",
            Ecosystem::Cran => "CRAN",
            Ecosystem::ConanCenter => "ConanCenter",
            Ecosystem::SwiftUrl => "SwiftURL",
            Ecosystem::GitHubActions => "GitHub Actions",
            Ecosystem::Debian => "Debian",
            Ecosystem::Ubuntu => "Ubuntu",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::RedHat => "Red Hat",
            Ecosystem::RockyLinux => "Rocky Linux",
            Ecosystem::AlmaLinux => "AlmaLinux",
            Ecosystem::Suse => "SUSE",
            Ecosystem::OpenSuse => "openSUSE",
            Ecosystem::Wolfi => "Wolfi",
            Ecosystem::Chainguard => "Chainguard",
            Ecosystem::Other(name) => name,
        }
    }

    /// Splits an OSV ecosystem string such as `Debian:12` into the ecosystem
    /// and its release suffix.
    pub fn split_osv(s: &str) -> Result<(Ecosystem, Option<&str>), EcosystemParseError> {
        let (base, suffix) = match s.split_once(':') {
            Some((base, suffix)) => (base, Some(suffix).filter(|s| !s.is_empty())),
            None => (s, None),
        };
        Ok((base.parse()?, suffix))
    }

    /// The package-URL type for this ecosystem, when the PURL spec defines one.
    pub fn purl_type(&self) -> Option<&'static str> {
        Some(match self {
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::RubyGems => "gem",
            Ecosystem::NuGet => "nuget",
            Ecosystem::Packagist => "composer",
            Ecosystem::Pub => "pub",
            Ecosystem::Hex => "hex",
            Ecosystem::Hackage => "hackage",
            Ecosystem::Cran => "cran",
            Ecosystem::ConanCenter => "conan",
            Ecosystem::SwiftUrl => "swift",
            Ecosystem::GitHubActions => "github",
            Ecosystem::Debian | Ecosystem::Ubuntu => "deb",
            Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => "apk",
            Ecosystem::RedHat
            | Ecosystem::RockyLinux
            | Ecosystem::AlmaLinux
            | Ecosystem::Suse
            | Ecosystem::OpenSuse => "rpm",
            Ecosystem::Other(_) => return None,
        })
    }
}

impl FromStr for Ecosystem {
    type Err = EcosystemParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "" => return Err(EcosystemParseError),
            "crates.io" => Ecosystem::CratesIo,
            "npm" => Ecosystem::Npm,
            "PyPI" => Ecosystem::PyPI,
            "Go" => Ecosystem::Go,
            "Maven" => Ecosystem::Maven,
            "RubyGems" => Ecosystem::RubyGems,
            "NuGet" => Ecosystem::NuGet,
            "Packagist" => Ecosystem::Packagist,
            "Pub" => Ecosystem::Pub,
            "Hex" => Ecosystem::Hex,
            "Hackage" => Ecosystem::Hackage,
            "CRAN" => Ecosystem::Cran,
            "ConanCenter" => Ecosystem::ConanCenter,
            "SwiftURL" => Ecosystem::SwiftUrl,
            "GitHub Actions" => Ecosystem::GitHubActions,
            "Debian" => Ecosystem::Debian,
            "Ubuntu" => Ecosystem::Ubuntu,
            "Alpine" => Ecosystem::Alpine,
            "Red Hat" => Ecosystem::RedHat,
            "Rocky Linux" => Ecosystem::RockyLinux,
            "AlmaLinux" => Ecosystem::AlmaLinux,
            "SUSE" => Ecosystem::Suse,
            "openSUSE" => Ecosystem::OpenSuse,
            "Wolfi" => Ecosystem::Wolfi,
            "Chainguard" => Ecosystem::Chainguard,
            other => Ecosystem::Other(other.to_string()),
        })
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

impl serde::Serialize for Ecosystem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.osv_name())
    }
}

impl<'de> serde::Deserialize<'de> for Ecosystem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The form of a package name under which two spellings of the same package
/// compare equal, per the ecosystem's own rules.
///
/// PyPI follows PEP 503 (case-insensitive, runs of `-_.` are one `-`);
/// NuGet, Packagist and Pub names are case-insensitive; everything else is
/// compared exactly.
pub fn normalize_package_name(ecosystem: &Ecosystem, name: &str) -> String {
    match ecosystem {
        Ecosystem::PyPI => {
            let mut out = String::with_capacity(name.len());
            let mut in_separator_run = false;
            for c in name.trim().chars() {
                if matches!(c, '-' | '_' | '.') {
                    if !in_separator_run {
                        out.push('-');
                    }
                    in_separator_run = true;
                } else {
                    out.push(c.to_ascii_lowercase());
                    in_separator_run = false;
                }
            }
            out
        }
        Ecosystem::NuGet | Ecosystem::Packagist | Ecosystem::Pub => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_names_round_trip() {
        for name in ["crates.io", "PyPI", "Red Hat", "GitHub Actions", "Bitnami"] {
            assert_eq!(name.parse::<Ecosystem>().unwrap().osv_name(), name);
        }
    }

    #[test]
    fn release_suffix_is_split_off() {
        let (eco, suffix) = Ecosystem::split_osv("Debian:12").unwrap();
        assert_eq!((eco, suffix), (Ecosystem::Debian, Some("12")));
        let (eco, suffix) = Ecosystem::split_osv("Alpine:v3.19").unwrap();
        assert_eq!((eco, suffix), (Ecosystem::Alpine, Some("v3.19")));
        assert_eq!(Ecosystem::split_osv("npm").unwrap(), (Ecosystem::Npm, None));
        assert!(Ecosystem::split_osv("").is_err());
    }

    #[test]
    fn pep503_normalisation() {
        let check = |raw: &str, want: &str| {
            assert_eq!(normalize_package_name(&Ecosystem::PyPI, raw), want, "{raw}");
        };
        check("zope.interface", "zope-interface");
        check("Pillow", "pillow");
        check("Foo__Bar-.baz", "foo-bar-baz");
        check("requests", "requests");
    }
}
