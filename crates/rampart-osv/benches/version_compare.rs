//! Parse-and-compare throughput of the busiest orderings, on a few hundred
//! realistic versions each: the matcher parses a component's version once and
//! compares it with every range event, so both costs matter.

use std::hint::black_box;

use divan::Bencher;
use rampart_core::Ecosystem;
use rampart_osv::version;

fn main() {
    divan::main();
}

/// Realistic version strings for an ecosystem, a few hundred of them.
fn corpus(ecosystem: &Ecosystem) -> Vec<String> {
    let mut out = Vec::new();
    for major in 0..4 {
        for minor in [0, 1, 2, 9, 10, 23] {
            for patch in [0, 1, 7, 12] {
                let base = format!("{major}.{minor}.{patch}");
                let extra = match ecosystem {
                    Ecosystem::PyPI => [
                        format!("{base}rc1"),
                        format!("{base}.post2"),
                        format!("{base}.dev3"),
                        format!("1!{base}a4"),
                    ],
                    Ecosystem::Maven => [
                        format!("{base}-SNAPSHOT"),
                        format!("{base}.Final"),
                        format!("{base}-RC2"),
                        format!("{base}-beta-3"),
                    ],
                    Ecosystem::Debian => [
                        format!("{base}-1"),
                        format!("1:{base}-2+deb12u1"),
                        format!("{base}~rc1-1ubuntu0.22.04.1"),
                        format!("{base}+dfsg-3"),
                    ],
                    _ => [
                        format!("v{base}"),
                        format!("{base}-beta.2"),
                        format!("{base}-rc.1+build.5"),
                        format!("{base}-0.20240101120000-abcdef123456"),
                    ],
                };
                out.push(base);
                out.extend(extra);
            }
        }
    }
    out
}

const ECOSYSTEMS: [&str; 4] = ["npm", "PyPI", "Maven", "Debian"];

fn ecosystem(name: &str) -> Ecosystem {
    name.parse().expect("non-empty ecosystem name")
}

/// Parsing every version of the corpus.
#[divan::bench(args = ECOSYSTEMS)]
fn parse(bencher: Bencher, name: &str) {
    let eco = ecosystem(name);
    let versions = corpus(&eco);
    bencher.counter(versions.len()).bench(|| {
        for v in &versions {
            black_box(version::parse(&eco, black_box(v)).expect("corpus versions are valid"));
        }
    });
}

/// Comparing already-parsed versions: one component against every event.
#[divan::bench(args = ECOSYSTEMS)]
fn compare_parsed(bencher: Bencher, name: &str) {
    let eco = ecosystem(name);
    let parsed: Vec<_> = corpus(&eco)
        .iter()
        .map(|v| version::parse(&eco, v).expect("corpus versions are valid"))
        .collect();
    let probe = &parsed[parsed.len() / 2];
    bencher.counter(parsed.len()).bench(|| {
        for other in &parsed {
            black_box(probe.cmp_to(black_box(other)).expect("same ordering"));
        }
    });
}

/// Parsing both sides on every comparison, as one-off `compare` calls do.
#[divan::bench(args = ECOSYSTEMS)]
fn parse_and_compare(bencher: Bencher, name: &str) {
    let eco = ecosystem(name);
    let versions = corpus(&eco);
    bencher.counter(versions.len() - 1).bench(|| {
        for pair in versions.windows(2) {
            black_box(
                version::compare(&eco, black_box(&pair[0]), black_box(&pair[1]))
                    .expect("valid versions"),
            );
        }
    });
}
