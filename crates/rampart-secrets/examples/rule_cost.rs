//! Rough per-rule regex cost, for rule authors: runs each rule's regex alone
//! over a synthetic input (source-like text with every keyword sprinkled in,
//! so that every rule is a candidate) and prints the slowest rules.
//!
//! ```text
//! cargo run --release -p rampart-secrets --example rule_cost [-- MB]
//! ```
//! Not a benchmark of the scanner (which runs a regex only in windows around
//! the hits of its keywords or anchors; `benches/scan.rs` measures it); a way
//! to spot patterns that are slow per byte, e.g. Unicode `\b` (`(?-u:\b)` is
//! the fast ASCII form), and rules whose regex has to run over the whole
//! input because no keyword or literal is part of every match.

use std::time::Instant;

use rampart_secrets::{BUILTIN_FILES, Ruleset, ScanOptions, Scanner};

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(8);
    let mut set = Ruleset::default();
    for (name, text) in BUILTIN_FILES {
        match Ruleset::from_toml(name, text) {
            Ok(s) => {
                if let Err(e) = set.extend(s) {
                    eprintln!("skipping part of {name}: {e}");
                }
            }
            Err(e) => eprintln!("skipping {name}: {e}"),
        }
    }
    let keywords: Vec<&str> = set
        .rules()
        .iter()
        .flat_map(|r| r.keywords.iter().map(String::as_str))
        .collect();
    let line = "    let value = compute(config.get(\"name\"), 42); // a comment about ünïcode\n";
    let mut data = Vec::with_capacity(mb << 20);
    let mut i = 0usize;
    while data.len() < mb << 20 {
        data.extend_from_slice(line.as_bytes());
        if i.is_multiple_of(50) {
            data.extend_from_slice(keywords[(i / 50) % keywords.len()].as_bytes());
            data.extend_from_slice(b" = \"q8Zr2Lw9Xc\"\n");
        }
        i += 1;
    }
    let mut costs: Vec<(f64, &str)> = set
        .rules()
        .iter()
        .map(|r| {
            let t = Instant::now();
            let n = r.pattern.captures_iter(&data).count();
            std::hint::black_box(n);
            (t.elapsed().as_secs_f64(), r.id.as_str())
        })
        .collect();
    costs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = costs.iter().map(|c| c.0).sum();
    println!(
        "{} rules, {mb} MiB input, sum of regex times {total:.2}s",
        set.len()
    );
    for (secs, id) in costs.iter().take(25) {
        println!("{:>8.1} MiB/s  {id}", mb as f64 / secs);
    }
    let scanner = Scanner::new(
        &set,
        ScanOptions {
            include_low_confidence: true,
        },
    );
    let whole: Vec<&str> = set
        .rules()
        .iter()
        .filter(|r| scanner.runs_on_whole_input(&r.id) == Some(true))
        .map(|r| r.id.as_str())
        .collect();
    println!(
        "rules whose regex runs over the whole input (no literal in every match): {}",
        if whole.is_empty() {
            "none".to_string()
        } else {
            whole.join(", ")
        }
    );
    let t = Instant::now();
    let found = scanner.scan(&data).len();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "whole scanner (every rule a candidate): {:.1} MiB/s, {found} findings",
        mb as f64 / secs
    );
    let plain: Vec<u8> = line.repeat((mb << 20) / line.len()).into_bytes();
    let t = Instant::now();
    let found = scanner.scan(&plain).len();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "whole scanner (no keywords in input): {:.1} MiB/s, {found} findings",
        mb as f64 / secs
    );
}
