//! Elixir's `mix.lock`: an Elixir map literal from dependency name to a tuple
//! that says where the dependency comes from:
//!
//! ```text
//! %{
//!   "plug": {:hex, :plug, "1.15.3", "<inner hash>", [:mix], [<deps>], "hexpm", "<outer hash>"},
//!   "forked": {:git, "https://github.com/org/forked.git", "<commit>", [branch: "main"]},
//! }
//! ```
//!
//! The file is read with a small, tolerant reader of Elixir terms (maps,
//! tuples, lists, keyword lists, strings, atoms) rather than evaluated.

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};

use crate::{ExtractError, ExtractInput, LineIndex};

/// Lock entries nest four or five levels deep; anything much deeper is not a
/// lock and must not exhaust the stack.
const MAX_DEPTH: usize = 64;

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let index = LineIndex::new(input.text);
    let malformed = |at: usize, message: String| {
        ExtractError::malformed(input.path, Some(index.line_of(at)), message)
    };
    let mut reader = TermReader {
        text: input.text,
        pos: 0,
    };
    reader.skip_blank();
    if reader.at_end() {
        return Ok(Vec::new());
    }
    let top = reader
        .term(0)
        .map_err(|(at, message)| malformed(at, message))?;
    reader.skip_blank();
    if !reader.at_end() {
        return Err(malformed(
            reader.pos,
            "unexpected text after the lock map".into(),
        ));
    }
    let Term::Map(entries) = top.term else {
        return Err(malformed(top.at, "mix.lock is not a map (`%{...}`)".into()));
    };

    let mut components = Vec::new();
    for (key, value) in entries {
        let Term::Str(name) = key.term else {
            return Err(malformed(
                key.at,
                "lock keys must be dependency names in quotes".into(),
            ));
        };
        let Term::Tuple(items) = value.term else {
            return Err(malformed(
                value.at,
                format!("entry for {name:?} is not a tuple"),
            ));
        };
        let location = Location::new(input.path, Some(index.line_of(key.at)));
        let item = |i: usize| items.get(i).map(|t| &t.term);
        match item(0) {
            Some(Term::Atom(scm)) if scm == "hex" => {
                // The hex package name can differ from the lock key when the
                // dependency is renamed (`{:my_name, hex: :real_name}`).
                let package = match item(1) {
                    Some(Term::Atom(p) | Term::Str(p)) => p.clone(),
                    _ => name,
                };
                let Some(Term::Str(version)) = item(2) else {
                    return Err(malformed(
                        value.at,
                        format!("hex entry for {package:?} has no version"),
                    ));
                };
                components.push(Component::new(
                    Ecosystem::Hex,
                    package,
                    ComponentVersion::Exact(version.clone()),
                    location,
                ));
            }
            Some(Term::Atom(scm)) if scm == "git" => {
                let Some(Term::Str(url)) = item(1) else {
                    return Err(malformed(
                        value.at,
                        format!("git entry for {name:?} has no URL"),
                    ));
                };
                let commit = match item(2) {
                    Some(Term::Str(c)) if !c.is_empty() => Some(c.clone()),
                    _ => None,
                };
                let mut component = Component::new(
                    Ecosystem::Hex,
                    name,
                    ComponentVersion::Unresolved {
                        requirement: String::new(),
                    },
                    location,
                );
                component.source = PackageSource::Git {
                    url: url.clone(),
                    commit,
                };
                components.push(component);
            }
            // Other SCMs (`:path` never reaches the lock) name no package of
            // the registry.
            _ => {}
        }
    }
    Ok(components)
}

/// An Elixir term with the byte offset where it starts.
#[derive(Debug)]
struct Spanned {
    at: usize,
    term: Term,
}

#[derive(Debug)]
enum Term {
    Map(Vec<(Spanned, Spanned)>),
    Tuple(Vec<Spanned>),
    /// A list; its items are read but no lock field needs them.
    List,
    Str(String),
    Atom(String),
    /// Numbers, `true`, `nil` and other bare words.
    Word,
}

type ReadResult<T> = Result<T, (usize, String)>;

struct TermReader<'t> {
    text: &'t str,
    pos: usize,
}

impl TermReader<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Skips whitespace and `#` comments.
    fn skip_blank(&mut self) {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() => {
                    self.bump();
                }
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => return,
            }
        }
    }

    fn error<T>(&self, message: impl Into<String>) -> ReadResult<T> {
        Err((self.pos, message.into()))
    }

    fn expect(&mut self, wanted: char) -> ReadResult<()> {
        self.skip_blank();
        match self.peek() {
            Some(c) if c == wanted => {
                self.bump();
                Ok(())
            }
            Some(c) => self.error(format!("expected `{wanted}`, found `{c}`")),
            None => self.error(format!("expected `{wanted}`, found the end of the file")),
        }
    }

    fn term(&mut self, depth: usize) -> ReadResult<Spanned> {
        if depth > MAX_DEPTH {
            return self.error("terms nested too deeply");
        }
        self.skip_blank();
        let at = self.pos;
        let term = match self.peek() {
            Some('%') => {
                self.bump();
                self.expect('{')?;
                Term::Map(self.map_entries(depth)?)
            }
            Some('{') => {
                self.bump();
                Term::Tuple(self.sequence('}', depth)?)
            }
            Some('[') => {
                self.bump();
                {
                    self.sequence(']', depth)?;
                    Term::List
                }
            }
            Some('"') => Term::Str(self.string()?),
            Some(':') => {
                self.bump();
                match self.peek() {
                    Some('"') => Term::Atom(self.string()?),
                    _ => {
                        let word = self.word();
                        if word.is_empty() {
                            return self.error("`:` not followed by an atom name");
                        }
                        Term::Atom(word)
                    }
                }
            }
            Some(c) if is_word_char(c) || c == '-' => {
                if c == '-' {
                    self.bump();
                }
                self.word();
                Term::Word
            }
            Some(c) => return self.error(format!("unexpected `{c}`")),
            None => return self.error("unexpected end of file"),
        };
        Ok(Spanned { at, term })
    }

    /// The entries of `%{ ... }`, after the opening brace.
    fn map_entries(&mut self, depth: usize) -> ReadResult<Vec<(Spanned, Spanned)>> {
        let mut entries = Vec::new();
        loop {
            self.skip_blank();
            if self.peek() == Some('}') {
                self.bump();
                return Ok(entries);
            }
            let entry = match self.keyword_key()? {
                Some(key) => (key, self.term(depth + 1)?),
                None => {
                    let key = self.term(depth + 1)?;
                    self.skip_blank();
                    if !self.rest().starts_with("=>") {
                        return self.error("expected `=>` or `key:` in a map");
                    }
                    self.pos += 2;
                    (key, self.term(depth + 1)?)
                }
            };
            entries.push(entry);
            if !self.separator('}')? {
                return Ok(entries);
            }
        }
    }

    /// Items of a tuple or list up to `close`; `key: value` items become
    /// two-element tuples, as Elixir reads keyword lists.
    fn sequence(&mut self, close: char, depth: usize) -> ReadResult<Vec<Spanned>> {
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            if self.peek() == Some(close) {
                self.bump();
                return Ok(items);
            }
            let item = match self.keyword_key()? {
                Some(key) => {
                    let at = key.at;
                    let value = self.term(depth + 1)?;
                    Spanned {
                        at,
                        term: Term::Tuple(vec![key, value]),
                    }
                }
                None => self.term(depth + 1)?,
            };
            items.push(item);
            if !self.separator(close)? {
                return Ok(items);
            }
        }
    }

    /// After an item: `,` (more may follow, returns true) or the closing
    /// bracket (consumed, returns false).
    fn separator(&mut self, close: char) -> ReadResult<bool> {
        self.skip_blank();
        match self.bump() {
            Some(',') => Ok(true),
            Some(c) if c == close => Ok(false),
            Some(c) => {
                self.pos -= c.len_utf8();
                self.error(format!("expected `,` or `{close}`, found `{c}`"))
            }
            None => self.error(format!(
                "expected `,` or `{close}`, found the end of the file"
            )),
        }
    }

    /// Reads `name:` or `"name":` followed by whitespace, the key of a
    /// keyword pair, as an atom. Leaves the position unchanged otherwise.
    fn keyword_key(&mut self) -> ReadResult<Option<Spanned>> {
        self.skip_blank();
        let start = self.pos;
        let name = match self.peek() {
            Some('"') => self.string()?,
            Some(c) if is_word_char(c) && !c.is_ascii_digit() => self.word(),
            _ => return Ok(None),
        };
        let rest = self.rest();
        if rest.starts_with(':') && rest[1..].starts_with(char::is_whitespace) {
            self.pos += 1;
            let quoted = self.text.get(start..).is_some_and(|t| t.starts_with('"'));
            let term = if quoted {
                Term::Str(name)
            } else {
                Term::Atom(name)
            };
            return Ok(Some(Spanned { at: start, term }));
        }
        self.pos = start;
        Ok(None)
    }

    fn word(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| is_word_char(c) || matches!(c, '.' | '?' | '!' | '@'))
        {
            self.bump();
        }
        self.text.get(start..self.pos).unwrap_or("").to_string()
    }

    /// A double-quoted string with Elixir's common escapes.
    fn string(&mut self) -> ReadResult<String> {
        let start = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(c) => out.push(c),
                    None => break,
                },
                Some(c) => out.push(c),
                None => break,
            }
        }
        Err((start, "unterminated string".into()))
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::MixLock, text, expected);
    }

    fn check_malformed(text: &str, line: u32) {
        testing::check_malformed(LockfileKind::MixLock, text, Some(line));
    }

    #[test]
    fn the_sample_file() {
        check(
            include_str!("../../tests/data/mix/mix.lock"),
            &[
                "castore 1.0.5 :2",
                "cowboy 2.10.0 :3",
                "cowlib 2.12.1 :4",
                "decimal 2.1.1 :5",
                "ecto 3.11.1 :6",
                "heroicons ? git:https://github.com/tailwindlabs/heroicons.git#88ab3a0d790e6a47404cba02800a6b25d2afae50 :7",
                "jason 1.4.1 :8",
                "my_fork ? git:https://github.com/example-org/plug_fork.git#3f9c2b7e1d4a6c8b0e2f4a6c8e0b2d4f6a8c0e2b :9",
                "phoenix 1.7.11 :10",
                "plug 1.15.3 :11",
                "plug_crypto 2.0.0 :12",
                "ranch 1.8.0 :13",
                "telemetry 1.2.1 :14",
            ],
        );
    }

    #[test]
    fn renamed_hex_packages_and_arrow_keys() {
        check(
            "%{\"my_json\" => {:hex, :jason, \"1.4.0\", \"abc\", [:mix], [], \"hexpm\", \"def\"},\n\
             \"org_pkg\": {:hex, :secret, \"0.1.0\", \"x\", [:mix], [], \"hexpm:acme\", \"y\"}}",
            &["jason 1.4.0 :1", "secret 0.1.0 :2"],
        );
    }

    #[test]
    fn older_hex_tuples_and_comments() {
        check(
            "# old lock\n%{\"poison\": {:hex, :poison, \"3.1.0\", \"d9eb636610e096f86f25d9a46f35a9facac35609a7591b3be3326e99a0484665\", [:mix], [], \"hexpm\"},\n\
             \"idna\": {:hex, :idna, \"6.1.1\", \"x\", [:rebar3], [{:unicode_util_compat, \"~>0.7.0\", [hex: :unicode_util_compat, repo: \"hexpm\", optional: false]}], \"hexpm\", \"y\"},\n\
             \"unknown\": {:hg, \"https://hg.example.org/repo\", \"1\", []},\n\
             }\n",
            &["poison 3.1.0 :2", "idna 6.1.1 :3"],
        );
    }

    #[test]
    fn empty_locks() {
        check("", &[]);
        check("%{}\n", &[]);
        check("  # nothing\n%{\n}\n", &[]);
    }

    #[test]
    fn malformed() {
        check_malformed("%{\n\"a\": {:hex, :a, \"1\"\n", 3);
        check_malformed("%{\n\"a\": {:hex, :a, \"1}\n}", 2);
        check_malformed("[1, 2]", 1);
        check_malformed("%{\n:a => {:hex, :a, \"1\"}}", 2);
        check_malformed("%{\"a\": {:hex, :a, 1}}", 1);
        check_malformed("%{\"a\": 3}", 1);
        check_malformed("%{\"a\": {:git}}", 1);
        check_malformed("%{\"a\" {}}", 1);
        check_malformed("%{}\n%{}", 2);
        check_malformed("%{\"a\": {:hex, :, \"1\"}}", 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("%{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let input = crate::ExtractInput::standalone("mix.lock", &text);
        assert!(crate::extract(LockfileKind::MixLock, &input).is_err());
    }
}
