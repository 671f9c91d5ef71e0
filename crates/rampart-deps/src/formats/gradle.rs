//! Gradle's dependency lock state (`gradle.lockfile`,
//! `buildscript-gradle.lockfile`): one `group:artifact:version=configurations`
//! line per module, `#` comments, and an `empty=` line naming the
//! configurations that resolved to nothing.

use rampart_core::{Component, ComponentVersion, Ecosystem, Location};

use crate::{ExtractError, ExtractInput};

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let mut components = Vec::new();
    for (index, raw) in input.text.lines().enumerate() {
        let line_number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let malformed =
            |message: String| ExtractError::malformed(input.path, Some(line_number), message);
        let (coordinates, configurations) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coordinates.split(':').map(str::trim).collect();
        let [group, artifact, version] = parts[..] else {
            return Err(malformed(format!(
                "expected group:artifact:version=configurations, found {line:?}"
            )));
        };
        if group.is_empty() || artifact.is_empty() || version.is_empty() {
            return Err(malformed(format!("empty coordinate in {line:?}")));
        }
        let mut component = Component::new(
            Ecosystem::Maven,
            format!("{group}:{artifact}"),
            ComponentVersion::Exact(version.to_string()),
            Location::new(input.path, Some(line_number)),
        );
        if only_for_tests(configurations) {
            component.add_group("test");
        }
        components.push(component);
    }
    Ok(components)
}

/// Whether every configuration that resolved the module is a test one
/// (`testCompileClasspath`, `testRuntimeClasspath`, `integrationTestRuntimeClasspath`).
/// A module that any other configuration also needs is a runtime dependency.
fn only_for_tests(configurations: &str) -> bool {
    let mut names = configurations
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .peekable();
    names.peek().is_some() && names.all(|c| c.to_ascii_lowercase().contains("test"))
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::GradleLockfile, text, expected);
    }

    #[test]
    fn modules_comments_and_empty_line() {
        check(
            "# This is a Gradle generated file for dependency locking.\n\
             # Manual edits can break the build and are not advised.\n\
             # This file is expected to be part of source control.\n\
             com.google.guava:guava:33.0.0-jre=compileClasspath,runtimeClasspath\n\
             junit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath\n\
             org.hamcrest:hamcrest-core:1.3=compileClasspath,testRuntimeClasspath\n\
             org.junit:junit-bom:5.10.1=integrationTestRuntimeClasspath\n\
             org.projectlombok:lombok:1.18.30=annotationProcessor\n\
             \n\
             empty=annotationProcessor,testAnnotationProcessor\n",
            &[
                "com.google.guava:guava 33.0.0-jre :4",
                "junit:junit 4.13.2 [test] :5",
                "org.hamcrest:hamcrest-core 1.3 :6",
                "org.junit:junit-bom 5.10.1 [test] :7",
                "org.projectlombok:lombok 1.18.30 :8",
            ],
        );
    }

    #[test]
    fn the_sample_file() {
        check(
            include_str!("../../tests/data/gradle/gradle.lockfile"),
            &[
                "ch.qos.logback:logback-classic 1.4.14 :4",
                "ch.qos.logback:logback-core 1.4.14 :5",
                "com.fasterxml.jackson.core:jackson-databind 2.15.3 :6",
                "net.bytebuddy:byte-buddy 1.14.10 [test] :7",
                "org.assertj:assertj-core 3.24.2 [test] :8",
                "org.slf4j:slf4j-api 2.0.9 :9",
                "org.springframework:spring-core 6.1.2 :10",
            ],
        );
    }

    #[test]
    fn windows_line_endings_and_missing_configurations() {
        check(
            "a:b:1=compileClasspath\r\nc:d:2\r\n",
            &["a:b 1 :1", "c:d 2 :2"],
        );
    }

    #[test]
    fn malformed() {
        let m =
            |text: &str, line| testing::check_malformed(LockfileKind::GradleLockfile, text, line);
        m("# ok\na:b:1=x\nnot-a-coordinate=x\n", Some(3));
        m("a:b=x\n", Some(1));
        m("a:b:c:d=x\n", Some(1));
        m("a::1=x\n", Some(1));
    }
}
