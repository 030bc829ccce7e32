//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::sandbox::cli::SandboxCommand;

/// A terminal UI for AWS App Mesh: create, browse, update, tag and delete meshes.
///
/// AWS ended App Mesh support on 2026-09-30. `--sandbox` runs the app on the built-in,
/// App Mesh-compatible sandbox, so it works without an AWS account.
#[derive(Debug, Parser)]
#[command(name = "appmesh-tui", version, about, long_about)]
pub struct Cli {
    /// AWS profile from your AWS config (default: AWS_PROFILE, then "default").
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region (default: AWS_REGION, the profile's region, then us-east-1).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Send requests to this endpoint instead of AWS (also AWS_ENDPOINT_URL_APP_MESH).
    #[arg(long, value_name = "URL", conflicts_with = "sandbox")]
    pub endpoint_url: Option<String>,

    /// Run on the built-in App Mesh sandbox (no AWS account needed).
    #[arg(long)]
    pub sandbox: bool,

    /// With --sandbox: keep the sandbox's state in this file.
    #[arg(
        long,
        value_name = "PATH",
        requires = "sandbox",
        conflicts_with = "ephemeral"
    )]
    pub state: Option<PathBuf>,

    /// With --sandbox: keep the sandbox's state in memory only.
    #[arg(long, requires = "sandbox")]
    pub ephemeral: bool,

    /// Hide and refuse every action that changes something.
    #[arg(long)]
    pub read_only: bool,

    /// Seconds allowed to connect to the endpoint.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub connect_timeout: f64,

    /// Seconds allowed for one attempt of a call.
    #[arg(long, value_name = "SECS", default_value_t = 15.0)]
    pub attempt_timeout: f64,

    /// Seconds allowed for a whole call, retries included.
    #[arg(long, value_name = "SECS", default_value_t = 45.0)]
    pub call_timeout: f64,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run or fill the built-in App Mesh sandbox without the UI.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

/// Turns a seconds flag into a duration, refusing nonsense with a message that says why.
pub fn seconds(name: &str, v: f64) -> Result<std::time::Duration, String> {
    if v.is_finite() && v > 0.0 && v <= 3600.0 {
        Ok(std::time::Duration::from_secs_f64(v))
    } else {
        Err(format!(
            "--{name} must be a number of seconds between 0 and 3600; got {v}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn state_needs_sandbox() {
        assert!(Cli::try_parse_from(["appmesh-tui", "--state", "x.json"]).is_err());
        assert!(Cli::try_parse_from(["appmesh-tui", "--sandbox", "--state", "x.json"]).is_ok());
        assert!(
            Cli::try_parse_from(["appmesh-tui", "--sandbox", "--endpoint-url", "http://x"])
                .is_err()
        );
    }

    #[test]
    fn timeouts_are_checked() {
        assert!(seconds("connect-timeout", 0.0).is_err());
        assert!(seconds("connect-timeout", f64::NAN).is_err());
        assert_eq!(seconds("connect-timeout", 1.5).unwrap().as_millis(), 1500);
    }
}
