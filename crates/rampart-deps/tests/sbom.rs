//! SBOM uploads: every shared SBOM fixture parses to the packages it lists,
//! and refused or hostile documents fail with a clear error, never a panic.

use std::path::PathBuf;

use rampart_core::{ComponentVersion, Ecosystem, Purl};
use rampart_deps::sbom::{self, Sbom, SbomError, SbomFormat};

fn fixture(name: &str) -> Option<(PathBuf, Vec<u8>)> {
    let path = rampart_fixtures::sub("interop/sbom")?.join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some((path, bytes))
}

fn load(name: &str) -> Option<Sbom> {
    let (path, bytes) = fixture(name)?;
    Some(sbom::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The component with this canonical name, which must be there once.
fn find<'a>(sbom: &'a Sbom, ecosystem: &Ecosystem, name: &str) -> &'a sbom::SbomComponent {
    let found: Vec<_> = sbom
        .components
        .iter()
        .filter(|c| c.component.ecosystem == *ecosystem && c.component.name == name)
        .collect();
    assert_eq!(found.len(), 1, "{ecosystem} {name}: {found:?}");
    found[0]
}

#[test]
fn every_fixture_is_read() {
    let Some(dir) = rampart_fixtures::sub("interop/sbom") else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    // The per-file tests below name each of these; a new fixture needs one.
    assert_eq!(
        names,
        [
            "cdx-1.4-laravel-composer.cdx.json",
            "cdx-1.5-requirements-hashes-pypi.cdx.json",
            "cdx-1.6-pipenv-pypi.cdx.json",
            "cdx-1.7-trivy-npm-with-vulns.cdx.json",
            "spdx-2.3-acme-npm.spdx.json",
            "spdx-2.3-example11.spdx.json",
            "spdx-2.3-sbom-with-security-maven.spdx.json",
        ]
    );
    for name in names {
        let sbom = load(&name).unwrap();
        assert!(!sbom.components.is_empty(), "{name} yields nothing");
        for c in &sbom.components {
            // The PURL the lockfile extractors would build for the same
            // package names the same package (its spelling may differ:
            // `pkg:pypi/boolean.py` vs `boolean-py`, `pkg:alpine/…` vs
            // `pkg:apk/alpine/…`).
            if let Some(built) = c.component.purl() {
                let reparsed = Purl::parse(built.as_str()).unwrap();
                assert_eq!(reparsed.package(), c.purl.package(), "{name}: {c:?}");
                assert_eq!(reparsed.version, c.purl.version, "{name}: {c:?}");
            }
        }
    }
}

#[test]
fn cyclonedx_1_4_composer() {
    let Some(sbom) = load("cdx-1.4-laravel-composer.cdx.json") else {
        return;
    };
    assert_eq!(sbom.format, SbomFormat::CycloneDx);
    assert_eq!(sbom.spec_version, "1.4");
    assert_eq!(sbom.components.len(), 62);
    assert!(sbom.skipped.is_empty());
    assert_eq!(
        sbom.tool.as_deref(),
        Some("cyclonedx cyclonedx-php-composer in-dev")
    );
    assert_eq!(
        sbom.subject.as_deref(),
        Some("cyclonedx-php-composer-demo@dev-master")
    );
    let framework = find(&sbom, &Ecosystem::Packagist, "laravel/framework");
    assert_eq!(framework.version(), Some("v7.30.6"));
    assert_eq!(framework.purl.namespace.as_deref(), Some("laravel"));
    assert!(framework.reference.is_some());
    assert!(sbom.declared_vulnerabilities.is_empty());
}

#[test]
fn cyclonedx_1_5_pypi_without_version_is_unresolved() {
    let Some(sbom) = load("cdx-1.5-requirements-hashes-pypi.cdx.json") else {
        return;
    };
    assert_eq!(sbom.spec_version, "1.5");
    assert_eq!(sbom.components.len(), 5);
    let colorama = find(&sbom, &Ecosystem::PyPI, "colorama");
    assert_eq!(
        colorama.component.version,
        ComponentVersion::Unresolved {
            requirement: String::new()
        }
    );
    assert_eq!(
        colorama.purl.qualifier("download_url"),
        Some("https://github.com/tartley/colorama/archive/refs/tags/0.4.6.tar.gz")
    );
    // PEP 503: the PURL says `fooproject`, the document's name `FooProject`.
    assert_eq!(
        find(&sbom, &Ecosystem::PyPI, "fooproject").version(),
        Some("1.2")
    );
    assert_eq!(
        find(&sbom, &Ecosystem::PyPI, "urllib3").version(),
        Some("2.2.0")
    );
}

#[test]
fn cyclonedx_1_6_pipenv() {
    let Some(sbom) = load("cdx-1.6-pipenv-pypi.cdx.json") else {
        return;
    };
    assert_eq!(sbom.spec_version, "1.6");
    assert_eq!(sbom.components.len(), 25);
    assert_eq!(sbom.subject.as_deref(), Some("with-extras@0.1.0"));
    assert!(
        sbom.tool
            .as_deref()
            .is_some_and(|t| t.contains("cyclonedx-py")),
        "{:?}",
        sbom.tool
    );
    assert_eq!(
        find(&sbom, &Ecosystem::PyPI, "boolean-py").version(),
        Some("4.0")
    );
    assert!(
        sbom.components
            .iter()
            .all(|c| c.component.ecosystem == Ecosystem::PyPI)
    );
}

#[test]
fn cyclonedx_1_7_trivy_with_vulnerabilities() {
    let Some(sbom) = load("cdx-1.7-trivy-npm-with-vulns.cdx.json") else {
        return;
    };
    assert_eq!(sbom.spec_version, "1.7");
    assert_eq!(sbom.components.len(), 12);
    assert_eq!(sbom.skipped.len(), 1);
    assert_eq!(sbom.skipped[0].name, "package-lock.json");
    assert!(
        sbom.skipped[0].reason.contains("application"),
        "{:?}",
        sbom.skipped
    );
    assert_eq!(sbom.tool.as_deref(), Some("aquasecurity trivy dev"));
    assert_eq!(sbom.subject.as_deref(), Some("testdata/fixtures/repo/npm"));
    assert_eq!(
        find(&sbom, &Ecosystem::Npm, "jquery").version(),
        Some("3.3.9")
    );
    let vulns = &sbom.declared_vulnerabilities;
    assert_eq!(vulns.len(), 1, "{vulns:?}");
    assert_eq!(vulns[0].id, "CVE-2019-11358");
    assert_eq!(vulns[0].source.as_deref(), Some("ghsa"));
    assert_eq!(
        vulns[0].affects,
        [Purl::parse("pkg:npm/jquery@3.3.9").unwrap().to_purl()]
    );
}

#[test]
fn spdx_acme_keeps_the_alpine_purl_and_security_refs() {
    let Some(sbom) = load("spdx-2.3-acme-npm.spdx.json") else {
        return;
    };
    assert_eq!(sbom.format, SbomFormat::Spdx);
    assert_eq!(sbom.spec_version, "2.3");
    assert_eq!(sbom.components.len(), 2);
    let skipped: Vec<&str> = sbom.skipped.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(skipped, ["Acme Applcation@2.3", "alpine@latest"]);
    assert!(sbom.skipped.iter().all(|s| s.reason.contains("purl")));
    assert_eq!(sbom.subject.as_deref(), Some("Acme Applcation@2.3"));
    assert_eq!(
        sbom.tool.as_deref(),
        Some("Organization: ExampleCodeInspect (), Person: Jane Doe ()")
    );
    let openssl = find(&sbom, &Ecosystem::Alpine, "openssl");
    assert_eq!(openssl.version(), Some("3.0.4"));
    assert_eq!(openssl.purl.purl_type, "alpine");
    assert_eq!(
        openssl.canonical_purl().as_str(),
        "pkg:alpine/openssl@3.0.4"
    );
    assert_eq!(
        find(&sbom, &Ecosystem::Npm, "elliptic").version(),
        Some("6.5.2")
    );

    let vulns: Vec<(&str, Vec<&str>)> = sbom
        .declared_vulnerabilities
        .iter()
        .map(|v| (v.id.as_str(), v.affects.iter().map(Purl::as_str).collect()))
        .collect();
    assert_eq!(
        vulns,
        [
            ("CVE-2020-28498", vec!["pkg:npm/elliptic@6.5.2"]),
            ("CVE-2022-2274", vec!["pkg:alpine/openssl@3.0.4"]),
        ]
    );
    assert_eq!(
        sbom.declared_vulnerabilities[0].source.as_deref(),
        Some("https://nvd.nist.gov/vuln/detail/CVE-2020-28498")
    );
}

#[test]
fn spdx_example11_deb_with_arch_and_cargo() {
    let Some(sbom) = load("spdx-2.3-example11.spdx.json") else {
        return;
    };
    assert_eq!(sbom.components.len(), 4);
    assert!(sbom.skipped.is_empty());
    assert_eq!(sbom.tool.as_deref(), Some("sigs.k8s.io/bom/pkg/spdx"));
    assert_eq!(sbom.subject.as_deref(), Some("hello-server-src@0.1.0"));
    let deb = find(&sbom, &Ecosystem::Debian, "libselinux1-dev");
    assert_eq!(deb.version(), Some("3.1-3"));
    assert_eq!(deb.purl.qualifier("arch"), Some("s390x"));
    assert_eq!(
        deb.reference.as_deref(),
        Some("SPDXRef-Package-hello-server-src")
    );
    assert_eq!(deb.component.location.path, "packages/0");
    assert_eq!(
        find(&sbom, &Ecosystem::CratesIo, "pretty_env_logger").version(),
        Some("0.4.0")
    );
    assert_eq!(
        find(&sbom, &Ecosystem::CratesIo, "hyper").version(),
        Some("0.14")
    );
}

#[test]
fn spdx_security_maven_group_and_artifact() {
    let Some(sbom) = load("spdx-2.3-sbom-with-security-maven.spdx.json") else {
        return;
    };
    assert_eq!(sbom.components.len(), 2);
    assert_eq!(sbom.subject.as_deref(), Some("tools-java@1.5.1"));
    assert_eq!(
        sbom.tool.as_deref(),
        Some("Person: Gary O'Neall (gary@sourceauditor.com)")
    );
    let xlsx = find(&sbom, &Ecosystem::Maven, "org.webjars.npm:xlsx");
    assert_eq!(xlsx.version(), Some("0.16.6"));
    // A GitHub repository is not a GitHub Action: kept, under its PURL type.
    let repo = find(
        &sbom,
        &Ecosystem::Other("purl:github".into()),
        "spdx/tools-java",
    );
    assert_eq!(
        repo.version(),
        Some("2235d5d7f7fe46ce1e0d54b7831c5681633b25cc")
    );
    let ids: Vec<&str> = sbom
        .declared_vulnerabilities
        .iter()
        .map(|v| v.id.as_str())
        .collect();
    assert_eq!(ids, ["CVE-2021-32012"]);
    assert_eq!(
        sbom.declared_vulnerabilities[0].affects[0].as_str(),
        "pkg:maven/org.webjars.npm/xlsx@0.16.6"
    );
}

#[test]
fn nested_cyclonedx_components_are_walked() {
    let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.2","components":[
        {"type":"application","name":"app","components":[
            {"type":"library","name":"core","group":"@babel","purl":"pkg:npm/%40babel/core@7.0.0","scope":"optional",
             "components":[{"type":"library","name":"x","purl":"pkg:cargo/x@1"}]}]},
        {"type":"library","name":"bad","purl":"npm/bad@1"}]}"#;
    let sbom = sbom::parse(doc).unwrap();
    let names: Vec<(&str, &str)> = sbom
        .components
        .iter()
        .map(|c| {
            (
                c.component.name.as_str(),
                c.component.location.path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("@babel/core", "components/0/components/0"),
            ("x", "components/0/components/0/components/0"),
        ]
    );
    assert_eq!(sbom.components[0].component.groups, ["optional"]);
    let skipped: Vec<(&str, &str)> = sbom
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("app", "application entry without a PURL"),
            (
                "bad",
                "invalid PURL `npm/bad@1`: a package URL must start with `pkg:`"
            ),
        ]
    );
}

#[test]
fn refused_documents_say_why() {
    let unsupported = |doc: &[u8], needle: &str| match sbom::parse(doc) {
        Err(SbomError::Unsupported(msg)) => assert!(msg.contains(needle), "{msg}"),
        other => panic!("{}: {other:?}", String::from_utf8_lossy(doc)),
    };
    unsupported(
        br#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>"#,
        "XML",
    );
    unsupported(
        b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n",
        "tag-value",
    );
    unsupported(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.1"}"#,
        "\"1.1\"",
    );
    unsupported(
        br#"{"bomFormat":"CycloneDX","specVersion":"2.0"}"#,
        "\"2.0\"",
    );
    unsupported(br#"{"spdxVersion":"SPDX-2.1"}"#, "SPDX-2.1");
    unsupported(br#"{"spdxVersion":"SPDX-3.0"}"#, "SPDX-3.0");
    unsupported(
        br#"{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}"#,
        "SPDX 3",
    );
    unsupported(br#"{"bomFormat":"SWID"}"#, "bomFormat");
    unsupported(br#"{"name":"x"}"#, "neither");

    let malformed = |doc: &[u8], needle: &str| match sbom::parse(doc) {
        Err(SbomError::Malformed(msg)) => assert!(msg.contains(needle), "{msg}"),
        other => panic!("{}: {other:?}", String::from_utf8_lossy(doc)),
    };
    malformed(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","compo"#,
        "invalid JSON",
    );
    malformed(br#"{"bomFormat":"CycloneDX"}"#, "`specVersion` is missing");
    malformed(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":{}}"#,
        "`components` must be an array",
    );
    malformed(
        br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"purl":7}]}"#,
        "`components/0.purl` must be a string",
    );
    malformed(
        br#"{"spdxVersion":"SPDX-2.3","packages":[{"externalRefs":[{"referenceLocator":[]}]}]}"#,
        "`packages[0].externalRefs[0].referenceLocator` must be a string",
    );
    malformed(b"[1,2]", "not a JSON object");
    malformed(b"", "not a JSON object");
    if let Some((_, bytes)) = fixture("spdx-2.3-acme-npm.spdx.json") {
        malformed(&bytes[..bytes.len() / 2], "invalid JSON");
    }
}

#[test]
fn limits_hold() {
    let mut nested = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":"#);
    for _ in 0..40 {
        nested.push_str(r#"[{"name":"n","components":"#);
    }
    nested.push_str("[]");
    for _ in 0..40 {
        nested.push_str("}]");
    }
    nested.push('}');
    assert_eq!(
        sbom::parse(nested.as_bytes()),
        Err(SbomError::TooDeep {
            limit: sbom::MAX_NESTING
        })
    );

    let entry = r#"{"name":"a","purl":"pkg:npm/a@1"},"#;
    let mut many = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#);
    many.push_str(&entry.repeat(sbom::MAX_COMPONENTS));
    many.push_str(r#"{"name":"last"}]}"#);
    assert_eq!(
        sbom::parse(many.as_bytes()),
        Err(SbomError::TooManyComponents {
            limit: sbom::MAX_COMPONENTS
        })
    );

    let huge = vec![b' '; sbom::MAX_BYTES + 1];
    assert!(matches!(
        sbom::parse(&huge),
        Err(SbomError::TooLarge { .. })
    ));
}

#[test]
fn hostile_input_never_panics() {
    let mut samples: Vec<Vec<u8>> = vec![
        br#"{"bomFormat":"CycloneDX","specVersion":"1.7","vulnerabilities":[{"id":"X","affects":[{"ref":"nope"},{"ref":5}]}]}"#.to_vec(),
        br#"{"bomFormat":"CycloneDX","specVersion":"1.7","metadata":{"tools":7}}"#.to_vec(),
        br#"{"spdxVersion":"SPDX-2.2","documentDescribes":[1],"packages":[1]}"#.to_vec(),
        br#"{"spdxVersion":"SPDX-2.2","packages":[{"externalRefs":[{"referenceCategory":"PACKAGE_MANAGER","referenceType":"purl","referenceLocator":"pkg:%ff/%"}]}]}"#.to_vec(),
        b"\xEF\xBB\xBF{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.3\"}".to_vec(),
        b"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"components\":[{\"purl\":\"pkg:npm/\xff\"}]}".to_vec(),
        "{\"a\":[".repeat(100_000).into_bytes(),
    ];
    if let Some(dir) = rampart_fixtures::sub("interop/sbom") {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                samples.push(std::fs::read(path).unwrap());
            }
        }
    }
    for sample in samples {
        let _ = sbom::parse(&sample);
        // Every prefix (sampled) and a few byte flips.
        let step = (sample.len() / 200).max(1);
        for end in (0..sample.len()).step_by(step) {
            let _ = sbom::parse(&sample[..end]);
        }
        for at in (0..sample.len()).step_by(step * 7) {
            let mut flipped = sample.clone();
            flipped[at] ^= 0x5a;
            let _ = sbom::parse(&flipped);
        }
    }
}
