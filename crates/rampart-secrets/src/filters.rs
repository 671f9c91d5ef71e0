//! Noise filters on captured values: entropy and placeholder heuristics.

/// Shannon entropy of `s` in bits per byte (0 for an empty string).
pub fn shannon_entropy(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Words that mark a value as documentation or a template, matched
/// case-insensitively anywhere in the value.
const PLACEHOLDER_WORDS: &[&str] = &[
    "xxxx",
    "****",
    "....",
    "…",
    "example",
    "changeme",
    "change_me",
    "change-me",
    "your_",
    "your-",
    "yourapikey",
    "yourtoken",
    "yoursecret",
    "yourpassword",
    "placeholder",
    "redacted",
    "replace_me",
    "replaceme",
    "replace-me",
    "insert_",
    "insert-your",
];

/// Whole values (case-insensitive) that name a type, a null or a validation
/// state rather than hold a secret: `secret: "string"`, `password is
/// "required"`. (`password`/`secret` as values stay findings: they are weak
/// credentials that do get deployed.)
const FILLER_VALUES: &[&str] = &[
    "string",
    "null",
    "none",
    "nil",
    "undefined",
    "true",
    "false",
    "required",
    "optional",
    "empty",
];

/// Template syntax that stands for a value filled in later: `${NAME}` (shell,
/// JS, Terraform), `{{ expr }}` (Jinja, Go, Handlebars) and `%(name)s`
/// (Python). Only well-formed markers count: random secrets may contain
/// `${`, `{{` or `%(` by chance (`m{{h}o)p${e]…`, Django's generated keys).
fn has_template_marker(v: &str) -> bool {
    dollar_brace_template(v) || double_brace_template(v) || percent_template(v)
}

/// `${` then a name or expression without braces or `$`, with balanced
/// brackets, then `}`.
fn dollar_brace_template(v: &str) -> bool {
    v.match_indices("${").any(|(i, _)| {
        let rest = &v[i + 2..];
        let Some(end) = rest.find('}') else {
            // Cut off by the capture (`${VAR` before a space or quote).
            return !rest.is_empty() && !rest.contains(['{', '$']);
        };
        let inner = &rest[..end];
        !inner.is_empty() && !inner.contains(['{', '$']) && balanced(inner)
    })
}

/// `{{ … }}` whose inside has no brace, or a `{{` / `}}` whose other half was
/// cut off by the capture.
fn double_brace_template(v: &str) -> bool {
    match (v.find("{{"), v.rfind("}}")) {
        (Some(open), Some(close)) if open + 2 <= close => !v[open + 2..close].contains(['{', '}']),
        (Some(_), None) | (None, Some(_)) => true,
        _ => false,
    }
}

/// `%(name)` followed by a conversion letter (`%(password)s`).
fn percent_template(v: &str) -> bool {
    v.match_indices("%(").any(|(i, _)| {
        let rest = &v[i + 2..];
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        name_len > 0
            && rest[name_len..].starts_with(')')
            && rest[name_len + 1..]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic())
    })
}

/// Whether `()` and `[]` nest properly in `s`.
fn balanced(s: &str) -> bool {
    let mut stack = Vec::new();
    for c in s.chars() {
        match c {
            '(' | '[' => stack.push(c),
            ')' if stack.pop() != Some('(') => return false,
            ']' if stack.pop() != Some('[') => return false,
            _ => {}
        }
    }
    stack.is_empty()
}

/// Whether a captured value looks like a placeholder rather than a secret:
/// templates (`${VAR}`, `{{x}}`, `<token>`, `%(x)s`, `$(cmd)`), filler
/// (`xxxx`, `EXAMPLE`, `changeme`, `your_api_key`, …), a value dominated by
/// one repeated character, or by an ascending/descending sequence
/// (`123456789`, `abcdefgh`).
pub fn looks_like_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    if has_template_marker(v)
        || v.contains("$(")
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.contains('<') && v.contains('>') && v.find('<') < v.rfind('>'))
    {
        return true;
    }
    // A whole value in backticks is shell command substitution, not a secret.
    if v.len() > 2 && v.starts_with('`') && v.ends_with('`') {
        return true;
    }
    // `$NAME` (a shell or env reference) as the whole value.
    if let Some(rest) = v.strip_prefix('$')
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if FILLER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    let len = v.chars().count();
    let (same_run, seq_run) = longest_runs(v);
    // All one character, or one character's run dominating the value.
    if same_run == len || (same_run >= 6 && same_run * 5 >= len * 2) {
        return true;
    }
    // Sequential filler (`0123456789`, `abcdefg`), whole or dominating.
    if seq_run >= 6 && seq_run * 2 >= len {
        return true;
    }
    false
}

/// Longest run of one repeated character and longest run of characters
/// ascending or descending by one code point.
fn longest_runs(v: &str) -> (usize, usize) {
    let mut same = 1usize;
    let mut best_same = 0usize;
    let mut up = 1usize;
    let mut down = 1usize;
    let mut best_seq = 0usize;
    let mut prev: Option<char> = None;
    for c in v.chars() {
        if let Some(p) = prev {
            same = if c == p { same + 1 } else { 1 };
            let alnum = c.is_ascii_alphanumeric() && p.is_ascii_alphanumeric();
            up = if alnum && c as u32 == p as u32 + 1 {
                up + 1
            } else {
                1
            };
            down = if alnum && c as u32 + 1 == p as u32 {
                down + 1
            } else {
                1
            };
        }
        best_same = best_same.max(same);
        best_seq = best_seq.max(up).max(down);
        prev = Some(c);
    }
    (best_same, best_seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy("d7V3DnI8lFPPwtV5ASPZHu8q") > 4.0);
    }

    #[test]
    fn placeholders() {
        for p in [
            "${GITHUB_TOKEN}",
            "{{ secrets.TOKEN }}",
            "<your-token>",
            "<token>",
            "%(password)s",
            "$(cat /run/secret)",
            "$API_KEY",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "changeme",
            "your_api_key_here",
            "aaaaaaaaaaaa",
            "AKIA0000000000000000",
            "1234567890",
            "abcdefghijklmnop",
            "sk_live_****************",
            "REDACTED",
            "${DB_PASSWORD:-admin}",
            "${var.db_password}",
            "${secrets[0]}",
            "{{ csrf_token() }}",
            "{{.Values.password}}",
            "{{ vault_token",
            "prefix-%(password)s",
            "`cat /run/secret`",
            "None",
            "required",
        ] {
            assert!(looks_like_placeholder(p), "{p}");
        }
        for s in [
            "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",
            "AKIAMXGEDN73U55XTPLP",
            "d7V3DnI8lFPPwtV5ASPZHu8q",
            "S3cr3t!pa55-w0rd",
            "$2b$10$N9qo8uLOickgx2ZMRZoMye",
            // Random values that happen to contain template-like pairs.
            "m{{h}o)p${e]nob(ody[finds>-_$#thisone}}",
            "django-insecure-c4&w!%(^+m0qz9t=@b7k#l2v^yr1s8u3x$",
            "`-7hQ2f~pWz9kLx^\\JmR4",
        ] {
            assert!(!looks_like_placeholder(s), "{s}");
        }
    }
}
