//! The Backstage import on Backstage's own example files (shared
//! fixtures) and on hand-made edge cases.

use rampart_inventory::{
    BackstageError, Catalog, CatalogChange, EntitySource, EntryKind, ImportPlan, Service,
    ServiceName, Team, TeamName, parse_files, plan_import,
};

/// Every file of the Backstage fixture folder, sorted by name.
fn fixture_files() -> Option<Vec<(String, String)>> {
    let dir = rampart_fixtures::sub("interop/backstage")?;
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "SOURCE.md lists five files");
    Some(files)
}

fn import(files: &[(String, String)], catalog: &Catalog) -> ImportPlan {
    plan_import(&parse_files(files).unwrap(), catalog)
}

/// The catalog after applying `plan` to `catalog`, as the store would.
fn apply(catalog: &Catalog, plan: &ImportPlan) -> Catalog {
    let mut next = catalog.clone();
    for change in &plan.changes {
        match change.clone() {
            CatalogChange::PutTeam(team) => {
                next.teams.retain(|t| t.name != team.name);
                next.teams.push(team);
            }
            CatalogChange::PutSystem(system) => {
                next.systems.retain(|s| s.name != system.name);
                next.systems.push(system);
            }
            CatalogChange::PutService(service) => {
                next.services.retain(|s| s.name != service.name);
                next.services.push(service);
            }
        }
    }
    next
}

fn file(name: &str, content: &str) -> (String, String) {
    (name.to_owned(), content.to_owned())
}

fn service<'a>(catalog: &'a Catalog, name: &str) -> &'a Service {
    catalog
        .service(&ServiceName::parse(name).unwrap())
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn team<'a>(catalog: &'a Catalog, name: &str) -> &'a Team {
    catalog
        .team(&TeamName::parse(name).unwrap())
        .unwrap_or_else(|| panic!("no team {name}"))
}

#[test]
fn backstage_examples_map_onto_the_catalog() {
    let Some(files) = fixture_files() else { return };
    let entities = parse_files(&files).unwrap();
    // 1 System + 1 Component + 1 Domain + 2 (Component, API) + 6 (Group, 5 Users).
    assert_eq!(entities.len(), 11);
    let plan = plan_import(&entities, &Catalog::default());
    let catalog = apply(&Catalog::default(), &plan);
    assert_eq!(catalog.teams.len(), 1);
    assert_eq!(catalog.systems.len(), 1);
    assert_eq!(catalog.services.len(), 2);
    assert_eq!(plan.report.created.len(), 4);
    assert!(plan.report.updated.is_empty() && plan.report.linked.is_empty());

    let lookup = service(&catalog, "artist-lookup");
    assert_eq!(lookup.owner.as_ref().unwrap().as_str(), "team-a");
    assert_eq!(lookup.system.as_deref(), Some("artist-engagement-portal"));
    assert_eq!(lookup.lifecycle.as_deref(), Some("experimental"));
    assert_eq!(lookup.component_type.as_deref(), Some("service"));
    assert_eq!(lookup.description.as_deref(), Some("Artist Lookup"));
    assert_eq!(
        lookup.repository_url, None,
        "buildkite and techdocs are not mapped"
    );
    assert_eq!(
        lookup.source.entity_ref(),
        Some("component:default/artist-lookup")
    );

    let demo = service(&catalog, "backstage-demo");
    assert_eq!(
        demo.repository_url.as_deref(),
        Some("https://github.com/backstage/demo")
    );
    assert_eq!(demo.component_type.as_deref(), Some("website"));
    assert_eq!(
        demo.owner, None,
        "backstage/maintainers is not a known team"
    );
    let unknown_owner: Vec<_> = plan
        .report
        .warnings
        .iter()
        .filter(|w| w.message.contains("group:backstage/maintainers"))
        .collect();
    assert_eq!(unknown_owner.len(), 1, "{:#?}", plan.report.warnings);
    assert_eq!(unknown_owner[0].file, "demo-catalog-info.yaml");
    assert_eq!(unknown_owner[0].entity, "component:default/backstage-demo");

    let system = &catalog.systems[0];
    assert_eq!(system.name.as_str(), "artist-engagement-portal");
    assert_eq!(system.title.as_deref(), Some("Artist Engagement Portal"));
    assert_eq!(system.owner.as_ref().unwrap().as_str(), "team-a");
    assert_eq!(system.domain.as_deref(), Some("artists"));

    let team_a = team(&catalog, "team-a");
    assert_eq!(team_a.display_name, None, "no displayName and no title");
    assert_eq!(team_a.description.as_deref(), Some("Team A"));
    assert_eq!(team_a.email.as_deref(), Some("team-a@example.com"));
    assert_eq!(team_a.parent.as_ref().unwrap().as_str(), "backstage");
    let logins: Vec<_> = team_a.members.iter().map(|m| m.user.as_str()).collect();
    assert_eq!(
        logins,
        ["breanna.davison", "guest", "janelle.dawe", "nigel.manning"]
    );
    let janelle = &team_a.members[2];
    assert_eq!(janelle.display_name.as_deref(), Some("Janelle Dawe"));
    assert_eq!(janelle.email.as_deref(), Some("janelle-dawe@example.com"));
    assert_eq!(team_a.members[0].display_name, None);
    // The two guests (default and development namespaces) are one login.
    let guest_notes: Vec<_> = plan
        .report
        .warnings
        .iter()
        .filter(|w| w.message.contains("login `guest`"))
        .collect();
    assert_eq!(guest_notes.len(), 1, "{:#?}", plan.report.warnings);
    assert_eq!(guest_notes[0].entity, "user:development/guest");
    assert_eq!(guest_notes[0].document, 6);

    let mut skipped: Vec<_> = plan
        .report
        .skipped
        .iter()
        .map(|s| {
            (
                s.file.as_str(),
                s.document,
                s.kind.as_str(),
                s.name.as_str(),
            )
        })
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        [
            ("artists-domain.yaml", 1, "Domain", "artists"),
            ("demo-catalog-info.yaml", 2, "API", "demo-graphql"),
        ]
    );
    assert_eq!(catalog.teams_of("guest").count(), 1);
}

#[test]
fn reimporting_the_same_files_changes_nothing() {
    let Some(files) = fixture_files() else { return };
    let first = import(&files, &Catalog::default());
    let catalog = apply(&Catalog::default(), &first);
    let second = import(&files, &catalog);
    assert!(second.changes.is_empty(), "{:#?}", second.changes);
    assert_eq!(second.report.unchanged.len(), 4);
    assert!(second.report.created.is_empty());
    assert!(second.report.updated.is_empty());
    assert!(second.report.not_in_this_import.is_empty());
}

#[test]
fn a_changed_description_is_one_update_naming_the_field() {
    let Some(files) = fixture_files() else { return };
    let catalog = apply(&Catalog::default(), &import(&files, &Catalog::default()));
    let changed: Vec<_> = files
        .iter()
        .map(|(name, content)| {
            let content =
                content.replace("description: Artist Lookup", "description: Finds artists");
            (name.clone(), content)
        })
        .collect();
    let plan = import(&changed, &catalog);
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].name(), "artist-lookup");
    let [update] = plan.report.updated.as_slice() else {
        panic!("{:#?}", plan.report)
    };
    assert_eq!(update.kind, EntryKind::Service);
    assert_eq!(update.fields.len(), 1);
    assert_eq!(update.fields[0].field, "description");
    assert_eq!(update.fields[0].old, "Artist Lookup");
    assert_eq!(update.fields[0].new, "Finds artists");
}

#[test]
fn a_manual_service_with_the_same_name_is_linked_and_keeps_what_backstage_cannot_say() {
    let Some(files) = fixture_files() else { return };
    let mut manual: Service = serde_json::from_value(serde_json::json!({
        "name": "artist-lookup", "tier": 1, "data_classification": "restricted",
        "on_call": "rota:artists", "description": "old words", "source": {"source": "manual"}
    }))
    .unwrap();
    manual.lifecycle = Some("production".to_owned());
    let catalog = Catalog {
        services: vec![manual],
        ..Catalog::default()
    };
    let plan = import(&files, &catalog);
    let [linked] = plan.report.linked.as_slice() else {
        panic!("{:#?}", plan.report)
    };
    assert_eq!(linked.name, "artist-lookup");
    let fields: Vec<_> = linked.fields.iter().map(|f| f.field.as_str()).collect();
    for field in ["description", "owner", "lifecycle", "source"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let after = apply(&catalog, &plan);
    let lookup = service(&after, "artist-lookup");
    assert_eq!(lookup.tier.unwrap().get(), 1);
    assert_eq!(lookup.on_call.as_deref(), Some("rota:artists"));
    assert_eq!(lookup.lifecycle.as_deref(), Some("experimental"));
    assert!(matches!(lookup.source, EntitySource::Backstage { .. }));
    assert_eq!(plan.report.created.len(), 3);
    assert!(import(&files, &after).changes.is_empty());
}

const TEAM: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  profile:
    displayName: Payments
  members: [ana]
";

#[test]
fn reimport_replaces_imported_members_and_keeps_manual_ones() {
    let catalog = apply(
        &Catalog::default(),
        &import(&[file("t.yaml", TEAM)], &Catalog::default()),
    );
    let mut payments = team(&catalog, "payments").clone();
    assert_eq!(payments.display_name.as_deref(), Some("Payments"));
    payments.members.push(rampart_inventory::TeamMember {
        user: "zoe".to_owned(),
        display_name: None,
        email: None,
        source: EntitySource::Manual,
    });
    let catalog = Catalog {
        teams: vec![payments],
        ..Catalog::default()
    };
    let plan = import(&[file("t.yaml", &TEAM.replace("[ana]", "[bo]"))], &catalog);
    let after = apply(&catalog, &plan);
    let logins: Vec<_> = team(&after, "payments")
        .members
        .iter()
        .map(|m| m.user.as_str())
        .collect();
    assert_eq!(logins, ["bo", "zoe"]);
    assert_eq!(plan.report.updated[0].fields[0].field, "members");

    // Entries imported before but not now are kept and reported.
    let plan = import(
        &[file("other.yaml", &TEAM.replace("payments", "search"))],
        &after,
    );
    assert_eq!(plan.report.not_in_this_import.len(), 1);
    assert_eq!(plan.report.not_in_this_import[0].name, "payments");
    assert!(plan.changes.iter().all(|c| c.name() == "search"));
}

#[test]
fn annotations_map_and_bad_values_are_warnings() {
    let yaml = "apiVersion: backstage.io/v1beta1
kind: Component
metadata:
  name: checkout
  namespace: shop
  annotations:
    rampart.dev/tier: 2
    rampart.dev/data-classification: Confidential
    pagerduty.com/service-id: PX1
    opsgenie.com/team: ignored-because-pagerduty-wins
    rampart.dev/security-champion: ana
    backstage.io/source-location: url:https://git.example.com/shop/checkout/
    gitlab.com/project-slug: ignored/too
spec:
  type: service
  lifecycle: Production
  owner: payments
  system: shop
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: legacy
  annotations:
    rampart.dev/tier: '7'
    rampart.dev/data-classification: secret
    gitlab.com/project-slug: shop/legacy
    opsgenie.com/team: shop
spec:
  owner: user:ana
";
    let plan = import(&[file("c.yaml", yaml)], &Catalog::default());
    let catalog = apply(&Catalog::default(), &plan);
    let checkout = service(&catalog, "checkout@shop");
    assert_eq!(checkout.tier.unwrap().get(), 2);
    assert_eq!(
        checkout.data_classification.unwrap().as_str(),
        "confidential"
    );
    assert_eq!(checkout.on_call.as_deref(), Some("pagerduty:PX1"));
    assert_eq!(checkout.security_champion.as_deref(), Some("ana"));
    assert_eq!(
        checkout.repository_url.as_deref(),
        Some("https://git.example.com/shop/checkout/")
    );
    assert_eq!(checkout.lifecycle.as_deref(), Some("production"));
    assert_eq!(checkout.system.as_deref(), Some("shop@shop"));
    assert_eq!(
        checkout.source.entity_ref(),
        Some("component:shop/checkout")
    );
    assert_eq!(checkout.owner, None);

    let legacy = service(&catalog, "legacy");
    assert_eq!(legacy.tier, None);
    assert_eq!(legacy.data_classification, None);
    assert_eq!(legacy.on_call.as_deref(), Some("opsgenie:shop"));
    assert_eq!(
        legacy.repository_url.as_deref(),
        Some("https://gitlab.com/shop/legacy")
    );
    let messages: Vec<_> = plan
        .report
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(messages[0].contains("group:shop/payments is not a known team"));
    assert!(messages[1].contains("tier `7`"));
    assert!(messages[2].contains("secret"));
    assert!(messages[3].contains("user:default/ana is not a Group"));
}

#[test]
fn an_owner_from_the_existing_catalog_is_known() {
    let catalog = apply(
        &Catalog::default(),
        &import(&[file("t.yaml", TEAM)], &Catalog::default()),
    );
    let yaml = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: pay-api}
spec: {owner: 'group:default/payments'}
";
    let plan = import(&[file("c.yaml", yaml)], &catalog);
    assert!(
        plan.report.warnings.is_empty(),
        "{:#?}",
        plan.report.warnings
    );
    let after = apply(&catalog, &plan);
    assert_eq!(
        service(&after, "pay-api").owner.as_ref().unwrap().as_str(),
        "payments"
    );
}

#[test]
fn namespaces_compare_without_case() {
    let yaml = format!(
        "{}---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: checkout, namespace: Shop}}
spec: {{owner: payments}}
",
        TEAM.replace("name: payments", "name: payments\n  namespace: SHOP")
    );
    let plan = import(&[file("n.yaml", &yaml)], &Catalog::default());
    let messages: Vec<_> = plan.report.warnings.iter().map(|w| &w.message).collect();
    assert_eq!(
        messages,
        ["member user:shop/ana has no User entity in this import; added by name"]
    );
    let catalog = apply(&Catalog::default(), &plan);
    let checkout = service(&catalog, "checkout@shop");
    assert_eq!(checkout.owner.as_ref().unwrap().as_str(), "payments@shop");
    assert_eq!(
        checkout.source.entity_ref(),
        Some("component:shop/checkout")
    );
}

#[test]
fn a_login_annotation_overrides_the_user_name() {
    let yaml = format!(
        "{TEAM}---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ana
  annotations:
    rampart.dev/user: ana.lopez
spec:
  profile: {{displayName: Ana López, email: ana@example.com}}
  memberOf: [payments, ghost-team]
"
    );
    let plan = import(&[file("t.yaml", &yaml)], &Catalog::default());
    let catalog = apply(&Catalog::default(), &plan);
    let members = &team(&catalog, "payments").members;
    assert_eq!(members.len(), 1, "{members:#?}");
    assert_eq!(members[0].user, "ana.lopez");
    assert_eq!(members[0].display_name.as_deref(), Some("Ana López"));
    assert_eq!(members[0].source.entity_ref(), Some("user:default/ana"));
    assert_eq!(plan.report.warnings.len(), 1, "{:#?}", plan.report.warnings);
    assert!(
        plan.report.warnings[0]
            .message
            .contains("group:default/ghost-team")
    );
}

#[test]
fn malformed_yaml_names_file_document_and_line() {
    let yaml = format!("{TEAM}---\napiVersion: backstage.io/v1alpha1\nkind: Component: x\n");
    let err = parse_files(&[file("broken.yaml", &yaml)]).unwrap_err();
    let BackstageError::Document {
        file: name,
        document,
        line,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!((name.as_str(), *document), ("broken.yaml", 2));
    assert_eq!(*line, Some(12), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with("broken.yaml, document 2, line 12: mapping values"),
        "{text}"
    );

    let missing_name =
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  title: x\n";
    let err = parse_files(&[file("a.yaml", missing_name)]).unwrap_err();
    assert!(err.to_string().contains("name"), "{err}");
    assert!(
        err.to_string()
            .starts_with("a.yaml, document 1, line 4: metadata: missing field `name`"),
        "{err}"
    );
}

#[test]
fn other_api_versions_and_kinds_are_skipped_and_empty_documents_ignored() {
    let yaml = "---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 3}
---
# only a comment
---
apiVersion: backstage.io/v1alpha1
kind: Widget
metadata: {name: w}
---
";
    let entities = parse_files(&[file("k8s.yaml", yaml)]).unwrap();
    assert_eq!(entities.len(), 2);
    let plan = plan_import(&entities, &Catalog::default());
    assert!(plan.changes.is_empty());
    let reasons: Vec<_> = plan
        .report
        .skipped
        .iter()
        .map(|s| (s.document, s.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(reasons[0].1.contains("apps/v1"), "{reasons:?}");
    assert_eq!(reasons[1].0, 3);
    assert!(reasons[1].1.contains("unknown kind"), "{reasons:?}");
}

#[test]
fn duplicates_and_invalid_names_are_skipped() {
    let yaml = format!(
        "{TEAM}---\n{TEAM}---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: not a name}}
"
    );
    let plan = import(&[file("d.yaml", &yaml)], &Catalog::default());
    assert_eq!(plan.changes.len(), 1);
    let reasons: Vec<_> = plan
        .report
        .skipped
        .iter()
        .map(|s| s.reason.as_str())
        .collect();
    assert!(reasons[0].contains("d.yaml, document 1"), "{reasons:?}");
    assert!(
        reasons[1].contains("not a valid service name"),
        "{reasons:?}"
    );
}

#[test]
fn hostile_inputs_are_refused_without_panic() {
    let nested = |depth: usize| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: x}}\nspec: {}{}\n",
            "{a: ".repeat(depth),
            "}".repeat(depth)
        )
    };
    // Deeper than serde_norway's 128 levels, cheap enough to parse: refused
    // by the parser, with a line.
    assert!(matches!(
        parse_files(&[file("deep.yaml", &nested(200))]),
        Err(BackstageError::Document { line: Some(4), .. })
    ));
    // Deep enough to make libyaml quadratic: refused before parsing.
    let started = std::time::Instant::now();
    assert_eq!(
        parse_files(&[file("deeper.yaml", &nested(100_000))]),
        Err(BackstageError::TooComplex {
            file: "deeper.yaml".to_owned()
        })
    );
    // Shallow but long: the same cost, the same answer.
    let long = format!("spec: {}{}", "[".repeat(100), "a,".repeat(1_000_000));
    assert!(matches!(
        parse_files(&[file("long.yaml", &long)]),
        Err(BackstageError::TooComplex { .. })
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Brackets in one document do not count against the next.
    let doc =
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x, tags: [a, b]}\n";
    let many_small = format!("---\n{doc}").repeat(9_000);
    assert_eq!(
        parse_files(&[file("many.yaml", &many_small)])
            .unwrap()
            .len(),
        9_000
    );

    let many = "---\n".repeat(rampart_inventory::backstage::MAX_DOCUMENTS + 1);
    assert_eq!(
        parse_files(&[file("many.yaml", &many)]),
        Err(BackstageError::TooManyDocuments {
            max: rampart_inventory::backstage::MAX_DOCUMENTS
        })
    );

    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
";
    let bomb = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: x}}\nspec:\n  {}",
        laughs.replace('\n', "\n  ")
    );
    assert!(parse_files(&[file("bomb.yaml", &bomb)]).is_err());

    let big = "#".repeat(rampart_inventory::backstage::MAX_INPUT_BYTES + 1);
    assert!(matches!(
        parse_files(&[file("big.yaml", &big)]),
        Err(BackstageError::TooLarge { .. })
    ));

    for junk in [
        "",
        "\0",
        "- a\n- b",
        "just text",
        "{a: 1}",
        "!!binary x",
        ": :",
    ] {
        if let Ok(entities) = parse_files(&[file("junk.yaml", junk)]) {
            let _ = plan_import(&entities, &Catalog::default());
        }
    }
}

#[test]
fn the_report_serializes_for_the_api() {
    let Some(files) = fixture_files() else { return };
    let plan = import(&files, &Catalog::default());
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["report"]["created"][0]["kind"], "team");
    assert_eq!(json["changes"][0]["change"], "put_team");
    assert_eq!(json["report"]["skipped"].as_array().unwrap().len(), 2);
}
