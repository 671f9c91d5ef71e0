//! Maven: `org.apache.maven.artifact.versioning.ComparableVersion` (the
//! 3.8 line, which OSV's reference fixtures were generated with).
//!
//! A version is lower-cased and split into a tree: `.` separates items of one
//! list, while `-` and every digit/letter transition open a nested list, so
//! `1-1` sorts after `1.0` but `1.1` after `1-1`. Items are integers, known
//! qualifiers (`alpha < beta < milestone < rc < snapshot < "" < sp`, with
//! aliases `a`/`b`/`m` before a digit, `cr` = `rc`, `ga`/`final`/`release` =
//! `""`), or unknown qualifiers sorting after all of them lexically. Trailing
//! "null" items (`0`, `""`, empty lists) are dropped from every list.

use std::cmp::Ordering;

use super::digits::{cmp_digits, trim_zeros};

#[derive(Debug, Clone)]
enum Item {
    /// Digits with leading zeros removed (`""` is zero).
    Int(Box<str>),
    Qualifier(Qualifier),
    List(Vec<Item>),
}

/// A string item after aliasing, ranked as `ComparableVersion` ranks it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Qualifier {
    /// Index into [`KNOWN_QUALIFIERS`].
    Known(u8),
    Unknown(Box<str>),
}

const KNOWN_QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// The rank of the empty qualifier, i.e. of a plain release.
const RELEASE: u8 = 5;

impl Qualifier {
    fn new(raw: &str, followed_by_digit: bool) -> Qualifier {
        let value = match raw {
            "a" if followed_by_digit => "alpha",
            "b" if followed_by_digit => "beta",
            "m" if followed_by_digit => "milestone",
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        match KNOWN_QUALIFIERS.iter().position(|q| *q == value) {
            Some(i) => Qualifier::Known(i as u8),
            None => Qualifier::Unknown(value.into()),
        }
    }

    fn cmp(&self, other: &Qualifier) -> Ordering {
        match (self, other) {
            (Qualifier::Known(a), Qualifier::Known(b)) => a.cmp(b),
            (Qualifier::Known(_), Qualifier::Unknown(_)) => Ordering::Less,
            (Qualifier::Unknown(_), Qualifier::Known(_)) => Ordering::Greater,
            (Qualifier::Unknown(a), Qualifier::Unknown(b)) => a.cmp(b),
        }
    }

    /// Against a missing item, a qualifier compares with a plain release.
    fn cmp_missing(&self) -> Ordering {
        self.cmp(&Qualifier::Known(RELEASE))
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.is_empty(),
            Item::Qualifier(q) => *q == Qualifier::Known(RELEASE),
            Item::List(items) => items.is_empty(),
        }
    }

    /// `Item.compareTo(null)`: how this item compares with padding.
    fn cmp_missing(&self) -> Ordering {
        match self {
            Item::Int(n) if n.is_empty() => Ordering::Equal,
            Item::Int(_) => Ordering::Greater,
            Item::Qualifier(q) => q.cmp_missing(),
            Item::List(items) => items.first().map_or(Ordering::Equal, Item::cmp_missing),
        }
    }

    fn cmp(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Int(a), Item::Int(b)) => cmp_digits(a, b),
            (Item::Int(_), _) => Ordering::Greater,
            (Item::Qualifier(_), Item::Int(_)) => Ordering::Less,
            (Item::Qualifier(a), Item::Qualifier(b)) => a.cmp(b),
            (Item::Qualifier(_), Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Int(_)) => Ordering::Less,
            (Item::List(_), Item::Qualifier(_)) => Ordering::Greater,
            (Item::List(a), Item::List(b)) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let o = match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(x), None) => x.cmp_missing(),
            (None, Some(y)) => y.cmp_missing().reverse(),
            (None, None) => Ordering::Equal,
        };
        if o.is_ne() {
            return o;
        }
    }
    Ordering::Equal
}

/// Drops trailing null items, stopping at the first non-null non-list item
/// (a non-empty list is stepped over, so `1.0-1.0` keeps its inner `1`).
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// A hyphen section left holding nothing but the next section (`1-ga-1`,
/// `1-0-1`) is replaced by that section. The root list is exempt: its
/// leading component is never trimmed (`0.0.0-2021` stays below `20`).
///
/// `ComparableVersion` 3.8 keeps the extra nesting and so orders `1-ga-1`
/// below `1-1`; the POM reference's version order specification (trim null
/// values "at each remaining hyphen") and OSV's reference vectors make them
/// equal. Only versions with a null qualifier or zero directly between two
/// hyphens are affected.
fn collapse_null_section(list: &mut Vec<Item>) {
    if let [Item::List(only)] = list.as_mut_slice() {
        *list = std::mem::take(only);
    }
}

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub(crate) struct MavenVersion {
    items: Vec<Item>,
}

impl MavenVersion {
    pub(crate) fn parse(v: &str) -> Result<MavenVersion, &'static str> {
        let s = v.to_lowercase();
        let bytes = s.as_bytes();
        // The lists form a chain: each new list is the last item of the one
        // before it and parsing only ever descends, so a stack of the open
        // lists is enough; they are folded back together at the end.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut start = 0;
        let mut is_digit = false;

        fn item(is_digit: bool, buf: &str) -> Item {
            if is_digit {
                Item::Int(trim_zeros(buf).into())
            } else {
                Item::Qualifier(Qualifier::new(buf, false))
            }
        }

        for (i, &c) in bytes.iter().enumerate() {
            let list = stack.last_mut().expect("the root list is never popped");
            match c {
                b'.' | b'-' => {
                    if i == start {
                        list.push(Item::Int("".into()));
                    } else {
                        list.push(item(is_digit, &s[start..i]));
                    }
                    start = i + 1;
                    if c == b'-' {
                        stack.push(Vec::new());
                    }
                }
                b'0'..=b'9' => {
                    if !is_digit && i > start {
                        list.push(Item::Qualifier(Qualifier::new(&s[start..i], true)));
                        start = i;
                        stack.push(Vec::new());
                    }
                    is_digit = true;
                }
                _ => {
                    if is_digit && i > start {
                        list.push(item(true, &s[start..i]));
                        start = i;
                        stack.push(Vec::new());
                    }
                    is_digit = false;
                }
            }
        }
        if bytes.len() > start {
            let list = stack.last_mut().expect("the root list is never popped");
            list.push(item(is_digit, &s[start..]));
        }

        let mut inner = stack.pop().expect("the root list is never popped");
        normalize(&mut inner);
        while let Some(mut parent) = stack.pop() {
            collapse_null_section(&mut inner);
            parent.push(Item::List(inner));
            normalize(&mut parent);
            inner = parent;
        }
        Ok(MavenVersion { items: inner })
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

super::order_from_ord!(MavenVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(MavenVersion::parse, a, op, b);
    }

    #[test]
    fn qualifier_order() {
        let chain = [
            "1-alpha",
            "1-alpha1",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-abd",
            "1-1",
            "1.1",
        ];
        for pair in chain.windows(2) {
            check(pair[0], "<", pair[1]);
        }
    }

    #[test]
    fn separators_and_padding() {
        check("1.0.0", "=", "1");
        check("1-ga", "=", "1");
        check("1.0-final", "=", "1");
        check("1.0.RELEASE", "=", "1");
        check("1cr1", "=", "1rc1");
        // A lone `a` not followed by a digit is an unknown qualifier, not alpha.
        check("1a", ">", "1");
        check("1a", ">", "1-alpha1");
        check("1.a", "<", "1-a");
        check("2.0.1-1", "<", "2.0.1.1");
        check("1.0-SNAPSHOT", "<", "1.0");
        check("1.0-sp1", ">", "1.0");
        check("1.0.0.0.0.1", ">", "1");
        check("1.01", "=", "1.1");
        check("1.9999999999999999999999", "<", "1.10000000000000000000000");
    }

    #[test]
    fn null_sections_between_hyphens_collapse() {
        check("1-ga-1", "=", "1-1");
        check("1-0-1", "=", "1-1");
        check("1-sp-1", "<", "1-ga-1");
        check("0.0.0-2021-05-17", "<", "20.0.0");
        check("ga-1", "<", "1");
    }
}
