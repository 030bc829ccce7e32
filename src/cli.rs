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

    /// With --sandbox: the sandbox's service quotas (--quota NAME=N, --no-quotas).
    #[command(flatten)]
    pub quotas: crate::sandbox::cli::QuotaArgs,

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

    /// Colour theme (default: the config file's, then "default"). NO_COLOR means mono.
    #[arg(long, value_enum, value_name = "THEME")]
    pub theme: Option<crate::config::ThemeName>,

    /// Write a diagnostic log to FILE (appended, mode 0600; never to the terminal). Off by default.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    /// Record this session's requests, results and errors as Markdown in FILE (appended).
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,

    /// Start with a guided walkthrough: `mesh` (the default: the create flow; F6 opens it from
    /// the form) or `service` (onboard a service into a mesh; F6 inside a mesh opens it).
    #[arg(
        long,
        value_enum,
        value_name = "WHICH",
        num_args = 0..=1,
        default_missing_value = "mesh"
    )]
    pub walkthrough: Option<Walkthrough>,

    /// Prefill the create form from FILE, a `create-mesh --cli-input-json` document that may
    /// add team rules under "x-appmesh-tui-rules" (see assets/templates/).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,

    /// The largest --template file read, in bytes; K and M suffixes work (default: 1M).
    #[arg(
        long,
        value_name = "BYTES",
        default_value = "1M",
        hide_default_value = true,
        value_parser = parse_size
    )]
    pub max_template_size: u64,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Which walkthrough `--walkthrough` starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Walkthrough {
    /// Create a mesh, one setting per step.
    Mesh,
    /// Onboard a service: virtual node, service, router and route, gateway route.
    Service,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run or fill the built-in App Mesh sandbox without the UI.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Where the config file is, and an example of it.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script: `appmesh-tui completions bash > /etc/bash_completion.d/appmesh-tui`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `appmesh-tui man | man -l -`.
    Man,
    /// Convert a mesh for VPC Lattice, VPC Lattice with the Kubernetes Gateway API, or ECS
    /// Service Connect: CloudFormation, Terraform, YAML, or a report of what carries over.
    Migrate(crate::migrate::cli::MigrateArgs),
    /// Mesh files: export, plan, apply, import, replay (crate::meshfile::cli).
    #[command(flatten)]
    MeshFile(crate::meshfile::cli::MeshCommand),
    /// Draw a mesh's topology for documents and tickets: text, DOT, Mermaid or SVG.
    Graph(crate::topology::cli::GraphArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print where the config file is looked for, and whether it exists.
    Path,
    /// Print an example config file with every setting.
    Example,
}

/// Runs the subcommands that need no async runtime: completions, man page, config.
/// Returns `None` for everything else.
pub fn run_plain(command: &Command, out: &mut dyn std::io::Write) -> Option<Result<(), String>> {
    use clap::CommandFactory;
    let io = |e: std::io::Error| format!("cannot write the output: {e}");
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "appmesh-tui", out);
            Some(Ok(()))
        }
        Command::Man => Some(
            clap_mangen::Man::new(Cli::command())
                .render(out)
                .map_err(io),
        ),
        Command::Config(ConfigCommand::Example) => {
            Some(out.write_all(crate::config::EXAMPLE.as_bytes()).map_err(io))
        }
        Command::Config(ConfigCommand::Path) => Some(match crate::config::path() {
            Some(p) if p.exists() => writeln!(out, "{}", p.display()).map_err(io),
            Some(p) => writeln!(
                out,
                "{}\n(not created yet: `appmesh-tui config example > {}` writes one to edit)",
                p.display(),
                p.display()
            )
            .map_err(io),
            None => Err("no config directory: set HOME or XDG_CONFIG_HOME".into()),
        }),
        Command::Sandbox(_) | Command::Migrate(_) | Command::MeshFile(_) | Command::Graph(_) => {
            None
        }
    }
}

/// Turns a seconds flag into a duration, refusing nonsense with a message that says why.
pub fn seconds(name: &str, v: f64) -> Result<std::time::Duration, String> {
    if v.is_finite() && v > 0.0 && v <= 3600.0 {
        Ok(std::time::Duration::from_secs_f64(v))
    } else if v == 0.0 {
        Err(format!(
            "--{name} 0 would give up before anything is sent; give a number of seconds above 0 (at most 3600), e.g. --{name} 0.5"
        ))
    } else {
        Err(format!(
            "--{name} must be a number of seconds above 0 and at most 3600; got {v}"
        ))
    }
}

/// The most a size flag takes: 1 GiB.
pub const SIZE_MAX: u64 = 1 << 30;

/// A size in bytes: `4096`, `512K` / `512KiB`, `4M` / `4MiB`, `1G` / `1GiB` (powers of 1024),
/// from 1 byte to 1 GiB.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = t[digits.len()..].to_ascii_lowercase();
    let mult: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "{s:?} is not a size: use bytes, or a number with K, M or G (e.g. 4M)"
            ));
        }
    };
    let n: u64 = digits.trim().parse().map_err(|_| {
        format!("{s:?} is not a size: use bytes, or a number with K, M or G (e.g. 4M)")
    })?;
    match n.checked_mul(mult) {
        Some(v) if (1..=SIZE_MAX).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is out of range: from 1 byte to 1G")),
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
    fn quotas_go_with_the_sandbox() {
        let cli =
            Cli::try_parse_from(["appmesh-tui", "--sandbox", "--quota", "meshes=100"]).unwrap();
        assert_eq!(
            cli.quotas
                .quotas()
                .unwrap()
                .get(crate::sandbox::quota::Quota::Meshes),
            Some(100)
        );
        let cli = Cli::try_parse_from(["appmesh-tui", "--sandbox", "--no-quotas"]).unwrap();
        assert!(cli.quotas.quotas().unwrap().all_off());
    }

    #[test]
    fn walkthrough_alone_is_the_mesh_one_and_service_is_the_onboarding() {
        let w = |args: &[&str]| {
            let mut all = vec!["appmesh-tui"];
            all.extend(args);
            Cli::try_parse_from(all).map(|c| c.walkthrough)
        };
        assert_eq!(w(&[]).unwrap(), None);
        assert_eq!(w(&["--walkthrough"]).unwrap(), Some(Walkthrough::Mesh));
        assert_eq!(
            w(&["--sandbox", "--walkthrough", "--ephemeral"]).unwrap(),
            Some(Walkthrough::Mesh)
        );
        assert_eq!(
            w(&["--walkthrough", "service"]).unwrap(),
            Some(Walkthrough::Service)
        );
        assert_eq!(w(&["--walkthrough=mesh"]).unwrap(), Some(Walkthrough::Mesh));
        let e = w(&["--walkthrough", "nodes"]).unwrap_err().to_string();
        assert!(e.contains("mesh") && e.contains("service"), "{e}");
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
    fn plain_subcommands_print_something_useful() {
        let run = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).unwrap();
            let mut out = Vec::new();
            run_plain(cli.command.as_ref().unwrap(), &mut out)
                .unwrap()
                .unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(run(&["appmesh-tui", "completions", "bash"]).contains("appmesh-tui"));
        assert!(run(&["appmesh-tui", "completions", "zsh"]).contains("#compdef appmesh-tui"));
        assert!(run(&["appmesh-tui", "completions", "fish"]).contains("complete -c appmesh-tui"));
        let man = run(&["appmesh-tui", "man"]);
        assert!(
            man.contains(".TH appmesh-tui") && man.contains("sandbox"),
            "{man}"
        );
        assert!(run(&["appmesh-tui", "config", "example"]).contains("key_hints"));
        assert!(run(&["appmesh-tui", "config", "path"]).contains("appmesh-tui/config.toml"));
    }

    #[test]
    fn sizes_are_parsed_and_checked() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("4MiB"), Ok(4 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("0").unwrap_err().contains("out of range"));
        assert!(parse_size("2G").unwrap_err().contains("out of range"));
        assert!(parse_size("lots").unwrap_err().contains("not a size"));
        assert!(parse_size("4T").unwrap_err().contains("not a size"));
        let cli = Cli::try_parse_from(["appmesh-tui", "--max-template-size", "2M"]).unwrap();
        assert_eq!(cli.max_template_size, 2 << 20);
        let cli = Cli::try_parse_from(["appmesh-tui"]).unwrap();
        assert_eq!(cli.max_template_size, crate::template::TEMPLATE_MAX_BYTES);
    }

    #[test]
    fn timeouts_are_checked() {
        let zero = seconds("call-timeout", 0.0).unwrap_err();
        assert!(
            zero.contains("above 0") && !zero.contains("between 0"),
            "{zero}"
        );
        assert!(
            seconds("connect-timeout", -1.0)
                .unwrap_err()
                .contains("got -1")
        );
        assert!(seconds("connect-timeout", 3601.0).is_err());
        assert!(seconds("connect-timeout", f64::NAN).is_err());
        assert_eq!(seconds("connect-timeout", 1.5).unwrap().as_millis(), 1500);
    }
}
