//! `rampart audit verify|head`: the tamper-evident audit chain, read
//! straight from the server's database (no server needed, and no API a
//! compromised server could lie through).

use std::process::ExitCode;

use anyhow::Context;
use rampart_store::{AuditVerifyError, verify_audit_chain};

use crate::cli::{AuditHeadArgs, AuditVerifyArgs};
use crate::server_store::{block_on, open_store};

/// Exit code when the chain is broken: the same "findings" code a scan uses.
const EXIT_CHAIN_BROKEN: u8 = 1;

pub fn verify(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open_store(&args.location).await?;
        match verify_audit_chain(store.as_ref(), args.anchor.as_ref()).await {
            Ok(summary) => {
                println!(
                    "audit chain intact: {} events, head {}",
                    summary.length, summary.head
                );
                if let Some(anchor) = &args.anchor {
                    println!("matches the anchor {anchor}");
                }
                println!("{summary}");
                Ok(ExitCode::SUCCESS)
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
                Ok(ExitCode::from(EXIT_CHAIN_BROKEN))
            }
            Err(AuditVerifyError::Store(error)) => {
                Err(error).context("could not read the audit chain")
            }
        }
    })
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
