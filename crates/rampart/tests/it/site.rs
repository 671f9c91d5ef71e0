//! A data directory with a `rampart serve` on a free loopback port, for
//! the end-to-end tests that drive the server through the CLI.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Run;

/// A data directory and, once started, a server on a free loopback port.
pub(crate) struct Site {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) server: Option<Child>,
    pub(crate) url: String,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Site {
    pub(crate) fn new() -> Site {
        Site {
            dir: tempfile::tempdir().unwrap(),
            server: None,
            url: String::new(),
        }
    }

    /// A path in the site's scratch directory.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub(crate) fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `rampart ARGS` with `stdin` piped in and `RAMPART_URL`/`RAMPART_TOKEN` set.
    pub(crate) fn run(&self, token: Option<&str>, stdin: Option<&str>, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rampart"));
        command
            .args(args)
            .env("NO_COLOR", "1")
            .env_remove("RAMPART_TOKEN")
            .env_remove("RAMPART_DATA_DIR")
            .env_remove("RAMPART_DATABASE_URL")
            .env_remove("RAMPART_CONFIG")
            .env("RAMPART_URL", &self.url)
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(token) = token {
            command.env("RAMPART_TOKEN", token);
        }
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        Run(child.wait_with_output().unwrap())
    }

    /// Creates a user with a password and returns a fresh API token for them.
    pub(crate) fn user_with_token(&self, name: &str, role: &str) -> String {
        let data_dir = self.data_dir();
        let data_dir = data_dir.to_str().unwrap();
        let created = self.run(
            None,
            Some("correct-horse-battery-staple\n"),
            &[
                "user",
                "create",
                "--data-dir",
                data_dir,
                "--name",
                name,
                "--role",
                role,
                "--password-stdin",
            ],
        );
        assert_eq!(created.code(), 0, "{}", created.stderr());
        let token = self.run(
            None,
            None,
            &["token", "create", "--data-dir", data_dir, "--user", name],
        );
        assert_eq!(token.code(), 0, "{}", token.stderr());
        assert!(
            token.stderr().contains("shown only this once"),
            "{}",
            token.stderr()
        );
        token.stdout().trim().to_owned()
    }

    pub(crate) fn start(&mut self) {
        let data_dir = self.data_dir();
        self.start_with(&["--data-dir".as_ref(), data_dir.as_os_str()]);
    }

    /// Starts a server with these location arguments (`--data-dir …` or
    /// `--database-url …`) on a free port.
    pub(crate) fn start_with(&mut self, location: &[&std::ffi::OsStr]) {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        self.url = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(self.dir.path().join("server.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_rampart"))
            .arg("serve")
            .args(location)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .env_remove("RAMPART_CONFIG")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.server = Some(child);
        let client = rampart_client::Client::new(&self.url, None).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while client.health().is_err() {
            assert!(
                Instant::now() < deadline,
                "server did not start:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.server.take() {
            // SIGTERM, so the graceful shutdown path runs.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

pub(crate) fn ok(run: &Run) -> String {
    assert_eq!(
        run.code(),
        0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout(),
        run.stderr()
    );
    run.stdout()
}

/// Tampers with the database directly, as an attacker with file access would.
pub(crate) fn edit_sqlite(path: &Path, sql: &str) {
    let url = format!("sqlite://{}", path.display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            use sqlx::Connection;
            let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let changed = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut connection)
                .await
                .unwrap();
            assert_eq!(changed.rows_affected(), 1, "{sql}");
        });
}
