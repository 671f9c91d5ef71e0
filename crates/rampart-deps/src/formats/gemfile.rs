//! `Gemfile.lock` (and `gems.locked`).
//!
//! The format is indentation-based: a source section (`GEM`, `GIT`, `PATH`,
//! `PLUGIN SOURCE`) at column 0; its options (`remote:`, `revision:`) and
//! `specs:` at two spaces; one resolved gem per line at four spaces, as
//! `name (version[-platform])`; that gem's own requirements at six spaces,
//! which we skip. Other sections (`PLATFORMS`, `DEPENDENCIES`, `RUBY
//! VERSION`, `BUNDLED WITH`, `CHECKSUMS`) name no resolved gems.

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};

use crate::{ExtractError, ExtractInput};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Gem,
    Git,
    Path,
    Other,
}

/// The source section being read, and the gems it resolved so far.
struct SourceBlock {
    section: Section,
    remote: Option<String>,
    revision: Option<String>,
    in_specs: bool,
    gems: Vec<Component>,
}

impl SourceBlock {
    fn new(section: Section) -> SourceBlock {
        SourceBlock {
            section,
            remote: None,
            revision: None,
            in_specs: false,
            gems: Vec::new(),
        }
    }

    /// The gems with the section's source, which is complete only once the
    /// section ends (`revision:` may follow `specs:` in hand-edited files).
    fn finish(self, out: &mut Vec<Component>) {
        let source = match self.section {
            Section::Git => PackageSource::Git {
                url: self.remote.unwrap_or_default(),
                commit: self.revision,
            },
            Section::Path => PackageSource::Path(self.remote.unwrap_or_default()),
            Section::Gem | Section::Other => PackageSource::Registry,
        };
        out.extend(self.gems.into_iter().map(|mut gem| {
            gem.source = source.clone();
            gem
        }));
    }
}

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let mut out = Vec::new();
    let mut block = SourceBlock::new(Section::Other);
    for (number, raw) in input.text.lines().enumerate() {
        let line = u32::try_from(number + 1).unwrap_or(u32::MAX);
        let text = raw.trim_end();
        if text.is_empty() {
            continue;
        }
        let indent = text.len() - text.trim_start_matches(' ').len();
        let content = &text[indent..];
        if indent == 0 {
            let section = match content {
                "GEM" | "PLUGIN SOURCE" => Section::Gem,
                "GIT" => Section::Git,
                "PATH" => Section::Path,
                _ => Section::Other,
            };
            std::mem::replace(&mut block, SourceBlock::new(section)).finish(&mut out);
            continue;
        }
        if block.section == Section::Other {
            continue;
        }
        match indent {
            2 => {
                block.in_specs = content == "specs:";
                if let Some(remote) = content.strip_prefix("remote: ") {
                    block.remote = Some(remote.trim().to_string());
                } else if let Some(revision) = content.strip_prefix("revision: ") {
                    block.revision = Some(revision.trim().to_string());
                }
            }
            4 if block.in_specs => {
                let (name, version) = parse_spec(content).ok_or_else(|| {
                    ExtractError::malformed(
                        input.path,
                        Some(line),
                        format!("expected `name (version)`, found {content:?}"),
                    )
                })?;
                block.gems.push(Component::new(
                    Ecosystem::RubyGems,
                    name,
                    ComponentVersion::Exact(version.to_string()),
                    Location::new(input.path, Some(line)),
                ));
            }
            _ => {}
        }
    }
    block.finish(&mut out);
    Ok(out)
}

/// `nokogiri (1.16.5-x86_64-linux)` → (`nokogiri`, `1.16.5`). RubyGems
/// versions cannot contain `-`, so everything after the first is platform.
fn parse_spec(spec: &str) -> Option<(&str, &str)> {
    let (name, rest) = spec.split_once(" (")?;
    let version = rest.strip_suffix(')')?;
    let version = version
        .split_once('-')
        .map_or(version, |(version, _platform)| version);
    let valid = !name.is_empty()
        && !name.contains(char::is_whitespace)
        && version.starts_with(|c: char| c.is_ascii_digit());
    valid.then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, version, source, line)`; source is `gem`, `path:<path>` or
    /// `git:<commit>`.
    fn check(text: &str, expected: &[(&str, &str, &str, u32)]) {
        let input = ExtractInput::standalone("Gemfile.lock", text);
        let mut got: Vec<_> = extract(&input)
            .unwrap_or_else(|err| panic!("{err}"))
            .into_iter()
            .map(|c| {
                assert_eq!(c.ecosystem, Ecosystem::RubyGems);
                let source = match &c.source {
                    PackageSource::Registry => "gem".to_string(),
                    PackageSource::Path(p) => format!("path:{p}"),
                    PackageSource::Git { commit, .. } => {
                        format!("git:{}", commit.as_deref().unwrap_or(""))
                    }
                    PackageSource::Url(u) => u.clone(),
                };
                (
                    c.name,
                    c.version.exact().unwrap_or("").to_string(),
                    source,
                    c.location.line.unwrap(),
                )
            })
            .collect();
        got.sort();
        let mut want: Vec<_> = expected
            .iter()
            .map(|(n, v, s, l)| (n.to_string(), v.to_string(), s.to_string(), *l))
            .collect();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn gem_git_and_path_sections() {
        check(
            "GIT\n\
             \x20 remote: https://github.com/rails/rails.git\n\
             \x20 revision: 0123456789abcdef0123456789abcdef01234567\n\
             \x20 branch: main\n\
             \x20 specs:\n\
             \x20   actionpack (7.2.0.alpha)\n\
             \x20     rack (>= 2.2.4)\n\
             \n\
             PATH\n\
             \x20 remote: engines/billing\n\
             \x20 specs:\n\
             \x20   billing (0.1.0)\n\
             \n\
             GEM\n\
             \x20 remote: https://rubygems.org/\n\
             \x20 specs:\n\
             \x20   nokogiri (1.16.5-x86_64-linux)\n\
             \x20     racc (~> 1.4)\n\
             \x20   nokogiri (1.16.5-arm64-darwin)\n\
             \x20   rack (3.0.11)\n\
             \n\
             PLATFORMS\n\
             \x20 x86_64-linux\n\
             \n\
             DEPENDENCIES\n\
             \x20 actionpack!\n\
             \x20 billing!\n\
             \n\
             BUNDLED WITH\n\
             \x20  2.5.10\n",
            &[
                (
                    "actionpack",
                    "7.2.0.alpha",
                    "git:0123456789abcdef0123456789abcdef01234567",
                    6,
                ),
                ("billing", "0.1.0", "path:engines/billing", 12),
                ("nokogiri", "1.16.5", "gem", 17),
                ("nokogiri", "1.16.5", "gem", 19),
                ("rack", "3.0.11", "gem", 20),
            ],
        );
    }

    #[test]
    fn sample_rails_app() {
        check(
            include_str!("../../tests/data/bundler/rails-app/Gemfile.lock"),
            &[
                ("actioncable", "7.1.3.4", "gem", 13),
                ("bcrypt", "3.1.20", "gem", 16),
                ("concurrent-ruby", "1.3.3", "gem", 17),
                (
                    "devise",
                    "4.9.4",
                    "git:b4d4e2c6e8a5f4c3a1b2d3e4f5a6b7c8d9e0f1a2",
                    6,
                ),
                ("ffi", "1.17.0", "gem", 18),
                ("ffi", "1.17.0", "gem", 19),
                ("nio4r", "2.7.3", "gem", 20),
                ("pg", "1.5.6", "gem", 21),
                ("puma", "6.4.2", "gem", 22),
                ("websocket-driver", "0.7.6", "gem", 24),
                ("websocket-extensions", "0.1.5", "gem", 26),
            ],
        );
    }

    #[test]
    fn checksums_and_dependencies_are_not_gems() {
        check(
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.2.1)\n\n\
             DEPENDENCIES\n  rake (~> 13.0)\n\n\
             CHECKSUMS\n  rake (13.2.1) sha256=46cb38dae65d7d74b6020a4ac9d48afed8eb8149c040eccf0523bec91907059d\n",
            &[("rake", "13.2.1", "gem", 4)],
        );
        check("", &[]);
    }

    #[test]
    fn crlf_line_endings() {
        check(
            "GEM\r\n  specs:\r\n    rake (13.2.1)\r\n",
            &[("rake", "13.2.1", "gem", 3)],
        );
    }

    #[test]
    fn malformed_spec_line() {
        let input = ExtractInput::standalone("Gemfile.lock", "GEM\n  specs:\n    rake 13.2.1\n");
        match extract(&input) {
            Err(ExtractError::Malformed { line, .. }) => assert_eq!(line, Some(3)),
            other => panic!("{other:?}"),
        }
        assert!(parse_spec("rake ()").is_none());
        assert!(parse_spec(" (1.0)").is_none());
        assert_eq!(parse_spec("a (1.0-java)"), Some(("a", "1.0")));
    }
}
