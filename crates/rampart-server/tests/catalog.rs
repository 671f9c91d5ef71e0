//! The service catalog through the API and the web pages: teams and
//! services with their owners, who may change what, the Backstage import
//! of the shared fixtures (and that a re-import changes nothing), and the
//! audit trail of every change.

mod common;

use common::web::{form_post, page, sign_in, text};
use common::{Harness, expect};
use rampart_incident::GlobalRole;
use rampart_store::Store;
use serde_json::{Value, json};

async fn harness() -> Harness {
    let mut h = Harness::new().await;
    for (name, role) in [
        ("ada", GlobalRole::Admin),
        ("sam", GlobalRole::Security),
        ("eve", GlobalRole::Engineer),
        ("finn", GlobalRole::Engineer),
        ("vic", GlobalRole::Viewer),
    ] {
        h.user(name, role).await;
    }
    expect(
        &h.post(
            "sam",
            "/api/v1/teams",
            json!({"name": "payments", "display_name": "Payments", "members": ["eve"]}),
        )
        .await,
        201,
    );
    h
}

/// The Backstage fixture files as an import request, or `None` (loudly)
/// without the fixtures.
fn fixture_files() -> Option<Value> {
    let dir = rampart_fixtures::sub("interop/backstage")?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    Some(Value::Array(
        files
            .iter()
            .map(|path| {
                json!({"name": path.file_name().unwrap().to_string_lossy(),
                       "content": std::fs::read_to_string(path).unwrap()})
            })
            .collect(),
    ))
}

async fn audit_actions(h: &Harness) -> Vec<String> {
    let verify = h.get("ada", "/api/v1/audit/verify").await;
    expect(&verify, 200);
    let links = h.store.audit_links(0, 10_000).await.unwrap();
    links
        .iter()
        .map(|link| {
            let event: Value = serde_json::from_str(&link.event).unwrap();
            event["action"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn services_have_owners_and_engineers_edit_only_their_teams() {
    let h = harness().await;
    // Security adds a service for the payments team.
    let created = h
        .post(
            "sam",
            "/api/v1/services",
            json!({"name": "checkout", "owner": "payments", "tier": 1, "data_classification": "Restricted",
                   "lifecycle": "Production", "repository_url": "https://git.example/checkout"}),
        )
        .await;
    expect(&created, 201);
    assert_eq!(created.body["owner"], "payments");
    assert_eq!(created.body["data_classification"], "restricted");
    assert_eq!(created.body["lifecycle"], "production");
    assert_eq!(created.body["source"]["kind"], "manual");
    // Bad values are named.
    for (body, field) in [
        (json!({"name": "bad name"}), "name"),
        (json!({"name": "x", "tier": 5}), "tier"),
        (
            json!({"name": "x", "data_classification": "secret"}),
            "data_classification",
        ),
        (json!({"name": "x", "owner": "nobody-team"}), "owner"),
        (json!({"name": "x", "colour": "red"}), "colour"),
    ] {
        let answer = h.post("sam", "/api/v1/services", body).await;
        expect(&answer, 422);
        assert_eq!(answer.body["error"]["field"], field, "{}", answer.body);
    }
    expect(
        &h.post("sam", "/api/v1/services", json!({"name": "checkout"}))
            .await,
        409,
    );
    // Eve (payments) edits her team's service, but may not hand it away.
    let edited = h
        .patch(
            "eve",
            "/api/v1/services/checkout",
            json!({"on_call": "pagerduty:PAY", "tier": null}),
        )
        .await;
    expect(&edited, 200);
    assert_eq!(edited.body["on_call"], "pagerduty:PAY");
    assert!(edited.body["tier"].is_null());
    expect(
        &h.patch("eve", "/api/v1/services/checkout", json!({"owner": null}))
            .await,
        403,
    );
    // Finn is not in payments; the viewer changes nothing.
    expect(
        &h.patch("finn", "/api/v1/services/checkout", json!({"tier": 2}))
            .await,
        403,
    );
    expect(
        &h.patch("vic", "/api/v1/services/checkout", json!({"tier": 2}))
            .await,
        403,
    );
    expect(
        &h.post(
            "finn",
            "/api/v1/services",
            json!({"name": "x", "owner": "payments"}),
        )
        .await,
        403,
    );
    expect(
        &h.post(
            "eve",
            "/api/v1/services",
            json!({"name": "refunds", "owner": "payments"}),
        )
        .await,
        201,
    );
    // The same values again is a conflict, not a silent no-op write.
    expect(
        &h.patch(
            "eve",
            "/api/v1/services/checkout",
            json!({"on_call": "pagerduty:PAY"}),
        )
        .await,
        409,
    );
    // Everyone signed in reads the catalog; lists filter by team.
    let list = h.get("vic", "/api/v1/services?team=payments").await;
    expect(&list, 200);
    let names: Vec<_> = list.body["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["checkout", "refunds"]);
    let team = h.get("vic", "/api/v1/teams/payments").await;
    assert_eq!(team.body["services"], json!(["checkout", "refunds"]));
    assert_eq!(team.body["members"][0]["user"], "eve");
    expect(&h.get("vic", "/api/v1/services/missing").await, 404);
    let actions = audit_actions(&h).await;
    assert_eq!(actions.iter().filter(|a| *a == "service.create").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "service.update").count(), 1);
    assert_eq!(actions.iter().filter(|a| *a == "team.create").count(), 1);
}

#[tokio::test]
async fn team_members_added_in_rampart_are_replaced_and_imported_ones_kept() {
    let h = harness().await;
    let team = h
        .patch(
            "sam",
            "/api/v1/teams/payments",
            json!({"members": ["finn", "eve", "finn"]}),
        )
        .await;
    expect(&team, 200);
    let members: Vec<_> = team.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["eve", "finn"]);
    expect(
        &h.patch("eve", "/api/v1/teams/payments", json!({"members": []}))
            .await,
        403,
    );
    expect(
        &h.patch(
            "sam",
            "/api/v1/teams/payments",
            json!({"members": ["not a login"]}),
        )
        .await,
        422,
    );
    expect(
        &h.post("sam", "/api/v1/teams", json!({"name": "payments"}))
            .await,
        409,
    );
}

#[tokio::test]
async fn the_backstage_fixtures_import_and_a_reimport_changes_nothing() {
    let Some(files) = fixture_files() else { return };
    let h = harness().await;
    let before = audit_actions(&h).await.len();
    // A dry run reports and writes nothing.
    let dry = h
        .post(
            "sam",
            "/api/v1/catalog/import",
            json!({"files": files, "dry_run": true}),
        )
        .await;
    expect(&dry, 200);
    assert_eq!(dry.body["dry_run"], true);
    assert_eq!(audit_actions(&h).await.len(), before);
    expect(&h.get("sam", "/api/v1/services/artist-lookup").await, 404);
    let first = h
        .post("sam", "/api/v1/catalog/import", json!({"files": files}))
        .await;
    expect(&first, 200);
    assert!(
        first.body["changed"].as_u64().unwrap() >= 4,
        "{}",
        first.body
    );
    let report = &first.body["report"];
    assert!(
        !report["skipped"].as_array().unwrap().is_empty(),
        "the Domain and the API are skipped"
    );
    assert!(
        report["warnings"].to_string().contains("maintainers"),
        "{report}"
    );
    let service = h.get("eve", "/api/v1/services/artist-lookup").await;
    expect(&service, 200);
    assert_eq!(service.body["owner"], "team-a");
    assert_eq!(service.body["system"], "artist-engagement-portal");
    assert_eq!(service.body["source"]["kind"], "backstage");
    let demo = h.get("eve", "/api/v1/services/backstage-demo").await;
    assert_eq!(
        demo.body["repository_url"],
        "https://github.com/backstage/demo"
    );
    assert!(
        demo.body["owner"].is_null(),
        "its owner team is not in the import"
    );
    let team = h.get("eve", "/api/v1/teams/team-a").await;
    assert_eq!(team.body["members"].as_array().unwrap().len(), 4);
    let systems = h.get("eve", "/api/v1/systems").await;
    assert_eq!(
        systems.body["systems"][0]["name"],
        "artist-engagement-portal"
    );
    let after_first = audit_actions(&h).await;
    assert_eq!(
        after_first
            .iter()
            .filter(|a| *a == "catalog.import")
            .count(),
        1
    );
    // The same files again: nothing changes, nothing is audited.
    let again = h
        .post("sam", "/api/v1/catalog/import", json!({"files": files}))
        .await;
    expect(&again, 200);
    assert_eq!(again.body["changed"], 0);
    assert!(
        again.body["report"]["created"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(audit_actions(&h).await.len(), after_first.len());
    // Engineers and viewers do not import.
    expect(
        &h.post("eve", "/api/v1/catalog/import", json!({"files": files}))
            .await,
        403,
    );
}

#[tokio::test]
async fn broken_catalog_files_are_refused_with_their_place_and_change_nothing() {
    let h = harness().await;
    let broken = json!([{"name": "broken.yaml", "content": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\n"}]);
    let answer = h
        .post("sam", "/api/v1/catalog/import", json!({"files": broken}))
        .await;
    expect(&answer, 422);
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("broken.yaml"),
        "{}",
        answer.body
    );
    let many = "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n"
        .repeat(10_001);
    let answer = h
        .post(
            "sam",
            "/api/v1/catalog/import",
            json!({"files": [{"name": "many.yaml", "content": many}]}),
        )
        .await;
    // Over the request-body limit before the document limit: either way refused.
    assert!(matches!(answer.status.as_u16(), 413), "{}", answer.status);
    let list = h.get("sam", "/api/v1/services").await;
    assert!(list.body["services"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_catalog_pages_list_services_and_teams_and_import_through_the_api() {
    let h = harness().await;
    expect(
        &h.post(
            "sam",
            "/api/v1/services",
            json!({"name": "checkout", "owner": "payments", "title": "<Checkout & pay>"}),
        )
        .await,
        201,
    );
    expect(
        &h.post("sam", "/api/v1/services", json!({"name": "legacy-batch"}))
            .await,
        201,
    );
    let vic = sign_in(&h, "vic").await;
    let services = text(&h.send(page("/services", Some(&vic.cookie))).await);
    assert!(services.contains(r#"<a href="/services/checkout">checkout</a>"#));
    assert!(services.contains("1 without an owner"));
    assert!(
        !services.contains("Import a Backstage catalog"),
        "viewers are not offered the import"
    );
    let service = text(&h.send(page("/services/checkout", Some(&vic.cookie))).await);
    assert!(
        service.contains("&#60;Checkout &#38; pay&#62;"),
        "escaped: {service}"
    );
    let team = text(&h.send(page("/teams/payments", Some(&vic.cookie))).await);
    assert!(team.contains("eve") && team.contains("checkout"));
    expect(
        &h.send(page("/services/nope", Some(&vic.cookie))).await,
        404,
    );
    // The import form goes through the API's import and its rules.
    let yaml = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: search\nspec:\n  type: team\n  children: []\n";
    let body =
        serde_urlencoded::to_string([("csrf", vic.csrf.as_str()), ("content", yaml)]).unwrap();
    expect(
        &h.send(form_post("/catalog/import", Some(&vic.cookie), &body))
            .await,
        403,
    );
    let sam = sign_in(&h, "sam").await;
    let body =
        serde_urlencoded::to_string([("csrf", sam.csrf.as_str()), ("content", yaml)]).unwrap();
    let answer = h
        .send(form_post("/catalog/import", Some(&sam.cookie), &body))
        .await;
    expect(&answer, 200);
    assert!(
        text(&answer).contains("Imported: 1 entry changed"),
        "{}",
        text(&answer)
    );
    expect(&h.get("sam", "/api/v1/teams/search").await, 200);
    let no_token = serde_urlencoded::to_string([("content", yaml)]).unwrap();
    expect(
        &h.send(form_post("/catalog/import", Some(&sam.cookie), &no_token))
            .await,
        403,
    );
}
