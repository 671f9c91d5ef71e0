//! The small glob dialect of `rampart.toml` (`paths` of an ignore).
//!
//! `*` matches within one path segment, `**` across segments (`**/` also
//! matches nothing), `?` one character other than `/`, `\` escapes the next
//! character. A pattern without `/` matches a file or directory name at any
//! depth, as in `.gitignore`; a pattern that matches a directory matches
//! everything under it. Matching is a dynamic programme, so hostile patterns
//! cost O(pattern × path), never exponential time.

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Literal(char),
    AnyChar,
    Star,
    DoubleStar,
    DoubleStarSlash,
}

/// A compiled glob.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    pub(crate) fn new(pattern: &str) -> Glob {
        let mut pattern = pattern.trim();
        pattern = pattern.strip_prefix("./").unwrap_or(pattern);
        let anchored = pattern.trim_end_matches('/').contains('/');
        pattern = pattern.trim_start_matches('/');
        pattern = pattern.trim_end_matches('/');
        let mut tokens = Vec::new();
        if !anchored {
            tokens.push(Token::DoubleStarSlash);
        }
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' if i + 1 < chars.len() => {
                    tokens.push(Token::Literal(chars[i + 1]));
                    i += 1;
                }
                '*' if chars.get(i + 1) == Some(&'*') => {
                    if chars.get(i + 2) == Some(&'/') {
                        tokens.push(Token::DoubleStarSlash);
                        i += 2;
                    } else {
                        tokens.push(Token::DoubleStar);
                        i += 1;
                    }
                }
                '*' => tokens.push(Token::Star),
                '?' => tokens.push(Token::AnyChar),
                c => tokens.push(Token::Literal(c)),
            }
            i += 1;
        }
        Glob { tokens }
    }

    /// Whether `path` (relative, `/`-separated) or one of its parent
    /// directories matches.
    pub(crate) fn matches(&self, path: &str) -> bool {
        let path = path.strip_prefix("./").unwrap_or(path);
        let chars: Vec<char> = path.chars().collect();
        let ends = chars
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == '/')
            .map(|(i, _)| i)
            .chain(std::iter::once(chars.len()));
        for end in ends {
            if self.matches_exactly(&chars[..end]) {
                return true;
            }
        }
        false
    }

    fn matches_exactly(&self, text: &[char]) -> bool {
        let n = text.len();
        // `next[j]`: do the tokens after the current one match `text[j..]`?
        let mut next = vec![false; n + 1];
        next[n] = true;
        let mut current = vec![false; n + 1];
        for token in self.tokens.iter().rev() {
            // For `**/`: does some `/` at or after j end a prefix after which
            // the rest matches?
            let mut slash_then_rest = false;
            for j in (0..=n).rev() {
                let here = text.get(j).copied();
                current[j] = match *token {
                    Token::Literal(c) => here == Some(c) && next[j + 1],
                    Token::AnyChar => here.is_some_and(|c| c != '/') && next[j + 1],
                    Token::Star => next[j] || (here.is_some_and(|c| c != '/') && current[j + 1]),
                    Token::DoubleStar => next[j] || (here.is_some() && current[j + 1]),
                    Token::DoubleStarSlash => {
                        if here == Some('/') && next[j + 1] {
                            slash_then_rest = true;
                        }
                        next[j] || slash_then_rest
                    }
                };
            }
            std::mem::swap(&mut current, &mut next);
        }
        next[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, path: &str, want: bool) {
        assert_eq!(
            Glob::new(pattern).matches(path),
            want,
            "{pattern:?} vs {path:?}"
        );
    }

    #[test]
    fn glob_cases() {
        check("Cargo.lock", "Cargo.lock", true);
        check("Cargo.lock", "sub/dir/Cargo.lock", true);
        check("/Cargo.lock", "sub/Cargo.lock", false);
        check("sub/Cargo.lock", "sub/Cargo.lock", true);
        check("sub/Cargo.lock", "x/sub/Cargo.lock", false);
        check("*.lock", "a/b/yarn.lock", true);
        check("vendor", "vendor/x/Cargo.lock", true);
        check("vendor/", "a/vendor/x/Cargo.lock", true);
        check("vendor/**", "vendor/x/Cargo.lock", true);
        check("examples/*/Cargo.lock", "examples/a/Cargo.lock", true);
        check("examples/*/Cargo.lock", "examples/a/b/Cargo.lock", false);
        check("examples/**/Cargo.lock", "examples/Cargo.lock", true);
        check("examples/**/Cargo.lock", "examples/a/b/Cargo.lock", true);
        check("./tests/**", "tests/fixtures/package-lock.json", true);
        check("requirements?.txt", "requirements2.txt", true);
        check("requirements?.txt", "requirements.txt", false);
        check("a\\*b", "a*b", true);
        check("a\\*b", "axb", false);
        check("", "anything", false);
        check("**", "anything/at/all", true);
    }

    #[test]
    fn hostile_patterns_stay_fast() {
        let pattern = "*a".repeat(200) + "b";
        let path = "a".repeat(2000);
        check(&pattern, &path, false);
    }
}
