//! The catalog: teams with members, systems and services, written through
//! `update_catalog` and read back whole.

use jiff::Timestamp;
use rampart_audit::Target;
use rampart_inventory::{
    Catalog, CatalogChange, DataClassification, EntitySource, Service, ServiceName, System, Team,
    TeamMember, TeamName, Tier,
};
use serde_json::json;

use super::support::{actor, assert_audited, assert_err, audit_len, fresh, t};
use super::{Harness, RawSql};
use crate::{AuditDraft, CatalogApplied, CatalogUpdate, DecisionError, Store, StoreError};

fn team_name(name: &str) -> TeamName {
    TeamName::parse(name).unwrap_or_else(|e| panic!("bad team name {name:?}: {e}"))
}

fn service_name(name: &str) -> ServiceName {
    ServiceName::parse(name).unwrap_or_else(|e| panic!("bad service name {name:?}: {e}"))
}

fn backstage(entity_ref: &str) -> EntitySource {
    EntitySource::Backstage {
        entity_ref: entity_ref.to_owned(),
    }
}

fn member(user: &str) -> TeamMember {
    TeamMember {
        user: user.to_owned(),
        display_name: None,
        email: None,
        source: EntitySource::Manual,
    }
}

fn team(name: &str, members: &[&str]) -> Team {
    Team {
        name: team_name(name),
        display_name: None,
        description: None,
        email: None,
        parent: None,
        members: members.iter().map(|user| member(user)).collect(),
        source: EntitySource::Manual,
    }
}

fn system(name: &str) -> System {
    System {
        name: service_name(name),
        title: None,
        description: None,
        owner: None,
        domain: None,
        source: EntitySource::Manual,
    }
}

fn service(name: &str) -> Service {
    Service {
        name: service_name(name),
        title: None,
        description: None,
        owner: None,
        tier: None,
        data_classification: None,
        repository_url: None,
        on_call: None,
        security_champion: None,
        lifecycle: None,
        system: None,
        component_type: None,
        source: EntitySource::Manual,
    }
}

/// Every field of a team set, members out of order.
fn full_team() -> Team {
    Team {
        name: team_name("payments@finance"),
        display_name: Some("Payments — Zahlungsverkehr".to_owned()),
        description: Some("Card and SEPA payments".to_owned()),
        email: Some("payments@example.com".to_owned()),
        parent: Some(team_name("finance")),
        members: vec![
            TeamMember {
                user: "zoe".to_owned(),
                display_name: Some("Zoë".to_owned()),
                email: Some("zoe@example.com".to_owned()),
                source: backstage("user:default/zoe"),
            },
            member("ana"),
        ],
        source: backstage("group:finance/payments"),
    }
}

/// Every field of a service set.
fn full_service() -> Service {
    Service {
        name: service_name("checkout"),
        title: Some("Checkout".to_owned()),
        description: Some("Takes the money".to_owned()),
        owner: Some(team_name("payments@finance")),
        tier: Some(Tier::new(1).expect("tier 1")),
        data_classification: Some(DataClassification::Restricted),
        repository_url: Some("https://git.example.com/shop/checkout".to_owned()),
        on_call: Some("pagerduty:payments".to_owned()),
        security_champion: Some("ana".to_owned()),
        lifecycle: Some("production".to_owned()),
        system: Some("shop".to_owned()),
        component_type: Some("service".to_owned()),
        source: backstage("component:default/checkout"),
    }
}

fn catalog_draft(at: Timestamp) -> AuditDraft {
    AuditDraft::new(
        at,
        actor("alice"),
        "catalog.update",
        Target::new("catalog", "catalog"),
        json!({ "case": "catalog" }),
    )
}

/// Applies `changes` at `at`; the store's answer as is.
async fn try_put(
    store: &dyn Store,
    changes: Vec<CatalogChange>,
    at: Timestamp,
) -> Result<CatalogApplied, StoreError> {
    store
        .update_catalog(Box::new(move |_: &Catalog| {
            Ok(CatalogUpdate {
                changes,
                audit: catalog_draft(at),
            })
        }))
        .await
        .map(|decided| decided.unwrap_or_else(|_| panic!("the decision accepts")))
}

async fn put(store: &dyn Store, changes: Vec<CatalogChange>, at: Timestamp) -> CatalogApplied {
    try_put(store, changes, at).await.expect("update_catalog")
}

async fn catalog(store: &dyn Store) -> Catalog {
    store.catalog().await.expect("catalog")
}

/// Rows `sql` touches (an `UPDATE … SET x = x WHERE …` that only counts).
async fn count(raw: &dyn RawSql, sql: &str) -> u64 {
    raw.execute(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Teams, systems and services of every shape read back equal, each list
/// sorted by name and each team's members by login name, with one audit
/// event for the whole update.
pub async fn catalog_round_trips(h: &dyn Harness) {
    let store = fresh(h).await;
    assert_eq!(catalog(&*store).await, Catalog::default());
    let before = audit_len(&*store).await;
    let mut owned_system = system("shop");
    owned_system.title = Some("Web shop".to_owned());
    owned_system.description = Some("Everything customers buy through".to_owned());
    owned_system.owner = Some(team_name("payments@finance"));
    owned_system.domain = Some("commerce".to_owned());
    owned_system.source = backstage("system:default/shop");
    let applied = put(
        &*store,
        vec![
            CatalogChange::PutService(service("search")),
            CatalogChange::PutTeam(full_team()),
            CatalogChange::PutService(full_service()),
            CatalogChange::PutTeam(team("finance", &[])),
            CatalogChange::PutSystem(owned_system.clone()),
            CatalogChange::PutSystem(system("guest@development")),
        ],
        t(0),
    )
    .await;
    assert_eq!(applied.changed, 6);
    assert_eq!(applied.audit, store.audit_head().await.unwrap());
    assert_audited(&*store, before, "catalog.update", "catalog").await;

    let mut payments = full_team();
    payments.members.reverse();
    let expected = Catalog {
        teams: vec![team("finance", &[]), payments],
        systems: vec![system("guest@development"), owned_system],
        services: vec![full_service(), service("search")],
    };
    assert_eq!(catalog(&*store).await, expected);
}

/// Putting an entry again replaces every field (clearing what the new
/// value leaves out) and keeps the time it was first created.
pub async fn catalog_replace_keeps_created_at(h: &dyn Harness) {
    let (store, raw) = h.fresh().await;
    put(
        &*store,
        vec![
            CatalogChange::PutTeam(full_team()),
            CatalogChange::PutSystem(system("shop")),
            CatalogChange::PutService(full_service()),
        ],
        t(0),
    )
    .await;
    let kept = |table: &str, name: &str| {
        format!("UPDATE {table} SET name = name WHERE name = '{name}' AND created_at < updated_at")
    };
    assert_eq!(count(&*raw, &kept("teams", "payments@finance")).await, 0);

    let mut renamed_team = team("payments@finance", &["ana"]);
    renamed_team.display_name = Some("Payments".to_owned());
    let mut moved_system = system("shop");
    moved_system.owner = Some(team_name("finance"));
    let mut retiered = service("checkout");
    retiered.tier = Some(Tier::new(3).expect("tier 3"));
    retiered.source = backstage("component:default/checkout");
    let before = audit_len(&*store).await;
    let applied = put(
        &*store,
        vec![
            CatalogChange::PutTeam(renamed_team.clone()),
            CatalogChange::PutSystem(moved_system.clone()),
            CatalogChange::PutService(retiered.clone()),
        ],
        t(5),
    )
    .await;
    assert_eq!(applied.changed, 3);
    assert_audited(&*store, before, "catalog.update", "catalog").await;
    assert_eq!(
        catalog(&*store).await,
        Catalog {
            teams: vec![renamed_team],
            systems: vec![moved_system],
            services: vec![retiered],
        }
    );
    for (table, name) in [
        ("teams", "payments@finance"),
        ("systems", "shop"),
        ("services", "checkout"),
    ] {
        assert_eq!(count(&*raw, &kept(table, name)).await, 1, "{table} {name}");
    }
}

/// A team's member list is replaced whole; members who stay keep the
/// time they were added.
pub async fn catalog_members_replaced_whole(h: &dyn Harness) {
    let (store, raw) = h.fresh().await;
    put(
        &*store,
        vec![CatalogChange::PutTeam(team("search", &["ana", "bo"]))],
        t(0),
    )
    .await;
    put(
        &*store,
        vec![CatalogChange::PutTeam(team("search", &["cy", "bo"]))],
        t(5),
    )
    .await;
    let read = catalog(&*store).await;
    assert_eq!(read.teams, vec![team("search", &["bo", "cy"])]);
    assert_eq!(store.teams_of_user("ana").await.unwrap(), Vec::new());
    let added_before_update = |user: &str| {
        format!(
            "UPDATE team_members SET user_name = user_name WHERE user_name = '{user}'
             AND added_at < (SELECT updated_at FROM teams WHERE name = 'search')"
        )
    };
    assert_eq!(count(&*raw, &added_before_update("bo")).await, 1);
    assert_eq!(count(&*raw, &added_before_update("cy")).await, 0);

    put(
        &*store,
        vec![CatalogChange::PutTeam(team("search", &[]))],
        t(6),
    )
    .await;
    assert_eq!(catalog(&*store).await.teams, vec![team("search", &[])]);
    assert_eq!(store.teams_of_user("bo").await.unwrap(), Vec::new());
}

/// An empty change list writes nothing, not even its audit event.
pub async fn catalog_empty_update_writes_nothing(h: &dyn Harness) {
    let store = fresh(h).await;
    put(&*store, vec![CatalogChange::PutTeam(team("a", &[]))], t(0)).await;
    let head = store.audit_head().await.unwrap();
    let applied = put(&*store, Vec::new(), t(1)).await;
    assert_eq!(
        applied,
        CatalogApplied {
            audit: head,
            changed: 0
        }
    );
    assert_eq!(store.audit_head().await.unwrap(), head);
    assert_eq!(catalog(&*store).await.teams, vec![team("a", &[])]);
}

/// The decision sees the current catalog; when it refuses, nothing is
/// written and its error comes back.
pub async fn catalog_refusal_writes_nothing(h: &dyn Harness) {
    let store = fresh(h).await;
    put(
        &*store,
        vec![CatalogChange::PutTeam(team("a", &["ana"]))],
        t(0),
    )
    .await;
    let before = catalog(&*store).await;
    let audit_before = audit_len(&*store).await;
    let seen = before.clone();
    let outcome = store
        .update_catalog(Box::new(move |current: &Catalog| {
            assert_eq!(current, &seen, "the decision reads the stored catalog");
            Err(Box::new("not today") as DecisionError)
        }))
        .await
        .expect("store");
    let refusal = outcome.expect_err("refused");
    assert_eq!(refusal.downcast_ref::<&str>(), Some(&"not today"));
    assert_eq!(audit_len(&*store).await, audit_before);
    assert_eq!(catalog(&*store).await, before);
}

/// A Backstage reference belongs to one entry of its kind: a second name
/// taking it is `Conflict` (in one update or a later one), and nothing of
/// the refused update is written. So is a member listed twice.
pub async fn catalog_source_ref_clash_conflicts(h: &dyn Harness) {
    let store = fresh(h).await;
    let mut first = service("artist-lookup");
    first.source = backstage("component:default/artist-lookup");
    let mut second = service("artist-lookup-2");
    second.source = first.source.clone();
    let audit_before = audit_len(&*store).await;
    assert_err!(
        try_put(
            &*store,
            vec![
                CatalogChange::PutTeam(team("a", &[])),
                CatalogChange::PutService(first.clone()),
                CatalogChange::PutService(second.clone()),
            ],
            t(0),
        )
        .await,
        StoreError::Conflict { .. }
    );
    assert_eq!(catalog(&*store).await, Catalog::default());
    assert_eq!(audit_len(&*store).await, audit_before);

    put(
        &*store,
        vec![CatalogChange::PutService(first.clone())],
        t(1),
    )
    .await;
    let after_first = catalog(&*store).await;
    let refused = try_put(&*store, vec![CatalogChange::PutService(second)], t(2)).await;
    match refused {
        Err(StoreError::Conflict { what }) => {
            assert!(what.contains("component:default/artist-lookup"), "{what}")
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    for (one, other) in [
        (
            CatalogChange::PutTeam(Team {
                source: backstage("group:default/a"),
                ..team("a", &[])
            }),
            CatalogChange::PutTeam(Team {
                source: backstage("group:default/a"),
                ..team("b", &[])
            }),
        ),
        (
            CatalogChange::PutSystem(System {
                source: backstage("system:default/s"),
                ..system("s")
            }),
            CatalogChange::PutSystem(System {
                source: backstage("system:default/s"),
                ..system("t")
            }),
        ),
    ] {
        assert_err!(
            try_put(&*store, vec![one, other], t(3)).await,
            StoreError::Conflict { .. }
        );
    }
    assert_err!(
        try_put(
            &*store,
            vec![CatalogChange::PutTeam(team("a", &["ana", "ana"]))],
            t(4)
        )
        .await,
        StoreError::Conflict { .. }
    );
    assert_eq!(catalog(&*store).await, after_first);
}

/// The teams a user is in, by login name, sorted; none for a stranger.
pub async fn catalog_teams_of_user(h: &dyn Harness) {
    let store = fresh(h).await;
    put(
        &*store,
        vec![
            CatalogChange::PutTeam(team("search", &["bo", "ana"])),
            CatalogChange::PutTeam(team("payments@finance", &["ana"])),
            CatalogChange::PutTeam(team("ops", &["cy"])),
        ],
        t(0),
    )
    .await;
    assert_eq!(
        store.teams_of_user("ana").await.unwrap(),
        vec![team_name("payments@finance"), team_name("search")]
    );
    assert_eq!(
        store.teams_of_user("bo").await.unwrap(),
        vec![team_name("search")]
    );
    assert_eq!(store.teams_of_user("dan").await.unwrap(), Vec::new());
    let read = catalog(&*store).await;
    let from_catalog: Vec<TeamName> = read.teams_of("ana").map(|t| t.name.clone()).collect();
    assert_eq!(from_catalog, store.teams_of_user("ana").await.unwrap());
}

/// Rows edited outside Rampart into values the catalog refuses (a name
/// breaking the syntax, an unknown source) read back as `Corrupt`, never
/// as a panic or a name the rest of the server trusts.
pub async fn catalog_unreadable_rows_are_corrupt(h: &dyn Harness) {
    for tamper in [
        "UPDATE teams SET name = 'not a name'",
        "UPDATE teams SET source = 'ftp'",
        "UPDATE services SET data_classification = 'secret'",
        "UPDATE team_members SET source_ref = 'user:default/ana'",
    ] {
        let (store, raw) = h.fresh().await;
        put(
            &*store,
            vec![
                CatalogChange::PutTeam(team("search", &["ana"])),
                CatalogChange::PutService(full_service()),
            ],
            t(0),
        )
        .await;
        assert_eq!(count(&*raw, tamper).await, 1, "{tamper}");
        assert_err!(store.catalog().await, StoreError::Corrupt(_));
    }
}
