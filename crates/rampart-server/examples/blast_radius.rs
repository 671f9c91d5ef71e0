//! Blast radius over a large inventory: loads N services × M components
//! (default 2,000 × 500 = 1,000,000 component rows) into SQLite or
//! PostgreSQL through the store's own upload path, then asks "which
//! services ship package P in range R?" through the real router (token
//! check, handler, store, version-range filter, JSON) and prints latency
//! percentiles. Never a pass/fail test; `scripts/bench/inventory.sh` runs
//! it for both backends.
//!
//! ```text
//! cargo run --release -p rampart-server --example blast_radius -- \
//!     --backend sqlite|postgres [--services 2000] [--components 500] [--queries 200]
//! ```
//!
//! PostgreSQL: `--database-url URL`, else a throwaway server from the
//! machine's binaries (as the tests start one).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use rampart_audit::{Actor, Target};
use rampart_core::Severity;
use rampart_incident::{GlobalRole, UserName};
use rampart_inventory::finding::{FingerprintOrigin, IncomingKind, PackageRef};
use rampart_inventory::{
    CatalogChange, EntitySource, FindingDetail, FindingFingerprint, IncomingComponent,
    IncomingFinding, IncomingUpload, Service, ServiceName, SlaPolicy, Team, TeamName, Tier,
    UploadFormat, UploadScope,
};
use rampart_server::{AppState, ServerConfig, auth, router};
use rampart_store::{AuditDraft, CatalogUpdate, NewApiToken, NewUser, Store, UploadRequest};
use serde_json::{Value, json};
use tower::ServiceExt;

/// Distinct packages the services draw from.
const POOL: usize = 30_000;

struct Options {
    backend: String,
    database_url: Option<String>,
    services: usize,
    components: usize,
    queries: usize,
}

fn options() -> Options {
    let mut options = Options {
        backend: "sqlite".into(),
        database_url: None,
        services: 2_000,
        components: 500,
        queries: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--backend" => options.backend = value(),
            "--database-url" => options.database_url = Some(value()),
            "--services" => {
                options.services = value().parse().unwrap_or_else(|_| usage("--services N"))
            }
            "--components" => {
                options.components = value().parse().unwrap_or_else(|_| usage("--components N"))
            }
            "--queries" => {
                options.queries = value().parse().unwrap_or_else(|_| usage("--queries N"))
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    options
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "{problem}\nusage: blast_radius --backend sqlite|postgres [--database-url URL] \
         [--services N] [--components N] [--queries N]"
    );
    std::process::exit(2)
}

/// A small, fast, deterministic generator (SplitMix64): the same
/// inventory on every run and every machine, without a `rand` dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Skewed towards 0 (popular packages): `n · u³`.
    fn popular(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64) * u * u * u) as usize
    }
}

/// Package `i` of the pool: its ecosystem, name and versions (3–40, in
/// that ecosystem's style).
fn package(i: usize) -> (&'static str, String, Vec<String>) {
    let ecosystem = ["npm", "npm", "PyPI", "Maven", "crates.io"][i % 5];
    let name = match ecosystem {
        "Maven" => format!("org.example{}:lib-{i}", i % 97),
        _ => format!("pkg-{i}"),
    };
    let count = 3 + ((i + 1) * 7919) % 38;
    let versions = (0..count)
        .map(|v| {
            let (major, minor, patch) = (v / 12, (v / 4) % 3, v % 4);
            match (ecosystem, v % 9) {
                ("PyPI", 8) => format!("{major}.{minor}.{patch}.post1"),
                ("Maven", 8) => format!("{major}.{minor}.{patch}-RC1"),
                ("npm", 8) => format!("{major}.{minor}.{patch}-beta.1"),
                _ => format!("{major}.{minor}.{patch}"),
            }
        })
        .collect();
    (ecosystem, name, versions)
}

fn system(action: &str) -> AuditDraft {
    AuditDraft::new(
        auth::now(),
        Actor::System {
            component: "bench".into(),
        },
        action,
        Target::new("bench", "blast-radius"),
        json!({}),
    )
}

async fn open_store(options: &Options, dir: &std::path::Path) -> (Arc<dyn Store>, String) {
    match options.backend.as_str() {
        "sqlite" => {
            let path = dir.join("rampart.db");
            let store = rampart_store_sqlite::SqliteStore::open(&path)
                .await
                .expect("open SQLite");
            (Arc::new(store), format!("sqlite://{}", path.display()))
        }
        "postgres" => {
            let url = options
                .database_url
                .clone()
                .unwrap_or_else(|| rampart_test_postgres::server().fresh_database_url());
            let store = rampart_store_postgres::PostgresStore::connect(&url)
                .await
                .expect("connect to PostgreSQL");
            (Arc::new(store), url)
        }
        other => usage(&format!("unknown backend {other}")),
    }
}

/// Refreshes the planner's statistics (and, on PostgreSQL, the visibility
/// map index-only scans rely on) after the bulk load, as autovacuum would.
async fn analyze(backend: &str, url: &str) {
    use sqlx::Executor;
    match backend {
        "postgres" => {
            let pool = sqlx::PgPool::connect(url)
                .await
                .expect("connect for VACUUM");
            pool.execute("VACUUM ANALYZE")
                .await
                .expect("VACUUM ANALYZE");
            pool.close().await;
        }
        _ => {
            let pool = sqlx::SqlitePool::connect(url)
                .await
                .expect("open for ANALYZE");
            pool.execute("ANALYZE").await.expect("ANALYZE");
            pool.close().await;
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let options = options();
    let dir = tempfile::tempdir().expect("temporary directory");
    let (store, url) = open_store(&options, dir.path()).await;

    // A security user (sees everything) with an API token.
    let user = store
        .create_user(
            NewUser {
                name: UserName::parse("bench").unwrap(),
                role: GlobalRole::Security,
                password_hash: None,
                created_at: auth::now(),
            },
            system("user.create"),
        )
        .await
        .expect("create user");
    let token = auth::new_api_token().expect("token");
    store
        .create_api_token(
            NewApiToken {
                user_id: user.id,
                name: "bench".into(),
                token_hash: token.sha256_hex.clone(),
                prefix: token.prefix.clone(),
                created_at: auth::now(),
                expires_at: None,
            },
            system("token.create"),
        )
        .await
        .expect("create token");

    // The catalog: 20 teams, N services.
    let teams: Vec<TeamName> = (0..20)
        .map(|t| TeamName::parse(&format!("team-{t}")).unwrap())
        .collect();
    let names: Vec<ServiceName> = (0..options.services)
        .map(|s| ServiceName::parse(&format!("service-{s:04}")).unwrap())
        .collect();
    let mut changes: Vec<CatalogChange> = teams
        .iter()
        .map(|name| {
            CatalogChange::PutTeam(Team {
                name: name.clone(),
                display_name: None,
                description: None,
                email: None,
                parent: None,
                members: Vec::new(),
                source: EntitySource::Manual,
            })
        })
        .collect();
    changes.extend(names.iter().enumerate().map(|(i, name)| {
        CatalogChange::PutService(Service {
            name: name.clone(),
            title: None,
            description: None,
            owner: Some(teams[i % teams.len()].clone()),
            tier: Some(Tier::new((i % 4 + 1) as i64).unwrap()),
            data_classification: None,
            repository_url: None,
            on_call: None,
            security_champion: None,
            lifecycle: Some("production".into()),
            system: None,
            component_type: None,
            source: EntitySource::Manual,
        })
    }));
    store
        .update_catalog(Box::new(move |_| {
            Ok(CatalogUpdate {
                changes,
                audit: system("catalog.import"),
            })
        }))
        .await
        .expect("catalog")
        .expect("catalog decision");

    // One complete dependency scan per service: the most popular package
    // (pkg-0) in nearly every service, the rest skewed towards popular
    // ones, plus a shared secret in every tenth service and one advisory
    // finding each.
    let mut rng = SplitMix(0x5EED);
    let load_started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut rows = 0usize;
    for (s, name) in names.iter().enumerate() {
        let mut components = Vec::with_capacity(options.components);
        let mut seen = std::collections::HashSet::new();
        while components.len() < options.components {
            let index = if components.is_empty() && s % 50 != 49 {
                0
            } else {
                rng.popular(POOL)
            };
            if !seen.insert(index) {
                if seen.len() >= POOL {
                    break;
                }
                continue;
            }
            let (ecosystem, package_name, versions) = package(index);
            let version = versions[rng.below(versions.len())].clone();
            components.push(IncomingComponent {
                scope: "rampart:deps".into(),
                ecosystem: ecosystem.into(),
                name: package_name,
                version: Some(version),
                purl: None,
                path: ["package-lock.json", "poetry.lock", "Cargo.lock"][rng.below(3)].into(),
            });
        }
        rows += components.len();
        let advisory = format!("CVE-2026-{:05}", rng.below(500));
        let mut findings = vec![IncomingFinding {
            scope: "rampart:deps".into(),
            fingerprint: FindingFingerprint::from_parts(&["bench", name.as_str(), &advisory]),
            fingerprint_origin: FingerprintOrigin::Rampart,
            kind: IncomingKind::Vulnerability,
            rule_id: advisory.clone(),
            title: format!("{advisory} in pkg-1"),
            severity: Severity::High,
            path: Some("package-lock.json".into()),
            line: None,
            package: Some(PackageRef {
                ecosystem: "npm".into(),
                name: "pkg-1".into(),
                version: Some("0.1.0".into()),
            }),
            ids: vec![advisory],
            detail: FindingDetail::default(),
            local_suppression: None,
        }];
        if s % 10 == 0 {
            findings.push(IncomingFinding {
                scope: "rampart:deps".into(),
                fingerprint: FindingFingerprint::from_parts(&["secret", "aws", "shared"]),
                fingerprint_origin: FingerprintOrigin::Rampart,
                kind: IncomingKind::Secret,
                rule_id: "aws-access-key-id".into(),
                title: "AWS access key ID".into(),
                severity: Severity::Critical,
                path: Some("deploy/env".into()),
                line: Some(3),
                package: None,
                ids: Vec::new(),
                detail: FindingDetail::default(),
                local_suppression: None,
            });
        }
        let upload = IncomingUpload {
            format: UploadFormat::Scan,
            scopes: vec![UploadScope {
                scope: "rampart:deps".into(),
                complete: true,
            }],
            findings,
            components,
            tool: Some("bench".into()),
            commit: None,
            run: None,
            digest: format!("{s:064x}"),
            skipped: 0,
        };
        let started = Instant::now();
        store
            .record_upload(UploadRequest {
                service: name.clone(),
                upload,
                sla: SlaPolicy::default(),
                by: "bench".into(),
                at: Timestamp::now(),
                audit: system("inventory.upload"),
            })
            .await
            .expect("upload");
        slowest = slowest.max(started.elapsed());
    }
    let load = load_started.elapsed();
    analyze(&options.backend, &url).await;
    eprintln!(
        "loaded {} services, {rows} component rows in {:.1} s ({:.0} uploads/s; slowest upload {:.0} ms)",
        names.len(),
        load.as_secs_f64(),
        names.len() as f64 / load.as_secs_f64(),
        slowest.as_secs_f64() * 1e3,
    );

    let app = router(AppState::new(
        ServerConfig::default(),
        store.clone(),
        rampart_evidence::EvidenceStore::open(
            &rampart_evidence::EvidenceStoreConfig::Local {
                dir: dir.path().join("evidence"),
            },
            &dir.path().join("evidence-staging"),
        )
        .expect("evidence store"),
    ));
    let (top_eco, top_name, top_versions) = package(0);
    // About the lowest 30% of pkg-0's versions.
    let cut = &top_versions[top_versions.len() * 3 / 10];
    let (mid_eco, mid_name, mid_versions) = package(POOL / 10);
    let mid_cut = &mid_versions[mid_versions.len() / 2];
    let secret = FindingFingerprint::from_parts(&["secret", "aws", "shared"]);
    let scenarios = [
        (
            "(a) top package, range ~30% of versions",
            format!("/api/v1/where/package?ecosystem={top_eco}&name={top_name}&range=%3C{cut}"),
        ),
        (
            "(b) top package, any version",
            format!("/api/v1/where/package?ecosystem={top_eco}&name={top_name}"),
        ),
        (
            "(c) less common package, range",
            format!(
                "/api/v1/where/package?ecosystem={mid_eco}&name={mid_name}&range=%3E%3D{mid_cut}"
            ),
        ),
        (
            "(d) absent package",
            "/api/v1/where/package?ecosystem=npm&name=not-there&range=%3C1".to_owned(),
        ),
        (
            "(e) secret fingerprint",
            format!("/api/v1/where/secret?fingerprint={secret}"),
        ),
        (
            "(f) advisory id",
            "/api/v1/where/advisory?id=CVE-2026-00007".to_owned(),
        ),
    ];
    println!(
        "backend {}: {} services × {} components = {rows} rows; {} queries each",
        options.backend,
        names.len(),
        options.components,
        options.queries
    );
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>9}",
        "query", "services", "p50 ms", "p95 ms", "max ms"
    );
    for (label, path) in scenarios {
        let mut times = Vec::with_capacity(options.queries);
        let mut services = 0;
        for _ in 0..options.queries {
            let request = Request::get(&path)
                .header(header::AUTHORIZATION, format!("Bearer {}", token.plaintext))
                .body(Body::empty())
                .unwrap();
            let started = Instant::now();
            let response = app.clone().oneshot(request).await.expect("request");
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            times.push(started.elapsed());
            assert_eq!(
                status,
                StatusCode::OK,
                "{label}: {}",
                String::from_utf8_lossy(&body)
            );
            let answer: Value = serde_json::from_slice(&body).expect("JSON");
            services = answer["services"].as_array().map_or(0, Vec::len);
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "{label:<44} {services:>9} {:>9.2} {:>9.2} {:>9.2}",
            ms(at(0.5)),
            ms(at(0.95)),
            ms(*times.last().unwrap()),
        );
    }
}
