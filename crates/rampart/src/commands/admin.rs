//! `rampart user` and `rampart token`: operator commands that work on the
//! server's database directly. They are how the first admin is made (no
//! default password exists) and how a pipeline gets its first token.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use rampart_audit::{Actor, Target};
use rampart_incident::UserName;
use rampart_store::{AuditDraft, NewApiToken, NewUser, StoreError};
use serde_json::json;

use crate::cli::{TokenCreateArgs, UserCreateArgs, UserListArgs};
use crate::server_store::{block_on, open_store};

/// Who acted, for the audit chain: the operator at a shell, not a Rampart
/// user. The operating-system account is recorded in the payload.
fn operator() -> Actor {
    Actor::System {
        component: "cli".to_owned(),
    }
}

fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Reads one line from standard input; a trailing newline is not part of
/// the password.
fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_owned())
}

pub fn user_create(args: UserCreateArgs) -> anyhow::Result<ExitCode> {
    let name = UserName::parse(&args.name).map_err(|error| anyhow::anyhow!("--name: {error}"))?;
    let password = read_password_line()?;
    if password.is_empty() {
        bail!(
            "no password on standard input; pipe one in, e.g. `read -rs pw && printf '%s\\n' \"$pw\" | rampart user create … --password-stdin`"
        );
    }
    let password_hash = rampart_server::auth::hash_password(&password)
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    block_on(async {
        let store = open_store(&args.location).await?;
        let now = rampart_server::auth::now();
        let audit = AuditDraft::new(
            now,
            operator(),
            "user.create",
            Target::new("user", name.as_str()),
            json!({"name": name.as_str(), "role": args.role.as_str(), "os_user": os_user()}),
        );
        let user = store
            .create_user(
                NewUser {
                    name: name.clone(),
                    role: args.role,
                    password_hash: Some(password_hash),
                    created_at: now,
                },
                audit,
            )
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => {
                    anyhow::anyhow!("a user named `{name}` already exists")
                }
                other => anyhow::Error::new(other).context("cannot create the user"),
            })?;
        println!("created user {} with role {}", user.name, user.role);
        Ok(ExitCode::SUCCESS)
    })
}

pub fn user_list(args: UserListArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open_store(&args.location).await?;
        let users = store.list_users().await.context("cannot list users")?;
        let width = users
            .iter()
            .map(|u| u.name.as_str().len())
            .max()
            .unwrap_or(4)
            .max(4);
        println!("{:<width$}  {:<8}  {:<8}  CREATED", "NAME", "ROLE", "STATE");
        for user in users {
            let state = if user.disabled { "disabled" } else { "active" };
            println!(
                "{:<width$}  {:<8}  {:<8}  {}",
                user.name.as_str(),
                user.role.as_str(),
                state,
                user.created_at.strftime("%Y-%m-%d %H:%M UTC")
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn token_create(args: TokenCreateArgs) -> anyhow::Result<ExitCode> {
    let name = UserName::parse(&args.user).map_err(|error| anyhow::anyhow!("--user: {error}"))?;
    block_on(async {
        let store = open_store(&args.location).await?;
        let user = store
            .user_by_name(&name)
            .await
            .context("cannot read users")?
            .with_context(|| {
                format!("no user named `{name}`; create it with `rampart user create`")
            })?;
        if user.disabled {
            bail!("user `{name}` is disabled");
        }
        let now = rampart_server::auth::now();
        let label = args
            .name
            .clone()
            .unwrap_or_else(|| format!("cli-{}", now.strftime("%Y%m%dT%H%M%SZ")));
        let expires_at = match args.expires {
            Some(days) => Some(
                now.checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days)))
                    .context("--expires is too far in the future")?,
            ),
            None => None,
        };
        let token = rampart_server::auth::new_api_token()
            .map_err(|error| anyhow::anyhow!("cannot make a token: {error}"))?;
        let audit = AuditDraft::new(
            now,
            operator(),
            "token.create",
            Target::new("user", name.as_str()),
            json!({
                "token_name": label,
                "prefix": token.prefix,
                "expires_at": expires_at.map(|t| t.to_string()),
                "os_user": os_user(),
            }),
        );
        store
            .create_api_token(
                NewApiToken {
                    user_id: user.id,
                    name: label.clone(),
                    token_hash: token.sha256_hex.clone(),
                    prefix: token.prefix.clone(),
                    created_at: now,
                    expires_at,
                },
                audit,
            )
            .await
            .map_err(|error| match error {
                StoreError::Conflict { .. } => {
                    anyhow::anyhow!(
                        "user `{name}` already has a token named `{label}`; pick another --name"
                    )
                }
                other => anyhow::Error::new(other).context("cannot store the token"),
            })?;
        eprintln!(
            "token `{label}` for {name}{}; it is shown only this once:",
            match expires_at {
                Some(at) => format!(", expires {}", at.strftime("%Y-%m-%d")),
                None => String::new(),
            }
        );
        println!("{}", token.plaintext);
        Ok(ExitCode::SUCCESS)
    })
}
