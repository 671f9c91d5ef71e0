//! `Scanner::scan` throughput with every built-in rule (low confidence
//! included) on three inputs:
//!
//! - `source`: real source text, the first files (`*.rs`, `*.py`, `*.js`,
//!   `*.json`, `*.yaml`) of the crates unpacked under
//!   `~/.cargo/registry/src/*/`, concatenated up to 16 MiB (skipped with a
//!   message when there are none);
//! - `keyword_dense`: source-like lines with a keyword of some rule every
//!   few lines, so that every rule is a candidate;
//! - `keyword_free`: source-like lines containing no keyword at all.
//!
//! ```text
//! cargo bench -p rampart-secrets --bench scan
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use rampart_secrets::{Ruleset, ScanOptions, Scanner};

const SOURCE_BYTES: usize = 16 << 20;
const SYNTHETIC_BYTES: usize = 8 << 20;
const EXTENSIONS: &[&str] = &["rs", "py", "js", "json", "yaml", "yml"];

fn main() {
    divan::main();
}

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let set = Ruleset::builtin().expect("built-in rules load");
        Scanner::new(
            &set,
            ScanOptions {
                include_low_confidence: true,
            },
        )
    })
}

/// Files found in a fixed (sorted) order, so that runs compare.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>, budget: &mut usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if *budget == 0 {
            return;
        }
        if path.is_dir() {
            collect_files(&path, out, budget);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e))
            && let Ok(meta) = path.metadata()
        {
            *budget = budget.saturating_sub(meta.len() as usize);
            out.push(path);
        }
    }
}

fn source_text() -> &'static [u8] {
    static TEXT: OnceLock<Vec<u8>> = OnceLock::new();
    TEXT.get_or_init(|| {
        let Some(home) = std::env::var_os("HOME") else {
            return Vec::new();
        };
        let registry = Path::new(&home).join(".cargo/registry/src");
        let mut roots: Vec<PathBuf> = std::fs::read_dir(&registry)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        roots.sort();
        let mut files = Vec::new();
        let mut budget = SOURCE_BYTES;
        for root in roots {
            collect_files(&root, &mut files, &mut budget);
        }
        let mut text = Vec::with_capacity(SOURCE_BYTES);
        for f in files {
            if let Ok(bytes) = std::fs::read(&f) {
                text.extend_from_slice(&bytes);
                text.push(b'\n');
            }
        }
        text.truncate(SOURCE_BYTES);
        text
    })
}

const LINE: &str =
    "    let value = compute(config.get(\"name\"), 42); // a comment about ünïcode\n";

fn keyword_dense() -> &'static [u8] {
    static TEXT: OnceLock<Vec<u8>> = OnceLock::new();
    TEXT.get_or_init(|| {
        let keywords: Vec<&str> = scanner()
            .rules()
            .iter()
            .flat_map(|r| r.keywords.iter().map(String::as_str))
            .collect();
        let mut data = Vec::with_capacity(SYNTHETIC_BYTES + 256);
        let mut i = 0usize;
        while data.len() < SYNTHETIC_BYTES {
            data.extend_from_slice(LINE.as_bytes());
            if i.is_multiple_of(5) {
                data.extend_from_slice(keywords[(i / 5) % keywords.len()].as_bytes());
                data.extend_from_slice(b" = \"q8Zr2Lw9Xc\"\n");
            }
            i += 1;
        }
        data
    })
}

fn keyword_free() -> &'static [u8] {
    static TEXT: OnceLock<Vec<u8>> = OnceLock::new();
    TEXT.get_or_init(|| LINE.repeat(SYNTHETIC_BYTES / LINE.len()).into_bytes())
}

fn run(bencher: Bencher, data: &'static [u8]) {
    let scanner = scanner();
    bencher
        .counter(BytesCount::of_slice(data))
        .bench(|| black_box(scanner.scan(black_box(data))));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn source(bencher: Bencher) {
    let data = source_text();
    if data.is_empty() {
        eprintln!("SKIPPED scan::source: no source files under ~/.cargo/registry/src");
        return;
    }
    run(bencher, data);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn keyword_dense_text(bencher: Bencher) {
    run(bencher, keyword_dense());
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn keyword_free_text(bencher: Bencher) {
    run(bencher, keyword_free());
}
