//! `rampart service …` and `rampart team …` against a real server: the
//! Backstage fixtures imported from files, the report a re-import gives,
//! and the catalog listed and edited from the command line.

use crate::site::{Site, ok};

#[test]
fn the_backstage_fixtures_import_from_files_and_reimport_as_unchanged() {
    let Some(dir) = rampart_fixtures::sub("interop/backstage") else {
        return;
    };
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    let mut site = Site::new();
    let sam = site.user_with_token("sam", "security");
    let eve = site.user_with_token("eve", "engineer");
    site.start();
    let s = Some(sam.as_str());
    let mut import = vec!["service", "import"];
    import.extend(files.iter().map(String::as_str));
    let first = ok(&site.run(s, None, &import));
    assert!(first.contains("created (4)"), "{first}");
    assert!(first.contains("service artist-lookup"), "{first}");
    assert!(first.contains("skipped"), "{first}");
    assert!(first.contains("catalog entries changed"), "{first}");
    let again = ok(&site.run(s, None, &import));
    assert!(
        again.contains("created (0)") && again.contains("0 catalog entries changed"),
        "{again}"
    );
    // The engineer reads the catalog but may not import it.
    let e = Some(eve.as_str());
    let list = ok(&site.run(e, None, &["service", "list"]));
    assert!(
        list.contains("artist-lookup") && list.contains("team-a"),
        "{list}"
    );
    assert!(
        list.contains("backstage-demo") && list.contains("(unowned)"),
        "{list}"
    );
    let refused = site.run(e, None, &import);
    assert_eq!(refused.code(), 2, "{}", refused.stderr());
    assert!(
        refused
            .stderr()
            .contains("only admins and the security team"),
        "{}",
        refused.stderr()
    );
    let team = ok(&site.run(e, None, &["team", "show", "team-a"]));
    assert!(
        team.contains("janelle.dawe") && team.contains("artist-lookup"),
        "{team}"
    );
    // Tier and classification are Rampart's to add; a re-import keeps them.
    let edited = ok(&site.run(
        s,
        None,
        &[
            "service",
            "edit",
            "artist-lookup",
            "--tier",
            "1",
            "--classification",
            "confidential",
        ],
    ));
    assert!(edited.contains("tier         1"), "{edited}");
    ok(&site.run(s, None, &import));
    let json = site
        .run(e, None, &["service", "show", "artist-lookup", "--json"])
        .json();
    assert_eq!(json["tier"], 1);
    assert_eq!(json["data_classification"], "confidential");
    assert_eq!(
        json["source"]["entity_ref"],
        "component:default/artist-lookup"
    );
}

#[test]
fn services_and_teams_are_created_and_bad_input_exits_2() {
    let mut site = Site::new();
    let ada = site.user_with_token("ada", "admin");
    site.start();
    let a = Some(ada.as_str());
    ok(&site.run(
        a,
        None,
        &[
            "team",
            "create",
            "payments",
            "--display-name",
            "Payments",
            "--member",
            "ada",
        ],
    ));
    let created = ok(&site.run(
        a,
        None,
        &[
            "service",
            "create",
            "checkout",
            "--owner",
            "payments",
            "--tier",
            "1",
            "--lifecycle",
            "production",
        ],
    ));
    assert!(created.contains("added service checkout"), "{created}");
    let bad = site.run(a, None, &["service", "create", "checkout two"]);
    assert_eq!(bad.code(), 2);
    assert!(bad.stderr().contains("name"), "{}", bad.stderr());
    let unknown = site.run(
        a,
        None,
        &["service", "edit", "checkout", "--clear", "colour"],
    );
    assert_eq!(unknown.code(), 2);
    assert!(
        unknown.stderr().contains("--clear colour"),
        "{}",
        unknown.stderr()
    );
    let cleared = ok(&site.run(a, None, &["service", "edit", "checkout", "--clear", "tier"]));
    assert!(!cleared.contains("tier "), "{cleared}");
    let list = ok(&site.run(a, None, &["service", "list", "--team", "payments"]));
    assert!(list.contains("checkout"), "{list}");
    let missing = site.path("missing.yaml");
    let run = site.run(a, None, &["service", "import", missing.to_str().unwrap()]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("missing.yaml"), "{}", run.stderr());
}
