//! Conan's `conan.lock`, in both layouts:
//!
//! - Conan 2 (`"version": "0.5"`): lists of references in `requires`,
//!   `build_requires` and `python_requires`;
//! - Conan 1 (`"version": "0.4"` and older): a graph in
//!   `graph_lock.nodes`, each node with a `ref` (or a `pref`, package
//!   reference, in 0.2/0.3) and a `context` of `host` or `build`.
//!
//! A reference reads `name/version[@user/channel][#recipe_revision][%timestamp]`
//! (a package reference adds `:package_id[#package_revision]`). Tools needed
//! only to build (`build_requires`, nodes in the build context, recipe-time
//! `python_requires`) are put in group `build`.

use rampart_core::{Component, ComponentVersion, Ecosystem, Location};
use serde_json::{Map, Value};

use crate::{ExtractError, ExtractInput, LineIndex};

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let root: Value =
        serde_json::from_str(input.text).map_err(|e| ExtractError::json(input.path, &e))?;
    let Some(root) = root.as_object() else {
        return Err(ExtractError::malformed(
            input.path,
            Some(1),
            "conan.lock is not a JSON object",
        ));
    };
    let mut reader = Refs {
        input,
        index: LineIndex::new(input.text),
        cursor: 0,
        out: Vec::new(),
    };
    if let Some(graph) = root.get("graph_lock") {
        reader.conan1(graph)?;
    } else {
        for (key, build) in [
            ("requires", false),
            ("build_requires", true),
            ("python_requires", true),
        ] {
            let Some(list) = root.get(key) else { continue };
            let Some(list) = list.as_array() else {
                return Err(
                    reader.malformed_at(&format!("\"{key}\""), format!("`{key}` is not a list"))
                );
            };
            reader.cursor = reader
                .index
                .find_from(&format!("\"{key}\""), 0)
                .unwrap_or(0);
            for reference in list {
                let Some(reference) = reference.as_str() else {
                    return Err(
                        reader.malformed_here(format!("an entry of `{key}` is not a string"))
                    );
                };
                reader.push(reference, build)?;
            }
        }
    }
    Ok(reader.out)
}

struct Refs<'i, 'a> {
    input: &'i ExtractInput<'a>,
    index: LineIndex<'a>,
    /// Where to search for the next reference's text.
    cursor: usize,
    out: Vec<Component>,
}

impl Refs<'_, '_> {
    fn malformed_at(&self, needle: &str, message: String) -> ExtractError {
        ExtractError::malformed(
            self.input.path,
            self.index.find_line(needle).or(Some(1)),
            message,
        )
    }

    fn malformed_here(&self, message: String) -> ExtractError {
        ExtractError::malformed(
            self.input.path,
            Some(self.index.line_of(self.cursor)),
            message,
        )
    }

    fn conan1(&mut self, graph: &Value) -> Result<(), ExtractError> {
        let nodes = graph.get("nodes").and_then(Value::as_object);
        let Some(nodes) = nodes else {
            return Err(self.malformed_at(
                "\"graph_lock\"",
                "`graph_lock.nodes` is missing or not an object".into(),
            ));
        };
        // Nodes that another node lists as a build requirement (Conan 1.x
        // before contexts were recorded).
        let build_ids: Vec<&str> = nodes
            .values()
            .filter_map(|n| n.get("build_requires").and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        self.cursor = self.index.find_from("\"nodes\"", 0).unwrap_or(0);
        for (id, node) in nodes {
            let Some(node) = node.as_object() else {
                return Err(self.malformed_at(
                    &format!("\"{id}\""),
                    format!("node {id:?} is not an object"),
                ));
            };
            let Some(reference) = node_reference(node) else {
                // The consumer itself (a conanfile given by `path`), not a
                // package.
                continue;
            };
            let build = node.get("context").and_then(Value::as_str) == Some("build")
                || build_ids.contains(&id.as_str());
            self.push(reference, build)?;
        }
        Ok(())
    }

    fn push(&mut self, reference: &str, build: bool) -> Result<(), ExtractError> {
        let quoted = format!("\"{reference}\"");
        if let Some(at) = self.index.find_from(&quoted, self.cursor) {
            self.cursor = at;
        }
        let line = self.index.line_of(self.cursor);
        self.cursor += 1;
        let Some((name, version)) = parse_reference(reference) else {
            return Err(ExtractError::malformed(
                self.input.path,
                Some(line),
                format!("not a Conan reference (name/version): {reference:?}"),
            ));
        };
        let mut component = Component::new(
            Ecosystem::ConanCenter,
            name,
            ComponentVersion::Exact(version.to_string()),
            Location::new(self.input.path, Some(line)),
        );
        if build {
            component.add_group("build");
        }
        self.out.push(component);
        Ok(())
    }
}

fn node_reference(node: &Map<String, Value>) -> Option<&str> {
    let reference = node
        .get("ref")
        .or_else(|| node.get("pref"))
        .and_then(Value::as_str)?;
    Some(reference).filter(|r| !r.is_empty())
}

/// `zlib/1.3#rrev%1697106573.585` → (`zlib`, `1.3`); the user/channel,
/// revisions, timestamp and package id are not part of the name or version.
fn parse_reference(reference: &str) -> Option<(&str, &str)> {
    let reference = reference.split(['%', '#', ':', '@']).next().unwrap_or("");
    let (name, version) = reference.split_once('/')?;
    let (name, version) = (name.trim(), version.trim());
    if name.is_empty() || version.is_empty() || version.contains('/') {
        return None;
    }
    Some((name, version))
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::ConanLock, text, expected);
    }

    #[test]
    fn conan2_sample_file() {
        check(
            include_str!("../../tests/data/conan/v2/conan.lock"),
            &[
                "zlib 1.3.1 :4",
                "openssl 3.2.1 :5",
                "fmt 10.2.1 :6",
                "boost 1.84.0 :7",
                "bzip2 1.0.8 :8",
                "cmake 3.28.1 [build] :11",
                "ninja 1.11.1 [build] :12",
                "pyhelpers 0.2.0 [build] :15",
            ],
        );
    }

    #[test]
    fn conan1_sample_file() {
        check(
            include_str!("../../tests/data/conan/v1/conan.lock"),
            &[
                "openssl 1.1.1w :17",
                "zlib 1.2.13 :27",
                "protobuf 3.21.12 :34",
                "cmake 3.25.3 [build] :44",
                "protobuf 3.21.12 [build] :52",
            ],
        );
    }

    #[test]
    fn references_of_every_shape() {
        check(
            r#"{"version": "0.5", "requires": [
"a/1.0",
"b/2.0@user/channel",
"c/3.0@user/channel#0123456789abcdef0123456789abcdef",
"d/4.0#fedcba9876543210fedcba9876543210%1700000000.5"
]}"#,
            &["a 1.0 :2", "b 2.0 :3", "c 3.0 :4", "d 4.0 :5"],
        );
        check(
            r#"{"graph_lock": {"nodes": {
"0": {"path": "conanfile.txt"},
"1": {"pref": "zlib/1.2.11:3fb49604f9c2f729b85ba3115852006824e72cab#prev", "build_requires": ["2"]},
"2": {"ref": "nasm/2.15.05"}
}}, "version": "0.3"}"#,
            &["zlib 1.2.11 :3", "nasm 2.15.05 [build] :4"],
        );
    }

    #[test]
    fn empty_and_malformed() {
        check(
            r#"{"version": "0.5", "requires": [], "build_requires": []}"#,
            &[],
        );
        let m = |text: &str, line| testing::check_malformed(LockfileKind::ConanLock, text, line);
        m(
            "{\"version\": \"0.5\",\n\"requires\": [\n\"zlib\"\n]}",
            Some(3),
        );
        m("{\"version\": \"0.5\",\n\"requires\": \"zlib/1\"}", Some(2));
        m("{\"version\": \"0.5\",\n\"requires\": [\n7]}", Some(2));
        m("{\n\"graph_lock\": {}}", Some(2));
        m("{\"graph_lock\": {\"nodes\": {\n\"1\": []}}}", Some(2));
        m("{\"requires\": [\n\"a/1\",\n}", Some(3));
        m("[]", Some(1));
    }
}
