//! The real `appmesh-tui sandbox serve` on a full disk: its state file lives on a 256 KiB tmpfs,
//! and meshes with sizable tags are created until the writes fail for lack of space.
//!
//! Checked: every failed write is answered 500 InternalServerErrorException with a JSON message
//! and logged with a clear line naming the file (the journal beside the state file) and the OS
//! error; the failed change is
//! rolled back (the previous state stays, in memory and on disk); every acknowledged mesh is
//! there, in the running server and after a restart (after SIGKILL) on the same file; the state
//! file parses at every step; and once space is freed, the sandbox accepts writes again.
//!
//! **Needs root** (to mount a tmpfs; CI runs as root). Run as another user, it prints that it
//! needs root and passes without checking anything. Run it alone with
//! `cargo test --test sandbox_full_disk -- --nocapture`.

mod support;

use std::path::Path;
use std::process::Command;

use aws_sdk_appmesh::Client;
use aws_sdk_appmesh::error::ProvideErrorMetadata;
use aws_sdk_appmesh::operation::create_mesh::CreateMeshError;
use aws_sdk_appmesh::operation::tag_resource::TagResourceError;
use aws_sdk_appmesh::types::TagRef;
use support::sdk::{mesh_names, sandbox_client};
use support::serve::Serve;

const REGION: &str = "us-east-1";
/// Size of the tmpfs holding the state file.
const DISK: &str = "256k";
/// A file on the tmpfs, deleted to free space once writes have failed.
const BALLAST: usize = 96 * 1024;
/// Creates are tried until this many have failed in a row.
const FAILURES_WANTED: usize = 3;
/// An upper bound on the loop (the disk fills after some dozens of meshes).
const MAX_CREATES: usize = 400;

/// A tmpfs mounted on a temporary directory; unmounted on drop, also when the test panics.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "mount -t tmpfs on {} failed: {}",
            dir.path().display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // Still busy (a server that did not die?): detach it so the directory can go.
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// `appmesh-tui sandbox serve --port 0 --state PATH`, stderr to a log file; SIGKILLed on drop.
fn start(state: &Path, log: &Path) -> Serve {
    let state = state.to_str().expect("a UTF-8 path");
    Serve::start_logged(
        &[
            "--region",
            REGION,
            "--quota",
            "meshes=none",
            "--state",
            state,
        ],
        log,
    )
}

/// Each 500 must be seen as it is, not retried.
fn client(server: &Serve) -> Client {
    sandbox_client(&server.endpoint, REGION, false)
}

fn tags(i: usize) -> Vec<TagRef> {
    (0..10)
        .map(|t| {
            TagRef::builder()
                .key(format!("key-{t:02}-{}", "k".repeat(90)))
                .value(format!("value-{i:04}-{t:02}-{}", "v".repeat(180)))
                .build()
                .unwrap()
        })
        .collect()
}

/// The mesh names on disk (the state file with its journal, read as the sandbox reads them on
/// start); panics if the state file does not parse as JSON on its own.
fn meshes_on_disk(state: &Path) -> Vec<String> {
    let bytes = std::fs::read(state).expect("the state file exists");
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("the state file does not parse ({e}); {} bytes", bytes.len()));
    assert_eq!(v["format"], 2);
    let data =
        appmesh_tui::sandbox::store::load(state, &appmesh_tui::sandbox::quota::Quotas::none())
            .unwrap_or_else(|e| panic!("the state cannot be read back: {e}"))
            .expect("a state");
    data.mesh_names()
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

async fn assert_all_present(c: &Client, names: &[String], when: &str) {
    for n in names {
        let d = c
            .describe_mesh()
            .mesh_name(n)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{when}: DescribeMesh {n}: {e:?}"));
        assert_eq!(d.mesh().unwrap().mesh_name(), n, "{when}");
    }
    let mut listed = mesh_names(c)
        .await
        .unwrap_or_else(|e| panic!("{when}: ListMeshes: {e:?}"));
    listed.sort();
    assert_eq!(listed, sorted(names), "{when}: ListMeshes");
}

/// The raw answer behind an SDK error: status and JSON `message`.
fn raw_500<E>(
    e: &aws_sdk_appmesh::error::SdkError<E, aws_sdk_appmesh::config::http::HttpResponse>,
) -> String {
    let raw = e.raw_response().expect("a response from the server");
    assert_eq!(raw.status().as_u16(), 500);
    let body = raw.body().bytes().expect("a buffered body");
    let v: serde_json::Value = serde_json::from_slice(body).expect("a JSON error body");
    v["message"].as_str().expect("a message string").to_string()
}

#[tokio::test]
async fn full_disk_loses_nothing_acknowledged_and_recovers() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        println!(
            "sandbox_full_disk: SKIPPED — this test needs root to mount a tmpfs (CI runs it as root)"
        );
        return;
    }
    let logs = tempfile::tempdir().unwrap();
    let disk = Tmpfs::mount(DISK);
    let state = disk.path().join("state.json");
    let ballast = disk.path().join("ballast");
    std::fs::write(&ballast, vec![0u8; BALLAST]).unwrap();

    let log1 = logs.path().join("serve-1.log");
    let server = start(&state, &log1);
    let c = client(&server);

    let mut acked: Vec<String> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    let mut in_a_row = 0;
    for i in 0..MAX_CREATES {
        let name = format!("mesh-{i:04}");
        match c
            .create_mesh()
            .mesh_name(&name)
            .set_tags(Some(tags(i)))
            .send()
            .await
        {
            Ok(out) => {
                assert_eq!(out.mesh().unwrap().mesh_name(), name);
                acked.push(name);
                in_a_row = 0;
            }
            Err(e) => {
                let message = raw_500(&e);
                let se = e.into_service_error();
                assert!(
                    matches!(se, CreateMeshError::InternalServerErrorException(_)),
                    "CreateMesh {name}: {se:?}"
                );
                assert_eq!(se.message(), Some(message.as_str()));
                assert!(
                    message.contains("could not save") && message.contains("No space left"),
                    "message: {message}"
                );
                // Rolled back: the mesh does not exist.
                let nf = c
                    .describe_mesh()
                    .mesh_name(&name)
                    .send()
                    .await
                    .expect_err("a failed create leaves no mesh");
                assert_eq!(nf.into_service_error().code(), Some("NotFoundException"));
                failed.push(name);
                in_a_row += 1;
            }
        }
        // The file always parses and holds exactly the acknowledged meshes.
        assert_eq!(meshes_on_disk(&state), sorted(&acked), "after create #{i}");
        if in_a_row == FAILURES_WANTED {
            break;
        }
    }
    assert!(
        in_a_row == FAILURES_WANTED,
        "the disk never filled up after {MAX_CREATES} creates"
    );
    assert!(acked.len() >= 3, "only {} creates succeeded", acked.len());
    let journal = appmesh_tui::sandbox::journal::path_for(&state);
    println!(
        "full disk after {} acknowledged creates ({} bytes of state file, {} of journal); {} failed",
        acked.len(),
        std::fs::metadata(&state).unwrap().len(),
        std::fs::metadata(&journal).unwrap().len(),
        failed.len()
    );

    // A change to an existing mesh fails the same way and leaves its old tags.
    let first_arn = c
        .describe_mesh()
        .mesh_name(&acked[0])
        .send()
        .await
        .unwrap()
        .mesh()
        .unwrap()
        .metadata()
        .unwrap()
        .arn()
        .to_string();
    let big: Vec<TagRef> = (10..50)
        .map(|t| {
            TagRef::builder()
                .key(format!("more-{t}"))
                .value("w".repeat(250))
                .build()
                .unwrap()
        })
        .collect();
    let e = c
        .tag_resource()
        .resource_arn(&first_arn)
        .set_tags(Some(big))
        .send()
        .await
        .expect_err("tagging on a full disk fails");
    raw_500(&e);
    assert!(matches!(
        e.into_service_error(),
        TagResourceError::InternalServerErrorException(_)
    ));
    let kept = c
        .list_tags_for_resource()
        .resource_arn(&first_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(kept.tags().len(), 10, "the old tags stay");
    assert_eq!(meshes_on_disk(&state), sorted(&acked));

    // The log names the file and the OS error.
    let log = std::fs::read_to_string(&log1).unwrap();
    let wanted = format!(
        "cannot write {}: No space left on device",
        journal.display()
    );
    let line = log
        .lines()
        .find(|l| l.contains(&wanted))
        .unwrap_or_else(|| panic!("no line with {wanted:?} in the log:\n{log}"));
    assert!(line.contains("rolled back"), "{line}");
    println!("the log says: {line}");
    assert!(
        log.contains("PUT /v20190125/meshes 500 InternalServerErrorException"),
        "{log}"
    );

    assert_all_present(&c, &acked, "on the full disk").await;

    // A clean stop on the full disk cannot fold the journal into a new state file: it says so,
    // exits cleanly, and the journal keeps every change for the next start, which serves them
    // all (still on the full disk).
    let status = server.terminate();
    assert!(status.success(), "sandbox serve exited with {status}");
    let log = std::fs::read_to_string(&log1).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("cannot fold the journal into the state file on stop"))
        .unwrap_or_else(|| panic!("no line about the fold at stop in the log:\n{log}"));
    assert!(line.contains("No space left on device"), "{line}");
    assert!(line.contains("read back on the next start"), "{line}");
    assert_eq!(
        meshes_on_disk(&state),
        sorted(&acked),
        "after a stop on the full disk"
    );
    let server = start(&state, &logs.path().join("serve-1b.log"));
    let c = client(&server);
    assert_all_present(&c, &acked, "restarted on the full disk").await;

    // Free space: the next writes succeed, including the creates that failed before.
    std::fs::remove_file(&ballast).unwrap();
    for (k, name) in failed.iter().enumerate().take(2) {
        c.create_mesh()
            .mesh_name(name)
            .set_tags(Some(tags(1000 + k)))
            .send()
            .await
            .unwrap_or_else(|e| panic!("create {name} after freeing space: {e:?}"));
        acked.push(name.clone());
        assert_eq!(meshes_on_disk(&state), sorted(&acked));
    }
    c.delete_mesh()
        .mesh_name(&acked[1])
        .send()
        .await
        .expect("delete after freeing space");
    acked.remove(1);
    assert_eq!(meshes_on_disk(&state), sorted(&acked));
    assert_all_present(&c, &acked, "after freeing space").await;

    // SIGKILL and restart on the same file: everything acknowledged is still there.
    server.kill();
    assert_eq!(meshes_on_disk(&state), sorted(&acked), "after SIGKILL");
    let server = start(&state, &logs.path().join("serve-2.log"));
    let c = client(&server);
    assert_all_present(&c, &acked, "after the restart").await;
    let tags_back = c
        .list_tags_for_resource()
        .resource_arn(&first_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags_back.tags().len(), 10);
    drop(server);
    drop(disk);
}
