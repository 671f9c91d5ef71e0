//! Credentials: password hashing, API tokens, session secrets and the
//! password policy. Public so the CLI (`rampart user create`, `rampart token
//! create`) stores exactly what the server checks.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Shortest password accepted, in characters (OWASP ASVS 2.1.1).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters; bounds the hashing work an
/// attacker can ask for.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Why a credential operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The password breaks the policy; the message says how (never the password).
    #[error("field `password`: {0}")]
    Policy(&'static str),
    /// The operating system's random source failed.
    #[error("random number generator failed: {0}")]
    Random(String),
    /// argon2 refused its parameters or input.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// The current time, truncated to whole microseconds: what the audit chain
/// and both databases keep, so a stored time reads back equal.
pub fn now() -> Timestamp {
    let micros = Timestamp::now().as_microsecond();
    Timestamp::from_microsecond(micros).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Checks the password policy: 12 to 1024 characters. No composition rules
/// (NIST SP 800-63B): length is what makes a password hard to guess.
pub fn check_password_policy(password: &str) -> Result<(), AuthError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AuthError::Policy("must be at least 12 characters long"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AuthError::Policy("must be at most 1024 characters long"));
    }
    Ok(())
}

fn argon2() -> Result<Argon2<'static>, AuthError> {
    // OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
    let params = Params::new(19_456, 2, 1, None).map_err(|e| AuthError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Fills `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(bytes)
}

/// Hashes a password with argon2id and a random 16-byte salt; returns the
/// PHC string to store. Checks the policy first.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    check_password_policy(password)?;
    let salt = random_bytes::<16>()?;
    let hash = argon2()?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| AuthError::Hash(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string. A malformed stored hash
/// is a mismatch, not an error the caller could tell apart.
pub fn verify_password(password: &str, phc: &str) -> bool {
    // The parameters come from the PHC string itself, so hashes made with
    // other (older) parameters still verify.
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// A PHC string for a password nobody knows, made once. Sign-in verifies
/// against it when the user does not exist or has no password, so that an
/// unknown name costs the same time as a wrong password and timing reveals
/// nothing about which names exist.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let secret = random_bytes::<24>()
            .map(|b| hex(&b))
            .unwrap_or_else(|_| "x".repeat(48));
        // With the same parameters as real hashes, so the work is the same.
        hash_password(&secret).unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
             V9ttzJPn2zQxqvYLDdZD4oLbWKXyS61cR4Qd3I/yGRg"
                .to_owned()
        })
    })
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

/// Lowercase hex SHA-256 of a secret (token, session id, CSRF token): what
/// the store keeps instead of the secret.
pub fn token_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Compares two hashes in constant time.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A freshly made API token.
#[derive(Clone, PartialEq, Eq)]
pub struct NewToken {
    /// The token to show once: `rmp_` and 64 hex digits (32 random bytes).
    pub plaintext: String,
    /// Its SHA-256, to store.
    pub sha256_hex: String,
    /// Its first characters, to store and display (`rmp_1a2b3c4d`).
    pub prefix: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The plaintext never goes into a log line by accident.
        f.debug_struct("NewToken")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// Makes a new API token from 32 random bytes.
pub fn new_api_token() -> Result<NewToken, AuthError> {
    let plaintext = format!(
        "{}{}",
        rampart_api::TOKEN_PREFIX,
        hex(&random_bytes::<32>()?)
    );
    Ok(NewToken {
        sha256_hex: token_hash(&plaintext),
        prefix: plaintext[..rampart_api::TOKEN_PREFIX.len() + 8].to_owned(),
        plaintext,
    })
}

/// A random secret for a session id or CSRF token: 32 bytes as hex.
pub fn new_secret() -> Result<String, AuthError> {
    Ok(hex(&random_bytes::<32>()?))
}

/// The CSRF token of a session, derived from its (secret, `HttpOnly`) id
/// so that server-rendered pages can put it into their forms without the
/// store keeping the token itself: only whoever holds the session id can
/// compute it, and it is as unguessable as the id.
pub fn csrf_token_for(session_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"rampart-csrf-v1\0");
    hasher.update(session_id.as_bytes());
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_owasp_parameters_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password(
            "correct horse battery",
            "not a phc string"
        ));
        // A random salt: the same password hashes differently.
        assert_ne!(hash, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn password_policy_counts_characters() {
        assert!(check_password_policy("elevenchars").is_err());
        assert!(check_password_policy("twelve chars").is_ok());
        // Twelve characters, more bytes: characters count.
        assert!(check_password_policy("ääääääääääää").is_ok());
        assert!(check_password_policy(&"x".repeat(1024)).is_ok());
        let error = check_password_policy(&"x".repeat(1025)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "field `password`: must be at most 1024 characters long"
        );
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn dummy_hash_verifies_nothing_a_user_types() {
        let dummy = dummy_password_hash();
        assert!(dummy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!verify_password("", dummy));
        assert!(!verify_password("password1234", dummy));
    }

    #[test]
    fn api_tokens_are_random_prefixed_and_stored_as_sha256() {
        let token = new_api_token().unwrap();
        assert!(token.plaintext.starts_with("rmp_"));
        assert_eq!(token.plaintext.len(), 4 + 64);
        assert_eq!(token.sha256_hex, token_hash(&token.plaintext));
        assert_eq!(token.sha256_hex.len(), 64);
        assert!(token.plaintext.starts_with(&token.prefix));
        assert_eq!(token.prefix.len(), 12);
        assert_ne!(token.plaintext, new_api_token().unwrap().plaintext);
        assert!(!format!("{token:?}").contains(&token.plaintext));
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hashes_equal(&token_hash("a"), &token_hash("a")));
        assert!(!hashes_equal(&token_hash("a"), &token_hash("b")));
        assert!(!hashes_equal("ab", "abc"));
    }

    #[test]
    fn now_is_whole_microseconds() {
        let t = now();
        assert_eq!(t.subsec_nanosecond() % 1_000, 0);
    }
}
