use std::process::ExitCode;

use appmesh_tui::cli::{Cli, Command};
use appmesh_tui::{run, sandbox};
use clap::Parser;

/// Worker threads of the TUI's runtime (see `main`).
const TUI_WORKERS: usize = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(result) = cli
        .command
        .as_ref()
        .and_then(|c| appmesh_tui::cli::run_plain(c, &mut std::io::stdout()))
    {
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("appmesh-tui: {msg}");
                ExitCode::FAILURE
            }
        };
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if cli.command.is_none() {
        // The TUI draws on the main thread and its calls wait on the network: one worker is
        // enough for 16 calls in flight, and memory does not grow with the machine's cores
        // (each worker keeps its own stack and allocator arena). The sandbox server and the
        // other commands keep one worker per core.
        builder.worker_threads(TUI_WORKERS);
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("appmesh-tui: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Sandbox(cmd)) => {
                let region =
                    sandbox::cli::default_region(cli.region.as_deref(), cli.profile.as_deref());
                sandbox::cli::run(cmd, &region).await
            }
            Some(Command::Migrate(ref args)) => appmesh_tui::migrate::cli::run(&cli, args).await,
            Some(Command::MeshFile(ref cmd)) => appmesh_tui::meshfile::cli::run(&cli, cmd).await,
            Some(Command::Graph(ref args)) => appmesh_tui::topology::cli::run(&cli, args).await,
            Some(_) => Ok(()),
            None => run::run_tui(cli).await,
        }
    });
    // Background tasks (a call still in flight) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("appmesh-tui: {msg}");
            ExitCode::FAILURE
        }
    }
}
