//! `rampart audit verify|head`: the tamper-evident audit chain, read
//! straight from the server's database (no server needed, and no API a
//! compromised server could lie through).

use std::process::ExitCode;

use anyhow::Context;
use rampart_store::{AuditVerifyError, verify_audit_chain};

use crate::cli::{AuditHeadArgs, AuditVerifyArgs};
use crate::server_store::{block_on, open_store};

/// Exit code when the chain is broken or an evidence blob fails
/// verification: the same "findings" code a scan uses.
const EXIT_CHAIN_BROKEN: u8 = 1;

pub fn verify(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let evidence = if args.skip_evidence {
        None
    } else {
        let config = super::serve::load_config_at(&args.location, None)?;
        Some(super::serve::open_evidence(&config)?)
    };
    block_on(async {
        let store = open_store(&args.location).await?;
        let chain = verify_chain(store.as_ref(), &args).await?;
        // The custody check trusts the events it reads, so it only means
        // something on an intact chain.
        let custody = chain && verify_custody_log(store.as_ref()).await?;
        let blobs = match &evidence {
            Some(evidence) => verify_evidence(store.as_ref(), evidence).await?,
            None => true,
        };
        Ok(if chain && custody && blobs {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_CHAIN_BROKEN)
        })
    })
}

/// Matches the evidence custody log against the audit events that
/// recorded it; prints each discrepancy. True when they agree.
async fn verify_custody_log(store: &dyn rampart_store::Store) -> anyhow::Result<bool> {
    let discrepancies = rampart_store::verify_custody(store)
        .await
        .context("could not read the evidence custody log")?;
    if discrepancies.is_empty() {
        println!("evidence custody log matches the audit chain");
        return Ok(true);
    }
    for discrepancy in &discrepancies {
        eprintln!("custody log BROKEN: {discrepancy}");
    }
    Ok(false)
}

/// Re-hashes every stored evidence blob against the digest recorded on
/// intake; prints each failure. True when all are intact.
async fn verify_evidence(
    store: &dyn rampart_store::Store,
    evidence: &rampart_evidence::EvidenceStore,
) -> anyhow::Result<bool> {
    let items = store
        .all_evidence_for_verification()
        .await
        .context("could not read the evidence items")?;
    let mut intact = 0usize;
    let mut external = 0usize;
    let mut failed = 0usize;
    for row in &items {
        if !row.item.is_stored() {
            external += 1;
            continue;
        }
        let digest: rampart_evidence::Sha256Digest =
            row.item.sha256.as_str().parse().with_context(|| {
                format!(
                    "evidence item {}#{} has an unreadable digest",
                    row.incident, row.record_id
                )
            })?;
        let check = evidence
            .check(&digest)
            .await
            .with_context(|| format!("could not read evidence blob {digest}"))?;
        match check {
            rampart_evidence::BlobCheck::Intact { .. } => intact += 1,
            rampart_evidence::BlobCheck::Mismatch { actual, size } => {
                failed += 1;
                eprintln!(
                    "evidence {}#{} ({}) TAMPERED: stored bytes hash to {actual} ({size} bytes), not to {digest} recorded on intake",
                    row.incident, row.record_id, row.item.name
                );
            }
            rampart_evidence::BlobCheck::Missing => {
                failed += 1;
                eprintln!(
                    "evidence {}#{} ({}) MISSING: no blob {digest} in {}",
                    row.incident,
                    row.record_id,
                    row.item.name,
                    evidence.describe()
                );
            }
        }
    }
    if failed == 0 {
        println!(
            "evidence intact: {intact} stored blobs re-hashed, {external} items kept outside Rampart ({})",
            evidence.describe()
        );
    } else {
        eprintln!(
            "evidence: {failed} of {} stored blobs FAILED verification",
            intact + failed
        );
    }
    Ok(failed == 0)
}

/// Verifies the chain; prints the outcome. True when intact.
async fn verify_chain(
    store: &dyn rampart_store::Store,
    args: &AuditVerifyArgs,
) -> anyhow::Result<bool> {
    {
        match verify_audit_chain(store, args.anchor.as_ref()).await {
            Ok(summary) => {
                println!(
                    "audit chain intact: {} events, head {}",
                    summary.length, summary.head
                );
                if let Some(anchor) = &args.anchor {
                    println!("matches the anchor {anchor}");
                }
                println!("{summary}");
                Ok(true)
            }
            Err(AuditVerifyError::Broken(chain_break)) => {
                eprintln!(
                    "audit chain BROKEN at event {}: {chain_break}",
                    chain_break.sequence()
                );
                eprintln!(
                    "events before {} still verify; everything from it on is suspect",
                    chain_break.sequence()
                );
                Ok(false)
            }
            Err(AuditVerifyError::Store(error)) => {
                Err(error).context("could not read the audit chain")
            }
        }
    }
}

pub fn head(args: AuditHeadArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open_store(&args.location).await?;
        let head = store
            .audit_head()
            .await
            .context("could not read the audit chain")?;
        // Bare, so that `rampart audit head > anchor.txt` and
        // `--anchor "$(cat anchor.txt)"` round-trip.
        println!("{head}");
        Ok(ExitCode::SUCCESS)
    })
}
