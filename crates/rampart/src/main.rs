//! The `rampart` binary: argument parsing and wiring. The work happens in
//! the library crates; each subcommand lives in `commands/<name>.rs` with a
//! `run(args) -> Result<ExitCode>`.

mod cli;
mod commands;
mod paths;
mod server_store;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{AuditCommand, Cli, Command, DbCommand, TokenCommand, UserCommand};

/// Exit code for usage and input errors (documented in the README).
pub const EXIT_INPUT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => commands::scan::run(args),
        Command::Db(db) => match db.command {
            DbCommand::Import(args) => commands::db::import(&db.db, args),
            DbCommand::Status(args) => commands::db::status(&db.db, args),
            DbCommand::Update(args) => commands::db::update(&db.db, args),
        },
        Command::Serve(args) => commands::serve::run(args),
        Command::User(user) => match user.command {
            UserCommand::Create(args) => commands::admin::user_create(args),
            UserCommand::List(args) => commands::admin::user_list(args),
        },
        Command::Token(token) => match token.command {
            TokenCommand::Create(args) => commands::admin::token_create(args),
        },
        Command::Audit(audit) => match audit.command {
            AuditCommand::Verify(args) => commands::audit::verify(args),
            AuditCommand::Head(args) => commands::audit::head(args),
        },
        Command::Incident(args) => commands::incident::run(args),
        Command::Evidence(args) => commands::evidence::run(args),
        Command::BreakGlass(args) => commands::incident::break_glass(args),
        Command::Notifications(args) => commands::incident::notifications(args),
        Command::Service(args) => commands::catalog::service(args),
        Command::Team(args) => commands::catalog::team(args),
        Command::Upload(args) => commands::upload::run(args),
        Command::Findings(args) => commands::findings::run(args),
        Command::Where(args) => commands::where_::run(args),
        Command::Threat(args) => commands::threat::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let mut message = format!("error: {err}");
            for cause in err.chain().skip(1) {
                // Library errors often quote their source in their own text.
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(&format!("\n  caused by: {cause}"));
                }
            }
            eprintln!("{message}");
            ExitCode::from(EXIT_INPUT_ERROR)
        }
    }
}

/// `rampart scan | head` closing the pipe early is not an error (ripgrep
/// treats it the same way).
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
