//! `appmesh-tui sandbox serve|seed`.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use serde_json::{Value, json};

use super::quota::Quotas;
use super::state::{CreateInput, Data, Loc, State};
use super::{
    ACCESS_KEY_ID, ACCOUNT_ID, Config, SECRET_ACCESS_KEY, Sandbox, SandboxError, StateLocation,
    default_state_path, server, store,
};
use crate::kind::{Key, Kind};

#[derive(Debug, clap::Subcommand)]
pub enum SandboxCommand {
    /// Run the App Mesh-compatible sandbox endpoint until Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Add meshes, and resources inside them, to a sandbox state file directly (no server),
    /// e.g. to try a long list or a large mesh.
    Seed(SeedArgs),
}

const QUOTA_HELP: &str = "Change a sandbox service quota, as a quota increase would: NAME=N (N may be \"none\"), repeatable. \
Names and AWS's defaults: meshes (15 per account and region), virtual-nodes, virtual-services, virtual-routers \
(200 each per mesh), virtual-gateways (3 per mesh), routes (50 per router), gateway-routes (10 per gateway), \
backends (50 per node), tags (50 per resource).";

/// The quota flags, shared by `sandbox serve` and the app's `--sandbox`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct QuotaArgs {
    /// Change a sandbox service quota: NAME=N (N may be "none"), repeatable.
    #[arg(long = "quota", value_name = "NAME=N", long_help = QUOTA_HELP)]
    pub quota: Vec<String>,
    /// No service quotas at all.
    #[arg(long)]
    pub no_quotas: bool,
    /// Old name of --quota meshes=N.
    #[arg(long, value_name = "N", hide = true)]
    pub max_meshes: Option<usize>,
}

impl QuotaArgs {
    /// The quotas these flags ask for; the error says which flag is wrong and why.
    pub fn quotas(&self) -> Result<Quotas, String> {
        let mut q = if self.no_quotas {
            Quotas::none()
        } else {
            Quotas::aws_defaults()
        };
        if let Some(n) = self.max_meshes {
            q.set(super::quota::Quota::Meshes, Some(n));
        }
        for setting in &self.quota {
            q.apply(setting)?;
        }
        Ok(q)
    }
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
    /// The account ID that owns every resource (12 digits).
    #[arg(long, value_name = "ID", default_value = ACCOUNT_ID, value_parser = parse_account)]
    pub account: String,
    #[command(flatten)]
    pub quotas: QuotaArgs,
}

/// `--account`: twelve digits, as the model's `AccountId` (12 characters) and AWS have them.
pub fn parse_account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "an AWS account ID is 12 digits, e.g. {ACCOUNT_ID}; got {s:?}"
        ))
    }
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// How many meshes to add.
    #[arg(long, value_name = "N", default_value_t = 1)]
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
    /// Inside each mesh, the shape of a small real mesh: two virtual services, a virtual router
    /// with a 90/10 canary route, three virtual nodes, a virtual gateway with a gateway route.
    #[arg(long, value_enum)]
    pub shape: Option<SeedShape>,
    /// Virtual nodes per mesh (node-0001 …, DNS service discovery, one HTTP listener).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub nodes: usize,
    /// Virtual services per mesh (svc-0001.local …, each provided by a node, round robin).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub services: usize,
    /// Virtual routers per mesh (router-001 …, one HTTP listener).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub routers: usize,
    /// Routes per router (each to two nodes, 90/10; needs --nodes).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub routes: usize,
    /// Virtual gateways per mesh.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub gateways: usize,
    /// Gateway routes per gateway (each to a service; needs --services).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub gateway_routes: usize,
}

/// Ready-made mesh contents for `sandbox seed --shape`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SeedShape {
    /// Two services, a router with a 90/10 canary route, three nodes, a gateway and its route.
    Realistic,
}

fn state_path(given: Option<PathBuf>) -> Result<PathBuf, String> {
    given.or_else(default_state_path).ok_or_else(|| {
        "cannot find a data directory for the sandbox state (is HOME set?) — pass --state PATH or --ephemeral".to_string()
    })
}

/// The region a sandbox serves unsigned requests in, as the help says: `--region`, then
/// `AWS_REGION` / `AWS_DEFAULT_REGION`, then the profile's region in the AWS config file, then
/// us-east-1. (Signed requests name their own region.)
pub fn default_region(explicit: Option<&str>, profile: Option<&str>) -> String {
    explicit
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .or_else(|| {
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
        })
        .or_else(|| crate::aws::profile_region(profile))
        .unwrap_or_else(|| crate::aws::FALLBACK_REGION.to_string())
}

/// Runs a `sandbox` subcommand in `region` (see [`default_region`]).
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
    config.account = args.account.clone();
    config.quotas = args.quotas.quotas()?;
    config.log_requests = true;
    let quotas = config.quotas.summary();
    let stop = StopSignals::install();
    let sandbox = Sandbox::start(config).await.map_err(|e| e.to_string())?;
    let endpoint = sandbox.endpoint();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "appmesh sandbox listening on {endpoint}");
        match &state {
            StateLocation::File(p) => {
                let _ = writeln!(out, "state: {} ({})", p.display(), sandbox.summary());
            }
            StateLocation::Ephemeral => {
                let _ = writeln!(
                    out,
                    "state: in memory only (--ephemeral); gone when the sandbox stops"
                );
            }
        }
        let _ = writeln!(
            out,
            "account {}; unsigned requests go to {region}, signed ones to the region they are signed for",
            args.account
        );
        let _ = writeln!(
            out,
            "quotas: {quotas} (change with --quota NAME=N or --no-quotas)"
        );
        if !args.bind.is_loopback() {
            let _ = writeln!(
                out,
                "warning: listening on {} — anyone who can reach this address can change the sandbox",
                args.bind
            );
        }
        let _ = writeln!(
            out,
            "try it:\n  export AWS_ACCESS_KEY_ID={ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY='{SECRET_ACCESS_KEY}' AWS_REGION={region} AWS_DEFAULT_REGION={region}\n  aws --endpoint-url {endpoint} appmesh list-meshes\n(one line per request goes to stderr; Ctrl-C stops)"
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

/// What `seed` adds to each mesh.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedPlan {
    pub meshes: usize,
    pub prefix: String,
    pub tags: usize,
    pub realistic: bool,
    pub nodes: usize,
    pub services: usize,
    pub routers: usize,
    pub routes: usize,
    pub gateways: usize,
    pub gateway_routes: usize,
}

impl SeedPlan {
    fn check(&self) -> Result<(), String> {
        if crate::model::char_len(&self.prefix) == 0 {
            return Err("--prefix must not be empty".into());
        }
        if self.routes > 0 && self.nodes == 0 {
            return Err(
                "--routes needs --nodes: every route sends traffic to virtual nodes".into(),
            );
        }
        if self.routes > 0 && self.routers == 0 {
            return Err("--routes is per router: add --routers N".into());
        }
        if self.gateway_routes > 0 && self.services == 0 {
            return Err(
                "--gateway-routes needs --services: every gateway route targets a virtual service"
                    .into(),
            );
        }
        if self.gateway_routes > 0 && self.gateways == 0 {
            return Err("--gateway-routes is per gateway: add --gateways N".into());
        }
        Ok(())
    }
}

fn http_listener() -> Value {
    json!([{"portMapping": {"port": 8080, "protocol": "http"}}])
}

fn node_spec(host: &str, backends: &[&str]) -> Value {
    let mut spec = json!({
        "listeners": http_listener(),
        "serviceDiscovery": {"dns": {"hostname": host}},
    });
    if !backends.is_empty() {
        spec["backends"] = backends
            .iter()
            .map(|b| json!({"virtualService": {"virtualServiceName": b}}))
            .collect();
    }
    spec
}

fn route_spec(prefix: &str, targets: &[(&str, i64)]) -> Value {
    let targets: Vec<Value> = targets
        .iter()
        .map(|(n, w)| json!({"virtualNode": n, "weight": w}))
        .collect();
    json!({"httpRoute": {"match": {"prefix": prefix}, "action": {"weightedTargets": targets}}})
}

/// The resources `plan` puts in mesh `mesh`, in an order the service accepts (what is named
/// exists first).
pub fn mesh_contents(plan: &SeedPlan, mesh: &str) -> Vec<(Key, Value)> {
    let k = |kind, parent: &str, name: &str| Key::new(kind, mesh, parent, name);
    let mut out = Vec::new();
    if plan.realistic {
        out.push((
            k(Kind::VirtualNode, "", "web-v1"),
            node_spec("web-v1.payments.local", &["api.payments.local"]),
        ));
        out.push((
            k(Kind::VirtualNode, "", "web-v2"),
            node_spec("web-v2.payments.local", &["api.payments.local"]),
        ));
        out.push((
            k(Kind::VirtualNode, "", "api"),
            node_spec("api.payments.local", &[]),
        ));
        out.push((
            k(Kind::VirtualRouter, "", "web-router"),
            json!({"listeners": http_listener()}),
        ));
        out.push((
            k(Kind::Route, "web-router", "canary"),
            route_spec("/", &[("web-v1", 90), ("web-v2", 10)]),
        ));
        out.push((
            k(Kind::VirtualService, "", "web.payments.local"),
            json!({"provider": {"virtualRouter": {"virtualRouterName": "web-router"}}}),
        ));
        out.push((
            k(Kind::VirtualService, "", "api.payments.local"),
            json!({"provider": {"virtualNode": {"virtualNodeName": "api"}}}),
        ));
        out.push((
            k(Kind::VirtualGateway, "", "ingress"),
            json!({"listeners": http_listener()}),
        ));
        out.push((
            k(Kind::GatewayRoute, "ingress", "web"),
            json!({"httpRoute": {"match": {"prefix": "/"}, "action": {"target": {"virtualService": {"virtualServiceName": "web.payments.local"}}}}}),
        ));
    }
    let node = |i: usize| format!("node-{:04}", i + 1);
    let service = |i: usize| format!("svc-{:04}.local", i + 1);
    for i in 0..plan.nodes {
        out.push((
            k(Kind::VirtualNode, "", &node(i)),
            node_spec(&format!("{}.local", node(i)), &[]),
        ));
    }
    for i in 0..plan.services {
        let spec = if plan.nodes > 0 {
            json!({"provider": {"virtualNode": {"virtualNodeName": node(i % plan.nodes)}}})
        } else {
            json!({})
        };
        out.push((k(Kind::VirtualService, "", &service(i)), spec));
    }
    for r in 0..plan.routers {
        let router = format!("router-{:03}", r + 1);
        out.push((
            k(Kind::VirtualRouter, "", &router),
            json!({"listeners": http_listener()}),
        ));
        for x in 0..plan.routes {
            let a = node((r * plan.routes + x) % plan.nodes.max(1));
            let b = node((r * plan.routes + x + 1) % plan.nodes.max(1));
            let targets: Vec<(&str, i64)> = if a == b {
                vec![(&a, 100)]
            } else {
                vec![(&a, 90), (&b, 10)]
            };
            out.push((
                k(Kind::Route, &router, &format!("route-{:02}", x + 1)),
                route_spec(&format!("/r{:02}", x + 1), &targets),
            ));
        }
    }
    for g in 0..plan.gateways {
        let gateway = format!("gateway-{}", g + 1);
        out.push((
            k(Kind::VirtualGateway, "", &gateway),
            json!({"listeners": http_listener()}),
        ));
        for x in 0..plan.gateway_routes {
            let svc = service((g * plan.gateway_routes + x) % plan.services.max(1));
            out.push((
                k(Kind::GatewayRoute, &gateway, &format!("gw-route-{:02}", x + 1)),
                json!({"httpRoute": {"match": {"prefix": format!("/g{:02}", x + 1)}, "action": {"target": {"virtualService": {"virtualServiceName": svc}}}}}),
            ));
        }
    }
    out
}

/// Adds `plan.meshes` meshes named `{prefix}-{i:05}` (skipping names that exist), each with the
/// planned contents, to `data`, through the same checks as requests (quotas off). Returns the
/// first and last mesh names added.
pub fn seed_data(
    data: &mut Data,
    plan: &SeedPlan,
    region: &str,
    now_ms: i64,
) -> Result<Option<(String, String)>, String> {
    plan.check()?;
    let mut st = State::new(
        std::mem::replace(data, Data::empty()),
        ACCOUNT_ID,
        Quotas::none(),
    );
    let mut added: Option<(String, String)> = None;
    let mut i = 0usize;
    let mut n = 0usize;
    let result = (|| {
        while n < plan.meshes {
            i += 1;
            let name = format!("{}-{i:05}", plan.prefix);
            if crate::model::char_len(&name) > crate::model::MESH_NAME_MAX {
                return Err(format!(
                    "mesh name {name:?} would be longer than {} characters; use a shorter --prefix",
                    crate::model::MESH_NAME_MAX
                ));
            }
            if st.get(&Loc::new(region, Key::mesh(&name))).is_some() {
                continue;
            }
            let mut tags = BTreeMap::new();
            for k in 0..plan.tags.min(crate::model::TAGS_MAX) {
                match k {
                    0 => tags.insert("seed".to_string(), "true".to_string()),
                    1 => tags.insert("index".to_string(), i.to_string()),
                    _ => tags.insert(format!("tag-{k:02}"), format!("value-{k:02}")),
                };
            }
            let mut items = vec![(Key::mesh(&name), json!({}))];
            items.extend(mesh_contents(plan, &name));
            for (j, (key, spec)) in items.into_iter().enumerate() {
                let input = CreateInput {
                    loc: Loc::new(region, key),
                    spec,
                    tags: if j == 0 {
                        tags.clone()
                    } else {
                        BTreeMap::new()
                    },
                    client_token: None,
                };
                st.create(input, None, now_ms).map_err(|e| e.message)?;
            }
            added = Some(match added.take() {
                None => (name.clone(), name),
                Some((first, _)) => (first, name),
            });
            n += 1;
        }
        Ok(())
    })();
    *data = st.data().clone();
    result.map(|()| added)
}

fn seed(args: SeedArgs, region: &str) -> Result<(), String> {
    let plan = SeedPlan {
        meshes: args.count,
        prefix: args.prefix,
        tags: args.tags,
        realistic: args.shape == Some(SeedShape::Realistic),
        nodes: args.nodes,
        services: args.services,
        routers: args.routers,
        routes: args.routes,
        gateways: args.gateways,
        gateway_routes: args.gateway_routes,
    };
    plan.check()?;
    let path = state_path(args.state)?;
    let (mut store, mut data) =
        store::Store::open(&path, &Quotas::none()).map_err(|e| e.to_string())?;
    let before = data.resources.len();
    let added = seed_data(&mut data, &plan, region, server::now_ms())?;
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
    let summary = summary_of(&data);
    match added {
        Some((first, last)) => println!(
            "added {} meshes ({first} … {last}) with {} resources in all to {}; it now holds {summary}",
            plan.meshes,
            data.resources.len() - before,
            store.path().display(),
        ),
        None => println!("added nothing; {} holds {summary}", store.path().display()),
    }
    Ok(())
}

/// `3 meshes, 12 virtual nodes, …` (kinds with none left out).
pub fn summary_of(data: &Data) -> String {
    let parts: Vec<String> = Kind::ALL
        .iter()
        .filter_map(|k| {
            let n = data.count(*k);
            (n > 0 || *k == Kind::Mesh).then(|| {
                let word = if n == 1 {
                    k.info().singular
                } else {
                    k.info().plural
                };
                format!("{n} {word}")
            })
        })
        .collect();
    parts.join(", ")
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
                assert_eq!(a.account, ACCOUNT_ID);
                assert_eq!(a.quotas.quotas().unwrap(), Quotas::aws_defaults());
            }
            _ => panic!(),
        }
        assert!(Top::try_parse_from(["x", "serve", "--state", "a", "--ephemeral"]).is_err());
        assert!(Top::try_parse_from(["x", "serve", "--account", "12"]).is_err());
        let t = Top::try_parse_from([
            "x",
            "serve",
            "--quota",
            "virtual-nodes=5",
            "--quota",
            "meshes=none",
            "--max-meshes",
            "9",
        ])
        .unwrap();
        let SandboxCommand::Serve(a) = t.cmd else {
            panic!()
        };
        let q = a.quotas.quotas().unwrap();
        assert_eq!(q.get(super::super::quota::Quota::VirtualNodes), Some(5));
        assert_eq!(
            q.get(super::super::quota::Quota::Meshes),
            None,
            "--quota wins over --max-meshes"
        );
        let t = Top::try_parse_from(["x", "serve", "--no-quotas"]).unwrap();
        let SandboxCommand::Serve(a) = t.cmd else {
            panic!()
        };
        assert!(a.quotas.quotas().unwrap().all_off());
        let t = Top::try_parse_from(["x", "seed", "--count", "3", "--prefix", "p"]).unwrap();
        assert!(matches!(
            t.cmd,
            SandboxCommand::Seed(SeedArgs { count: 3, .. })
        ));
        assert_eq!(super::super::quota::QUOTAS.len(), 9);
    }

    fn plan(meshes: usize) -> SeedPlan {
        SeedPlan {
            meshes,
            prefix: "seed".into(),
            tags: 2,
            ..SeedPlan::default()
        }
    }

    #[test]
    fn seed_skips_existing_names_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let mut data = Data::empty();
        seed_data(&mut data, &plan(3), "us-west-2", 1).unwrap();
        seed_data(&mut data, &plan(2), "us-west-2", 1).unwrap();
        assert_eq!(
            data.mesh_names(),
            [
                "seed-00001",
                "seed-00002",
                "seed-00003",
                "seed-00004",
                "seed-00005"
            ]
        );
        let m = &data.resources[&Loc::new("us-west-2", Key::mesh("seed-00004"))];
        assert_eq!(m.tags.get("index").map(String::as_str), Some("4"));
        let (mut s, _) = store::Store::open(&path, &Quotas::none()).unwrap();
        s.replace(&data).unwrap();
        drop(s);
        assert_eq!(
            store::load(&path, &Quotas::aws_defaults())
                .unwrap()
                .unwrap(),
            data
        );
    }

    #[test]
    fn seed_fills_meshes_with_consistent_trees() {
        let mut data = Data::empty();
        let p = SeedPlan {
            realistic: true,
            nodes: 4,
            services: 3,
            routers: 2,
            routes: 3,
            gateways: 1,
            gateway_routes: 2,
            ..plan(2)
        };
        seed_data(&mut data, &p, "eu-west-1", 1).unwrap();
        // Per mesh: 3+4 nodes, 2+3 services, 1+2 routers, 1+6 routes, 1+1 gateways, 1+2 gateway routes.
        assert_eq!(
            summary_of(&data),
            "2 meshes, 10 virtual services, 14 virtual nodes, 6 virtual routers, 14 routes, 4 virtual gateways, 6 gateway routes"
        );
        let canary = &data.resources[&Loc::new(
            "eu-west-1",
            Key::new(Kind::Route, "seed-00001", "web-router", "canary"),
        )];
        assert!(
            canary.spec.get().contains(r#""weight":90"#),
            "{}",
            canary.spec.get()
        );
        let e = seed_data(
            &mut Data::empty(),
            &SeedPlan {
                routes: 1,
                routers: 1,
                ..plan(1)
            },
            "r",
            1,
        )
        .unwrap_err();
        assert!(e.contains("--routes needs --nodes"), "{e}");
    }
}
