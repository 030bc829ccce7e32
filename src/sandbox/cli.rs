//! `appmesh-tui sandbox serve|seed`.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use super::state::{Data, MeshRecord, Spec};
use super::{
    ACCESS_KEY_ID, ACCOUNT_ID, Config, DEFAULT_MAX_MESHES, SECRET_ACCESS_KEY, Sandbox,
    SandboxError, StateLocation, default_state_path, server, store,
};

#[derive(Debug, clap::Subcommand)]
pub enum SandboxCommand {
    /// Run the App Mesh-compatible sandbox endpoint until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Add meshes to a sandbox state file directly (no server), e.g. to try a long list.
    Seed(SeedArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on. Anything but loopback exposes the sandbox to the network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// State file [default: $XDG_DATA_HOME/appmesh-tui/sandbox.json].
    #[arg(long, value_name = "PATH", conflicts_with = "ephemeral")]
    pub state: Option<PathBuf>,
    /// Keep the state in memory only; it is gone when the sandbox stops.
    #[arg(long)]
    pub ephemeral: bool,
    /// Most meshes the sandbox holds; past it CreateMesh answers LimitExceededException.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_MESHES)]
    pub max_meshes: usize,
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// How many meshes to add.
    #[arg(long, value_name = "N")]
    pub count: usize,
    /// State file [default: $XDG_DATA_HOME/appmesh-tui/sandbox.json].
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Name prefix: meshes are named PREFIX-00001, PREFIX-00002, ...
    #[arg(long, value_name = "NAME", default_value = "seed")]
    pub prefix: String,
    /// Tags to put on each mesh (seed=true, index=N, then filler keys).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub tags: usize,
}

fn state_path(given: Option<PathBuf>) -> Result<PathBuf, String> {
    given.or_else(default_state_path).ok_or_else(|| {
        "cannot find a data directory for the sandbox state (is HOME set?) — pass --state PATH or --ephemeral".to_string()
    })
}

/// Runs a `sandbox` subcommand. `region` is the top-level `--region` (us-east-1 by default).
pub async fn run(cmd: SandboxCommand, region: &str) -> Result<(), String> {
    match cmd {
        SandboxCommand::Serve(args) => serve(args, region).await,
        SandboxCommand::Seed(args) => seed(args, region),
    }
}

async fn serve(args: ServeArgs, region: &str) -> Result<(), String> {
    let state = if args.ephemeral {
        StateLocation::Ephemeral
    } else {
        StateLocation::File(state_path(args.state)?)
    };
    let mut config = Config::new(region, state.clone());
    config.bind = SocketAddr::new(args.bind, args.port);
    config.max_meshes = args.max_meshes;
    config.log_requests = true;
    let stop = StopSignals::install();
    let sandbox = Sandbox::start(config).await.map_err(|e| e.to_string())?;
    let endpoint = sandbox.endpoint();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "appmesh sandbox listening on {endpoint}");
        match &state {
            StateLocation::File(p) => {
                let _ = writeln!(
                    out,
                    "state: {} ({} meshes)",
                    p.display(),
                    sandbox.mesh_names().len()
                );
            }
            StateLocation::Ephemeral => {
                let _ = writeln!(
                    out,
                    "state: in memory only (--ephemeral); gone when the sandbox stops"
                );
            }
        }
        if !args.bind.is_loopback() {
            let _ = writeln!(
                out,
                "warning: listening on {} — anyone who can reach this address can change the sandbox",
                args.bind
            );
        }
        let _ = writeln!(
            out,
            "try it:\n  export AWS_ACCESS_KEY_ID={ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY='{SECRET_ACCESS_KEY}' AWS_REGION={region} AWS_DEFAULT_REGION={region}\n  aws --endpoint-url {endpoint} appmesh list-meshes\n(account {ACCOUNT_ID}; one line per request goes to stderr; Ctrl-C stops)"
        );
        let _ = out.flush();
    }
    stop.wait().await;
    eprintln!("appmesh sandbox: stopping; saving state…");
    sandbox.shutdown().await;
    eprintln!("appmesh sandbox: stopped");
    Ok(())
}

/// Ctrl-C and SIGTERM, with their handlers installed when this is created (before the
/// listening line is printed, so a supervisor that signals right after reading it is obeyed).
struct StopSignals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            StopSignals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            async fn recv(s: Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            if self.int.is_none() && self.term.is_none() {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
            tokio::select! {
                _ = recv(self.int) => {}
                _ = recv(self.term) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Adds `count` meshes named `{prefix}-{i:05}` (skipping names that exist) to `data`.
/// Returns the first and last names added.
pub fn seed_data(
    data: &mut Data,
    count: usize,
    prefix: &str,
    tags: usize,
    region: &str,
    now_ms: i64,
) -> Result<Option<(String, String)>, String> {
    let mut added: Option<(String, String)> = None;
    let mut i = 0usize;
    let mut n = 0usize;
    while n < count {
        i += 1;
        let name = format!("{prefix}-{i:05}");
        if crate::model::char_len(&name) > crate::model::MESH_NAME_MAX {
            return Err(format!(
                "mesh name {name:?} would be longer than {} characters; use a shorter --prefix",
                crate::model::MESH_NAME_MAX
            ));
        }
        if data.meshes.contains_key(&name) {
            continue;
        }
        let mut t = BTreeMap::new();
        for k in 0..tags.min(crate::model::TAGS_MAX) {
            match k {
                0 => t.insert("seed".to_string(), "true".to_string()),
                1 => t.insert("index".to_string(), i.to_string()),
                _ => t.insert(format!("tag-{k:02}"), format!("value-{k:02}")),
            };
        }
        let rec = MeshRecord {
            arn: format!("arn:aws:appmesh:{region}:{ACCOUNT_ID}:mesh/{name}"),
            uid: uuid::Uuid::new_v4().to_string(),
            version: 1,
            created_ms: now_ms,
            updated_ms: now_ms,
            spec: Spec::default(),
            tags: t,
            create_token: None,
            update_tokens: Vec::new(),
            name: name.clone(),
        };
        data.meshes.insert(name.clone(), Arc::new(rec));
        added = Some(match added {
            None => (name.clone(), name),
            Some((first, _)) => (first, name),
        });
        n += 1;
    }
    Ok(added)
}

fn seed(args: SeedArgs, region: &str) -> Result<(), String> {
    if crate::model::char_len(&args.prefix) == 0 {
        return Err("--prefix must not be empty".into());
    }
    let path = state_path(args.state)?;
    let (mut store, mut data) = store::Store::open(&path).map_err(|e| e.to_string())?;
    let before = data.meshes.len();
    let added = seed_data(
        &mut data,
        args.count,
        &args.prefix,
        args.tags,
        region,
        server::now_ms(),
    )?;
    store
        .replace(&data)
        .and_then(|()| store.close(&data))
        .map_err(|e| {
            SandboxError::StateWrite {
                path: e.path,
                reason: e.source.to_string(),
            }
            .to_string()
        })?;
    match added {
        Some((first, last)) => println!(
            "added {} meshes ({first} … {last}) to {}; it now holds {} meshes",
            args.count,
            path.display(),
            data.meshes.len()
        ),
        None => println!(
            "added no meshes; {} holds {} meshes",
            path.display(),
            before
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Top {
        #[command(subcommand)]
        cmd: SandboxCommand,
    }

    #[test]
    fn parses_serve_and_seed() {
        let t = Top::try_parse_from(["x", "serve", "--port", "4566", "--ephemeral"]).unwrap();
        match t.cmd {
            SandboxCommand::Serve(a) => {
                assert_eq!(a.port, 4566);
                assert!(a.ephemeral);
                assert!(a.bind.is_loopback());
                assert_eq!(a.max_meshes, 100_000);
            }
            _ => panic!(),
        }
        assert!(Top::try_parse_from(["x", "serve", "--state", "a", "--ephemeral"]).is_err());
        let t = Top::try_parse_from(["x", "seed", "--count", "3", "--prefix", "p"]).unwrap();
        assert!(matches!(
            t.cmd,
            SandboxCommand::Seed(SeedArgs { count: 3, .. })
        ));
    }

    #[test]
    fn seed_skips_existing_names_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let args = |count| SeedArgs {
            count,
            state: Some(path.clone()),
            prefix: "seed".into(),
            tags: 2,
        };
        seed(args(3), "us-west-2").unwrap();
        seed(args(2), "us-west-2").unwrap();
        let data = store::load(&path).unwrap().unwrap();
        let names: Vec<_> = data.meshes.keys().cloned().collect();
        assert_eq!(
            names,
            [
                "seed-00001",
                "seed-00002",
                "seed-00003",
                "seed-00004",
                "seed-00005"
            ]
        );
        let m = &data.meshes["seed-00004"];
        assert_eq!(
            m.arn,
            "arn:aws:appmesh:us-west-2:111122223333:mesh/seed-00004"
        );
        assert_eq!(m.tags.get("index").map(String::as_str), Some("4"));
    }
}
