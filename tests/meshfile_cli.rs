//! Mesh files end to end: `export`, `plan`, `apply`, `import` and `replay` as a user runs
//! them, against `sandbox serve` and moto, checked afterwards with an SDK client we did not
//! route through the commands (and the AWS CLI for moto).

mod support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex};

use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::meshfile;
use support::moto::{Moto, aws_cli};
use support::pty::{Key as K, Tui};
use support::sdk::{mesh_names, sandbox_client};
use support::serve::Serve;

/// The binary with a clean environment (no AWS_* or NO_COLOR from outside, empty AWS config
/// files, fake credentials) pointed at `endpoint`, run in `dir`.
fn app(endpoint: &str, dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_appmesh-tui"));
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k.starts_with("AWS_") || k == "NO_COLOR" || k.starts_with("XDG_") {
            c.env_remove(k);
        }
    }
    std::fs::write(dir.join("aws-config"), "").unwrap();
    std::fs::write(dir.join("aws-credentials"), "").unwrap();
    c.env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--endpoint-url", endpoint])
        .current_dir(dir)
        .stdin(Stdio::null());
    c
}

struct Ran {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(mut c: Command, args: &[&str]) -> Ran {
    let Output {
        status,
        stdout,
        stderr,
    } = c.args(args).output().expect("run appmesh-tui");
    Ran {
        ok: status.success(),
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

impl Ran {
    fn ok(self) -> Ran {
        assert!(
            self.ok,
            "failed ({:?})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    fn failed(self) -> Ran {
        assert!(
            !self.ok,
            "should have failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Every fixture of `tests/fixtures/specs/all-kinds.json` (every member, union branch and enum
/// value of every kind) as meshes, with tags whose values YAML would read as something else.
fn fixture_meshes() -> Vec<MeshModel> {
    let container = support::fixtures::container_mesh();
    let mut meshes: BTreeMap<String, MeshModel> = BTreeMap::new();
    for (i, f) in support::fixtures::all().into_iter().enumerate() {
        let mesh = if f.kind == Kind::Mesh {
            f.name.clone()
        } else {
            container.clone()
        };
        let key = f.key(&mesh);
        let mut item = Item::new(f.expected_spec());
        if i % 3 == 0 {
            item.tags = BTreeMap::from([
                ("team".to_string(), "payments".to_string()),
                ("version".to_string(), "1.0".to_string()),
                ("flag".to_string(), "true".to_string()),
                ("nothing".to_string(), String::new()),
                ("yaml-ish".to_string(), "a: b # not a comment".to_string()),
                ("lines".to_string(), "one\ntwo".to_string()),
                (" spaced ".to_string(), "  ü → ✓ ".to_string()),
            ]);
        }
        meshes
            .entry(mesh.clone())
            .or_insert_with(|| MeshModel::new(mesh))
            .items
            .insert(key, item);
    }
    meshes.into_values().collect()
}

fn mesh_args(meshes: &[MeshModel]) -> Vec<String> {
    meshes
        .iter()
        .flat_map(|m| ["--mesh".to_string(), m.name.clone()])
        .collect()
}

fn export(endpoint: &str, dir: &Path, meshes: &[MeshModel]) -> String {
    let args = mesh_args(meshes);
    let mut a: Vec<&str> = vec!["export"];
    a.extend(args.iter().map(String::as_str));
    run(app(endpoint, dir), &a).ok().stdout
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn export_apply_to_an_empty_sandbox_and_export_again_give_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let meshes = fixture_meshes();
    let text = meshfile::to_yaml(&meshes);
    write(d, "all.yaml", &text);

    // A: built from the file.
    let a = Serve::ephemeral();
    let out = run(app(&a.endpoint, d), &["apply", "-f", "all.yaml", "--yes"]).ok();
    let total: usize = meshes.iter().map(|m| m.items.len()).sum();
    assert!(
        out.stderr.contains(&format!("Applied all {total} changes")),
        "{}",
        out.stderr
    );
    let exported = export(&a.endpoint, d, &meshes);
    assert_eq!(
        exported, text,
        "what the sandbox holds is what the file says"
    );
    write(d, "exported.yaml", &exported);

    // B: an empty sandbox, built from A's export, exports the same file.
    let b = Serve::ephemeral();
    run(
        app(&b.endpoint, d),
        &["apply", "-f", "exported.yaml", "--yes"],
    )
    .ok();
    assert_eq!(export(&b.endpoint, d, &meshes), exported);

    // The plan after an apply is empty, and a second apply changes nothing.
    let plan = run(
        app(&b.endpoint, d),
        &["plan", "-f", "exported.yaml", "--prune"],
    )
    .ok();
    assert!(
        plan.stdout.contains(&format!(
            "Plan: 0 to create, 0 to update, 0 to delete; {total} unchanged."
        )),
        "{}",
        plan.stdout
    );
    assert_eq!(
        plan.stdout
            .matches("no changes: the mesh matches the file")
            .count(),
        meshes.len()
    );
    let again = run(
        app(&b.endpoint, d),
        &["apply", "-f", "exported.yaml", "--yes"],
    )
    .ok();
    assert!(again.stderr.contains("Nothing to do."), "{}", again.stderr);
    let client = sandbox_client(&b.endpoint, "us-east-1", false);
    let container = support::fixtures::container_mesh();
    let route = meshes
        .iter()
        .flat_map(|m| m.items.keys())
        .find(|k| k.kind == Kind::Route)
        .unwrap()
        .clone();
    let version = rt().block_on(async {
        client
            .describe_route()
            .mesh_name(&container)
            .virtual_router_name(route.parent.as_str())
            .route_name(route.name.as_str())
            .send()
            .await
            .unwrap()
            .route()
            .unwrap()
            .metadata()
            .unwrap()
            .version()
    });
    assert_eq!(version, 1, "nothing was updated by the second apply");
}

const SHOP: &str = "\
apiVersion: appmesh-tui/v1
kind: Mesh
name: shop
spec:
  egressFilter: {type: DROP_ALL}
tags:
  team: payments
virtualServices:
  - name: web.shop.local
    spec:
      provider:
        virtualRouter: {virtualRouterName: web}
virtualNodes:
  - name: web-v1
    spec:
      listeners:
        - portMapping: {port: 8080, protocol: http}
      serviceDiscovery:
        dns: {hostname: web-v1.shop.local}
  - name: web-v2
    spec:
      listeners:
        - portMapping: {port: 8080, protocol: http}
      serviceDiscovery:
        dns: {hostname: web-v2.shop.local}
    tags:
      track: canary
virtualRouters:
  - name: web
    spec:
      listeners:
        - portMapping: {port: 8080, protocol: http}
    routes:
      - name: canary
        spec:
          httpRoute:
            match: {prefix: /}
            action:
              weightedTargets:
                - {virtualNode: web-v1, weight: 90}
                - {virtualNode: web-v2, weight: 10}
";

/// SHOP with web-v2 gone: the route sends everything to web-v1.
fn shop_without_v2() -> String {
    let start = SHOP.find("  - name: web-v2").unwrap();
    let end = SHOP.find("virtualRouters:").unwrap();
    let mut s = format!("{}{}", &SHOP[..start], &SHOP[end..]);
    s = s.replace("weight: 90}", "weight: 100}");
    s.replace("                - {virtualNode: web-v2, weight: 10}\n", "")
}

fn node_names(endpoint: &str, mesh: &str) -> Vec<String> {
    let c = sandbox_client(endpoint, "us-east-1", false);
    rt().block_on(async {
        c.list_virtual_nodes()
            .mesh_name(mesh)
            .send()
            .await
            .unwrap()
            .virtual_nodes()
            .iter()
            .map(|n| n.virtual_node_name().to_string())
            .collect()
    })
}

#[test]
fn prune_deletes_what_the_file_no_longer_has_after_freeing_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = Serve::ephemeral();
    write(d, "shop.yaml", SHOP);
    run(app(&s.endpoint, d), &["apply", "-f", "shop.yaml", "--yes"]).ok();
    write(d, "less.yaml", &shop_without_v2());

    // Without --prune the node stays and the plan says so.
    let plan = run(app(&s.endpoint, d), &["plan", "-f", "less.yaml"]).ok();
    assert!(
        plan.stdout
            .contains("1 resource is in the mesh but not in the file: kept (--prune deletes it)"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("- delete"), "{}", plan.stdout);
    run(app(&s.endpoint, d), &["apply", "-f", "less.yaml", "--yes"]).ok();
    assert_eq!(node_names(&s.endpoint, "shop"), ["web-v1", "web-v2"]);

    // With --prune the plan shows the delete, after the update that frees the node.
    let plan = run(app(&s.endpoint, d), &["plan", "-f", "less.yaml", "--prune"]).ok();
    let expected = "mesh \"shop\"\n  - delete virtual node \"web-v2\"\nPlan: 0 to create, 0 to update, 1 to delete; 5 unchanged.\n";
    assert_eq!(plan.stdout, expected);
    let applied = run(
        app(&s.endpoint, d),
        &["apply", "-f", "less.yaml", "--prune", "--yes"],
    )
    .ok();
    assert!(
        applied
            .stderr
            .contains("[1/1] delete virtual node \"web-v2\" … ok"),
        "{}",
        applied.stderr
    );
    assert_eq!(node_names(&s.endpoint, "shop"), ["web-v1"]);
    let plan = run(app(&s.endpoint, d), &["plan", "-f", "less.yaml", "--prune"]).ok();
    assert!(
        plan.stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete; 5 unchanged.")
    );

    // From the full mesh in one step: the route is updated before the node it drops goes.
    let s = Serve::ephemeral();
    run(app(&s.endpoint, d), &["apply", "-f", "shop.yaml", "--yes"]).ok();
    let applied = run(
        app(&s.endpoint, d),
        &["apply", "-f", "less.yaml", "--prune", "--yes"],
    )
    .ok();
    let update = applied.stderr.find("update route \"canary\"").unwrap();
    let delete = applied
        .stderr
        .find("delete virtual node \"web-v2\"")
        .unwrap();
    assert!(update < delete, "{}", applied.stderr);
    assert_eq!(node_names(&s.endpoint, "shop"), ["web-v1"]);
}

#[test]
fn a_file_with_errors_names_the_line_and_the_field_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let log = d.join("serve.log");
    let s = Serve::start_logged(&["--ephemeral"], &log);
    let bad = SHOP
        .replace(
            "port: 8080, protocol: http}\n      serviceDiscovery:\n        dns: {hostname: web-v1",
            "port: 80800, protocol: http}\n      serviceDiscovery:\n        dns: {hostname: web-v1",
        )
        .replace(
            "egressFilter: {type: DROP_ALL}",
            "egressFilter: {typo: DROP_ALL}",
        )
        .replace("weight: 10}", "weight: 10, wieght: 3}");
    write(d, "bad.yaml", &bad);
    for cmd in [
        &["plan", "-f", "bad.yaml"][..],
        &["apply", "-f", "bad.yaml", "--yes"],
    ] {
        let out = run(app(&s.endpoint, d), cmd).failed();
        assert_eq!(out.code, Some(1));
        assert_eq!(out.stdout, "");
        for expected in [
            "bad.yaml has 4 problems:",
            "bad.yaml:5:18: spec.egressFilter.typo: EgressFilter has no member \"typo\"; did you mean \"type\"?",
            "bad.yaml:5:17: spec.egressFilter.type: is required",
            "bad.yaml:17:25: virtualNodes[0].spec.listeners[0].portMapping.port: must be between 1 and 65535 (got 80800)",
            "bad.yaml:41:53: virtualRouters[0].routes[0].spec.httpRoute.action.weightedTargets[1].wieght: WeightedTarget has no member \"wieght\"; did you mean \"weight\"?",
        ] {
            assert!(
                out.stderr.contains(expected),
                "{expected:?} missing from\n{}",
                out.stderr
            );
        }
    }
    // A reference that will not hold is found against what the mesh holds.
    write(
        d,
        "ref.yaml",
        &SHOP.replace(
            "{virtualNode: web-v2, weight: 10}",
            "{virtualNode: web-v3, weight: 10}",
        ),
    );
    let out = run(app(&s.endpoint, d), &["plan", "-f", "ref.yaml"]).failed();
    assert!(out.stderr.contains("ref.yaml:41:20: virtualRouters[0].routes[0].spec.httpRoute.action.weightedTargets[1].virtualNode: names virtual node \"web-v3\", which neither the file nor the mesh holds"), "{}", out.stderr);
    // Not YAML at all.
    write(
        d,
        "broken.yaml",
        "apiVersion: appmesh-tui/v1\nkind: Mesh\nname: a\n\tspec: {}\n",
    );
    let out = run(app(&s.endpoint, d), &["plan", "-f", "broken.yaml"]).failed();
    assert_eq!(
        out.stderr,
        "appmesh-tui: broken.yaml:4:1: found a tab character that violates indentation, while scanning a plain scalar at line 3 column 7\n"
    );
    write(
        d,
        "typed.yaml",
        "apiVersion: appmesh-tui/v1\nkind: Mesh\nname: [a]\n",
    );
    let out = run(app(&s.endpoint, d), &["plan", "-f", "typed.yaml"]).failed();
    assert_eq!(
        out.stderr,
        "appmesh-tui: typed.yaml:3:7: name: invalid type: sequence, expected text\n"
    );
    drop(s);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        !logged.contains("PUT ") && !logged.contains("DELETE "),
        "nothing was changed:\n{logged}"
    );
}

#[test]
fn apply_refuses_without_a_terminal_unless_yes_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = Serve::ephemeral();
    write(d, "shop.yaml", SHOP);
    let out = run(app(&s.endpoint, d), &["apply", "-f", "shop.yaml"]).failed();
    assert!(
        out.stdout.contains("Plan: 6 to create"),
        "the plan is shown: {}",
        out.stdout
    );
    assert!(out.stderr.contains("not applied: standard input is not a terminal, so there is no one to ask; run again with --yes to apply these 6 changes without asking. Nothing was changed."), "{}", out.stderr);
    let c = sandbox_client(&s.endpoint, "us-east-1", false);
    assert!(rt().block_on(mesh_names(&c)).unwrap().is_empty());
    // The same for import, and for a file on standard input.
    let out = run(app(&s.endpoint, d), &["import", "shop.yaml"]).failed();
    assert!(
        out.stderr.contains("run again with --yes"),
        "{}",
        out.stderr
    );
    let mut c2 = app(&s.endpoint, d);
    c2.args(["apply", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c2.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(SHOP.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert!(rt().block_on(mesh_names(&c)).unwrap().is_empty());
    // With --yes it applies.
    run(app(&s.endpoint, d), &["apply", "-f", "shop.yaml", "--yes"]).ok();
    assert_eq!(rt().block_on(mesh_names(&c)).unwrap(), ["shop"]);
}

#[test]
fn apply_asks_at_a_terminal_and_only_yes_applies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = Serve::ephemeral();
    let file = write(d, "shop.yaml", SHOP);
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_REGION", "us-east-1"),
    ];
    let args = [
        "--endpoint-url",
        &s.endpoint,
        "apply",
        "-f",
        file.to_str().unwrap(),
    ];
    let c = sandbox_client(&s.endpoint, "us-east-1", false);

    let tui = Tui::spawn(&args, &env, 120, 40);
    tui.wait_for("Only \"yes\" applies:");
    tui.type_text("y");
    tui.key(K::Enter);
    tui.wait_for("not applied: the answer was \"y\", not \"yes\". Nothing was changed.");
    assert!(!tui.wait_exit().success());
    assert!(rt().block_on(mesh_names(&c)).unwrap().is_empty());

    let tui = Tui::spawn(&args, &env, 120, 40);
    let screen = tui.wait_for("Only \"yes\" applies:");
    assert!(screen.contains("Apply these 6 changes to"), "{screen}");
    tui.type_text("yes");
    tui.key(K::Enter);
    tui.wait_for("Applied all 6 changes");
    assert!(tui.wait_exit().success());
    assert_eq!(rt().block_on(mesh_names(&c)).unwrap(), ["shop"]);
}

#[test]
fn an_error_stops_the_apply_and_it_says_what_was_and_was_not_done() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let state = d.join("state.json");
    let state_s = state.to_str().unwrap().to_string();
    // One virtual node only: the second create is refused by the quota.
    let s = Serve::start(&["--state", &state_s, "--quota", "virtual-nodes=1"]);
    write(d, "shop.yaml", SHOP);
    let out = run(app(&s.endpoint, d), &["apply", "-f", "shop.yaml", "--yes"]).failed();
    for expected in [
        "[1/6] create mesh \"shop\" … ok",
        "[2/6] create virtual node \"web-v1\" … ok",
        "[3/6] create virtual node \"web-v2\" … failed",
        "Stopped at step 3 of 6 (create virtual node \"web-v2\"): LimitExceededException (HTTP 400)",
        "Nothing of that step was applied.",
        "Done: 2 of 6 steps (those marked ok above): 2 created, 0 updated, 0 deleted.",
        "Not started: 3 steps:\n  create virtual router \"web\"\n  create virtual service \"web.shop.local\"\n  create route \"canary\" of virtual router \"web\"",
    ] {
        assert!(
            out.stderr.contains(expected),
            "{expected:?} missing from\n{}",
            out.stderr
        );
    }
    assert_eq!(node_names(&s.endpoint, "shop"), ["web-v1"]);
    drop(s);
    // With the quota raised, applying the same file again does what is missing.
    let s = Serve::start(&["--state", &state_s]);
    let out = run(app(&s.endpoint, d), &["apply", "-f", "shop.yaml", "--yes"]).ok();
    assert!(
        out.stderr.contains("Applied all 4 changes"),
        "{}",
        out.stderr
    );
    assert_eq!(node_names(&s.endpoint, "shop"), ["web-v1", "web-v2"]);
}

/// A TCP proxy in front of `upstream` that forwards everything until the `hold`-th
/// `PUT /v20190125/…` request (Create and Update) and from then on forwards nothing on that
/// connection (the request never arrives), so an apply waits in that step until it is
/// interrupted.
struct HoldProxy {
    port: u16,
    /// How many PUTs it has seen (the held one included), and a signal when that changes.
    puts: Arc<(Mutex<usize>, Condvar)>,
}

impl HoldProxy {
    fn start(upstream: &str, hold: usize) -> HoldProxy {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let puts = Arc::new((Mutex::new(0), Condvar::new()));
        let counter = puts.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let (mut c_read, mut s_write) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut s_read, mut c_write) = (server, client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s_read, &mut c_write);
                });
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 65536];
                    let mut tail: Vec<u8> = Vec::new();
                    loop {
                        let n = match c_read.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        // Look for request lines in what came, with the end of the last
                        // chunk in front so a line split between two reads is seen.
                        let mut seen = tail.clone();
                        seen.extend_from_slice(&buf[..n]);
                        let mut forward = n;
                        let mut at = 0;
                        // Requests follow each other on a kept-alive connection without
                        // a line break after a body, so any occurrence counts; one wholly
                        // inside the kept tail was counted with the read before.
                        const PUT: &[u8] = b"PUT /v20190125/";
                        while let Some(i) = find(&seen[at..], PUT) {
                            let pos = at + i;
                            if pos + PUT.len() > tail.len() {
                                let (count, changed) = &*counter;
                                let mut n = count.lock().unwrap();
                                *n += 1;
                                changed.notify_all();
                                if *n >= hold {
                                    forward = pos.saturating_sub(tail.len());
                                    break;
                                }
                            }
                            at = pos + 1;
                        }
                        if s_write.write_all(&buf[..forward]).is_err() {
                            return;
                        }
                        if forward < n {
                            // Hold: read and drop the rest until the client goes away.
                            while matches!(c_read.read(&mut buf), Ok(n) if n > 0) {}
                            return;
                        }
                        let keep = seen.len().saturating_sub(32);
                        tail = seen[keep..].to_vec();
                    }
                });
            }
        });
        HoldProxy { port, puts }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until it has seen `n` PUTs.
    fn wait_for_puts(&self, n: usize) {
        let (count, changed) = &*self.puts;
        let guard = count.lock().unwrap();
        let (guard, timeout) = changed
            .wait_timeout_while(guard, support::DEADLINE, |c| *c < n)
            .unwrap();
        assert!(!timeout.timed_out(), "saw {} PUTs, waited for {n}", *guard);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn an_interrupted_apply_says_what_was_done() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = Serve::ephemeral();
    // The third create (the second virtual node) never reaches the sandbox.
    let proxy = HoldProxy::start(&s.endpoint, 3);
    write(d, "shop.yaml", SHOP);
    let mut cmd = app(&proxy.endpoint(), d);
    cmd.args(["apply", "-f", "shop.yaml", "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child: Child = cmd.spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let needle = b"[3/6] create virtual node \"web-v2\" \xe2\x80\xa6";
    while find(&seen, needle).is_none() {
        let n = stderr.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "apply ended early:\n{}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    // Once the request of step 3 is held at the proxy: interrupt.
    proxy.wait_for_puts(3);
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    stderr.read_to_end(&mut seen).unwrap();
    let status = child.wait().unwrap();
    let text = String::from_utf8_lossy(&seen);
    assert!(!status.success());
    for expected in [
        "[3/6] create virtual node \"web-v2\" … interrupted",
        "Interrupted at step 3 of 6 (create virtual node \"web-v2\"): whether that request reached the service is unknown.",
        "Done: 2 of 6 steps (those marked ok above): 2 created, 0 updated, 0 deleted.",
        "Not started: 3 steps:",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }
    // Exactly the steps reported done are on the server.
    assert_eq!(node_names(&s.endpoint, "shop"), ["web-v1"]);
}

#[test]
fn apply_works_against_moto_for_the_kinds_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let moto = Moto::start();
    // moto 5.2.1 serves meshes, virtual nodes, routers and routes, but no virtual services or
    // gateways.
    let start = SHOP.find("virtualServices:").unwrap();
    let end = SHOP.find("virtualNodes:").unwrap();
    let file = format!("{}{}", &SHOP[..start], &SHOP[end..]);
    write(d, "moto.yaml", &file);
    let out = run(
        app(&moto.endpoint(), d),
        &["apply", "-f", "moto.yaml", "--yes"],
    )
    .ok();
    assert!(
        out.stderr.contains("Applied all 5 changes"),
        "{}",
        out.stderr
    );
    let plan = run(app(&moto.endpoint(), d), &["plan", "-f", "moto.yaml"]).ok();
    assert!(
        plan.stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete; 5 unchanged."),
        "{}\n{}",
        plan.stdout,
        plan.stderr
    );
    assert!(
        plan.stderr.contains("does not serve virtual services"),
        "{}",
        plan.stderr
    );
    // A change is applied, and the AWS CLI sees it.
    write(
        d,
        "moto2.yaml",
        &file
            .replace("weight: 90}", "weight: 70}")
            .replace("team: payments", "team: platform"),
    );
    let out = run(
        app(&moto.endpoint(), d),
        &["apply", "-f", "moto2.yaml", "--yes"],
    )
    .ok();
    assert!(
        out.stderr.contains("Applied all 2 changes"),
        "{}",
        out.stderr
    );
    let route = aws_cli(
        &moto.endpoint(),
        &[
            "appmesh",
            "describe-route",
            "--mesh-name",
            "shop",
            "--virtual-router-name",
            "web",
            "--route-name",
            "canary",
        ],
    )
    .ok();
    assert_eq!(
        route.json()["route"]["spec"]["httpRoute"]["action"]["weightedTargets"][0]["weight"],
        70
    );
    let exported = run(app(&moto.endpoint(), d), &["export", "--mesh", "shop"])
        .ok()
        .stdout;
    let again = meshfile::parse("x", &exported).unwrap();
    let want =
        meshfile::parse("y", &std::fs::read_to_string(d.join("moto2.yaml")).unwrap()).unwrap();
    assert_eq!(again.meshes, want.meshes);
    // A file with a kind moto lacks is refused before anything is sent, naming the line.
    write(d, "shop.yaml", SHOP);
    let out = run(
        app(&moto.endpoint(), d),
        &["apply", "-f", "shop.yaml", "--yes"],
    )
    .failed();
    assert!(
        out.stderr.contains("shop.yaml:9:5: virtualServices[0]: "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("does not serve virtual services"),
        "{}",
        out.stderr
    );
}

#[test]
fn import_builds_meshes_from_several_files_that_agree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = Serve::ephemeral();
    write(d, "shop.yaml", SHOP);
    write(
        d,
        "other.yaml",
        "apiVersion: appmesh-tui/v1\nkind: Mesh\nname: other\ntags: {a: b}\n---\napiVersion: appmesh-tui/v1\nkind: Mesh\nname: shop\nspec:\n  egressFilter: {type: DROP_ALL}\ntags:\n  team: payments\n",
    );
    let out = run(
        app(&s.endpoint, d),
        &["import", "shop.yaml", "other.yaml", "--yes"],
    )
    .ok();
    assert!(
        out.stderr.contains("Applied all 7 changes"),
        "{}",
        out.stderr
    );
    let c = sandbox_client(&s.endpoint, "us-east-1", false);
    assert_eq!(rt().block_on(mesh_names(&c)).unwrap(), ["other", "shop"]);
    // Two files that disagree about one resource are refused, naming both places.
    write(
        d,
        "clash.yaml",
        "apiVersion: appmesh-tui/v1\nkind: Mesh\nname: shop\nspec:\n  egressFilter: {type: ALLOW_ALL}\n",
    );
    let out = run(
        app(&s.endpoint, d),
        &["import", "shop.yaml", "clash.yaml", "--yes"],
    )
    .failed();
    assert!(
        out.stderr
            .contains("mesh \"shop\" is in shop.yaml:1 and in clash.yaml:1, differently"),
        "{}",
        out.stderr
    );
    // A template without App Mesh resources is named as such.
    write(
        d,
        "stack.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
    );
    let out = run(app(&s.endpoint, d), &["import", "stack.yaml", "--yes"]).failed();
    assert!(
        out.stderr.contains("hold no App Mesh resource"),
        "{}",
        out.stderr
    );
}

/// Infrastructure code of each kind builds its mesh on the endpoint; a value the code needs
/// and does not have refuses the whole import, naming the line and the flag that gives it.
#[test]
fn import_reads_terraform_cloudformation_and_kubernetes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = Serve::ephemeral();
    let examples =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iac/examples");
    for f in ["shop.tf", "shop-k8s.yaml", "shop-cloudformation.yaml"] {
        std::fs::copy(examples.join(f), d.join(f)).unwrap();
    }
    let out = run(app(&s.endpoint, d), &["import", "shop.tf", "--yes"]).failed();
    assert!(
        out.stderr.contains("shop.tf:114: aws_appmesh_route.catalog: variable canary_weight has no value: give it with --var canary_weight=VALUE"),
        "{}",
        out.stderr
    );
    let c = sandbox_client(&s.endpoint, "us-east-1", false);
    assert!(
        rt().block_on(mesh_names(&c)).unwrap().is_empty(),
        "nothing sent"
    );

    run(
        app(&s.endpoint, d),
        &["import", "shop.tf", "--var", "canary_weight=10", "--yes"],
    )
    .ok();
    run(app(&s.endpoint, d), &["import", "shop-k8s.yaml", "--yes"]).ok();
    run(
        app(&s.endpoint, d),
        &[
            "import",
            "shop-cloudformation.yaml",
            "--parameter",
            "AppMeshMeshName=shop-cfn",
            "--parameter",
            "EnvironmentName=dev",
            "--yes",
        ],
    )
    .ok();
    let names = rt().block_on(mesh_names(&c)).unwrap();
    assert_eq!(names.len(), 3, "{names:?}");
    // What the endpoint holds is what the code says: the route's weights from the variable.
    let route = rt()
        .block_on(
            c.describe_route()
                .mesh_name("shop-tf")
                .virtual_router_name("catalog-vr")
                .route_name("catalog-route")
                .send(),
        )
        .unwrap();
    let targets = route
        .route()
        .and_then(|r| r.spec())
        .and_then(|s| s.http_route())
        .and_then(|h| h.action())
        .map(|a| {
            a.weighted_targets()
                .iter()
                .map(|t| t.weight())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert!(targets.contains(&10), "{targets:?}");
}

#[test]
fn a_recorded_session_replays_into_a_mesh_file_that_builds_the_mesh_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let transcript = d.join("session.md");
    // A session on the built-in sandbox: create a mesh from the form, then quit.
    let tui = Tui::spawn(
        &[
            "--sandbox",
            "--ephemeral",
            "--transcript",
            transcript.to_str().unwrap(),
        ],
        &[],
        120,
        40,
    );
    tui.wait_for("Mesh name");
    tui.type_text("onboarding");
    tui.key(K::Tab);
    tui.key(K::Down); // ALLOW_ALL
    tui.key(K::Tab);
    tui.key(K::Tab);
    tui.type_text("team");
    tui.key(K::Tab);
    tui.type_text("platform");
    tui.key(K::Enter);
    tui.wait_for("Added tag team");
    tui.key(K::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ onboarding");
    tui.key(K::Esc);
    assert!(tui.wait_exit().success());

    let s = Serve::ephemeral();
    let out = run(
        app(&s.endpoint, d),
        &["replay", "session.md", "-o", "onboarding.yaml"],
    )
    .ok();
    assert!(
        out.stderr.contains("transcripts record meshes only"),
        "{}",
        out.stderr
    );
    let file = std::fs::read_to_string(d.join("onboarding.yaml")).unwrap();
    let parsed = meshfile::parse("onboarding.yaml", &file).unwrap();
    let mesh = &parsed.meshes[0].items[&Key::mesh("onboarding")];
    assert_eq!(
        mesh.spec,
        serde_json::json!({"egressFilter": {"type": "ALLOW_ALL"}})
    );
    assert_eq!(mesh.tags["team"], "platform");
    run(
        app(&s.endpoint, d),
        &["apply", "-f", "onboarding.yaml", "--yes"],
    )
    .ok();
    let c = sandbox_client(&s.endpoint, "us-east-1", false);
    let egress = rt().block_on(async {
        c.describe_mesh()
            .mesh_name("onboarding")
            .send()
            .await
            .unwrap()
            .mesh()
            .unwrap()
            .spec()
            .unwrap()
            .egress_filter()
            .unwrap()
            .r#type()
            .as_str()
            .to_string()
    });
    assert_eq!(egress, "ALLOW_ALL");
    // A transcript that built nothing says so.
    write(
        d,
        "empty.md",
        "# appmesh-tui session, x\n\nRequests go to: y\n",
    );
    let out = run(app(&s.endpoint, d), &["replay", "empty.md"]).failed();
    assert!(out.stderr.contains("built no mesh"), "{}", out.stderr);
}

#[test]
fn the_readme_example_is_the_example_file_and_its_outputs_are_true() {
    let readme = include_str!("../README.md");
    let example = include_str!("../assets/examples/shop.mesh.yaml");
    let start = readme.find("<!-- mesh-file-example:start").unwrap();
    let block = &readme[start..];
    let from = block.find("```yaml\n").unwrap() + "```yaml\n".len();
    let to = from + block[from..].find("```\n").unwrap();
    assert_eq!(
        &block[from..to],
        example,
        "README's example is assets/examples/shop.mesh.yaml"
    );

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = Serve::ephemeral();
    write(d, "example.yaml", example);
    run(
        app(&s.endpoint, d),
        &["apply", "-f", "example.yaml", "--yes"],
    )
    .ok();
    let plan = run(app(&s.endpoint, d), &["plan", "-f", "example.yaml"]).ok();
    assert!(
        plan.stdout
            .contains("Plan: 0 to create, 0 to update, 0 to delete; 8 unchanged."),
        "{}",
        plan.stdout
    );

    // The mistakes README shows, made the way it says, give the lines it shows.
    let bad = example
        .replace(
            "egressFilter: {type: DROP_ALL}",
            "egressFilter: {typo: DROP_ALL}",
        )
        .replacen("port: 8080,", "port: 80800,", 1)
        .replace("- name: web-v2", "- name: web-v1");
    write(d, "shop.yaml", &bad);
    let out = run(app(&s.endpoint, d), &["plan", "-f", "shop.yaml"]).failed();
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{}", out.stderr);
    for line in lines {
        assert!(
            readme.contains(&format!("  {line}\n")),
            "README lacks {line:?}"
        );
    }
}

/// `export --format terraform` (and cloudformation) writes code that `import` builds the same
/// mesh from, on another endpoint.
#[test]
fn export_as_infrastructure_code_imports_back_to_the_same_mesh() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = Serve::ephemeral();
    write(d, "shop.yaml", SHOP);
    run(app(&a.endpoint, d), &["apply", "-f", "shop.yaml", "--yes"]).ok();
    for (format, file) in [
        ("terraform", "shop.tf"),
        ("cloudformation", "shop.cfn.yaml"),
    ] {
        run(
            app(&a.endpoint, d),
            &["export", "--mesh", "shop", "--format", format, "-o", file],
        )
        .ok();
        let b = Serve::ephemeral();
        run(app(&b.endpoint, d), &["import", file, "--yes"]).ok();
        assert_eq!(
            node_names(&b.endpoint, "shop"),
            node_names(&a.endpoint, "shop"),
            "{format}"
        );
        // The whole mesh reads back as the same mesh file.
        let there = run(app(&a.endpoint, d), &["export", "--mesh", "shop"])
            .ok()
            .stdout;
        let here = run(app(&b.endpoint, d), &["export", "--mesh", "shop"])
            .ok()
            .stdout;
        assert_eq!(here, there, "{format}");
    }
}
