//! The catalog's SQL: reading every team, system and service, and applying
//! a decision's `Put`s under the write lock.

use std::collections::HashMap;

use jiff::Timestamp;
use rampart_inventory::{
    Catalog, CatalogChange, DataClassification, EntitySource, Service, ServiceName, System, Team,
    TeamMember, TeamName, Tier,
};
use rampart_store::{
    CatalogApplied, CatalogDecide, CatalogUpdate, DecisionError, StoreError, StoreResult,
};

use crate::{Connection, Database, Reader, Row, append_audit, query};

const SOURCE_MANUAL: &str = "manual";
const SOURCE_BACKSTAGE: &str = "backstage";

fn source_from<R: Row + ?Sized>(read: &Reader<'_, R>) -> StoreResult<EntitySource> {
    let kind = read.text("source")?;
    match (kind.as_str(), read.opt_text("source_ref")?) {
        (SOURCE_MANUAL, None) => Ok(EntitySource::Manual),
        (SOURCE_BACKSTAGE, Some(entity_ref)) => Ok(EntitySource::Backstage { entity_ref }),
        (kind, entity_ref) => Err(StoreError::corrupt(format!(
            "catalog source {kind:?} with reference {entity_ref:?}"
        ))),
    }
}

fn member_from_row<R: Row + ?Sized>(row: &R) -> StoreResult<(i64, TeamMember)> {
    let read = Reader::new(row, "team_members");
    Ok((
        read.int("team_id")?,
        TeamMember {
            user: read.text("user_name")?,
            display_name: read.opt_text("display_name")?,
            email: read.opt_text("email")?,
            source: source_from(&read)?,
        },
    ))
}

fn team_from_row<R: Row + ?Sized>(row: &R) -> StoreResult<(i64, Team)> {
    let read = Reader::new(row, "teams");
    Ok((
        read.int("id")?,
        Team {
            name: read.checked("name", TeamName::parse)?,
            display_name: read.opt_text("display_name")?,
            description: read.opt_text("description")?,
            email: read.opt_text("email")?,
            parent: read.opt_checked("parent", TeamName::parse)?,
            members: Vec::new(),
            source: source_from(&read)?,
        },
    ))
}

fn system_from_row<R: Row + ?Sized>(row: &R) -> StoreResult<System> {
    let read = Reader::new(row, "systems");
    Ok(System {
        name: read.checked("name", ServiceName::parse)?,
        title: read.opt_text("title")?,
        description: read.opt_text("description")?,
        owner: read.opt_checked("owner", TeamName::parse)?,
        domain: read.opt_text("domain")?,
        source: source_from(&read)?,
    })
}

fn service_from_row<R: Row + ?Sized>(row: &R) -> StoreResult<Service> {
    let read = Reader::new(row, "services");
    let tier = read
        .opt_int("tier")?
        .map(Tier::new)
        .transpose()
        .map_err(|error| StoreError::corrupt(format!("table services column tier: {error}")))?;
    Ok(Service {
        name: read.checked("name", ServiceName::parse)?,
        title: read.opt_text("title")?,
        description: read.opt_text("description")?,
        owner: read.opt_checked("owner", TeamName::parse)?,
        tier,
        data_classification: read.opt_checked("data_classification", DataClassification::parse)?,
        repository_url: read.opt_text("repository_url")?,
        on_call: read.opt_text("on_call")?,
        security_champion: read.opt_text("security_champion")?,
        lifecycle: read.opt_text("lifecycle")?,
        system: read.opt_text("system")?,
        component_type: read.opt_text("component_type")?,
        source: source_from(&read)?,
    })
}

/// The whole catalog, each list sorted by name in byte order (here, not by
/// the database's collation, which differs between installations) and each
/// team's members by login name.
async fn read_catalog<C: Connection + ?Sized>(conn: &mut C) -> StoreResult<Catalog> {
    let mut members: HashMap<i64, Vec<TeamMember>> = HashMap::new();
    for row in query(
        "SELECT team_id, user_name, display_name, email, source, source_ref FROM team_members",
    )
    .fetch_all(conn)
    .await?
    {
        let (team_id, member) = member_from_row(&row)?;
        members.entry(team_id).or_default().push(member);
    }
    let mut teams = Vec::new();
    for row in query(
        "SELECT id, name, display_name, description, email, parent, source, source_ref FROM teams",
    )
    .fetch_all(conn)
    .await?
    {
        let (id, mut team) = team_from_row(&row)?;
        team.members = members.remove(&id).unwrap_or_default();
        team.members.sort_by(|a, b| a.user.cmp(&b.user));
        teams.push(team);
    }
    teams.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    let mut systems =
        query("SELECT name, title, description, owner, domain, source, source_ref FROM systems")
            .fetch_all(conn)
            .await?
            .iter()
            .map(system_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
    systems.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    let mut services = query(
        "SELECT name, title, description, owner, tier, data_classification, repository_url,
                on_call, security_champion, lifecycle, system, component_type, source,
                source_ref
         FROM services",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(service_from_row)
    .collect::<StoreResult<Vec<_>>>()?;
    services.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    Ok(Catalog {
        teams,
        systems,
        services,
    })
}

/// What a unique violation on an upsert by name means: the only other
/// unique column is the Backstage reference, held by another entry. Read
/// with `Conflict`'s "… already exists".
fn taken_ref(kind: &str, name: &str, source: &EntitySource) -> String {
    format!(
        "a {kind} other than {name} with Backstage reference {}",
        source.entity_ref().unwrap_or_default()
    )
}

/// Inserts or replaces a team by name, keeping its creation time and the
/// time each remaining member was first added.
async fn put_team<C: Connection + ?Sized>(
    conn: &mut C,
    team: &Team,
    at: Timestamp,
) -> StoreResult<()> {
    let team_id = query(
        "INSERT INTO teams (name, display_name, description, email, parent, source, source_ref,
                            created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (name) DO UPDATE SET
             display_name = excluded.display_name, description = excluded.description,
             email = excluded.email, parent = excluded.parent, source = excluded.source,
             source_ref = excluded.source_ref, updated_at = excluded.updated_at
         RETURNING id",
    )
    .bind(team.name.as_str())
    .bind(&team.display_name)
    .bind(&team.description)
    .bind(&team.email)
    .bind(team.parent.as_ref().map(TeamName::as_str))
    .bind(team.source.kind())
    .bind(team.source.entity_ref())
    .bind(at)
    .bind(at)
    .insert_returning_id(
        conn,
        &taken_ref("team", team.name.as_str(), &team.source),
        "team",
    )
    .await?;
    let mut added: HashMap<String, Timestamp> = HashMap::new();
    for row in query("SELECT user_name, added_at FROM team_members WHERE team_id = $1")
        .bind(team_id)
        .fetch_all(conn)
        .await?
    {
        let read = Reader::new(&row, "team_members");
        added.insert(read.text("user_name")?, read.time("added_at")?);
    }
    query("DELETE FROM team_members WHERE team_id = $1")
        .bind(team_id)
        .execute(conn)
        .await?;
    for member in &team.members {
        query(
            "INSERT INTO team_members (team_id, user_name, display_name, email, source,
                                       source_ref, added_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(team_id)
        .bind(&member.user)
        .bind(&member.display_name)
        .bind(&member.email)
        .bind(member.source.kind())
        .bind(member.source.entity_ref())
        .bind(added.get(&member.user).copied().unwrap_or(at))
        .insert(
            conn,
            &format!(
                "member {} of team {} (listed twice)",
                member.user, team.name
            ),
            "team",
        )
        .await?;
    }
    Ok(())
}

async fn put_system<C: Connection + ?Sized>(
    conn: &mut C,
    system: &System,
    at: Timestamp,
) -> StoreResult<()> {
    query(
        "INSERT INTO systems (name, title, description, owner, domain, source, source_ref,
                              created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (name) DO UPDATE SET
             title = excluded.title, description = excluded.description,
             owner = excluded.owner, domain = excluded.domain, source = excluded.source,
             source_ref = excluded.source_ref, updated_at = excluded.updated_at",
    )
    .bind(system.name.as_str())
    .bind(&system.title)
    .bind(&system.description)
    .bind(system.owner.as_ref().map(TeamName::as_str))
    .bind(&system.domain)
    .bind(system.source.kind())
    .bind(system.source.entity_ref())
    .bind(at)
    .bind(at)
    .insert(
        conn,
        &taken_ref("system", system.name.as_str(), &system.source),
        "system",
    )
    .await?;
    Ok(())
}

async fn put_service<C: Connection + ?Sized>(
    conn: &mut C,
    service: &Service,
    at: Timestamp,
) -> StoreResult<()> {
    query(
        "INSERT INTO services (name, title, description, owner, tier, data_classification,
                               repository_url, on_call, security_champion, lifecycle, system,
                               component_type, source, source_ref, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (name) DO UPDATE SET
             title = excluded.title, description = excluded.description,
             owner = excluded.owner, tier = excluded.tier,
             data_classification = excluded.data_classification,
             repository_url = excluded.repository_url, on_call = excluded.on_call,
             security_champion = excluded.security_champion, lifecycle = excluded.lifecycle,
             system = excluded.system, component_type = excluded.component_type,
             source = excluded.source, source_ref = excluded.source_ref,
             updated_at = excluded.updated_at",
    )
    .bind(service.name.as_str())
    .bind(&service.title)
    .bind(&service.description)
    .bind(service.owner.as_ref().map(TeamName::as_str))
    .bind(service.tier.map(i64::from))
    .bind(service.data_classification.map(DataClassification::as_str))
    .bind(&service.repository_url)
    .bind(&service.on_call)
    .bind(&service.security_champion)
    .bind(&service.lifecycle)
    .bind(&service.system)
    .bind(&service.component_type)
    .bind(service.source.kind())
    .bind(service.source.entity_ref())
    .bind(at)
    .bind(at)
    .insert(
        conn,
        &taken_ref("service", service.name.as_str(), &service.source),
        "service",
    )
    .await?;
    Ok(())
}

/// `Store::catalog`.
pub async fn catalog(db: &dyn Database) -> StoreResult<Catalog> {
    let mut tx = db.read().await?;
    let catalog = read_catalog(&mut *tx).await?;
    tx.commit().await?;
    Ok(catalog)
}

/// `Store::update_catalog`.
pub async fn update_catalog(
    db: &dyn Database,
    decide: CatalogDecide<'_>,
) -> StoreResult<Result<CatalogApplied, DecisionError>> {
    let mut tx = db.write().await?;
    let current = read_catalog(&mut *tx).await?;
    let CatalogUpdate { changes, audit } = match decide(&current) {
        Ok(update) => update,
        Err(refusal) => {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
    };
    if changes.is_empty() {
        let head = crate::audit_head(&mut *tx).await?;
        tx.rollback().await?;
        return Ok(Ok(CatalogApplied {
            audit: head,
            changed: 0,
        }));
    }
    let at = audit.at;
    for change in &changes {
        match change {
            CatalogChange::PutTeam(team) => put_team(&mut *tx, team, at).await?,
            CatalogChange::PutSystem(system) => put_system(&mut *tx, system, at).await?,
            CatalogChange::PutService(service) => put_service(&mut *tx, service, at).await?,
        }
    }
    let head = append_audit(&mut *tx, audit).await?;
    tx.commit().await?;
    Ok(Ok(CatalogApplied {
        audit: head,
        changed: changes.len(),
    }))
}

/// `Store::teams_of_user`, sorted by name in byte order.
pub async fn teams_of_user(db: &dyn Database, user: &str) -> StoreResult<Vec<TeamName>> {
    let mut conn = db.connection().await?;
    let mut names = query(
        "SELECT teams.name FROM team_members JOIN teams ON teams.id = team_members.team_id
         WHERE team_members.user_name = $1",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        let read = Reader::new(row, "teams");
        read.checked("name", TeamName::parse)
    })
    .collect::<StoreResult<Vec<_>>>()?;
    names.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    Ok(names)
}
