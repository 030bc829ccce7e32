//! Kill -9 the real `appmesh-tui sandbox serve` while creates stream in, restart it on the same
//! state file, and check that every acknowledged create survived (in the state file and its
//! journal) and the file parses; after a clean stop the state file alone holds them all.

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use aws_sdk_appmesh::Client;
use support::sdk::{mesh_names, sandbox_client};
use support::serve::Serve;

/// `appmesh-tui sandbox serve --state FILE --port 0`, its stderr in `log`.
fn spawn(state: &Path, log: &Path) -> Serve {
    let state = state.to_str().expect("a UTF-8 path");
    Serve::start_logged(
        &[
            "--region",
            "us-east-1",
            "--quota",
            "meshes=none",
            "--state",
            state,
        ],
        log,
    )
}

/// No retries: an attempt that fails because the server died must not be retried into the
/// next run.
fn client(endpoint: &str) -> Client {
    sandbox_client(endpoint, "us-east-1", false)
}

async fn list_all(c: &Client) -> Vec<String> {
    mesh_names(c).await.expect("list meshes after restart")
}

/// How many meshes the state file holds on its own (0 if there is none yet).
fn meshes_in_state_file(state: &Path) -> usize {
    match std::fs::read(state) {
        Ok(bytes) => {
            let v: serde_json::Value = serde_json::from_slice(&bytes).expect("state file parses");
            v["resources"].as_array().unwrap().len()
        }
        Err(_) => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_creates_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox.json");
    let log = dir.path().join("stderr.log");
    let mut acked_total: Vec<String> = Vec::new();

    for round in 0..3 {
        let server = spawn(&state, &log);
        let endpoint = server.endpoint.clone();
        // Everything acknowledged in earlier rounds is there after the restart.
        let c = client(&endpoint);
        let listed = list_all(&c).await;
        for name in &acked_total {
            assert!(
                listed.contains(name),
                "round {round}: acknowledged {name} lost"
            );
        }

        // Stream creates from 8 clients; kill -9 after some acks while requests are in flight.
        // The first round runs long enough for the journal to pass 1 MiB and be folded into the
        // state file at least once while creates stream in.
        let kill_after = if round == 0 { 5500 } else { 150 };
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
        let kill_tx = Arc::new(Mutex::new(Some(kill_tx)));
        let mut tasks = Vec::new();
        for t in 0..8 {
            let c = client(&endpoint);
            let acked = acked.clone();
            let kill_tx = kill_tx.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0.. {
                    let name = format!("r{round}-t{t}-{i:05}");
                    match c.create_mesh().mesh_name(&name).send().await {
                        Ok(_) => {
                            let mut a = acked.lock().unwrap();
                            a.push(name);
                            if a.len() == kill_after
                                && let Some(tx) = kill_tx.lock().unwrap().take()
                            {
                                let _ = tx.send(());
                            }
                        }
                        // The server is gone: this create was never acknowledged.
                        Err(_) => return,
                    }
                }
            }));
        }
        kill_rx.await.unwrap();
        server.kill(); // SIGKILL
        for t in tasks {
            t.await.unwrap();
        }
        let acked = std::mem::take(&mut *acked.lock().unwrap());
        assert!(
            acked.len() >= kill_after,
            "round {round}: {} acks",
            acked.len()
        );
        if round == 0 {
            // Folded during the stream: the state file alone holds more than it did (the first
            // create wrote it with one mesh).
            assert!(
                meshes_in_state_file(&state) > 1000,
                "no fold during the stream: the state file holds {} meshes",
                meshes_in_state_file(&state)
            );
        }
        acked_total.extend(acked);

        // The state file parses on its own, and with its journal (read as the sandbox reads
        // them on start) it holds every acknowledged create.
        let bytes = std::fs::read(&state).expect("state file exists");
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("state file parses");
        assert_eq!(v["format"], 2);
        let on_disk =
            appmesh_tui::sandbox::store::load(&state, &appmesh_tui::sandbox::quota::Quotas::none())
                .expect("the state reads back")
                .expect("a state");
        for name in &acked_total {
            assert!(
                on_disk.mesh_names().contains(name),
                "round {round}: {name} not on disk"
            );
        }
    }

    // Final restart: the server serves all of them, each exactly once.
    let server = spawn(&state, &log);
    let listed = list_all(&client(&server.endpoint)).await;
    let unique: std::collections::BTreeSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "a mesh is listed twice");
    for name in &acked_total {
        assert!(unique.contains(name), "acknowledged {name} lost");
    }
    // A clean stop (SIGTERM) still works and keeps the state.
    let exit = server.terminate();
    assert!(exit.success(), "SIGTERM exit: {exit:?}");
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(log_text.contains("stopped"), "{log_text}");
    // The clean stop folded the journal in and removed it: the state file alone, read as
    // plain JSON, holds every acknowledged create.
    let journal = appmesh_tui::sandbox::journal::path_for(&state);
    assert!(
        !journal.exists(),
        "{} is left after a clean stop",
        journal.display()
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let in_file: std::collections::HashSet<&str> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    for name in &acked_total {
        assert!(
            in_file.contains(name.as_str()),
            "{name} not in the state file"
        );
    }
}
