/// Why a file could not be extracted. Always names the file, and the line
/// when the format lets us know it.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file is not valid in its format (bad JSON, TOML, YAML, XML or
    /// line syntax).
    #[error("{path}{}: {message}", line_suffix(*line))]
    Malformed {
        path: String,
        line: Option<u32>,
        message: String,
    },
    /// The file is valid but a version of the format we do not read.
    #[error("{path}: unsupported {format} format: {message}")]
    Unsupported {
        path: String,
        format: &'static str,
        message: String,
    },
}

fn line_suffix(line: Option<u32>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}

impl ExtractError {
    /// The 1-based line the problem is on, when known.
    pub fn line(&self) -> Option<u32> {
        match self {
            ExtractError::Malformed { line, .. } => *line,
            ExtractError::Unsupported { .. } => None,
        }
    }

    /// The problem without the path: for reports that list it by path.
    pub fn reason(&self) -> String {
        match self {
            ExtractError::Malformed {
                line: Some(line),
                message,
                ..
            } => {
                format!("line {line}: {message}")
            }
            ExtractError::Malformed {
                line: None,
                message,
                ..
            } => message.clone(),
            ExtractError::Unsupported {
                format, message, ..
            } => {
                format!("unsupported {format} format: {message}")
            }
        }
    }

    pub fn malformed(path: &str, line: Option<u32>, message: impl Into<String>) -> ExtractError {
        ExtractError::Malformed {
            path: path.to_string(),
            line,
            message: message.into(),
        }
    }

    /// A serde_json error, with the line it reports.
    pub fn json(path: &str, err: &serde_json::Error) -> ExtractError {
        let line = u32::try_from(err.line()).ok().filter(|l| *l > 0);
        ExtractError::malformed(path, line, format!("invalid JSON: {err}"))
    }

    /// A TOML parse error, with the line of its span.
    pub fn toml(path: &str, text: &str, err: &toml::de::Error) -> ExtractError {
        let line = err
            .span()
            .map(|span| crate::LineIndex::new(text).line_of(span.start));
        ExtractError::malformed(path, line, format!("invalid TOML: {}", err.message()))
    }

    /// A YAML parse error, with its line.
    pub fn yaml(path: &str, err: &serde_norway::Error) -> ExtractError {
        let line = err.location().and_then(|l| u32::try_from(l.line()).ok());
        ExtractError::malformed(path, line, format!("invalid YAML: {err}"))
    }
}
