//! Commands without the terminal UI (`export --mesh`, `plan`, `apply`, `import`, `graph`,
//! `migrate`, …) reach App Mesh the same way the app does: `--endpoint-url`, `--profile`,
//! `--region` and the AWS environment, or `--sandbox` (the built-in sandbox on its state file,
//! started in this process for the command's duration). One place decides, so every command
//! takes the same flags.

use crate::aws::{self, Api, Target};
use crate::cli::Cli;
use crate::run::Plan;
use crate::sandbox::Sandbox;

/// A connected client, and the in-process sandbox behind it when `--sandbox` was given.
pub struct Connection {
    pub api: Api,
    pub target: Target,
    sandbox: Option<Sandbox>,
}

impl Connection {
    /// Where requests go, in words: "the built-in sandbox (state: …)" or the endpoint/region.
    pub fn describe(&self) -> String {
        match (&self.sandbox, &self.target.endpoint) {
            (Some(_), _) => format!("the built-in sandbox, region {}", self.target.region),
            (None, Some(e)) => format!(
                "{} (region {})",
                crate::redact::redact(e),
                self.target.region
            ),
            (None, None) => format!("AWS App Mesh in {}", self.target.region),
        }
    }

    /// Stops the in-process sandbox (saving its state), if there is one.
    pub async fn close(self) {
        if let Some(sb) = self.sandbox {
            sb.shutdown().await;
        }
    }
}

/// Connects as the command line says (see the module documentation). The error says what to
/// fix.
pub async fn connect(cli: &Cli) -> Result<Connection, String> {
    let (config, _problem) = crate::config::Config::load_from(crate::config::path().as_deref());
    let plan = Plan::from_cli(cli, &config)?;
    let mut settings = plan.settings.clone();
    let sandbox = match &plan.sandbox {
        Some(cfg) => {
            let sb = Sandbox::start(cfg.clone())
                .await
                .map_err(|e| e.to_string())?;
            settings.endpoint_url = Some(sb.endpoint());
            Some(sb)
        }
        None => None,
    };
    let (api, target) = aws::connect(&settings)
        .await
        .map_err(|e| format!("{}: {}", e.title(), e.message))?;
    Ok(Connection {
        api,
        target,
        sandbox,
    })
}
