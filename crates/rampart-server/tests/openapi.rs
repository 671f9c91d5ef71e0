//! The OpenAPI document: served, version 3.1, every route listed.

mod common;

use common::{Harness, expect};
use rampart_incident::GlobalRole;

#[tokio::test]
async fn the_document_is_served_as_openapi_3_1_and_lists_every_route() {
    let mut h = Harness::new().await;
    h.user("ada", GlobalRole::Admin).await;
    let answer = h
        .call(None, axum::http::Method::GET, "/api/v1/openapi.json", None)
        .await;
    expect(&answer, 200);
    let document = &answer.body;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        document["openapi"]
    );
    assert_eq!(document["info"]["title"], "Rampart API");
    let mut routes = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes.sort();
    insta::assert_snapshot!(routes.join("\n"));
    // Request bodies have real schemas, not bare objects.
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["DeclareIncidentRequest"]["required"],
        serde_json::json!(["title", "severity", "tlp"])
    );
    // One schema per record kind the generic routes accept: every kind but
    // evidence and drafts, which have their own routes.
    let generic = rampart_incident::RecordKind::ALL
        .iter()
        .filter(|kind| !kind.has_own_routes())
        .count();
    assert_eq!(
        schemas["RecordInput"]["oneOf"].as_array().unwrap().len(),
        generic
    );
    let documented: Vec<&str> = schemas["RecordInput"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kind| kind["properties"]["kind"]["enum"][0].as_str().unwrap())
        .collect();
    for kind in rampart_incident::RecordKind::ALL {
        assert_eq!(
            documented.contains(&kind.as_str()),
            !kind.has_own_routes(),
            "{kind}"
        );
    }
    // Every documented route is routed: none answers "no such route".
    for route in &routes {
        let (method, path) = route.split_once(' ').unwrap();
        let answer = h
            .call(
                Some("ada"),
                method.parse().unwrap(),
                &path.replace('{', "x").replace('}', ""),
                None,
            )
            .await;
        assert_ne!(answer.body["error"]["message"], "no such route", "{route}");
    }
    // An unknown route is a JSON 404.
    let unknown = h
        .call(None, axum::http::Method::GET, "/api/v1/nothing", None)
        .await;
    expect(&unknown, 404);
    assert_eq!(unknown.body["error"]["code"], "not_found");
}
