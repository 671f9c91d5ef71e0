//! Test support: a throwaway PostgreSQL server for the tests of one process.
//!
//! [`server()`] starts, once per test process, a private PostgreSQL from the
//! machine's own binaries (`initdb` and `postgres` on `PATH`, else the
//! highest version under `/usr/lib/postgresql/*/bin`) on a temporary
//! directory and a free port, with durability switched off for speed.
//! [`PgServer::fresh_database_url`] then gives each test an empty database
//! of its own.
//!
//! **No silent skipping.** If PostgreSQL cannot start — binaries missing,
//! `initdb` failing, the server not coming up — `server()` panics with the
//! reason and the server's log: a suite that quietly tested only SQLite would
//! look green while proving nothing about PostgreSQL.
//!
//! PostgreSQL refuses to run as root, and CI runs as root: then `initdb` and
//! `postgres` run as the `postgres` system user through `setpriv`. The server
//! never outlives the test process: it is started through
//! `setpriv --pdeathsig KILL` from a thread that never exits (the kernel
//! sends the signal when the *thread* that spawned it dies, which for this
//! thread means when the process does). Data directories of earlier, dead
//! test processes are removed when the next one starts.

use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::chown;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The superuser `initdb` creates; trust authentication, so no password.
pub const SUPERUSER: &str = "rampart";

/// How long the server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How often a start is retried when another process took the free port
/// between our probe and the server's bind.
const START_ATTEMPTS: u32 = 4;

/// Prefix of the temporary directories, followed by the owning process id.
const DIR_PREFIX: &str = "rampart-pg-";

/// A running throwaway PostgreSQL server.
#[derive(Debug)]
pub struct PgServer {
    port: u16,
    dir: PathBuf,
    bin_dir: PathBuf,
    startup: Duration,
    // Kept so the process is not reaped by anyone else, and for `Debug`.
    _child: Mutex<Child>,
}

/// The server of this test process, started on first use.
///
/// # Panics
///
/// When PostgreSQL cannot be started, with the reason.
pub fn server() -> &'static PgServer {
    static SERVER: OnceLock<PgServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        // Started on a plain thread: the readiness probe runs a runtime of
        // its own, which cannot nest inside the async test calling us.
        let started = std::thread::scope(|scope| scope.spawn(PgServer::start).join());
        match started {
            Ok(Ok(server)) => server,
            Ok(Err(error)) => {
                panic!("cannot start the throwaway PostgreSQL for the tests: {error}")
            }
            Err(_) => panic!("cannot start the throwaway PostgreSQL: the starting thread panicked"),
        }
    })
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No PostgreSQL installation was found.
    #[error(
        "no PostgreSQL server binaries (initdb and postgres) on PATH or under \
         /usr/lib/postgresql/*/bin; install them (Debian: apt-get install postgresql)"
    )]
    BinariesMissing,
    /// Running as root and the `postgres` user to drop to does not exist.
    #[error(
        "running as root, and PostgreSQL refuses root, but there is no `postgres` system user \
         to run it as ({0}); install Debian's postgresql package, which creates it"
    )]
    NoPostgresUser(String),
    /// `setpriv` (util-linux) is needed to run the server safely.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// What was run.
        program: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// `initdb` failed.
    #[error("initdb failed ({status}):\n{output}")]
    Initdb {
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed.
        output: String,
    },
    /// The server exited or did not accept connections in time.
    #[error("the server did not come up: {reason}\n--- server log ---\n{log}")]
    NotReady {
        /// What went wrong.
        reason: String,
        /// The server's log.
        log: String,
    },
    /// Setting up the temporary directory failed.
    #[error("temporary directory: {0}")]
    TempDir(std::io::Error),
}

impl PgServer {
    /// Starts a server; see the crate documentation.
    pub fn start() -> Result<Self, StartError> {
        let began = Instant::now();
        remove_stale_dirs();
        let bin_dir = find_bin_dir().ok_or(StartError::BinariesMissing)?;
        let run_as = if effective_uid_is_root() {
            Some(postgres_ids()?)
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix(&format!("{DIR_PREFIX}{}-", std::process::id()))
            .tempdir()
            .map_err(StartError::TempDir)?
            // Removed by the next test process (`remove_stale_dirs`): this
            // one's server runs until the very end, after any destructor.
            .keep();
        if let Some((uid, gid)) = run_as {
            chown(&dir, Some(uid), Some(gid)).map_err(StartError::TempDir)?;
        }
        let data = dir.join("data");

        let output = privileged(run_as.is_some(), &bin_dir.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .map_err(|source| StartError::Spawn {
                program: "initdb".to_owned(),
                source,
            })?;
        if !output.status.success() {
            return Err(StartError::Initdb {
                status: output.status,
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ),
            });
        }

        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            let port = free_port().map_err(StartError::TempDir)?;
            let log_path = dir.join(format!("server-{port}.log"));
            let child = spawn_server(run_as.is_some(), &bin_dir, &data, &dir, port, &log_path)?;
            match wait_until_ready(child, port, &log_path) {
                Ok(child) => {
                    let server = PgServer {
                        port,
                        dir,
                        bin_dir,
                        startup: began.elapsed(),
                        _child: Mutex::new(child),
                    };
                    eprintln!(
                        "rampart-test-postgres: PostgreSQL from {} on 127.0.0.1:{} (data in {}{}), \
                         up in {} ms",
                        server.bin_dir.display(),
                        server.port,
                        server.dir.display(),
                        if run_as.is_some() {
                            ", run as user postgres"
                        } else {
                            ""
                        },
                        server.startup.as_millis()
                    );
                    return Ok(server);
                }
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| StartError::NotReady {
            reason: "no start was attempted".to_owned(),
            log: String::new(),
        }))
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory holding the data directory, the socket and the logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory of the PostgreSQL binaries used.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// How long `initdb` and the start took.
    pub fn startup(&self) -> Duration {
        self.startup
    }

    /// The URL of database `name` on this server (it need not exist).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates a new, empty database with a name unique in this process and
    /// returns its URL.
    ///
    /// # Panics
    ///
    /// If the database cannot be created: the server is ours, so that is a
    /// broken test environment, not a test result.
    pub fn fresh_database_url(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let name = format!(
            "test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = self.url("postgres");
        // FILE_COPY (PostgreSQL 15+) copies the template's files instead of
        // logging every page to the WAL; older servers only know that way
        // and reject the option, so they get the plain statement.
        let statement = if self.supports_file_copy() {
            format!("CREATE DATABASE {name} STRATEGY = FILE_COPY")
        } else {
            format!("CREATE DATABASE {name}")
        };
        // On a thread of its own with its own runtime: callers are usually
        // async tests, whose runtime must not be blocked from inside.
        let created = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?;
                    runtime.block_on(async {
                        let mut conn = PgConnection::connect(&admin)
                            .await
                            .map_err(|e| e.to_string())?;
                        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                            .execute(&mut conn)
                            .await
                            .map_err(|e| e.to_string())?;
                        conn.close().await.map_err(|e| e.to_string())
                    })
                })
                .join()
                .unwrap_or_else(|_| Err("the thread creating it panicked".to_owned()))
        });
        if let Err(error) = created {
            panic!("cannot create test database {name}: {error}");
        }
        self.url(&name)
    }
}

impl PgServer {
    /// Whether `CREATE DATABASE … STRATEGY` exists: the major version,
    /// from the data directory's `PG_VERSION`, is 15 or later.
    fn supports_file_copy(&self) -> bool {
        std::fs::read_to_string(self.dir.join("data").join("PG_VERSION"))
            .ok()
            .and_then(|version| version.trim().parse::<u32>().ok())
            .is_some_and(|major| major >= 15)
    }
}

/// The first directory holding both `initdb` and `postgres`: on `PATH`,
/// else the highest version under `/usr/lib/postgresql` (Debian keeps them
/// off `PATH`).
fn find_bin_dir() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_both(&dir) {
                // A symlinked binary (/usr/local/bin/initdb → …/15/bin/initdb)
                // finds its share files relative to where it really lives.
                let real = std::fs::canonicalize(dir.join("initdb")).ok();
                return Some(
                    real.and_then(|p| p.parent().map(Path::to_owned))
                        .filter(|d| has_both(d))
                        .unwrap_or(dir),
                );
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_both(bin))
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Whether this process runs with effective uid 0, read from
/// `/proc/self/status` (no `unsafe` `geteuid`).
fn effective_uid_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(|euid| euid == "0"))
        })
        // Without /proc, assume root: dropping privileges then fails with a
        // clear message instead of initdb's refusal.
        .unwrap_or(true)
}

/// The `postgres` user's uid and gid.
fn postgres_ids() -> Result<(u32, u32), StartError> {
    let passwd = std::fs::read_to_string("/etc/passwd")
        .map_err(|error| StartError::NoPostgresUser(format!("cannot read /etc/passwd: {error}")))?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            match fields.as_slice() {
                ["postgres", _, uid, gid, ..] => Some((uid.parse().ok()?, gid.parse().ok()?)),
                _ => None,
            }
        })
        .ok_or_else(|| StartError::NoPostgresUser("not in /etc/passwd".to_owned()))
}

/// A command for `program`, run as the `postgres` user when we are root.
fn privileged(as_postgres: bool, program: &Path) -> Command {
    if as_postgres {
        let mut command = Command::new("setpriv");
        command
            .args([
                "--reuid=postgres",
                "--regid=postgres",
                "--init-groups",
                "--",
            ])
            .arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// A port that was free a moment ago.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// Spawns the server from a thread that never exits, so the parent-death
/// signal fires only when the whole test process ends.
fn spawn_server(
    as_postgres: bool,
    bin_dir: &Path,
    data: &Path,
    socket_dir: &Path,
    port: u16,
    log_path: &Path,
) -> Result<Child, StartError> {
    let log = std::fs::File::create(log_path).map_err(StartError::TempDir)?;
    let log_err = log.try_clone().map_err(StartError::TempDir)?;
    if as_postgres {
        chown(log_path, Some(postgres_ids()?.0), None).map_err(StartError::TempDir)?;
    }
    let mut command = Command::new("setpriv");
    if as_postgres {
        command.args(["--reuid=postgres", "--regid=postgres", "--init-groups"]);
    }
    command
        .args(["--pdeathsig", "KILL", "--"])
        .arg(bin_dir.join("postgres"))
        .arg("-D")
        .arg(data)
        .arg("-p")
        .arg(port.to_string())
        .arg("-k")
        .arg(socket_dir)
        .args(["-h", "127.0.0.1"])
        // Durability is worthless for a database deleted after the run.
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off"])
        // Every test creates a database; with minimal WAL and FILE_COPY (see
        // `fresh_database_url`) the copy of the template is not written to
        // the WAL too, which on a small CI disk ran out of space.
        .args(["-c", "wal_level=minimal", "-c", "max_wal_senders=0"])
        .args(["-c", "max_wal_size=64MB", "-c", "min_wal_size=32MB"])
        // Every test opens a pool; leave room for many at once.
        .args(["-c", "max_connections=300"])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);

    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("rampart-test-postgres".to_owned())
        .spawn(move || {
            let _ = sender.send(command.spawn());
            // This thread is the server's parent for PR_SET_PDEATHSIG: it
            // must live exactly as long as the process.
            loop {
                std::thread::park();
            }
        })
        .map_err(|source| StartError::Spawn {
            program: "a thread".to_owned(),
            source,
        })?;
    receiver
        .recv()
        .map_err(|_| StartError::NotReady {
            reason: "the spawning thread died".to_owned(),
            log: String::new(),
        })?
        .map_err(|source| StartError::Spawn {
            program: "setpriv (util-linux), which starts postgres".to_owned(),
            source,
        })
}

/// Waits until the server answers a query, or fails with its log.
fn wait_until_ready(mut child: Child, port: u16, log_path: &Path) -> Result<Child, StartError> {
    let read_log = || {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(log_path) {
            let _ = file.read_to_string(&mut text);
        }
        text
    };
    let url = format!("postgres://{SUPERUSER}@127.0.0.1:{port}/postgres");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(StartError::TempDir)?;
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(StartError::NotReady {
                reason: format!("postgres exited with {status}"),
                log: read_log(),
            });
        }
        let probe = runtime.block_on(async {
            let mut conn = PgConnection::connect(&url).await?;
            sqlx::query("SELECT 1").execute(&mut conn).await?;
            conn.close().await
        });
        let last_probe = match probe {
            Ok(()) => return Ok(child),
            Err(error) => error.to_string(),
        };
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(StartError::NotReady {
                reason: format!(
                    "no connection within {} s; last attempt: {last_probe}",
                    START_TIMEOUT.as_secs()
                ),
                log: read_log(),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Removes temporary directories left by test processes that have ended
/// (their servers died with them).
fn remove_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(DIR_PREFIX))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_and_hands_out_distinct_empty_databases() {
        let server = server();
        let first = server.fresh_database_url();
        let second = server.fresh_database_url();
        assert_ne!(first, second);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            for url in [&first, &second] {
                let mut conn = PgConnection::connect(url).await.unwrap();
                let tables: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .fetch_one(&mut conn)
                .await
                .unwrap();
                assert_eq!(tables, 0, "{url} is not empty");
            }
        });
    }

    #[test]
    fn the_data_directory_is_the_temporary_one() {
        let server = server();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let data_dir: String = runtime.block_on(async {
            let mut conn = PgConnection::connect(&server.url("postgres"))
                .await
                .unwrap();
            sqlx::query_scalar("SHOW data_directory")
                .fetch_one(&mut conn)
                .await
                .unwrap()
        });
        assert!(Path::new(&data_dir).starts_with(server.dir()));
    }

    #[test]
    fn uid_reading_matches_id() {
        let output = Command::new("id").arg("-u").output().unwrap();
        let uid = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        assert_eq!(effective_uid_is_root(), uid == "0");
    }
}
