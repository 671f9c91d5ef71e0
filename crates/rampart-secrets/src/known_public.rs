//! Credentials that vendors publish in their own documentation as examples.
//! They are copied into READMEs, tutorials and tests everywhere and grant
//! nothing, so reporting them is pure noise.
//!
//! Only values a vendor itself publishes belong here: a value being common
//! in one test corpus is no reason to list it.

const KNOWN_PUBLIC: &[&str] = &[
    // AWS documentation (IAM user guide, CLI configuration examples).
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    // Stripe API reference: the test-mode keys shown to signed-out readers.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    "pk_test_6pRNASCoBOKtIshFeQd4XMUh",
    // The token jwt.io's debugger opens with (HS256, key "your-256-bit-secret").
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// Whether `value` is a vendor's published example credential.
pub fn is_known_public(value: &str) -> bool {
    KNOWN_PUBLIC.contains(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values_only() {
        assert!(is_known_public("AKIAIOSFODNN7EXAMPLE"));
        assert!(!is_known_public("AKIAIOSFODNN7EXAMPLF"));
        assert!(!is_known_public("AKIAIOSFODNN7EXAMPLE "));
    }
}
