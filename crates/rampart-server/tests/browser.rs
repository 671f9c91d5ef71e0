//! The web UI in a real browser: headless Chromium driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`) against the server on a
//! local port. One responder works an incident end to end, a second user
//! is kept out, and the main pages are photographed at laptop (1280 px)
//! and tablet (768 px) widths.
//!
//! Screenshots go to `$RAMPART_SCREENSHOTS`, or to `screenshots/` under
//! Cargo's per-test temporary directory. Without chromedriver the test
//! says loudly that it skipped; under `CI=true` it fails instead, since
//! `.ci/run` installs the browser.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Harness, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use rampart_incident::GlobalRole;
use serde_json::{Value, json};

/// Kills chromedriver however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver and Chromium, or `None` (with a loud message) when they
/// are not installed outside CI.
fn browser_programs() -> Option<(PathBuf, PathBuf)> {
    let driver = find_program("RAMPART_CHROMEDRIVER", &["chromedriver"]);
    let chromium = find_program("RAMPART_CHROMIUM", &["chromium", "chromium-browser"]);
    match (driver, chromium) {
        (Some(driver), Some(chromium)) => Some((driver, chromium)),
        _ if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "the browser tests need chromium and chromedriver (Debian: apt-get install chromium chromium-driver); \
             .ci/run installs them"
        ),
        _ => {
            eprintln!(
                "\n*** SKIPPED the browser tests: chromium and chromedriver are not installed \
                 (Debian: apt-get install chromium chromium-driver; or set RAMPART_CHROMEDRIVER and RAMPART_CHROMIUM) ***\n"
            );
            None
        }
    }
}

async fn start_browser(driver: &Path, chromium: &Path) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chromium,
            // No sandbox: CI runs as root in a container.
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=en-US", "--hide-scrollbars"],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on {url}: {last_error:?}");
}

/// The harness's router on a real port.
async fn serve(h: &Harness) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = h.app.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    address
}

struct Session {
    client: Client,
    base: String,
    shots: PathBuf,
}

impl Session {
    /// The element, or a failure that shows the page it was missing from.
    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(error) => panic!(
                "no `{css}` on {}: {error}\n{}",
                self.path().await,
                self.source().await
            ),
        }
    }

    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        url.path().to_owned()
    }

    async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn choose(&self, css: &str, value: &str) {
        self.find(css).await.select_by_value(value).await.unwrap();
    }

    /// Sets an input's value directly: date and time pickers take keys in
    /// the browser's locale order, which a test should not depend on.
    async fn set_value(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        let element = serde_json::to_value(&field).unwrap();
        self.client
            .execute(
                "arguments[0].value = arguments[1];",
                vec![element, json!(value)],
            )
            .await
            .unwrap();
    }

    /// Fails with the page's accessibility problems, if it has any.
    async fn check_accessibility(&self) {
        let problems = self
            .client
            .execute(ACCESSIBILITY_PROBE, vec![])
            .await
            .unwrap();
        assert_eq!(
            problems,
            json!([]),
            "accessibility problems on {}",
            self.path().await
        );
    }

    /// Opens a `<details>` by its summary, as a keyboard user would.
    async fn open_details(&self, css: &str) {
        self.find(css).await.send_keys("\u{E007}").await.unwrap();
    }

    /// Clicks a submit button and waits for the answer page: a mark left
    /// on the old document tells it from the new one, even when the form
    /// redirects back to the same address.
    async fn click(&self, css: &str) {
        let button = self.find(css).await;
        self.client
            .execute("window.rampartOldPage = true;", vec![])
            .await
            .unwrap();
        button.click().await.unwrap();
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return window.rampartOldPage !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if let Ok(Value::Bool(true)) = loaded {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "clicking `{css}` on {} loaded no new page",
            self.path().await
        );
    }

    /// Photographs the window, after checking the page's accessibility.
    async fn shot(&self, name: &str) {
        self.check_accessibility().await;
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    /// A screenshot of the whole page, not just the window: the window is
    /// grown to the page's height for the picture.
    async fn full_shot(&self, name: &str, width: u32) {
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(900)
            .clamp(600, 4000) as u32;
        self.client
            .set_window_size(width, height + 140)
            .await
            .unwrap();
        self.shot(name).await;
        self.client.set_window_size(width, 900).await.unwrap();
    }

    async fn sign_in(&self, name: &str) {
        self.goto("/sign-in").await;
        self.fill("#name", name).await;
        self.fill("#password", PASSWORD).await;
        self.click("form button[type=submit]").await;
        assert_eq!(self.path().await, "/", "{name} lands on the dashboard");
    }

    async fn sign_out(&self) {
        self.click("header.top form button[type=submit]").await;
        assert_eq!(self.path().await, "/sign-in");
    }
}

/// In the page: every form control has a label, and every piece of text
/// has a contrast of at least 4.5:1 with the background it sits on
/// (3:1 for large text), per WCAG 2.x's relative-luminance formula.
/// Answers a list of problems, empty when the page passes.
const ACCESSIBILITY_PROBE: &str = r#"
const problems = [];
for (const control of document.querySelectorAll('input, select, textarea')) {
  if (control.type === 'hidden') continue;
  const named = control.labels && control.labels.length > 0 || control.getAttribute('aria-label');
  if (!named) problems.push('unlabelled ' + control.outerHTML.slice(0, 80));
}
const rgba = (text) => (text.match(/[\d.]+/g) || []).map(Number);
const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const background = (element) => {
  for (let e = element; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
  }
  return [255, 255, 255];
};
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.textContent.trim()) continue;
  const element = node.parentElement;
  if (seen.has(element)) continue;
  seen.add(element);
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  if (style.visibility === 'hidden' || style.display === 'none' || box.width <= 1 || box.height <= 1) continue;
  if (element.closest('svg')) continue;
  const fg = luminance(rgba(style.color).slice(0, 3));
  const bg = luminance(background(element));
  const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) {
    problems.push('contrast ' + ratio.toFixed(2) + ' for "' + node.textContent.trim().slice(0, 40) + '"');
  }
}
return problems;
"#;

fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("RAMPART_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_responder_works_an_incident_in_a_real_browser() {
    let Some((driver_path, chromium)) = browser_programs() else {
        return;
    };
    let mut h = Harness::new().await;
    h.user("alice", GlobalRole::Security).await;
    h.user("bob", GlobalRole::Engineer).await;
    h.user("root", GlobalRole::Admin).await;
    let address = serve(&h).await;
    let (_driver, client) = start_browser(&driver_path, &chromium).await;
    let shots = screenshot_dir();
    let s = Session {
        client,
        base: format!("http://{address}"),
        shots: shots.clone(),
    };

    // Anonymous: every page leads to the sign-in form.
    s.goto("/").await;
    assert_eq!(s.path().await, "/sign-in");
    s.shot("sign-in").await;
    // The probe itself finds what it is meant to find.
    s.client
        .execute(
            "const faint = document.createElement('p'); faint.textContent = 'faint text'; \
             faint.style.color = '#bbbbbb'; document.querySelector('main').append(faint); \
             document.querySelector('main').append(document.createElement('input'));",
            vec![],
        )
        .await
        .unwrap();
    let problems = s.client.execute(ACCESSIBILITY_PROBE, vec![]).await.unwrap();
    let problems = problems.as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .starts_with("unlabelled <input")
    );
    assert!(problems[1].as_str().unwrap().contains("faint text"));
    s.goto("/sign-in").await;
    // The first Tab reaches the skip link: the page is keyboard-usable
    // from its first key press.
    s.client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let focused = s
        .client
        .execute("return document.activeElement.className;", vec![])
        .await
        .unwrap();
    assert_eq!(focused, json!("skip"));

    // Sign in and declare.
    s.sign_in("alice").await;
    s.fill("#title", "Deploy key pushed to a public repository")
        .await;
    s.choose("#severity", "SEV2").await;
    s.choose("#tlp", "TLP:AMBER").await;
    s.choose("#detected_by", "person").await;
    s.click("form[action='/incidents'] button[type=submit]")
        .await;
    let incident_path = s.path().await;
    assert!(
        incident_path.starts_with("/incidents/SEC-"),
        "{incident_path}"
    );
    let id = incident_path.trim_start_matches("/incidents/").to_owned();
    let board = s.source().await;
    assert!(board.contains("Deploy key pushed to a public repository"));
    assert!(board.contains("TLP:AMBER"));

    // Move steps 1 and 2 on the board.
    for (step, state) in [(1, "in_progress"), (2, "in_progress")] {
        s.open_details(&format!("#step-{step} details summary"))
            .await;
        s.choose(&format!("#state-{step}"), state).await;
        s.click(&format!("#step-{step} form button[type=submit]"))
            .await;
        let class = s
            .client
            .execute(
                "return document.getElementById(arguments[0]).className;",
                vec![json!(format!("step-{step}"))],
            )
            .await
            .unwrap();
        let class = class.as_str().unwrap_or_default();
        assert!(class.contains("state-in_progress"), "step {step}: {class}");
    }
    s.open_details("#step-1 details summary").await;
    s.choose("#state-1", "done").await;
    s.click("#step-1 form button[type=submit]").await;

    // A containment action on step 1 and two timeline entries on step 5.
    s.goto(&format!("/incidents/{id}/steps/1")).await;
    s.fill(
        "#containment_action-what_stopped",
        "deploys signed by the leaked key",
    )
    .await;
    s.fill(
        "#containment_action-how",
        "revoked the key in the CI secret store",
    )
    .await;
    s.set_value("#containment_action-at", "2026-03-02T10:20")
        .await;
    s.click("form[action$='/steps/1/records'] button[type=submit]")
        .await;
    assert!(
        s.source()
            .await
            .contains("deploys signed by the leaked key")
    );
    for (at, certainty, what) in [
        (
            "2026-03-01T22:14",
            "confirmed",
            "Key pushed to github.com/acme/tools by a contractor laptop",
        ),
        (
            "2026-03-02T02:40",
            "suspected",
            "First clone of the repository from an unknown address",
        ),
    ] {
        s.goto(&format!("/incidents/{id}/steps/5")).await;
        s.set_value("#attack_timeline_entry-event_time", at).await;
        s.fill("#attack_timeline_entry-source", "GitHub audit log")
            .await;
        s.choose("#attack_timeline_entry-certainty", certainty)
            .await;
        s.fill("#attack_timeline_entry-description", what).await;
        s.click("details[open] form button[type=submit]").await;
        assert!(
            s.path().await.ends_with("/steps/5"),
            "back on the step page"
        );
    }
    s.full_shot("step-5", 1280).await;
    s.goto(&incident_path).await;
    let board = s.source().await;
    assert!(board.contains("class=\"marker confirmed\""));
    assert!(board.contains("class=\"marker suspected\""));
    assert!(board.contains("First clone of the repository"));
    s.full_shot("incident-board", 1280).await;
    s.client.set_window_size(768, 1024).await.unwrap();
    s.full_shot("incident-board-tablet", 768).await;
    // At tablet width nothing overflows sideways.
    let overflow = s
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap_or(0) <= 0,
        "horizontal overflow at 768 px: {overflow}"
    );
    s.client.set_window_size(1280, 900).await.unwrap();

    // Upload evidence through the browser's file picker.
    let file = h.dir.path().join("github-audit.json");
    std::fs::write(&file, br#"{"action":"git.clone","actor_ip":"203.0.113.7"}"#).unwrap();
    let digest = {
        use sha2::Digest;
        let bytes = std::fs::read(&file).unwrap();
        rampart_server::auth::hex(&sha2::Sha256::digest(&bytes))
    };
    s.goto(&format!("/incidents/{id}/evidence")).await;
    let upload = "form[enctype='multipart/form-data']";
    s.client
        .find(Locator::Css(&format!("{upload} input[type=file]")))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    for field in s
        .client
        .find_all(Locator::Css(&format!(
            "{upload} input[type=text][required], {upload} textarea[required]"
        )))
        .await
        .unwrap()
    {
        field
            .send_keys("GitHub organisation audit log export")
            .await
            .unwrap();
    }
    s.click(&format!("{upload} button[type=submit]")).await;
    let evidence = s.source().await;
    assert!(
        evidence.contains(&digest),
        "the page shows the SHA-256 the server computed"
    );
    s.goto(&format!("/incidents/{id}/evidence")).await;
    s.full_shot("evidence", 1280).await;

    // The other pages of the incident, for the record.
    for (page, name) in [
        ("comms", "communications"),
        ("access", "members"),
        ("report", "report"),
    ] {
        s.goto(&format!("/incidents/{id}/{page}")).await;
        assert!(
            !s.source().await.contains("There is nothing here"),
            "{page} renders"
        );
        s.full_shot(name, 1280).await;
    }
    s.goto("/").await;
    assert!(s.source().await.contains(&id));
    s.full_shot("dashboard", 1280).await;
    s.goto("/account/tokens").await;
    s.shot("api-tokens").await;
    s.sign_out().await;

    // Bob is not a member: the incident's page is the same 404 as a
    // missing one, and his dashboard does not list it.
    s.sign_in("bob").await;
    assert!(
        !s.source().await.contains(&id),
        "bob's dashboard does not list it"
    );
    s.goto(&incident_path).await;
    let hidden = s.source().await;
    assert!(hidden.contains("There is nothing here"));
    s.goto("/incidents/SEC-2020-9999").await;
    assert_eq!(s.source().await, hidden, "hidden and missing look the same");
    s.goto(&format!("/incidents/{id}/evidence")).await;
    assert!(s.source().await.contains("There is nothing here"));
    s.goto(&incident_path).await;
    s.shot("not-found").await;
    s.sign_out().await;

    // The administrator's user list.
    s.sign_in("root").await;
    s.goto("/admin/users").await;
    assert!(s.source().await.contains("bob"));
    s.full_shot("admin-users", 1280).await;
    // The catalog: import a team and a service by pasting YAML.
    s.goto("/catalog/import").await;
    s.fill(
        "#content",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: platform\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: build-runner\nspec:\n  type: service\n  owner: platform\n  lifecycle: production\n",
    )
    .await;
    s.click("form[action='/catalog/import'] button[type=submit]")
        .await;
    assert!(s.source().await.contains("Imported: 2 entries changed"));
    s.goto("/services").await;
    assert!(s.source().await.contains("build-runner"));
    s.full_shot("services", 1280).await;
    // Its first scan, uploaded as CI would, on the findings pages.
    let scan = json!({
        "scopes": [{"scope": "rampart:deps", "complete": true}],
        "findings": [{"scope": "rampart:deps", "fingerprint": "dddddddddddddddddddddddddddddddd",
            "fingerprint_origin": "rampart", "kind": "vulnerability", "rule_id": "GHSA-35jh-r3h4-6jhm",
            "title": "Command injection in lodash", "severity": "high", "path": "package-lock.json",
            "package": {"ecosystem": "npm", "name": "lodash", "version": "4.17.20"},
            "ids": ["CVE-2021-23337"]}],
        "components": [{"scope": "rampart:deps", "ecosystem": "npm", "name": "lodash",
            "version": "4.17.20", "path": "package-lock.json"}]
    });
    let uploaded = h
        .post("root", "/api/v1/services/build-runner/uploads/scan", scan)
        .await;
    assert_eq!(uploaded.status.as_u16(), 201, "{}", uploaded.body);
    s.goto("/findings").await;
    assert!(s.source().await.contains("Command injection in lodash"));
    s.full_shot("findings", 1280).await;
    s.click("table.findings a").await;
    assert!(s.source().await.contains("Triage"));
    s.full_shot("finding", 1280).await;
    s.goto("/where?ecosystem=npm&name=lodash&range=%3C4.17.21")
        .await;
    assert!(s.source().await.contains("1 service as of"));
    s.full_shot("where", 1280).await;
    s.sign_out().await;

    // Signed out means signed out: the dashboard asks for the password again.
    s.goto("/").await;
    assert_eq!(s.path().await, "/sign-in");
    let cookies: Value = s
        .client
        .execute("return document.cookie;", vec![])
        .await
        .unwrap();
    assert_eq!(
        cookies,
        json!(""),
        "the session cookie is HttpOnly and gone"
    );
    s.client.close().await.unwrap();
    eprintln!("browser screenshots in {}", shots.display());
}
