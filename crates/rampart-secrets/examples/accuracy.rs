//! Prints precision and recall of the built-in rules on the shared labelled
//! cases, per source repository and overall, then the misses.
//!
//! ```text
//! cargo run -p rampart-secrets --example accuracy [-- [--misses [--full]] [--by-hint] [--rules DIR]]
//! ```
//! `--misses` lists every wrong case (with the matches the value filters
//! dropped; `--full` prints each case's whole text, not its first 160
//! characters); `--by-hint` groups misses by exact `rule_hint`, not family; `--rules DIR` evaluates the `*.toml`
//! rule files of DIR instead of the built-in ones (for rule authors).
//! The fixtures are found as in the tests (`RAMPART_FIXTURES`, default
//! `../shared/fixtures`).

#[path = "../tests/support/accuracy.rs"]
#[allow(dead_code)]
mod accuracy;

fn main() {
    let Some(dir) = rampart_fixtures::sub("secrets") else {
        std::process::exit(2);
    };
    let args: Vec<String> = std::env::args().collect();
    let show_misses = args.iter().any(|a| a == "--misses");
    let full = args.iter().any(|a| a == "--full");
    let report = match args.iter().position(|a| a == "--rules") {
        None => accuracy::evaluate(&dir),
        Some(i) => {
            let rules_dir = args.get(i + 1).expect("--rules DIR");
            let mut files: Vec<_> = std::fs::read_dir(rules_dir)
                .expect("read rules dir")
                .map(|e| e.expect("dir entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            let mut set = rampart_secrets::Ruleset::default();
            for f in files {
                let text = std::fs::read_to_string(&f).expect("read rule file");
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                let file_set = rampart_secrets::Ruleset::from_toml(&name, &text)
                    .unwrap_or_else(|e| panic!("{e}"));
                set.extend(file_set).unwrap_or_else(|e| panic!("{e}"));
            }
            println!("{} rules from {rules_dir}", set.len());
            accuracy::evaluate_with(&dir, &set)
        }
    };
    print!("{}", accuracy::table(&report));
    let by_hint = args.iter().any(|a| a == "--by-hint");
    println!(
        "\nmisses by {} (false negatives, false positives):",
        if by_hint {
            "rule_hint"
        } else {
            "provider family of rule_hint"
        }
    );
    for (hint, f_n, f_p) in accuracy::misses_by_hint(&report, !by_hint) {
        println!("  {f_n:>3} fn {f_p:>3} fp  {hint}");
    }
    if show_misses {
        println!("\nmisses:");
        for m in &report.misses {
            let kind = if m.expected_secret { "FN" } else { "FP" };
            let limit = if full { usize::MAX } else { 160 };
            let text: String = m.text.chars().take(limit).collect();
            println!(
                "{kind} [{}] fired={:?} dropped={:?}\n    {}\n    {text:?}",
                m.rule_hint, m.fired, m.rejected, m.source
            );
        }
    }
}
