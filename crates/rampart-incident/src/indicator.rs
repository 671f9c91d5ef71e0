//! Indicators of compromise, the compromised-credential register, and who
//! is believed to be behind the attack.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::marking::{MarkingParseError, Tlp};
use crate::record::{Certainty, RecordError};
use crate::text::NonEmptyText;

/// A Permissible Actions Protocol marking: what the recipient may *do* with
/// an indicator (TLP says whom they may tell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Pap {
    /// `PAP:CLEAR` — no restriction.
    Clear,
    /// `PAP:GREEN` — active actions allowed (blocking, scanning from own
    /// infrastructure).
    Green,
    /// `PAP:AMBER` — passive cross-checks only (lookups that do not reach
    /// the adversary).
    Amber,
    /// `PAP:RED` — non-detectable actions only: the adversary must not learn
    /// we know.
    Red,
}

impl Pap {
    /// Every marking, least restrictive first.
    pub const ALL: [Self; 4] = [Self::Clear, Self::Green, Self::Amber, Self::Red];

    /// The label with its `PAP:` prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clear => "PAP:CLEAR",
            Self::Green => "PAP:GREEN",
            Self::Amber => "PAP:AMBER",
            Self::Red => "PAP:RED",
        }
    }
}

impl FromStr for Pap {
    type Err = MarkingParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = match s.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("PAP:") => &s[4..],
            _ => s,
        };
        Self::ALL
            .into_iter()
            .find(|pap| pap.as_str()[4..].eq_ignore_ascii_case(bare))
            .ok_or_else(|| MarkingParseError {
                field: "pap",
                input: s.chars().take(40).collect(),
                expected: "PAP:CLEAR, PAP:GREEN, PAP:AMBER, PAP:RED",
            })
    }
}

impl TryFrom<String> for Pap {
    type Error = MarkingParseError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Pap> for &'static str {
    fn from(value: Pap) -> Self {
        value.as_str()
    }
}

impl fmt::Display for Pap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of observable an indicator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// An IPv4 or IPv6 address.
    Ip,
    /// An IPv4 or IPv6 network in CIDR notation.
    Cidr,
    /// A domain name.
    Domain,
    /// A URL.
    Url,
    /// An MD5, SHA-1 or SHA-256 file hash (told apart by length).
    FileHash,
    /// An e-mail address.
    Email,
    /// An account name (user, service account, cloud principal).
    Account,
    /// An HTTP User-Agent string.
    UserAgent,
    /// The fingerprint of a leaked secret, as `rampart scan` reports it:
    /// never the secret itself.
    TokenFingerprint,
}

impl IndicatorKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 9] = [
        Self::Ip,
        Self::Cidr,
        Self::Domain,
        Self::Url,
        Self::FileHash,
        Self::Email,
        Self::Account,
        Self::UserAgent,
        Self::TokenFingerprint,
    ];

    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ip => "ip",
            Self::Cidr => "cidr",
            Self::Domain => "domain",
            Self::Url => "url",
            Self::FileHash => "file_hash",
            Self::Email => "email",
            Self::Account => "account",
            Self::UserAgent => "user_agent",
            Self::TokenFingerprint => "token_fingerprint",
        }
    }

    /// Checks and normalises `value` for this kind (addresses canonical,
    /// domains and hashes lower case), so the same indicator entered twice
    /// compares equal and exports cleanly.
    pub fn normalise(self, value: &str) -> Result<String, RecordError> {
        let value = value.trim();
        let bad = |why: &'static str| RecordError::IndicatorValue {
            kind: self,
            why,
            input: value.chars().take(80).collect(),
        };
        if value.is_empty() {
            return Err(bad("it is empty"));
        }
        if value.len() > 2048 {
            return Err(bad("it is longer than 2048 bytes"));
        }
        if value.chars().any(char::is_control) {
            return Err(bad("it contains a control character"));
        }
        match self {
            Self::Ip => value
                .parse::<IpAddr>()
                .map(|ip| ip.to_string())
                .map_err(|_| bad("it is not an IPv4 or IPv6 address")),
            Self::Cidr => {
                let (addr, prefix) = value
                    .split_once('/')
                    .ok_or_else(|| bad("it has no /prefix length"))?;
                let addr: IpAddr = addr
                    .parse()
                    .map_err(|_| bad("the part before / is not an IP address"))?;
                let max = if addr.is_ipv4() { 32 } else { 128 };
                match prefix.parse::<u8>() {
                    Ok(p) if p <= max && prefix.bytes().all(|b| b.is_ascii_digit()) => {
                        Ok(format!("{addr}/{p}"))
                    }
                    _ => Err(bad("the prefix length is out of range")),
                }
            }
            Self::Domain => {
                let lower = value.trim_end_matches('.').to_ascii_lowercase();
                let labels_ok = lower.split('.').count() >= 2
                    && lower.split('.').all(|label| {
                        (1..=63).contains(&label.len())
                            && !label.starts_with('-')
                            && !label.ends_with('-')
                            && label
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    });
                if labels_ok && lower.len() <= 253 {
                    Ok(lower)
                } else {
                    Err(bad("it is not a domain name such as evil.example"))
                }
            }
            Self::Url => {
                let (scheme, rest) = value
                    .split_once("://")
                    .ok_or_else(|| bad("it has no scheme:// part"))?;
                let scheme_ok = !scheme.is_empty()
                    && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
                if scheme_ok && !rest.is_empty() && !value.contains(char::is_whitespace) {
                    Ok(value.to_owned())
                } else {
                    Err(bad("it is not a URL such as https://evil.example/path"))
                }
            }
            Self::FileHash => {
                if matches!(value.len(), 32 | 40 | 64 | 128)
                    && value.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    Ok(value.to_ascii_lowercase())
                } else {
                    Err(bad(
                        "it is not an MD5, SHA-1, SHA-256 or SHA-512 hex digest",
                    ))
                }
            }
            Self::Email => {
                let (local, domain) = value.rsplit_once('@').ok_or_else(|| bad("it has no @"))?;
                if local.is_empty() || value.contains(char::is_whitespace) {
                    return Err(bad("it is not an e-mail address"));
                }
                let domain = Self::Domain
                    .normalise(domain)
                    .map_err(|_| bad("its domain is not a domain name"))?;
                Ok(format!("{local}@{domain}"))
            }
            Self::Account | Self::UserAgent => Ok(value.to_owned()),
            Self::TokenFingerprint => {
                let hex = value.strip_prefix("sha256:").unwrap_or(value);
                let expected = if value.starts_with("sha256:") { 64 } else { 32 };
                if hex.len() == expected && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    Ok(value.to_ascii_lowercase())
                } else {
                    Err(bad(
                        "it is not a fingerprint: 32 hex digits as `rampart scan` prints, or sha256:<64 hex digits>; never paste the secret itself",
                    ))
                }
            }
        }
    }

    /// The hash algorithm of a `file_hash` value, by its length.
    pub fn hash_algorithm(value: &str) -> Option<&'static str> {
        match value.len() {
            32 => Some("MD5"),
            40 => Some("SHA-1"),
            64 => Some("SHA-256"),
            128 => Some("SHA-512"),
            _ => None,
        }
    }
}

impl fmt::Display for IndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A MITRE ATT&CK technique id: `T1078` or a sub-technique `T1078.004`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AttackTechnique(String);

impl AttackTechnique {
    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for AttackTechnique {
    type Err = RecordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        let ok = match upper.strip_prefix('T') {
            Some(rest) => match rest.split_once('.') {
                Some((main, sub)) => digits(main, 4) && digits(sub, 3),
                None => digits(rest, 4),
            },
            None => false,
        };
        if ok {
            Ok(Self(upper))
        } else {
            Err(RecordError::AttackTechnique {
                input: s.chars().take(40).collect(),
            })
        }
    }
}

impl TryFrom<String> for AttackTechnique {
    type Error = RecordError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<AttackTechnique> for String {
    fn from(value: AttackTechnique) -> Self {
        value.0
    }
}

impl fmt::Display for AttackTechnique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An indicator of compromise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "IndicatorFields")]
pub struct Indicator {
    /// What kind of observable.
    pub kind: IndicatorKind,
    /// The value, normalised for its kind.
    pub value: String,
    /// Whom it may be shared with.
    pub tlp: Tlp,
    /// What recipients may do with it.
    pub pap: Pap,
    /// What it is ("C2 server", "phishing sender").
    pub description: Option<NonEmptyText>,
    /// First seen in the attack.
    pub first_seen: Option<Timestamp>,
    /// Last seen.
    pub last_seen: Option<Timestamp>,
    /// MITRE ATT&CK techniques it relates to.
    pub techniques: Vec<AttackTechnique>,
    /// Attack-timeline entries (record ids) it appears in.
    pub timeline_entries: Vec<i64>,
    /// Affected assets (record ids) it was seen on.
    pub assets: Vec<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFields {
    kind: IndicatorKind,
    value: String,
    tlp: Tlp,
    pap: Pap,
    #[serde(default)]
    description: Option<NonEmptyText>,
    #[serde(default)]
    first_seen: Option<Timestamp>,
    #[serde(default)]
    last_seen: Option<Timestamp>,
    #[serde(default)]
    techniques: Vec<AttackTechnique>,
    #[serde(default)]
    timeline_entries: Vec<i64>,
    #[serde(default)]
    assets: Vec<i64>,
}

impl TryFrom<IndicatorFields> for Indicator {
    type Error = RecordError;

    fn try_from(f: IndicatorFields) -> Result<Self, Self::Error> {
        let value = f.kind.normalise(&f.value)?;
        if let (Some(first), Some(last)) = (f.first_seen, f.last_seen)
            && last < first
        {
            return Err(RecordError::SeenOrder);
        }
        let mut techniques = f.techniques;
        techniques.sort();
        techniques.dedup();
        let mut timeline_entries = f.timeline_entries;
        timeline_entries.sort_unstable();
        timeline_entries.dedup();
        let mut assets = f.assets;
        assets.sort_unstable();
        assets.dedup();
        Ok(Self {
            kind: f.kind,
            value,
            tlp: f.tlp,
            pap: f.pap,
            description: f.description,
            first_seen: f.first_seen,
            last_seen: f.last_seen,
            techniques,
            timeline_entries,
            assets,
        })
    }
}

/// A credential's fingerprint: what `rampart scan` prints for a secret
/// (32 hex digits), or `sha256:` and the SHA-256 of the value. The register
/// never holds a secret's value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CredentialFingerprint(String);

impl CredentialFingerprint {
    /// The fingerprint.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CredentialFingerprint {
    type Err = RecordError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IndicatorKind::TokenFingerprint
            .normalise(s)
            .map(Self)
            .map_err(|_| RecordError::Fingerprint {
                input_len: s.chars().count(),
            })
    }
}

impl TryFrom<String> for CredentialFingerprint {
    type Error = RecordError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<CredentialFingerprint> for String {
    fn from(value: CredentialFingerprint) -> Self {
        value.0
    }
}

impl fmt::Display for CredentialFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Step 2: a secret believed exposed, where it is used, and whether it has
/// been rotated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CompromisedCredentialFields")]
pub struct CompromisedCredential {
    /// Fingerprint of the value.
    pub fingerprint: CredentialFingerprint,
    /// What it is, in words or redacted form ("CI deploy token ghp_…").
    pub description: NonEmptyText,
    /// Who issued it (GitHub, AWS), if known.
    pub provider: Option<NonEmptyText>,
    /// Where it is used (services, pipelines, hosts).
    pub used_in: Vec<NonEmptyText>,
    /// Who answers for rotating it.
    pub owner: NonEmptyText,
    /// Whether it was rotated (or revoked).
    pub rotated: bool,
    /// When, once it was.
    pub rotated_at: Option<Timestamp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompromisedCredentialFields {
    fingerprint: CredentialFingerprint,
    description: NonEmptyText,
    #[serde(default)]
    provider: Option<NonEmptyText>,
    #[serde(default)]
    used_in: Vec<NonEmptyText>,
    owner: NonEmptyText,
    #[serde(default)]
    rotated: bool,
    #[serde(default)]
    rotated_at: Option<Timestamp>,
}

impl TryFrom<CompromisedCredentialFields> for CompromisedCredential {
    type Error = RecordError;

    fn try_from(f: CompromisedCredentialFields) -> Result<Self, Self::Error> {
        if f.rotated != f.rotated_at.is_some() {
            return Err(RecordError::RotatedWhen);
        }
        Ok(Self {
            fingerprint: f.fingerprint,
            description: f.description,
            provider: f.provider,
            used_in: f.used_in,
            owner: f.owner,
            rotated: f.rotated,
            rotated_at: f.rotated_at,
        })
    }
}

impl CompromisedCredential {
    /// Whether the credential has been rotated.
    pub fn is_rotated(&self) -> bool {
        self.rotated
    }
}

/// Who is believed to be behind the attack, in VERIS's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// Outside the organisation.
    External,
    /// Employees, contractors, anyone with internal access.
    Internal,
    /// A third party with a business relationship.
    Partner,
    /// Not known (yet).
    Unknown,
}

impl ActorKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 4] = [Self::External, Self::Internal, Self::Partner, Self::Unknown];

    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::External => "external",
            Self::Internal => "internal",
            Self::Partner => "partner",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Step 5: who is believed to be behind the attack and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribution {
    /// External, internal, partner or unknown.
    pub actor: ActorKind,
    /// What kind of actor ("organized crime", "former employee").
    #[serde(default)]
    pub variety: Option<NonEmptyText>,
    /// Why they did it, if known ("financial", "espionage").
    #[serde(default)]
    pub motive: Option<NonEmptyText>,
    /// Confirmed or suspected.
    pub certainty: Certainty,
    /// On what grounds.
    pub rationale: NonEmptyText,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_normalised_per_kind() {
        use IndicatorKind as K;
        let cases: &[(K, &str, Option<&str>)] = &[
            (K::Ip, "203.0.113.7", Some("203.0.113.7")),
            (K::Ip, " 2001:DB8::1 ", Some("2001:db8::1")),
            (K::Ip, "203.0.113.300", None),
            (K::Cidr, "198.51.100.0/24", Some("198.51.100.0/24")),
            (K::Cidr, "198.51.100.0/33", None),
            (K::Cidr, "2001:db8::/129", None),
            (K::Cidr, "198.51.100.0/+8", None),
            (K::Cidr, "198.51.100.0", None),
            (K::Domain, "Evil.Example.", Some("evil.example")),
            (K::Domain, "localhost", None),
            (K::Domain, "-bad.example", None),
            (
                K::Url,
                "https://evil.example/a?b=c",
                Some("https://evil.example/a?b=c"),
            ),
            (K::Url, "evil.example/a", None),
            (K::Url, "https://evil.example/a b", None),
            (
                K::FileHash,
                "D41D8CD98F00B204E9800998ECF8427E",
                Some("d41d8cd98f00b204e9800998ecf8427e"),
            ),
            (K::FileHash, "d41d8cd98f00b204e9800998ecf8427", None),
            (
                K::Email,
                "Phisher@Evil.Example",
                Some("Phisher@evil.example"),
            ),
            (K::Email, "no-at-sign", None),
            (K::Account, "svc-deploy", Some("svc-deploy")),
            (K::UserAgent, "curl/8.5.0", Some("curl/8.5.0")),
            (K::UserAgent, "bad\u{0}agent", None),
            (
                K::TokenFingerprint,
                "E48118919B155E2530C4E202BF6FE7D2",
                Some("e48118919b155e2530c4e202bf6fe7d2"),
            ),
            (
                K::TokenFingerprint,
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                None,
            ),
            (
                K::TokenFingerprint,
                &format!("sha256:{}", "a".repeat(64)),
                Some(&*format!("sha256:{}", "a".repeat(64))),
            ),
            (K::Account, "", None),
        ];
        for (kind, input, expected) in cases {
            assert_eq!(
                kind.normalise(input).ok().as_deref(),
                *expected,
                "{kind} {input:?}"
            );
        }
        assert_eq!(
            IndicatorKind::hash_algorithm(&"a".repeat(64)),
            Some("SHA-256")
        );
    }

    #[test]
    fn a_pasted_secret_is_never_echoed_in_the_error() {
        let secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
        let err = secret.parse::<CredentialFingerprint>().unwrap_err();
        assert!(!err.to_string().contains("ghp_"), "{err}");
    }

    #[test]
    fn indicators_deserialize_with_their_rules() {
        let ok = r#"{"kind":"ip","value":"203.0.113.7","tlp":"amber","pap":"green","techniques":["t1078.004","T1078.004","T1190"],"first_seen":"2026-04-01T00:00:00Z","last_seen":"2026-04-02T00:00:00Z","timeline_entries":[3,1,3]}"#;
        let indicator: Indicator = serde_json::from_str(ok).unwrap();
        assert_eq!(indicator.tlp, Tlp::Amber);
        assert_eq!(indicator.pap, Pap::Green);
        assert_eq!(
            indicator
                .techniques
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>(),
            ["T1078.004", "T1190"]
        );
        assert_eq!(indicator.timeline_entries, [1, 3]);
        let back: Indicator =
            serde_json::from_str(&serde_json::to_string(&indicator).unwrap()).unwrap();
        assert_eq!(back, indicator);

        for (from, to) in [
            (
                r#""last_seen":"2026-04-02T00:00:00Z""#,
                r#""last_seen":"2026-03-02T00:00:00Z""#,
            ),
            (r#""T1190""#, r#""T190""#),
            (r#""pap":"green""#, r#""pap":"white""#),
            (r#""value":"203.0.113.7""#, r#""value":"evil.example""#),
            (r#""kind":"ip""#, r#""kind":"ip","extra":1"#),
        ] {
            let bad = ok.replace(from, to);
            assert!(serde_json::from_str::<Indicator>(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn credentials_round_trip_and_check_rotation() {
        let ok = r#"{"fingerprint":"e48118919b155e2530c4e202bf6fe7d2","description":"CI token ghp_…","owner":"platform team","used_in":["ci"],"rotated":true,"rotated_at":"2026-05-01T10:00:00Z"}"#;
        let c: CompromisedCredential = serde_json::from_str(ok).unwrap();
        assert!(c.is_rotated());
        let back: CompromisedCredential =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        let no_time = ok.replace(r#","rotated_at":"2026-05-01T10:00:00Z""#, "");
        assert!(serde_json::from_str::<CompromisedCredential>(&no_time).is_err());
        let not_rotated = ok.replace(r#""rotated":true"#, r#""rotated":false"#);
        assert!(serde_json::from_str::<CompromisedCredential>(&not_rotated).is_err());
        let open = no_time.replace(r#","rotated":true"#, "");
        assert!(
            !serde_json::from_str::<CompromisedCredential>(&open)
                .unwrap()
                .is_rotated()
        );
    }

    #[test]
    fn pap_labels() {
        assert_eq!("pap:red".parse::<Pap>(), Ok(Pap::Red));
        assert_eq!("AMBER".parse::<Pap>(), Ok(Pap::Amber));
        assert!("PAP:WHITE".parse::<Pap>().is_err());
    }
}
