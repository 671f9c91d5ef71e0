//! Test helpers shared by the format modules: one line (or one row) per
//! component, so a case reads as the list a user would expect.
use rampart_core::{Component, ComponentVersion, PackageSource};

/// `name version[ [groups]][ source] :line`, where an unresolved version
/// is written `?requirement`.
pub(super) fn render(c: &Component) -> String {
    let version = match &c.version {
        ComponentVersion::Exact(v) => v.clone(),
        ComponentVersion::Unresolved { requirement } => format!("?{requirement}"),
    };
    let groups = if c.groups.is_empty() {
        String::new()
    } else {
        format!(" [{}]", c.groups.join(","))
    };
    let source = match &c.source {
        PackageSource::Registry => String::new(),
        PackageSource::Git { url, commit } => {
            format!(" git:{url}#{}", commit.as_deref().unwrap_or(""))
        }
        PackageSource::Path(p) => format!(" path:{p}"),
        PackageSource::Url(u) => format!(" url:{u}"),
    };
    let line = c.location.line.map_or("-".to_string(), |l| l.to_string());
    format!("{} {version}{groups}{source} :{line}", c.name)
}

/// Runs the public entry point (sorted, deduplicated) and renders it.
pub(super) fn run(
    kind: crate::LockfileKind,
    path: &str,
    text: &str,
) -> Result<Vec<String>, crate::ExtractError> {
    let input = crate::ExtractInput::standalone(path, text);
    let components = crate::extract(kind, &input)?;
    for c in &components {
        assert_eq!(c.ecosystem, kind.ecosystem(), "{}", c.name);
        assert_eq!(c.location.path, path, "{}", c.name);
    }
    Ok(components.iter().map(render).collect())
}

/// Asserts that `text` extracts to exactly `expected` (in sorted order).
#[track_caller]
pub(super) fn check(kind: crate::LockfileKind, text: &str, expected: &[&str]) {
    let got = run(kind, "dir/lockfile", text).unwrap_or_else(|e| panic!("{e}"));
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, expected, "\n{text}");
}

/// Asserts that `text` is rejected as malformed at `line`.
#[track_caller]
pub(super) fn check_malformed(kind: crate::LockfileKind, text: &str, line: Option<u32>) {
    match run(kind, "dir/lockfile", text) {
        Err(crate::ExtractError::Malformed {
            line: got, path, ..
        }) => {
            assert_eq!(path, "dir/lockfile");
            assert_eq!(got, line, "\n{text}");
        }
        other => panic!("expected a malformed error at {line:?}, got {other:?}\n{text}"),
    }
}

/// `(name, version, groups, commit, line)`; an unresolved version is written
/// `~requirement`.
pub(super) type Row = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
    u32,
);

/// Asserts that `text`, read as `path`, extracts to exactly `expected`
/// (order does not matter), all in the kind's ecosystem.
#[track_caller]
pub(super) fn check_rows(kind: crate::LockfileKind, path: &str, text: &str, expected: &[Row]) {
    let input = crate::ExtractInput::standalone(path, text);
    let mut got: Vec<_> = crate::extract(kind, &input)
        .unwrap_or_else(|err| panic!("{err}"))
        .into_iter()
        .map(|c| {
            assert_eq!(c.ecosystem, kind.ecosystem(), "{}", c.name);
            assert_eq!(c.location.path, path, "{}", c.name);
            let version = match &c.version {
                ComponentVersion::Exact(v) => v.clone(),
                ComponentVersion::Unresolved { requirement } => format!("~{requirement}"),
            };
            let commit = c.source.commit().map(str::to_string);
            (c.name, version, c.groups, commit, c.location.line)
        })
        .collect();
    got.sort();
    let mut want: Vec<_> = expected
        .iter()
        .map(|(name, version, groups, commit, line)| {
            (
                name.to_string(),
                version.to_string(),
                groups.iter().map(|g| g.to_string()).collect::<Vec<_>>(),
                commit.map(str::to_string),
                Some(*line),
            )
        })
        .collect();
    want.sort();
    assert_eq!(got, want, "\n{text}");
}
