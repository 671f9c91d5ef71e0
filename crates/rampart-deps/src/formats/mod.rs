//! One module per lockfile or manifest format.

mod bun;
mod cargo;
mod composer;
mod conan;
mod gemfile;
mod go;
mod gradle;
mod maven;
mod mix;
mod npm;
mod nuget;
mod pdm;
mod pipfile;
mod pnpm;
mod poetry;
mod pubspec;
mod requirements;
#[cfg(test)]
mod testing;
mod uv;
mod yarn;

use rampart_core::{Component, Ecosystem};

use crate::{ExtractError, ExtractInput};

/// A file format we extract components from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockfileKind {
    CargoLock,
    NpmPackageLock,
    YarnLock,
    PnpmLock,
    BunLock,
    Requirements,
    PipfileLock,
    PoetryLock,
    UvLock,
    PdmLock,
    GoMod,
    GoSum,
    GemfileLock,
    ComposerLock,
    PomXml,
    GradleLockfile,
    NugetPackagesLock,
    PubspecLock,
    MixLock,
    ConanLock,
}

impl LockfileKind {
    /// Every kind, in a fixed order.
    pub const ALL: [LockfileKind; 20] = [
        LockfileKind::CargoLock,
        LockfileKind::NpmPackageLock,
        LockfileKind::YarnLock,
        LockfileKind::PnpmLock,
        LockfileKind::BunLock,
        LockfileKind::Requirements,
        LockfileKind::PipfileLock,
        LockfileKind::PoetryLock,
        LockfileKind::UvLock,
        LockfileKind::PdmLock,
        LockfileKind::GoMod,
        LockfileKind::GoSum,
        LockfileKind::GemfileLock,
        LockfileKind::ComposerLock,
        LockfileKind::PomXml,
        LockfileKind::GradleLockfile,
        LockfileKind::NugetPackagesLock,
        LockfileKind::PubspecLock,
        LockfileKind::MixLock,
        LockfileKind::ConanLock,
    ];

    /// Recognises a file by its name (not its path).
    pub fn detect(file_name: &str) -> Option<LockfileKind> {
        Some(match file_name {
            "Cargo.lock" => LockfileKind::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => LockfileKind::NpmPackageLock,
            "yarn.lock" => LockfileKind::YarnLock,
            "pnpm-lock.yaml" => LockfileKind::PnpmLock,
            "bun.lock" => LockfileKind::BunLock,
            "Pipfile.lock" => LockfileKind::PipfileLock,
            "poetry.lock" => LockfileKind::PoetryLock,
            "uv.lock" => LockfileKind::UvLock,
            "pdm.lock" => LockfileKind::PdmLock,
            "go.mod" => LockfileKind::GoMod,
            "go.sum" => LockfileKind::GoSum,
            "Gemfile.lock" | "gems.locked" => LockfileKind::GemfileLock,
            "composer.lock" => LockfileKind::ComposerLock,
            "pom.xml" => LockfileKind::PomXml,
            "gradle.lockfile" | "buildscript-gradle.lockfile" => LockfileKind::GradleLockfile,
            "packages.lock.json" => LockfileKind::NugetPackagesLock,
            "pubspec.lock" => LockfileKind::PubspecLock,
            "mix.lock" => LockfileKind::MixLock,
            "conan.lock" => LockfileKind::ConanLock,
            name if is_requirements_file(name) => LockfileKind::Requirements,
            _ => return None,
        })
    }

    /// The name a user types for `--lockfile-type` style overrides and that
    /// scan summaries show.
    pub fn name(self) -> &'static str {
        match self {
            LockfileKind::CargoLock => "Cargo.lock",
            LockfileKind::NpmPackageLock => "package-lock.json",
            LockfileKind::YarnLock => "yarn.lock",
            LockfileKind::PnpmLock => "pnpm-lock.yaml",
            LockfileKind::BunLock => "bun.lock",
            LockfileKind::Requirements => "requirements.txt",
            LockfileKind::PipfileLock => "Pipfile.lock",
            LockfileKind::PoetryLock => "poetry.lock",
            LockfileKind::UvLock => "uv.lock",
            LockfileKind::PdmLock => "pdm.lock",
            LockfileKind::GoMod => "go.mod",
            LockfileKind::GoSum => "go.sum",
            LockfileKind::GemfileLock => "Gemfile.lock",
            LockfileKind::ComposerLock => "composer.lock",
            LockfileKind::PomXml => "pom.xml",
            LockfileKind::GradleLockfile => "gradle.lockfile",
            LockfileKind::NugetPackagesLock => "packages.lock.json",
            LockfileKind::PubspecLock => "pubspec.lock",
            LockfileKind::MixLock => "mix.lock",
            LockfileKind::ConanLock => "conan.lock",
        }
    }

    /// Parses a name as [`LockfileKind::name`] gives it.
    pub fn from_name(name: &str) -> Option<LockfileKind> {
        LockfileKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The ecosystem of the packages this format lists.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            LockfileKind::CargoLock => Ecosystem::CratesIo,
            LockfileKind::NpmPackageLock
            | LockfileKind::YarnLock
            | LockfileKind::PnpmLock
            | LockfileKind::BunLock => Ecosystem::Npm,
            LockfileKind::Requirements
            | LockfileKind::PipfileLock
            | LockfileKind::PoetryLock
            | LockfileKind::UvLock
            | LockfileKind::PdmLock => Ecosystem::PyPI,
            LockfileKind::GoMod | LockfileKind::GoSum => Ecosystem::Go,
            LockfileKind::GemfileLock => Ecosystem::RubyGems,
            LockfileKind::ComposerLock => Ecosystem::Packagist,
            LockfileKind::PomXml | LockfileKind::GradleLockfile => Ecosystem::Maven,
            LockfileKind::NugetPackagesLock => Ecosystem::NuGet,
            LockfileKind::PubspecLock => Ecosystem::Pub,
            LockfileKind::MixLock => Ecosystem::Hex,
            LockfileKind::ConanLock => Ecosystem::ConanCenter,
        }
    }
}

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`,
/// `requirements.in` is not a lock and is left out.
fn is_requirements_file(name: &str) -> bool {
    name.ends_with(".txt") && name.contains("requirements")
}

pub(crate) fn extract(
    kind: LockfileKind,
    input: &ExtractInput<'_>,
) -> Result<Vec<Component>, ExtractError> {
    match kind {
        LockfileKind::CargoLock => cargo::extract(input),
        LockfileKind::NpmPackageLock => npm::extract(input),
        LockfileKind::YarnLock => yarn::extract(input),
        LockfileKind::PnpmLock => pnpm::extract(input),
        LockfileKind::BunLock => bun::extract(input),
        LockfileKind::Requirements => requirements::extract(input),
        LockfileKind::PipfileLock => pipfile::extract(input),
        LockfileKind::PoetryLock => poetry::extract(input),
        LockfileKind::UvLock => uv::extract(input),
        LockfileKind::PdmLock => pdm::extract(input),
        LockfileKind::GoMod => go::extract_go_mod(input),
        LockfileKind::GoSum => go::extract_go_sum(input),
        LockfileKind::GemfileLock => gemfile::extract(input),
        LockfileKind::ComposerLock => composer::extract(input),
        LockfileKind::PomXml => maven::extract(input),
        LockfileKind::GradleLockfile => gradle::extract(input),
        LockfileKind::NugetPackagesLock => nuget::extract(input),
        LockfileKind::PubspecLock => pubspec::extract(input),
        LockfileKind::MixLock => mix::extract(input),
        LockfileKind::ConanLock => conan::extract(input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_by_file_name() {
        assert_eq!(
            LockfileKind::detect("Cargo.lock"),
            Some(LockfileKind::CargoLock)
        );
        assert_eq!(
            LockfileKind::detect("requirements-dev.txt"),
            Some(LockfileKind::Requirements)
        );
        assert_eq!(
            LockfileKind::detect("dev-requirements.txt"),
            Some(LockfileKind::Requirements)
        );
        assert_eq!(LockfileKind::detect("README.txt"), None);
        assert_eq!(LockfileKind::detect("package.json"), None);
        for kind in LockfileKind::ALL {
            assert_eq!(LockfileKind::from_name(kind.name()), Some(kind));
        }
    }
}
