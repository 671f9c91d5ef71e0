//! A throwaway S3-compatible server (moto) for the tests of one process.
//!
//! Found through `RAMPART_MOTO_SERVER` (a path to `moto_server`) or on
//! `PATH`. Missing: under `CI=true` the test fails, elsewhere it says loudly
//! that it skipped. The server runs on 127.0.0.1 and a free port, started
//! through `setpriv --pdeathsig KILL` from a thread that never exits, so it
//! dies with the test process (the signal follows the spawning thread).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

/// The bucket every test uses, each below a prefix of its own.
pub const BUCKET: &str = "rampart-evidence-tests";

const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The server's log is `<temp>/rampart-moto-<test process id>.log`.
const LOG_PREFIX: &str = "rampart-moto-";

#[derive(Debug)]
pub struct MotoServer {
    pub endpoint: String,
    _child: Mutex<Child>,
}

/// The server of this process, or `None` after a loud SKIPPED line when
/// moto is not installed outside CI.
///
/// # Panics
/// When moto is missing under `CI=true`, or when it does not start.
pub fn server() -> Option<&'static MotoServer> {
    static SERVER: OnceLock<Option<MotoServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let Some(binary) = find_binary() else {
                let message = "moto_server not found (set RAMPART_MOTO_SERVER or put it on PATH; \
                               `pip install 'moto[server]'`)";
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("{message}; CI=true forbids skipping the S3 backend");
                }
                eprintln!("\n*** SKIPPED: S3 evidence-store tests: {message} ***\n");
                return None;
            };
            match start(&binary) {
                Ok(server) => Some(server),
                Err(error) => panic!("cannot start {}: {error}", binary.display()),
            }
        })
        .as_ref()
}

fn find_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("RAMPART_MOTO_SERVER") {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Some(path);
        }
        // A path that was given but does not exist is a broken setup.
        panic!("RAMPART_MOTO_SERVER={} does not exist", path.display());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("moto_server"))
        .find(|candidate| candidate.is_file())
}

fn start(binary: &std::path::Path) -> Result<MotoServer, String> {
    let began = Instant::now();
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    remove_stale_logs();
    let log_path = std::env::temp_dir().join(format!("{LOG_PREFIX}{}.log", std::process::id()));
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    let mut command = Command::new("setpriv");
    command
        .args(["--pdeathsig", "KILL", "--"])
        .arg(binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("rampart-test-moto".to_owned())
        .spawn(move || {
            let _ = sender.send(command.spawn());
            // The server's parent for PR_SET_PDEATHSIG: lives as long as
            // the process.
            loop {
                std::thread::park();
            }
        })
        .map_err(|e| e.to_string())?;
    let mut child = receiver
        .recv()
        .map_err(|_| "the spawning thread died".to_owned())?
        .map_err(|e| format!("cannot run setpriv (util-linux): {e}"))?;

    let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("moto_server exited with {status}:\n{}", read_log()));
        }
        // Moto does not check signatures, so the bucket is created with a
        // bare request; it doubles as the readiness probe.
        match http_put(port, &format!("/{BUCKET}")) {
            Ok(200) => break,
            Ok(status) => {
                let _ = child.kill();
                return Err(format!(
                    "creating the bucket answered {status}:\n{}",
                    read_log()
                ));
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Err(error) => {
                let _ = child.kill();
                return Err(format!(
                    "not up within {START_TIMEOUT:?} ({error}):\n{}",
                    read_log()
                ));
            }
        }
    }
    eprintln!(
        "rampart-evidence tests: moto from {} on 127.0.0.1:{port}, up in {} ms (log {})",
        binary.display(),
        began.elapsed().as_millis(),
        log_path.display()
    );
    Ok(MotoServer {
        endpoint: format!("http://127.0.0.1:{port}"),
        _child: Mutex::new(child),
    })
}

/// A bodiless HTTP/1.1 PUT; returns the status code.
fn http_put(port: u16, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response:.80}")))
}

/// Removes the logs of test processes that have ended.
fn remove_stale_logs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(LOG_PREFIX))
            .and_then(|rest| rest.strip_suffix(".log"))
        else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !std::path::Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
