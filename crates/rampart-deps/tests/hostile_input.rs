//! Truncated, corrupted and garbage input to every extractor: an error or a
//! result, never a panic. (The fuzz targets in `fuzz/` go further; this
//! test keeps the property in every `cargo test`.)

use std::path::{Path, PathBuf};

use rampart_deps::{ExtractInput, LockfileKind, extract};

/// Sample files per kind: our own test data plus the shared fixtures.
fn samples() -> Vec<(LockfileKind, PathBuf)> {
    let mut files = Vec::new();
    collect(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"),
        &mut files,
    );
    if let Some(dir) = rampart_fixtures::sub("lockfiles") {
        collect(&dir, &mut files);
    }
    let expected = rampart_fixtures::sub("lockfiles")
        .and_then(|d| std::fs::read_to_string(d.join("expected.json")).ok())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    files
        .into_iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let kind = LockfileKind::detect(name).or_else(|| {
                // Fixture files are named after their test; expected.json
                // gives the real file name.
                let expected = expected.as_ref()?;
                let rel = path.to_str()?.split("lockfiles/").nth(1)?;
                LockfileKind::detect(expected[rel]["canonical_name"].as_str()?)
            })?;
            Some((kind, path))
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn run(kind: LockfileKind, text: &str) {
    let include = |_: &str| Some(("inc.txt".to_string(), "-r inc.txt\n".to_string()));
    let input = ExtractInput {
        path: "x",
        text,
        read_include: &include,
    };
    let _ = extract(kind, &input);
}

#[test]
fn truncations_and_corruptions_never_panic() {
    let samples = samples();
    assert!(samples.len() >= 20, "only {} samples found", samples.len());
    for (kind, path) in &samples {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        // Every cut point for small files, a few hundred for large ones.
        let step = (text.len() / 300).max(1);
        for cut in (0..text.len()).step_by(step) {
            if text.is_char_boundary(cut) {
                run(*kind, &text[..cut]);
            }
        }
        // Structural characters swapped for each other break nesting in
        // every way a parser has to survive.
        let swaps = [
            ('{', '['),
            ('"', '\''),
            (':', '='),
            ('\n', ' '),
            ('[', '{'),
            (' ', '\t'),
        ];
        for (from, to) in swaps {
            run(*kind, &text.replacen(from, &to.to_string(), 3));
            run(*kind, &text.replace(from, &to.to_string()));
        }
    }
}

#[test]
fn garbage_never_panics() {
    let garbage = [
        "",
        "\0\0\0",
        "{",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "{\"packages\": {\"\": null, \"node_modules/\": 5}}",
        "{\"lockfileVersion\": 1, \"dependencies\": {\"a\": {\"dependencies\": {\"b\": {\"dependencies\": {}}}}}}",
        "packages:\n  /:\n    resolution: 7\n",
        "[[package]]\nname = 5\n",
        "GEM\n  remote: x\n  specs:\n    (\n",
        "<project><dependencies><dependency><version>${a}</version></dependency></dependencies></project>",
        "%{\"a\": {:hex, :a, ",
        "require (\n\tgithub.com/a\n",
        "-r\n-c\n--requirement\n",
        "\u{feff}\u{202e}é\u{10ffff}",
    ];
    for kind in LockfileKind::ALL {
        for text in garbage {
            run(kind, text);
        }
        let deep = format!(
            "{}{}",
            "{\"dependencies\": {\"a\": ".repeat(2000),
            "}".repeat(4000)
        );
        run(kind, &deep);
    }
}
