//! Parsing and validation of threat model files: the sample is clean, every
//! diagnostic kind points at the exact line and column, hostile input is
//! refused without a panic.

use rampart_threat::{DiagSeverity, ModelError, parse_model, validate};

const SAMPLE: &str = include_str!("../../../examples/threat-models/webshop.yaml");

/// The word starting at a 1-based line and column: tests show what each
/// position points at, so a wrong column is visible in the expectation.
fn word_at(text: &str, line: u32, column: u32) -> String {
    let line = text.lines().nth(line as usize - 1).expect("line exists");
    line.chars()
        .skip(column as usize - 1)
        .take_while(|c| !matches!(c, ',' | ']' | '}' | ' ' | '\r'))
        .collect()
}

/// `line:column code word` for each diagnostic, the part tests pin.
fn diagnostics(text: &str) -> Vec<String> {
    let parsed = parse_model("m.yaml", text).expect("parses");
    validate(&parsed.model, &parsed.source_map)
        .iter()
        .map(|d| {
            let at = d.position.expect("every diagnostic has a position");
            assert!(
                d.to_string()
                    .starts_with(&format!("m.yaml:{}:{}: ", at.line, at.column))
            );
            format!(
                "{}:{} {} {}",
                at.line,
                at.column,
                d.code,
                word_at(text, at.line, at.column)
            )
        })
        .collect()
}

fn parse_error(text: &str) -> String {
    parse_model("m.yaml", text)
        .expect_err("must not parse")
        .to_string()
}

#[test]
fn sample_parses_and_validates_clean() {
    let parsed = parse_model("webshop.yaml", SAMPLE).expect("sample parses");
    let model = &parsed.model;
    assert_eq!(model.title, "Acme Shop");
    assert_eq!(model.data_assets.len(), 7);
    assert_eq!(model.external_entities.len(), 3);
    assert_eq!(model.processes.len(), 5);
    assert_eq!(model.data_stores.len(), 3);
    assert_eq!(model.flows.len(), 11);
    assert_eq!(model.trust_boundaries.len(), 4);
    assert_eq!(model.risk_tracking.len(), 4);
    let found = validate(model, &parsed.source_map);
    assert!(found.is_empty(), "{found:#?}");
    // The second pass sees block and flow style alike.
    let map = &parsed.source_map;
    let api = map.value("/processes/2/id").expect("api id");
    assert_eq!(
        &SAMPLE.lines().nth(api.line as usize - 1).unwrap()[api.column as usize - 1..],
        "api"
    );
    let to = map.value("/flows/0/to").expect("flow-style value");
    assert!(
        SAMPLE.lines().nth(to.line as usize - 1).unwrap()[to.column as usize - 1..]
            .starts_with("cdn,")
    );
}

const HEAD: &str = "version: 1\ntitle: T\ndata_assets:\n  - { id: pii, name: P, confidentiality: high, integrity: low, availability: low }\n";

#[test]
fn duplicate_ids_across_kinds() {
    let text = format!(
        "{HEAD}processes:\n  - id: app\n    name: App\n    processes: [pii]\ndata_stores:\n  - id: db\n    name: DB\n  - name: Again\n    id: app\n"
    );
    assert_eq!(diagnostics(&text), ["13:9 duplicate-id app"]);
    let parsed = parse_model("m.yaml", &text).unwrap();
    let message = validate(&parsed.model, &parsed.source_map)[0].to_string();
    assert!(message.contains("first defined at m.yaml:6:9"), "{message}");
    let assets = "version: 1\ntitle: T\ndata_assets:\n  - { id: pii, name: P, confidentiality: low, integrity: low, availability: low }\n  - { id: pii, name: Q, confidentiality: low, integrity: low, availability: low }\nprocesses:\n  - { id: app, name: A, processes: [pii] }\n";
    assert_eq!(diagnostics(assets), ["5:11 duplicate-id pii"]);
    // Hand-written threats: a repeated id would share one tracking entry
    // and one of the two threats would vanish from the report.
    let threats = format!(
        "{HEAD}processes:\n  - {{ id: app, name: A, processes: [pii] }}\nthreats:\n  - {{ id: t1, target: app, stride: spoofing, title: One, severity: low }}\n  - {{ id: t1, target: app, stride: tampering, title: Two, severity: high }}\n"
    );
    assert_eq!(diagnostics(&threats), ["9:11 duplicate-id t1"]);
}

#[test]
fn flows_to_unknown_elements() {
    let text = format!(
        "{HEAD}processes:\n  - {{ id: app, name: App }}\nflows:\n  - {{ id: f, from: app, to: databse, data: [pii] }}\n  - id: g\n    from: nowhere\n    to: app\n    data: [pii]\n"
    );
    assert_eq!(
        diagnostics(&text),
        [
            "8:29 unknown-element databse",
            "10:11 unknown-element nowhere"
        ]
    );
}

#[test]
fn unknown_assets_in_flows_stores_and_processes() {
    let text = format!(
        "{HEAD}processes:\n  - {{ id: app, name: App, processes: [pii, secret] }}\ndata_stores:\n  - id: db\n    name: DB\n    stores:\n      - orders\nflows:\n  - {{ id: f, from: app, to: db, data: [pii, cards] }}\n"
    );
    assert_eq!(
        diagnostics(&text),
        [
            "13:45 unknown-asset cards",
            "11:9 unknown-asset orders",
            "6:44 unknown-asset secret"
        ]
    );
}

#[test]
fn unused_asset_is_an_error() {
    let text = format!("{HEAD}processes:\n  - {{ id: app, name: App }}\n");
    assert_eq!(diagnostics(&text), ["4:11 unused-asset pii"]);
    let parsed = parse_model("m.yaml", &text).unwrap();
    assert_eq!(
        validate(&parsed.model, &parsed.source_map)[0].severity,
        DiagSeverity::Error
    );
}

const ELEMENTS: &str =
    "version: 1\ntitle: T\nprocesses:\n  - { id: a, name: A }\n  - { id: b, name: B }\n";

#[test]
fn element_in_two_boundaries() {
    let text = format!(
        "{ELEMENTS}trust_boundaries:\n  - {{ id: one, name: One, members: [a, b] }}\n  - id: two\n    name: Two\n    members:\n      - b\n"
    );
    assert_eq!(diagnostics(&text), ["11:9 multiple-parents b"]);
}

#[test]
fn boundary_cycles_and_unknown_members() {
    let text = format!(
        "{ELEMENTS}trust_boundaries:\n  - {{ id: outer, name: O, members: [a, inner] }}\n  - {{ id: inner, name: I, members: [b, outer, ghost] }}\n  - {{ id: me, name: M, members: [me] }}\n"
    );
    assert_eq!(
        diagnostics(&text),
        [
            "8:47 unknown-boundary-member ghost",
            "9:34 boundary-cycle me",
            "8:40 boundary-cycle outer"
        ]
    );
}

#[test]
fn tracking_entries_need_what_their_status_requires() {
    let text = format!(
        "{ELEMENTS}risk_tracking:\n  a@a: {{ status: accepted, expires: 2027-01-01 }}\n  b@b:\n    status: accepted\n    owner: jane\n  c@a: {{ status: accepted, owner: jane, expires: 31.12.2027 }}\n  d@b: {{ status: mitigated }}\n  e@a: {{ status: false_positive }}\n  f@b: {{ status: accepted, owner: jane, expires: 2027-12-31 }}\n  g@a: {{ status: open }}\n"
    );
    assert_eq!(
        diagnostics(&text),
        [
            "7:3 tracking-invalid a@a:",
            "8:3 tracking-invalid b@b:",
            "11:3 tracking-invalid c@a:",
            "12:3 tracking-invalid d@b:",
            "13:3 tracking-invalid e@a:"
        ]
    );
    let parsed = parse_model("m.yaml", &text).unwrap();
    let messages: Vec<String> = validate(&parsed.model, &parsed.source_map)
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert!(messages[0].contains("needs an owner"), "{messages:?}");
    assert!(messages[1].contains("needs an expiry date"), "{messages:?}");
    assert!(messages[2].contains("YYYY-MM-DD"), "{messages:?}");
}

#[test]
fn crossings_and_tracking_targets() {
    let text = "version: 1\ntitle: T\nexternal_entities:\n  - { id: user, name: U, out_of_scope: not ours }\nprocesses:\n  - { id: a, name: A }\n  - { id: b, name: B }\nflows:\n  - { id: f, from: a, to: b, crosses: [outer, line] }\ntrust_boundaries:\n  - { id: outer, name: O, members: [inner] }\n  - { id: inner, name: I, members: [a] }\n  - { id: line, name: L }\nrisk_tracking:\n  stride-spoofing@user: { status: open }\n  no-at-sign: { status: open }\n";
    assert_eq!(
        diagnostics(text),
        [
            "9:40 redundant-crossing outer",
            "16:3 tracking-invalid no-at-sign:",
            "15:3 tracking-out-of-scope stride-spoofing@user:"
        ]
    );
}

#[test]
fn other_reference_errors() {
    let text = format!(
        "{ELEMENTS}flows:\n  - {{ id: loop, from: a, to: a, crosses: [nope] }}\ntrust_boundaries:\n  - {{ id: empty, name: E }}\nthreats:\n  - {{ id: Bad, target: zz, stride: spoofing, title: X, severity: low }}\n"
    );
    assert_eq!(
        diagnostics(&text),
        [
            "7:30 self-flow a",
            "7:43 unknown-boundary nope",
            "9:11 empty-boundary empty",
            "11:11 invalid-id Bad",
            "11:24 unknown-target zz"
        ]
    );
}

#[test]
fn structural_errors_carry_positions() {
    let unknown =
        format!("{ELEMENTS}data_stores:\n  - id: db\n    name: DB\n    encrypted: true\n");
    let error = parse_error(&unknown);
    assert!(error.starts_with("m.yaml:9:5: "), "{error}");
    assert!(error.contains("unknown field `encrypted`"), "{error}");

    let repeated =
        format!("{ELEMENTS}risk_tracking:\n  x@a: {{ status: open }}\n  x@a: {{ status: open }}\n");
    let error = parse_error(&repeated);
    assert!(
        error.contains("duplicate risk_tracking entry \"x@a\""),
        "{error}"
    );
    // serde_norway marks errors raised by a map visitor at the map itself.
    assert!(error.starts_with("m.yaml:7:3: "), "{error}");

    let level = "version: 1\ntitle: T\ndata_assets:\n  - { id: x, name: X, confidentiality: secret, integrity: low, availability: low }\n";
    assert!(
        parse_error(level).starts_with("m.yaml:4:"),
        "{}",
        parse_error(level)
    );
    assert!(parse_error("title: T\n").contains("missing field `version`"));
    assert!(
        parse_error("version: 1\ntitle: T\n---\nversion: 1\ntitle: U\n")
            .contains("more than one document")
    );

    let v2 = "version: 2\ntitle: T\n";
    let parsed = parse_model("m.yaml", v2).unwrap();
    let found = validate(&parsed.model, &parsed.source_map);
    assert_eq!(found.len(), 1);
    // An empty section (`risk_tracking:` with nothing under it) is null.
    let empty = parse_model(
        "m.yaml",
        "version: 1\ntitle: T\nrisk_tracking:\nprocesses:\n",
    );
    assert!(empty.is_ok(), "{empty:?}");

    let without = ModelError::Yaml {
        file: "m.yaml".into(),
        position: None,
        message: "broken".into(),
    };
    assert_eq!(without.to_string(), "m.yaml: broken");
    assert_eq!(
        found[0].to_string(),
        "m.yaml:1:10: error: model version 2 is not supported (expected 1) [unsupported-version] (at /version)"
    );
}

#[test]
fn crlf_line_endings_keep_lines() {
    let text = format!("{HEAD}processes:\n  - {{ id: app, name: App }}\n").replace('\n', "\r\n");
    assert_eq!(diagnostics(&text), ["4:11 unused-asset pii"]);
}

#[test]
fn hostile_input_is_refused_without_panic() {
    let deep = format!(
        "version: 1\ntitle: T\ndescription: {}{}\n",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    assert!(parse_model("m.yaml", &deep).is_err());

    // Unclosed flow collections, the shape that makes libyaml quadratic.
    let unclosed = format!(
        "version: 1\ntitle: T\ndescription: {}\n",
        "[".repeat(200_000)
    );
    assert!(matches!(
        parse_model("m.yaml", &unclosed),
        Err(ModelError::TooComplex { .. })
    ));

    let deep_block: String = (0..2_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    assert!(parse_model("m.yaml", &deep_block).is_err());

    let huge = format!(
        "version: 1\ntitle: T\ndescription: \"{}\"\n",
        "x".repeat(rampart_threat::MAX_INPUT_BYTES)
    );
    assert!(matches!(
        parse_model("m.yaml", &huge),
        Err(ModelError::TooLarge { .. })
    ));

    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let bomb_model = format!("{bomb}version: 1\ntitle: T\nthreats: *a11\n");
    // No field of the model takes nested lists, so typing refuses a bomb
    // before any alias is expanded.
    assert!(
        parse_model("m.yaml", &bomb_model)
            .unwrap_err()
            .to_string()
            .contains("unknown field `a0`")
    );
    let nested = format!(
        "version: 1\ntitle: T\nrisk_tracking: {}\n",
        "{a: ".repeat(3000)
    );
    assert!(parse_model("m.yaml", &nested).is_err());
    // The position pass on its own never expands aliases and keeps no
    // recursion: hostile text gives a bounded map or an empty one.
    for text in [
        &bomb,
        &deep,
        &deep_block,
        &"[".repeat(200_000),
        &"- ".repeat(100_000),
    ] {
        let map = rampart_threat::SourceMap::build("m.yaml", text);
        assert_eq!(map.value("/0"), None);
    }

    for text in [
        "",
        "~",
        "[]",
        "- 1",
        "version: 1",
        "\u{0}",
        "version: 1\ntitle: [",
        "risk_tracking: {? [a]: b}",
    ] {
        assert!(parse_model("m.yaml", text).is_err(), "{text:?}");
    }
}

#[test]
fn every_truncation_of_the_sample_is_handled() {
    for end in (0..=SAMPLE.len()).filter(|end| SAMPLE.is_char_boundary(*end)) {
        let prefix = &SAMPLE[..end];
        if let Ok(parsed) = parse_model("webshop.yaml", prefix) {
            let _ = validate(&parsed.model, &parsed.source_map);
        }
    }
}

#[test]
fn every_single_line_deletion_of_the_sample_is_handled() {
    let lines: Vec<&str> = SAMPLE.split_inclusive('\n').collect();
    let mut reported = 0;
    for skip in 0..lines.len() {
        let text: String = lines
            .iter()
            .enumerate()
            .filter(|(index, _)| *index != skip)
            .map(|(_, line)| *line)
            .collect();
        match parse_model("webshop.yaml", &text) {
            Ok(parsed) => {
                let found = validate(&parsed.model, &parsed.source_map);
                // Positions always come from the second pass on text the
                // first pass accepted.
                assert!(found.iter().all(|d| d.position.is_some()), "{found:?}");
                reported += usize::from(!found.is_empty());
            }
            Err(_) => reported += 1,
        }
    }
    // Removing an id, a flow end or a membership line must be noticed.
    assert!(reported > 40, "{reported}");
}

/// Large models written in flow style (one `{ … }` per element, as the
/// sample model does) are ordinary: the nesting guard must not refuse them.
#[test]
fn large_flow_style_models_parse() {
    let mut text = String::from(
        "version: 1\ntitle: Big\ndata_assets:\n  - { id: pii, name: P, confidentiality: high, integrity: low, availability: low }\nprocesses:\n",
    );
    for i in 0..3_000 {
        text.push_str(&format!(
            "  - {{ id: p{i}, name: \"P [{i}] {{x}}\", tags: [a, b] }}\n"
        ));
    }
    text.push_str("flows:\n");
    for i in 0..3_000 {
        let to = (i + 1) % 3_000;
        text.push_str(&format!(
            "  - {{ id: f{i}, from: p{i}, to: p{to}, protocol: https, data: [pii] }}\n"
        ));
    }
    assert!(text.len() > 300_000);
    let parsed = parse_model("big.yaml", &text).expect("a large flow-style model parses");
    assert_eq!(parsed.model.flows.len(), 3_000);
    // Positions are kept for large files too.
    assert!(parsed.source_map.value("/flows/2999/to").is_some());
}
