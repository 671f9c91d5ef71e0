#![no_main]
//! Fuzz target: version parsing never panics and ordering is antisymmetric.

use libfuzzer_sys::fuzz_target;

use rampart_core::Ecosystem;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some((a, b)) = text.split_once('\n') else { return };
    for ecosystem in [
        Ecosystem::Npm, Ecosystem::PyPI, Ecosystem::Maven, Ecosystem::RubyGems, Ecosystem::NuGet,
        Ecosystem::Packagist, Ecosystem::Debian, Ecosystem::Alpine, Ecosystem::RedHat, Ecosystem::Cran,
        Ecosystem::Pub, Ecosystem::Hackage, Ecosystem::Go, Ecosystem::CratesIo,
    ] {
        if let (Ok(x), Ok(y)) = (
            rampart_osv::version::compare(&ecosystem, a, b),
            rampart_osv::version::compare(&ecosystem, b, a),
        ) {
            // PHP's `version_compare`, which Packagist follows, ranks a
            // trailing empty element below everything, itself included:
            // `version_compare("1.", "1.")` is -1 in PHP 8.2. Such pairs
            // are not antisymmetric by specification.
            let trailing_separator = |v: &str| v.ends_with(['.', '-', '_', '+']);
            if ecosystem == Ecosystem::Packagist && (trailing_separator(a) || trailing_separator(b)) {
                continue;
            }
            assert_eq!(x, y.reverse(), "{ecosystem}: {a:?} vs {b:?}");
        }
    }
});
