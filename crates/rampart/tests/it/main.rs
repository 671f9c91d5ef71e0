//! End-to-end tests: the real `rampart` binary in temporary directories,
//! against the shared real-world fixtures. One test binary, so the suite
//! links once.

mod catalog;
mod db;
mod evidence;
mod inventory;
mod inventory_cli;
mod scan;
mod secrets;
mod server;
mod site;
mod threat;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch directory with its own advisory database.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Default for Env {
    fn default() -> Env {
        Env::new()
    }
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("advisories.db")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs `rampart ARGS` with this environment's database.
    pub fn rampart(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args(args)
            .env("RAMPART_DB", self.db())
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        Run(output)
    }

    /// Imports the given fixture folders; `None` when fixtures are missing
    /// outside CI (the test then returns early after a loud message).
    pub fn with_fixture_advisories(sub_dirs: &[&str]) -> Option<Env> {
        let env = Env::new();
        let mut args = vec!["db".to_string(), "import".to_string()];
        for sub in sub_dirs {
            args.push(rampart_fixtures::sub(sub)?.display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = env.rampart(&args);
        assert_eq!(run.code(), 0, "import failed: {}", run.stderr());
        Some(env)
    }

    /// Copies one of our own test-data folders into the scratch directory.
    pub fn copy_data(&self, name: &str) -> PathBuf {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(name);
        let to = self.path(name);
        copy_dir(&from, &to);
        to
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }
}
