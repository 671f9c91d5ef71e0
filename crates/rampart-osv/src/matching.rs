//! Deciding which advisories affect which components, exactly as the OSV
//! schema specifies: `versions` lists, `ECOSYSTEM` and `SEMVER` ranges with
//! `introduced` (including "0"), `fixed`, `last_affected` and `limit`.
//! `GIT` ranges name commits, which registry packages do not have; an
//! advisory that can only be evaluated through them is reported as a note,
//! not silently dropped.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use rampart_core::{
    Component, Ecosystem, Finding, FindingKind, Fingerprint, Location, Severity,
    normalize_package_name,
};

use crate::db::{Database, DbError};
use crate::schema::{Advisory, Affected, Event, Range, RangeType};
use crate::version::{self, ParsedVersion};

/// Something the matcher could not decide, said out loud.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MatchNote {
    pub location: Location,
    /// `ecosystem/name@version`.
    pub package: String,
    pub message: String,
}

/// Findings plus what could not be checked.
#[derive(Debug, Default)]
pub struct MatchOutcome {
    pub findings: Vec<Finding>,
    pub notes: Vec<MatchNote>,
    /// Components compared against the database (exact versions in an
    /// ecosystem with a supported ordering).
    pub checked: usize,
}

/// How the versions of one range are ordered.
#[derive(Clone, Copy)]
enum RangeOrdering<'a> {
    Ecosystem(&'a Ecosystem),
    Semver,
}

fn parse_in(ordering: RangeOrdering<'_>, v: &str) -> Result<ParsedVersion, version::VersionError> {
    match ordering {
        RangeOrdering::Ecosystem(eco) => version::parse(eco, v),
        RangeOrdering::Semver => version::parse_semver(v),
    }
}

/// The result of evaluating one advisory against one version.
#[derive(Debug, Default)]
struct Evaluation {
    affected: bool,
    /// `fixed` events above the version, from the ranges that affect it.
    fix_candidates: Vec<String>,
    /// The affected entries that named the package but could not be
    /// evaluated (only GIT ranges; unparsable event versions).
    problems: Vec<String>,
}

fn package_matches(affected: &Affected, ecosystem: &Ecosystem, normalized_name: &str) -> bool {
    let Some(package) = &affected.package else {
        return false;
    };
    let Ok((advisory_ecosystem, _release)) = Ecosystem::split_osv(&package.ecosystem) else {
        return false;
    };
    advisory_ecosystem == *ecosystem
        && normalize_package_name(ecosystem, &package.name) == normalized_name
}

/// A stable insertion sort that accepts any comparison.
///
/// The standard library's sorts may panic when a comparison is not a total
/// order, and some ecosystems' native orderings are not one for hostile
/// strings (PHP's `version_compare("1.", "1.")` is -1). Event lists and fix
/// candidates are short, so quadratic time is no concern; a panic on an
/// advisory someone published would be.
fn sort_tolerantly<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && cmp(&items[j - 1], &items[j]) == Ordering::Greater {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Whether `version` lies in `range`, following the schema's evaluation
/// algorithm: events sorted by version, `introduced` opens, `fixed` and
/// `last_affected` close, and when `limit` events exist the version must be
/// below one of them.
fn range_affects(
    range: &Range,
    ordering: RangeOrdering<'_>,
    version: &ParsedVersion,
) -> Result<(bool, Vec<String>), String> {
    let mut events: Vec<(Option<ParsedVersion>, &Event)> = Vec::with_capacity(range.events.len());
    for event in &range.events {
        let parsed = match event {
            Event::Introduced(v) if v == "0" => None,
            // The schema spells an unbounded limit as "*".
            Event::Limit(v) if v.contains('*') => None,
            _ => Some(parse_in(ordering, event.version()).map_err(|e| e.to_string())?),
        };
        events.push((parsed, event));
    }
    let mut sort_error = None;
    let rank = |parsed: &Option<ParsedVersion>, event: &Event| match (parsed, event) {
        (None, Event::Limit(_)) => 2,
        (None, _) => 0,
        (Some(_), _) => 1,
    };
    sort_tolerantly(&mut events, |(a, ea), (b, eb)| match (a, b) {
        (None, _) | (_, None) => rank(a, ea).cmp(&rank(b, eb)),
        (Some(a), Some(b)) => a.cmp_to(b).unwrap_or_else(|e| {
            sort_error.get_or_insert(e.to_string());
            Ordering::Equal
        }),
    });
    if let Some(err) = sort_error {
        return Err(err);
    }

    // `None` is "0" for introduced (below every version) and "*" for limit
    // (above every version).
    let cmp = |event_version: &Option<ParsedVersion>, event: &Event| -> Result<Ordering, String> {
        match (event_version, event) {
            (None, Event::Limit(_)) => Ok(Ordering::Less),
            (None, _) => Ok(Ordering::Greater),
            (Some(ev), _) => version.cmp_to(ev).map_err(|e| e.to_string()),
        }
    };
    let mut affected = false;
    let mut below_a_limit = None;
    let mut fixes_above = Vec::new();
    for (parsed, event) in &events {
        let order = cmp(parsed, event)?;
        match event {
            Event::Introduced(_) => {
                if order != Ordering::Less {
                    affected = true;
                }
            }
            Event::Fixed(v) => {
                if order != Ordering::Less {
                    affected = false;
                } else {
                    fixes_above.push(v.clone());
                }
            }
            Event::LastAffected(_) => {
                if order == Ordering::Greater {
                    affected = false;
                }
            }
            Event::Limit(_) => {
                let below = order == Ordering::Less;
                below_a_limit = Some(below_a_limit.unwrap_or(false) || below);
            }
        }
    }
    if below_a_limit == Some(false) {
        affected = false;
    }
    Ok((affected, fixes_above))
}

fn evaluate(
    advisory: &Advisory,
    component: &Component,
    normalized: &str,
    version: &ParsedVersion,
    raw: &str,
) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for affected in &advisory.affected {
        if !package_matches(affected, &component.ecosystem, normalized) {
            continue;
        }
        let listed = affected.versions.iter().any(|listed| {
            listed == raw
                || version::parse(&component.ecosystem, listed)
                    .and_then(|l| version.cmp_to(&l))
                    .is_ok_and(|o| o == Ordering::Equal)
        });
        if listed {
            evaluation.affected = true;
        }
        let mut evaluable = !affected.versions.is_empty();
        for range in &affected.ranges {
            let ordering = match &range.kind {
                RangeType::Ecosystem => RangeOrdering::Ecosystem(&component.ecosystem),
                RangeType::Semver => RangeOrdering::Semver,
                RangeType::Git | RangeType::Other(_) => continue,
            };
            evaluable = true;
            let version_in_ordering;
            let version = match ordering {
                RangeOrdering::Ecosystem(_) => version,
                RangeOrdering::Semver => match version::parse_semver(raw) {
                    Ok(v) => {
                        version_in_ordering = v;
                        &version_in_ordering
                    }
                    Err(err) => {
                        evaluation
                            .problems
                            .push(format!("{}: SEMVER range: {err}", advisory.id));
                        continue;
                    }
                },
            };
            match range_affects(range, ordering, version) {
                Ok((true, fixes)) => {
                    evaluation.affected = true;
                    evaluation.fix_candidates.extend(fixes);
                }
                Ok((false, _)) => {}
                Err(err) => evaluation.problems.push(format!("{}: {err}", advisory.id)),
            }
        }
        if !evaluable && !affected.ranges.is_empty() {
            evaluation.problems.push(format!(
                "{} lists only GIT (commit) ranges for this package; registry versions cannot be evaluated against them",
                advisory.id
            ));
        }
    }
    evaluation
}

/// The smallest version among the candidates that clears every advisory in
/// `group`: the upgrade to suggest. Higher release lines' fixes also clear
/// it, but listing every line's fix buries the one answer a user needs.
fn clearing_versions(
    group: &[Rc<Advisory>],
    candidates: &BTreeSet<String>,
    component: &Component,
    normalized: &str,
) -> Vec<String> {
    let mut clearing: Vec<(ParsedVersion, String)> = candidates
        .iter()
        .filter_map(|candidate| {
            let parsed = version::parse(&component.ecosystem, candidate).ok()?;
            let still_affected = group
                .iter()
                .any(|a| evaluate(a, component, normalized, &parsed, candidate).affected);
            (!still_affected).then(|| (parsed, candidate.clone()))
        })
        .collect();
    sort_tolerantly(&mut clearing, |(a, _), (b, _)| {
        a.cmp_to(b).unwrap_or(Ordering::Equal)
    });
    clearing.into_iter().map(|(_, v)| v).take(1).collect()
}

/// Severity of an advisory for one package: the newest CVSS version that
/// scores, else a database's own rating, else informational, else unknown.
fn advisory_severity(
    advisory: &Advisory,
    matched: &[&Affected],
) -> (Severity, Option<f64>, Vec<String>) {
    let entries = advisory
        .severity
        .iter()
        .chain(matched.iter().flat_map(|a| a.severity.iter()));
    let mut vectors = Vec::new();
    let mut best: Option<crate::cvss::CvssScore> = None;
    let mut rating = None;
    for entry in entries {
        match entry.kind.as_str() {
            "CVSS_V2" | "CVSS_V3" | "CVSS_V4" => {
                vectors.push(entry.score.clone());
                if let Ok(score) = crate::cvss::parse_and_score(&entry.score)
                    && best.as_ref().is_none_or(|b| score.version > b.version)
                {
                    best = Some(score);
                }
            }
            _ => {
                // Ubuntu's and other databases' own ratings ("medium").
                if let Ok(severity) = entry.score.parse::<Severity>() {
                    rating.get_or_insert(severity);
                }
            }
        }
    }
    vectors.sort();
    vectors.dedup();
    if let Some(score) = best {
        return (
            crate::cvss::severity(&score),
            Some(score.base_score),
            vectors,
        );
    }
    let database_rating = std::iter::once(&advisory.database_specific)
        .chain(matched.iter().map(|a| &a.database_specific))
        .flatten()
        .find_map(|d| d.get("severity")?.as_str()?.parse::<Severity>().ok());
    if let Some(severity) = database_rating.or(rating) {
        return (severity, None, vectors);
    }
    if informational_kind(matched).is_some() {
        return (Severity::Info, None, vectors);
    }
    (Severity::Unknown, None, vectors)
}

/// RustSec's `informational` (unmaintained, unsound, notice).
fn informational_kind(matched: &[&Affected]) -> Option<String> {
    matched.iter().find_map(|a| {
        a.database_specific
            .as_ref()?
            .get("informational")?
            .as_str()
            .map(str::to_string)
    })
}

/// Which advisory of an alias group names the finding: the ecosystem's own
/// database first (RUSTSEC, PYSEC, GO…), then GitHub's, then the rest.
fn id_preference(id: &str) -> (u8, &str) {
    let native = ["RUSTSEC-", "PYSEC-", "GO-", "RUBYSEC-", "DRUPAL-", "MAL-"];
    let rank = if native.iter().any(|p| id.starts_with(p)) {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else {
        2
    };
    (rank, id)
}

/// Groups advisories that share an id or alias (the same vulnerability
/// published by two databases): union-find over ids.
fn alias_groups(advisories: &[Rc<Advisory>]) -> Vec<Vec<Rc<Advisory>>> {
    let mut parent: Vec<usize> = (0..advisories.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, advisory) in advisories.iter().enumerate() {
        for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            match owner.get(id.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Rc<Advisory>>> = BTreeMap::new();
    for (i, advisory) in advisories.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(advisory.clone());
    }
    groups.into_values().collect()
}

/// Matches components against the database.
///
/// Unresolved components are not looked up (the caller reports them);
/// ecosystems without a supported version ordering produce one note per
/// component, never a guess.
pub fn match_components(db: &Database, components: &[Component]) -> Result<MatchOutcome, DbError> {
    let mut matcher = Matcher::default();
    let mut outcome = MatchOutcome::default();
    for component in components {
        matcher.match_one(db, component, &mut outcome)?;
    }
    outcome.notes.sort();
    outcome.notes.dedup();
    Ok(outcome)
}

/// Matches components against the database on up to `threads` threads.
///
/// Components are grouped by package before they are split, so each
/// thread's advisory cache sees every version of the packages it holds.
/// The outcome does not depend on the number of threads: findings keep the
/// order of `components`, notes are sorted.
pub fn match_components_parallel(
    db: &Database,
    components: &[Component],
    threads: usize,
) -> Result<MatchOutcome, DbError> {
    let threads = threads.clamp(1, 16);
    if threads == 1 || components.len() < 256 {
        return match_components(db, components);
    }
    let mut order: Vec<usize> = (0..components.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&components[a], &components[b]);
        (&a.ecosystem, &a.name).cmp(&(&b.ecosystem, &b.name))
    });
    let chunk_len = order.len().div_ceil(threads);
    let results: Vec<Result<Vec<(usize, MatchOutcome)>, DbError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = order
            .chunks(chunk_len)
            .map(|chunk| {
                scope.spawn(move || {
                    let mut matcher = Matcher::default();
                    let mut per_component = Vec::with_capacity(chunk.len());
                    for &i in chunk {
                        let mut part = MatchOutcome::default();
                        matcher.match_one(db, &components[i], &mut part)?;
                        if !part.findings.is_empty() || !part.notes.is_empty() || part.checked > 0 {
                            per_component.push((i, part));
                        }
                    }
                    Ok(per_component)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut per_component = Vec::with_capacity(components.len());
    for result in results {
        per_component.extend(result?);
    }
    per_component.sort_by_key(|(i, _)| *i);
    let mut outcome = MatchOutcome::default();
    for (_, part) in per_component {
        outcome.findings.extend(part.findings);
        outcome.notes.extend(part.notes);
        outcome.checked += part.checked;
    }
    outcome.notes.sort();
    outcome.notes.dedup();
    Ok(outcome)
}

/// One thread's caches: parsed advisories and each package's record list.
#[derive(Default)]
struct Matcher {
    parsed_records: HashMap<u32, Rc<Advisory>>,
    records_by_package: HashMap<(Ecosystem, String), Rc<[u32]>>,
}

impl Matcher {
    fn match_one(
        &mut self,
        db: &Database,
        component: &Component,
        outcome: &mut MatchOutcome,
    ) -> Result<(), DbError> {
        let Some(raw_version) = component.version.exact() else {
            return Ok(());
        };
        let note = |message: String| MatchNote {
            location: component.location.clone(),
            package: format!("{}/{}@{raw_version}", component.ecosystem, component.name),
            message,
        };
        let normalized = normalize_package_name(&component.ecosystem, &component.name);
        let key = (component.ecosystem.clone(), normalized.clone());
        let records = match self.records_by_package.get(&key) {
            Some(records) => records.clone(),
            None => {
                let records: Rc<[u32]> = db.records_for(&component.ecosystem, &normalized)?.into();
                self.records_by_package.insert(key, records.clone());
                records
            }
        };
        if !version::is_supported(&component.ecosystem) {
            if !records.is_empty() {
                outcome.notes.push(note(format!(
                    "{} advisories exist for this package but {} version ordering is not supported; not checked",
                    records.len(),
                    component.ecosystem
                )));
            }
            return Ok(());
        }
        let version = match version::parse(&component.ecosystem, raw_version) {
            Ok(v) => v,
            Err(err) => {
                outcome
                    .notes
                    .push(note(format!("version not checked: {err}")));
                return Ok(());
            }
        };
        outcome.checked += 1;

        let mut hits = Vec::new();
        let mut candidates = BTreeSet::new();
        for &number in records.iter() {
            let advisory = match self.parsed_records.get(&number) {
                Some(a) => a.clone(),
                None => {
                    let a = Rc::new(db.advisory(number)?);
                    self.parsed_records.insert(number, a.clone());
                    a
                }
            };
            let evaluation = evaluate(&advisory, component, &normalized, &version, raw_version);
            for problem in evaluation.problems {
                outcome.notes.push(note(problem));
            }
            if evaluation.affected {
                candidates.extend(evaluation.fix_candidates);
                hits.push(advisory);
            }
        }
        for group in alias_groups(&hits) {
            outcome
                .findings
                .push(finding_for(&group, component, &normalized, &candidates));
        }
        Ok(())
    }
}

fn finding_for(
    group: &[Rc<Advisory>],
    component: &Component,
    normalized: &str,
    candidates: &BTreeSet<String>,
) -> Finding {
    let primary = group
        .iter()
        .min_by(|a, b| id_preference(&a.id).cmp(&id_preference(&b.id)))
        .expect("alias groups are never empty");
    let mut aliases: BTreeSet<String> = group
        .iter()
        .flat_map(|a| std::iter::once(&a.id).chain(&a.aliases))
        .cloned()
        .collect();
    aliases.remove(&primary.id);

    // Order-independent merge: the highest known rating wins (its CVSS
    // score with it); `Unknown` only when no advisory rates the problem.
    let mut known: Option<(Severity, Option<f64>)> = None;
    let mut cvss_vectors = Vec::new();
    let mut informational = None;
    for advisory in group {
        let matched: Vec<&Affected> = advisory
            .affected
            .iter()
            .filter(|a| package_matches(a, &component.ecosystem, normalized))
            .collect();
        let (s, score, vectors) = advisory_severity(advisory, &matched);
        cvss_vectors.extend(vectors);
        if s != Severity::Unknown {
            let better = known.is_none_or(|(k, k_score)| {
                (s.threshold_rank(), score.unwrap_or(-1.0))
                    > (k.threshold_rank(), k_score.unwrap_or(-1.0))
            });
            if better {
                known = Some((s, score));
            }
        }
        if let Some(kind) = informational_kind(&matched)
            && informational.as_ref().is_none_or(|i: &String| kind < *i)
        {
            informational = Some(kind);
        }
    }
    let (severity, cvss_score) = known.unwrap_or((Severity::Unknown, None));
    cvss_vectors.sort();
    cvss_vectors.dedup();

    let mut references: Vec<String> = group
        .iter()
        .flat_map(|a| a.references.iter().map(|r| r.url.clone()))
        .collect();
    references.sort();
    references.dedup();

    let title = primary
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| {
            primary
                .details
                .as_ref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()).map(str::to_string))
        })
        .unwrap_or_else(|| format!("{} affects {}", primary.id, component.name));
    let title = one_line_title(&title);
    let version = component.version.exact().unwrap_or_default();
    // The vulnerability's identity for baselines: its CVE when it has one,
    // because the advisory chosen to name the finding changes when another
    // database's record is imported later.
    let identity = std::iter::once(&primary.id)
        .chain(aliases.iter())
        .filter(|id| id.starts_with("CVE-"))
        .min()
        .unwrap_or(&primary.id)
        .clone();
    let fingerprint = Fingerprint::from_parts(&[
        "vulnerability",
        &identity,
        component.ecosystem.osv_name(),
        normalized,
        version,
        &component.location.path,
    ]);
    Finding {
        id: primary.id.clone(),
        title,
        severity,
        location: component.location.clone(),
        fingerprint,
        kind: FindingKind::Vulnerability {
            package: component.clone(),
            aliases: aliases.into_iter().collect(),
            fixed_versions: clearing_versions(group, candidates, component, normalized),
            cvss_vectors,
            cvss_score,
            references,
            informational,
        },
    }
}

/// Advisories without a summary fall back to their details, which can run
/// to paragraphs; a title is one line of reasonable length.
fn one_line_title(text: &str) -> String {
    const MAX_CHARS: usize = 120;
    let line = text.trim();
    if line.chars().count() <= MAX_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_survives_comparisons_that_are_not_total_orders() {
        // "Less" both ways, as PHP's version_compare gives for "1." vs "1.".
        let mut items: Vec<u32> = (0..64).rev().collect();
        sort_tolerantly(&mut items, |_, _| Ordering::Less);
        let mut items: Vec<u32> = (0..64).map(|i| (i * 37) % 64).collect();
        sort_tolerantly(&mut items, |a, b| {
            if (a + b) % 3 == 0 {
                Ordering::Greater
            } else {
                a.cmp(b)
            }
        });
        // A consistent comparison sorts, stably.
        let mut items = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd')];
        sort_tolerantly(&mut items, |a, b| a.0.cmp(&b.0));
        assert_eq!(items, [(1, 'b'), (2, 'd'), (3, 'a'), (3, 'c')]);
    }
}
