//! `appmesh-tui migrate --mesh NAME --to TARGET --format FORMAT [-o FILE]`: reads the whole mesh
//! (the same connection flags as the app, `--sandbox` included) and prints or writes the
//! migration.

use std::path::PathBuf;

use super::{Format, Target, migrate};
use crate::cli::Cli;

#[derive(Debug, Clone, clap::Args)]
pub struct MigrateArgs {
    /// The mesh to migrate.
    #[arg(long, value_name = "NAME")]
    pub mesh: String,
    /// Where to: lattice, lattice-gateway-api (EKS) or service-connect (ECS).
    #[arg(long, value_enum, value_name = "TARGET")]
    pub to: Target,
    /// What to write: cloudformation, terraform, yaml (Gateway API manifests for
    /// lattice-gateway-api, a plan of API calls otherwise) or report (Markdown).
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "report")]
    pub format: Format,
    /// Write to FILE instead of standard output (an existing file is kept unless --force).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With -o: replace FILE when it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// Runs the command; the error says what went wrong and what to do.
pub async fn run(cli: &Cli, args: &MigrateArgs) -> Result<(), String> {
    let conn = crate::headless::connect(cli).await?;
    let whence = conn.describe();
    let fetched = crate::mesh::fetch(&conn.api, &args.mesh).await;
    conn.close().await;
    let model = fetched.map_err(|e| {
        format!(
            "cannot read mesh {:?} from {whence}: {}{}. {}",
            args.mesh,
            e.code
                .as_deref()
                .map(|c| format!("{c}: "))
                .unwrap_or_default(),
            e.message.trim_end_matches('.'),
            e.hint()
        )
    })?;
    let text = migrate(&model, args.to).render(args.format)?;
    match &args.output {
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(text.as_bytes())
                .map_err(|e| format!("cannot write the output: {e}"))
        }
        Some(path) => {
            let existing = if args.force {
                crate::fileio::Existing::Replace
            } else {
                crate::fileio::Existing::Keep
            };
            crate::fileio::write_file(path, text.as_bytes(), existing)
                .map(|_| ())
                .map_err(|e| match e {
                    crate::fileio::WriteError::Exists { .. } => format!(
                        "{}; add --force to replace it",
                        e.to_string().split(';').next().unwrap_or_default()
                    ),
                    other => other.to_string(),
                })
        }
    }
}
