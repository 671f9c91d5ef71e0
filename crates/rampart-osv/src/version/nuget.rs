//! NuGet: `NuGetVersion` ordering.
//!
//! SemVer 2.0 extended to four numeric parts (`1.0.0.1`), with missing parts
//! zero, prerelease labels compared case-insensitively, and build metadata
//! ignored. More than four numeric parts are tolerated and compared in turn,
//! since the ordering extends to them without ambiguity.

use std::cmp::Ordering;

use super::digits::{cmp_digits, is_number, trim_zeros};

#[derive(Debug, Clone)]
enum Label {
    Number(Box<str>),
    /// Stored upper-cased: NuGet compares labels with `OrdinalIgnoreCase`,
    /// which folds to upper case.
    Text(Box<str>),
}

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub(crate) struct NuGetVersion {
    numbers: Vec<Box<str>>,
    labels: Vec<Label>,
}

impl NuGetVersion {
    pub(crate) fn parse(v: &str) -> Result<NuGetVersion, &'static str> {
        let v = v.trim();
        let without_metadata = v.split_once('+').map_or(v, |(head, _)| head);
        let (numeric, pre) = match without_metadata.split_once('-') {
            Some((numeric, pre)) => (numeric, Some(pre)),
            None => (without_metadata, None),
        };
        let numbers = numeric
            .split('.')
            .map(|part| is_number(part).then(|| trim_zeros(part).into()))
            .collect::<Option<Vec<Box<str>>>>()
            .ok_or("numeric parts must be dot-separated numbers")?;
        let labels = match pre {
            None => Vec::new(),
            Some(pre) => pre
                .split('.')
                .map(|label| {
                    if label.is_empty()
                        || !label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        None
                    } else if is_number(label) {
                        Some(Label::Number(trim_zeros(label).into()))
                    } else {
                        Some(Label::Text(label.to_ascii_uppercase().into()))
                    }
                })
                .collect::<Option<Vec<Label>>>()
                .ok_or("prerelease labels must be non-empty and alphanumeric")?,
        };
        Ok(NuGetVersion { numbers, labels })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.numbers.len().max(other.numbers.len());
        for i in 0..n {
            let a = self.numbers.get(i).map_or("", |s| s);
            let b = other.numbers.get(i).map_or("", |s| s);
            let o = cmp_digits(a, b);
            if o.is_ne() {
                return o;
            }
        }
        match (self.labels.is_empty(), other.labels.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        self.labels
            .iter()
            .zip(&other.labels)
            .map(|pair| match pair {
                (Label::Number(a), Label::Number(b)) => cmp_digits(a, b),
                (Label::Number(_), Label::Text(_)) => Ordering::Less,
                (Label::Text(_), Label::Number(_)) => Ordering::Greater,
                (Label::Text(a), Label::Text(b)) => a.cmp(b),
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| self.labels.len().cmp(&other.labels.len()))
    }
}

super::order_from_ord!(NuGetVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(NuGetVersion::parse, a, op, b);
    }

    #[test]
    fn nuget_rules() {
        check("1.0", "=", "1.0.0.0");
        check("1.0.0.1", ">", "1.0.0");
        check("1.0.0-RC.1", "=", "1.0.0-rc.1");
        check("1.0.0-rc.2", "<", "1.0.0-RC.10");
        check("1.0.0-alpha", "<", "1.0.0");
        check("1.0.0+meta", "=", "1.0.0");
        check("1.0.0-a-b", ">", "1.0.0-a");
    }

    #[test]
    fn malformed_versions_are_rejected() {
        for v in ["", "a", "v1.0", "1..0", "1.0-", "1.0-a..b", "1.0-a_b"] {
            assert!(NuGetVersion::parse(v).is_err(), "{v}");
        }
    }
}
