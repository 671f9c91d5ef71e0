//! Incident identifiers: the `SEC-YYYY-NNNN` id and the innocuous codename.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An incident id was malformed or out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentIdError {
    /// Not of the shape `SEC-YYYY-NNNN`.
    #[error("field `id`: {input:?} is not an incident id of the form SEC-YYYY-NNNN")]
    Malformed { input: String },
    /// The year has not four digits.
    #[error("field `id`: year {year} is not a four-digit year")]
    YearOutOfRange { year: u32 },
    /// The sequence number is 0 or needs more than four digits.
    #[error("field `id`: sequence number {sequence} is outside 1..=9999")]
    SequenceOutOfRange { sequence: u32 },
}

/// An incident's id, `SEC-YYYY-NNNN`: the year it was declared and its
/// sequence number within that year, starting at 1.
///
/// Ordered by year, then sequence number — the order incidents were declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IncidentId {
    year: u16,
    sequence: u16,
}

impl IncidentId {
    /// Highest sequence number that fits the four-digit form.
    pub const MAX_SEQUENCE: u32 = 9999;

    /// The id of the `sequence`-th incident declared in `year`.
    pub fn new(year: u32, sequence: u32) -> Result<Self, IncidentIdError> {
        if !(1000..=9999).contains(&year) {
            return Err(IncidentIdError::YearOutOfRange { year });
        }
        if !(1..=Self::MAX_SEQUENCE).contains(&sequence) {
            return Err(IncidentIdError::SequenceOutOfRange { sequence });
        }
        // Both ranges fit in u16, checked just above.
        Ok(Self {
            year: year as u16,
            sequence: sequence as u16,
        })
    }

    /// The year the incident was declared.
    pub fn year(self) -> u32 {
        u32::from(self.year)
    }

    /// The sequence number within its year, 1-based.
    pub fn sequence(self) -> u32 {
        u32::from(self.sequence)
    }
}

impl FromStr for IncidentId {
    type Err = IncidentIdError;

    /// Parses exactly `SEC-` + four digits + `-` + four digits. Lower-case
    /// `sec-` is accepted because people type ids into the CLI.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = || IncidentIdError::Malformed {
            input: s.chars().take(40).collect(),
        };
        let bytes = s.as_bytes();
        if bytes.len() != 13
            || !bytes[..4].eq_ignore_ascii_case(b"SEC-")
            || bytes[8] != b'-'
            || !bytes[4..8].iter().all(u8::is_ascii_digit)
            || !bytes[9..].iter().all(u8::is_ascii_digit)
        {
            return Err(malformed());
        }
        let year = s[4..8].parse().map_err(|_| malformed())?;
        let sequence = s[9..].parse().map_err(|_| malformed())?;
        Self::new(year, sequence)
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SEC-{:04}-{:04}", self.year, self.sequence)
    }
}

impl TryFrom<String> for IncidentId {
    type Error = IncidentIdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<IncidentId> for String {
    fn from(value: IncidentId) -> Self {
        value.to_string()
    }
}

/// A codename did not have the `word-word` shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "field `codename`: {input:?} is not two lower-case words of 2–20 letters joined by a hyphen"
)]
pub struct CodenameError {
    /// The rejected input, cut to 60 characters.
    pub input: String,
}

/// An incident's innocuous codename, such as `sapphire-unicorn`.
///
/// Notifications carry only the codename (DESIGN.md §5), so it must reveal
/// nothing and alarm no one who glimpses a phone screen: the word lists below
/// hold colours, minerals and weather on one side, gentle animals, plants and
/// landscapes on the other, and nothing about attacks, breaches or danger.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Codename(String);

/// First words: colours, minerals, weather. 100 of them.
const ADJECTIVES: [&str; 100] = [
    "amber",
    "azure",
    "beige",
    "cerulean",
    "coral",
    "cobalt",
    "copper",
    "cream",
    "cyan",
    "ecru",
    "emerald",
    "fawn",
    "golden",
    "hazel",
    "indigo",
    "ivory",
    "jade",
    "khaki",
    "lavender",
    "lemon",
    "lilac",
    "lime",
    "magenta",
    "mauve",
    "mint",
    "mustard",
    "navy",
    "ochre",
    "olive",
    "orange",
    "peach",
    "pearl",
    "periwinkle",
    "pink",
    "plum",
    "russet",
    "saffron",
    "sage",
    "salmon",
    "sapphire",
    "scarlet",
    "sepia",
    "silver",
    "tan",
    "taupe",
    "teal",
    "turquoise",
    "umber",
    "violet",
    "white",
    "agate",
    "alabaster",
    "amethyst",
    "basalt",
    "beryl",
    "chalk",
    "citrine",
    "garnet",
    "granite",
    "jasper",
    "marble",
    "obsidian",
    "onyx",
    "opal",
    "quartz",
    "ruby",
    "slate",
    "topaz",
    "tourmaline",
    "zircon",
    "malachite",
    "feldspar",
    "mica",
    "flint",
    "cinnabar",
    "breezy",
    "cloudy",
    "dewy",
    "drizzly",
    "foggy",
    "frosty",
    "hazy",
    "misty",
    "rainy",
    "snowy",
    "sunny",
    "balmy",
    "mild",
    "calm",
    "crisp",
    "dusky",
    "starry",
    "moonlit",
    "sunlit",
    "windy",
    "vernal",
    "autumnal",
    "wintry",
    "summery",
    "rosy",
];

/// Second words: gentle animals, plants, landscapes. 100 of them.
const NOUNS: [&str; 100] = [
    "alpaca",
    "badger",
    "beaver",
    "bison",
    "camel",
    "capybara",
    "chinchilla",
    "dolphin",
    "dormouse",
    "duck",
    "finch",
    "flamingo",
    "gazelle",
    "gecko",
    "giraffe",
    "goose",
    "hedgehog",
    "heron",
    "ibis",
    "koala",
    "lark",
    "llama",
    "manatee",
    "meerkat",
    "moose",
    "narwhal",
    "otter",
    "owl",
    "panda",
    "parrot",
    "pelican",
    "penguin",
    "pony",
    "puffin",
    "quail",
    "rabbit",
    "robin",
    "seal",
    "sparrow",
    "starling",
    "swan",
    "tortoise",
    "toucan",
    "unicorn",
    "walrus",
    "wombat",
    "wren",
    "yak",
    "zebra",
    "kiwi",
    "acorn",
    "aspen",
    "bamboo",
    "birch",
    "bluebell",
    "clover",
    "cedar",
    "daisy",
    "fern",
    "hazelnut",
    "heather",
    "hyacinth",
    "iris",
    "juniper",
    "laurel",
    "lily",
    "linden",
    "lotus",
    "maple",
    "marigold",
    "moss",
    "orchid",
    "peony",
    "poppy",
    "primrose",
    "rowan",
    "sequoia",
    "sunflower",
    "tulip",
    "willow",
    "bay",
    "brook",
    "canyon",
    "cove",
    "delta",
    "dune",
    "fjord",
    "glade",
    "grove",
    "harbor",
    "island",
    "lagoon",
    "meadow",
    "mesa",
    "oasis",
    "orchard",
    "prairie",
    "reef",
    "tundra",
    "valley",
];

/// Spreads consecutive sequence numbers over the whole word grid so that
/// incidents declared one after another do not share a first word. Prime and
/// coprime with 10,000, so `n ↦ n·STRIDE mod 10,000` is a bijection.
const STRIDE: u64 = 7919;

impl Codename {
    /// The codename for `seed`: deterministic, and distinct for any 10,000
    /// consecutive seeds.
    pub fn from_seed(seed: u64) -> Self {
        let cells = (ADJECTIVES.len() * NOUNS.len()) as u64;
        let cell = (seed % cells) * STRIDE % cells;
        let adjective = ADJECTIVES[(cell / NOUNS.len() as u64) as usize];
        let noun = NOUNS[(cell % NOUNS.len() as u64) as usize];
        Self(format!("{adjective}-{noun}"))
    }

    /// The codename for an incident: distinct for every incident of one year.
    ///
    /// The year shifts the sequence so that `SEC-2026-0001` and
    /// `SEC-2027-0001` are not both `…-same`.
    pub fn for_incident(id: IncidentId) -> Self {
        Self::from_seed(u64::from(id.sequence()) + u64::from(id.year()) * 37)
    }

    /// Validates the `word-word` shape: two runs of 2–20 lower-case ASCII
    /// letters joined by one hyphen. The words need not come from our lists,
    /// so a commander may rename an incident whose codename fits badly.
    pub fn parse(input: &str) -> Result<Self, CodenameError> {
        let word_ok =
            |w: &str| (2..=20).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase());
        match input.split_once('-') {
            Some((a, b)) if word_ok(a) && word_ok(b) => Ok(Self(input.to_owned())),
            _ => Err(CodenameError {
                input: input.chars().take(60).collect(),
            }),
        }
    }

    /// The codename.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Codename {
    type Err = CodenameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Codename {
    type Error = CodenameError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Codename> for String {
    fn from(value: Codename) -> Self {
        value.0
    }
}

impl fmt::Display for Codename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn check_id(input: &str, expected: Result<&str, IncidentIdError>) {
        let got = input.parse::<IncidentId>().map(|id| id.to_string());
        assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
    }

    #[test]
    fn incident_id_parsing() {
        let malformed = |s: &str| {
            Err(IncidentIdError::Malformed {
                input: s.to_owned(),
            })
        };
        check_id("SEC-2026-0042", Ok("SEC-2026-0042"));
        check_id("sec-2026-0042", Ok("SEC-2026-0042"));
        check_id("SEC-2026-9999", Ok("SEC-2026-9999"));
        check_id("SEC-2026-0001", Ok("SEC-2026-0001"));
        check_id(
            "SEC-2026-0000",
            Err(IncidentIdError::SequenceOutOfRange { sequence: 0 }),
        );
        check_id(
            "SEC-0999-0001",
            Err(IncidentIdError::YearOutOfRange { year: 999 }),
        );
        for bad in [
            "",
            "SEC-2026-42",
            "SEC-2026-00042",
            "SEC-26-0042",
            "INC-2026-0042",
            "SEC_2026_0042",
            "SEC-2026-00a2",
            "SEC-+026-0042",
            " SEC-2026-0042",
            "SEC-2026-0042 ",
            "SEC-2026--042",
            "SEC-२०२६-0042",
        ] {
            check_id(bad, malformed(bad));
        }
    }

    #[test]
    fn incident_id_construction() {
        let id = IncidentId::new(2026, 42).unwrap();
        assert_eq!(id.to_string(), "SEC-2026-0042");
        assert_eq!((id.year(), id.sequence()), (2026, 42));
        assert_eq!(
            IncidentId::new(2026, 10_000),
            Err(IncidentIdError::SequenceOutOfRange { sequence: 10_000 })
        );
        assert_eq!(
            IncidentId::new(10_000, 1),
            Err(IncidentIdError::YearOutOfRange { year: 10_000 })
        );
        assert!(IncidentId::new(2025, 9999).unwrap() < IncidentId::new(2026, 1).unwrap());
        assert!(IncidentId::new(2026, 2).unwrap() < IncidentId::new(2026, 10).unwrap());
    }

    #[test]
    fn incident_id_serde() {
        let id = IncidentId::new(2026, 7).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""SEC-2026-0007""#);
        assert_eq!(
            serde_json::from_str::<IncidentId>(r#""SEC-2026-0007""#).unwrap(),
            id
        );
        let err = serde_json::from_str::<IncidentId>(r#""SEC-2026-7""#).unwrap_err();
        assert!(err.to_string().contains("field `id`"), "{err}");
    }

    #[test]
    fn word_lists_are_well_formed() {
        for list in [&ADJECTIVES[..], &NOUNS[..]] {
            let unique: HashSet<_> = list.iter().collect();
            assert_eq!(unique.len(), list.len(), "duplicate word");
            for word in list {
                assert!(
                    Codename::parse(&format!("{word}-{word}")).is_ok(),
                    "{word} does not fit the codename shape"
                );
            }
        }
    }

    #[test]
    fn codenames_are_deterministic_and_distinct_within_a_year() {
        assert_eq!(Codename::from_seed(42), Codename::from_seed(42));
        let year: HashSet<_> = (1..=IncidentId::MAX_SEQUENCE)
            .map(|n| Codename::for_incident(IncidentId::new(2026, n).unwrap()))
            .collect();
        assert_eq!(year.len(), 9999);
        let first = Codename::for_incident(IncidentId::new(2026, 1).unwrap());
        let second = Codename::for_incident(IncidentId::new(2026, 2).unwrap());
        let (a1, _) = first.as_str().split_once('-').unwrap();
        let (a2, _) = second.as_str().split_once('-').unwrap();
        assert_ne!(
            a1, a2,
            "consecutive incidents should not share a first word"
        );
        assert_ne!(
            Codename::for_incident(IncidentId::new(2027, 1).unwrap()),
            first
        );
        // Every generated codename passes its own validation, even for seeds at the edges.
        for seed in [0, 1, 9_999, 10_000, u64::MAX] {
            let name = Codename::from_seed(seed);
            assert_eq!(Codename::parse(name.as_str()).as_ref(), Ok(&name));
        }
    }

    #[test]
    fn codename_shape() {
        let cases: &[(&str, bool)] = &[
            ("sapphire-unicorn", true),
            ("ab-cd", true),
            ("a-cd", false),
            ("sapphire", false),
            ("sapphire-", false),
            ("-unicorn", false),
            ("sapphire-unicorn-x", false),
            ("Sapphire-unicorn", false),
            ("sapphire_unicorn", false),
            ("sapphire unicorn", false),
            ("sapph1re-unicorn", false),
            ("saphír-unicorn", false),
            ("abcdefghijklmnopqrst-ok", true),
            ("abcdefghijklmnopqrstu-ok", false),
            ("", false),
        ];
        for (input, ok) in cases {
            assert_eq!(Codename::parse(input).is_ok(), *ok, "input {input:?}");
        }
        let c: Codename = serde_json::from_str(r#""jade-otter""#).unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), r#""jade-otter""#);
        assert!(serde_json::from_str::<Codename>(r#""jade""#).is_err());
    }
}
