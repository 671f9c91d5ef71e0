//! Validated text: required free text and user names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A required piece of free text was empty, too long or otherwise unusable.
///
/// `field` is the name of the field as it appears in the API, so the server
/// can answer 422 naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Empty, or only whitespace.
    #[error("field `{field}` must not be empty")]
    Empty { field: &'static str },
    /// Longer than the field allows.
    #[error("field `{field}` is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    /// Contains a character the field does not allow.
    #[error("field `{field}` contains a character that is not allowed: {found:?}")]
    BadCharacter { field: &'static str, found: char },
}

/// Free text that must say something: trimmed and never empty.
///
/// Rationales, reasons and descriptions are the tool's memory of *why*; a
/// blank one records nothing, so it cannot be represented. Capped at 16 KiB
/// of characters so one field cannot fill the store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NonEmptyText(String);

impl NonEmptyText {
    /// Longest text accepted, in characters.
    pub const MAX_CHARS: usize = 16 * 1024;

    /// Validates `value` for the field named `field`; surrounding whitespace is dropped.
    pub fn parse(field: &'static str, value: &str) -> Result<Self, TextError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(TextError::Empty { field });
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(TextError::TooLong {
                field,
                max: Self::MAX_CHARS,
            });
        }
        // Newlines and tabs belong in prose; other control characters only
        // hide text from whoever reads the log later.
        if let Some(found) = trimmed
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(TextError::BadCharacter { field, found });
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NonEmptyText {
    type Error = TextError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        // Serde does not tell us the field name; the server maps the error
        // to its JSON path.
        Self::parse("text", &value)
    }
}

impl From<NonEmptyText> for String {
    fn from(value: NonEmptyText) -> Self {
        value.0
    }
}

impl fmt::Display for NonEmptyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The login name of a Rampart user, as the server's user table has it.
///
/// 1–64 characters, no whitespace or control characters; compared exactly.
/// Access decisions compare these, so two spellings of one person must not
/// exist: no trimming, no case folding here — the server stores the name it
/// was created with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserName(String);

impl UserName {
    /// Longest name accepted, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Validates a user name.
    pub fn parse(value: &str) -> Result<Self, TextError> {
        const FIELD: &str = "user";
        if value.is_empty() {
            return Err(TextError::Empty { field: FIELD });
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(TextError::TooLong {
                field: FIELD,
                max: Self::MAX_CHARS,
            });
        }
        if let Some(found) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(TextError::BadCharacter {
                field: FIELD,
                found,
            });
        }
        Ok(Self(value.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserName {
    type Error = TextError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UserName> for String {
    fn from(value: UserName) -> Self {
        value.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses an optional free-text argument: `None` and blank text are both "absent".
pub(crate) fn optional_text(
    field: &'static str,
    value: Option<&str>,
) -> Result<Option<NonEmptyText>, TextError> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => NonEmptyText::parse(field, v).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_text(input: &str, expected: Result<&str, TextError>) {
        let got = NonEmptyText::parse("reason", input);
        assert_eq!(
            got.as_ref().map(NonEmptyText::as_str),
            expected.as_ref().map(|s| *s),
            "input {input:?}"
        );
    }

    #[test]
    fn non_empty_text() {
        let empty = || Err(TextError::Empty { field: "reason" });
        check_text("", empty());
        check_text("   \n\t ", empty());
        check_text("  rotated the key  ", Ok("rotated the key"));
        check_text("line one\nline two", Ok("line one\nline two"));
        check_text(
            "bell\u{7}",
            Err(TextError::BadCharacter {
                field: "reason",
                found: '\u{7}',
            }),
        );
        let long = "x".repeat(NonEmptyText::MAX_CHARS + 1);
        check_text(
            &long,
            Err(TextError::TooLong {
                field: "reason",
                max: NonEmptyText::MAX_CHARS,
            }),
        );
        check_text(&long[1..], Ok(&long[1..]));
    }

    #[test]
    fn non_empty_text_serde() {
        let t: NonEmptyText = serde_json::from_str(r#"" why ""#).unwrap();
        assert_eq!(t.as_str(), "why");
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""why""#);
        let err = serde_json::from_str::<NonEmptyText>(r#""  ""#).unwrap_err();
        assert!(err.to_string().contains("must not be empty"), "{err}");
    }

    #[test]
    fn user_names() {
        let cases: &[(&str, bool)] = &[
            ("alice", true),
            ("alice.smith@example.com", true),
            ("Ünal", true),
            ("", false),
            (" alice", false),
            ("alice smith", false),
            ("tab\there", false),
            (&"a".repeat(64), true),
            (&"a".repeat(65), false),
        ];
        for (input, ok) in cases {
            assert_eq!(UserName::parse(input).is_ok(), *ok, "input {input:?}");
        }
        assert_eq!(
            UserName::parse("").unwrap_err().to_string(),
            "field `user` must not be empty"
        );
    }

    #[test]
    fn optional_text_treats_blank_as_absent() {
        assert_eq!(optional_text("rationale", None), Ok(None));
        assert_eq!(optional_text("rationale", Some("  ")), Ok(None));
        assert_eq!(
            optional_text("rationale", Some(" x "))
                .unwrap()
                .unwrap()
                .as_str(),
            "x"
        );
    }
}
