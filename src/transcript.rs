//! `--transcript FILE`: a Markdown record of the session (each request, its result or error,
//! and how long it took) for onboarding notes. Credentials never pass through here: the
//! record is built from the app's own request and result types, not from HTTP traffic.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use serde_json::{Value, json};

use crate::app::{Call, CallResult, MeshResult};
use crate::aws::ApiError;
use crate::explore::describe::Described;
use crate::export::{spec_json, tags_json};
use crate::ui::text::{clean, rfc3339};

pub struct Transcript {
    file: File,
    path: PathBuf,
    started: HashMap<u64, (Instant, String)>,
}

fn code(s: &str) -> String {
    // Backticks inside would end the code span early.
    format!("`{}`", clean(s).replace('`', "'"))
}

fn request(call: &Call) -> (String, String, Option<Value>) {
    match call {
        Call::Create(r) => {
            let mut body = json!({ "meshName": r.name, "clientToken": r.client_token });
            if let Some(spec) = spec_json(&r.spec) {
                body["spec"] = spec;
            }
            if !r.tags.is_empty() {
                body["tags"] = tags_json(&r.tags);
            }
            ("CreateMesh".into(), code(&r.name), Some(body))
        }
        Call::List {
            scope, next_token, ..
        } => (
            scope.kind.operation(crate::kind::Verb::List),
            format!(
                "{}{}",
                if scope.mesh.is_empty() {
                    String::new()
                } else {
                    format!("in {} ", code(&scope.mesh))
                },
                if next_token.is_some() {
                    "next page"
                } else {
                    "first page"
                }
            ),
            None,
        ),
        Call::Get { key, .. } => (
            key.kind.operation(crate::kind::Verb::Describe),
            where_(key),
            None,
        ),
        Call::Update {
            name,
            spec,
            client_token,
        } => {
            let mut body = json!({ "clientToken": client_token });
            if let Some(spec) = spec_json(spec) {
                body["spec"] = spec;
            }
            ("UpdateMesh".into(), code(name), Some(body))
        }
        Call::Remove { key } => (
            key.kind.operation(crate::kind::Verb::Delete),
            where_(key),
            None,
        ),
        Call::Tag {
            key,
            arn,
            tag,
            untag,
        } => {
            let body = json!({
                "resourceArn": arn,
                "tagResource": tags_json(tag),
                "untagResource": untag,
            });
            (
                "TagResource / UntagResource".into(),
                where_(key),
                Some(body),
            )
        }
        Call::Write {
            key,
            create,
            spec,
            tags,
            client_token,
        } => {
            let mut body = json!({ "spec": spec, "clientToken": client_token });
            if !tags.is_empty() {
                body["tags"] = tags_json(tags);
            }
            let verb = if *create {
                crate::kind::Verb::Create
            } else {
                crate::kind::Verb::Update
            };
            (key.kind.operation(verb), where_(key), Some(body))
        }
    }
}

/// `` `canary` (router `web`) in `payments` ``.
fn where_(key: &crate::kind::Key) -> String {
    let mut s = code(&key.name);
    if let Some(p) = key.kind.info().parent {
        s.push_str(&format!(" ({} {})", p, code(&key.parent)));
    }
    if key.kind != crate::kind::Kind::Mesh {
        s.push_str(&format!(" in {}", code(&key.mesh)));
    }
    s
}

/// One line about a call, for the log: "CreateMesh `orders`".
pub fn call_summary(call: &Call) -> String {
    let (op, what, _) = request(call);
    format!("{op} {what}")
}

/// One line about a result, for the log: status and request ID, or the error.
pub fn result_summary(result: &CallResult) -> String {
    match result {
        CallResult::Mesh(Ok(r)) => format!(
            "ok: mesh {} {} version {} (request {})",
            code(&r.mesh.name),
            r.mesh.status.as_str(),
            r.mesh.metadata.version,
            r.request_id.as_deref().unwrap_or("-")
        ),
        CallResult::Page {
            scope,
            result: Ok(p),
            ..
        } => format!("ok: {} {}", p.items.len(), scope.kind.info().plural),
        CallResult::Resource { key, result: Ok(d) } => format!(
            "ok: {} {} {} version {} (request {})",
            key.kind,
            code(&key.name),
            d.resource.status,
            d.resource.meta.version,
            d.request_id.as_deref().unwrap_or("-")
        ),
        CallResult::Mesh(Err(e))
        | CallResult::Page { result: Err(e), .. }
        | CallResult::Resource { result: Err(e), .. } => format!(
            "failed: {} (HTTP {}) {} (request {})",
            e.title(),
            e.http_status.map_or("-".to_string(), |s| s.to_string()),
            e.message,
            e.request_id.as_deref().unwrap_or("-")
        ),
    }
}

impl Transcript {
    /// Opens (appending) or creates the file, readable by the owner only.
    pub fn open(path: &Path, target: &str) -> Result<Transcript, String> {
        let file = crate::fileio::open_append(path).map_err(|e| {
            format!("cannot open transcript file: {e}; pick another path with --transcript")
        })?;
        let mut t = Transcript {
            file,
            path: path.to_path_buf(),
            started: HashMap::new(),
        };
        t.write(&format!(
            "\n# appmesh-tui session, {}\n\nRequests go to: {}\n",
            rfc3339(SystemTime::now()),
            clean(target)
        ))?;
        Ok(t)
    }

    /// Appends `text`, any credentials in a URL hidden ([`crate::redact::redact`]).
    fn write(&mut self, text: &str) -> Result<(), String> {
        self.file
            .write_all(crate::redact::redact(text).as_bytes())
            .and_then(|_| self.file.flush())
            .map_err(|e| format!("cannot write transcript file {}: {e}", self.path.display()))
    }

    pub fn call(&mut self, id: u64, call: &Call) -> Result<(), String> {
        let (op, what, body) = request(call);
        let mut text = format!("\n## {} · {op} {what}\n", rfc3339(SystemTime::now()));
        self.started.insert(id, (Instant::now(), op));
        if let Some(body) = body {
            let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
            text.push_str(&format!(
                "\nRequest:\n\n```json\n{}\n```\n",
                clean_block(&pretty)
            ));
        }
        self.write(&text)
    }

    fn took(&mut self, id: u64) -> (String, String) {
        match self.started.remove(&id) {
            Some((t, op)) => (format!("{:.2} s", t.elapsed().as_secs_f64()), op),
            None => ("?".into(), "call".into()),
        }
    }

    pub fn result(&mut self, id: u64, result: &CallResult) -> Result<(), String> {
        let (took, op) = self.took(id);
        let text = match result {
            CallResult::Mesh(Ok(r)) => mesh_text(&op, &took, r),
            CallResult::Mesh(Err(e))
            | CallResult::Page { result: Err(e), .. }
            | CallResult::Resource { result: Err(e), .. } => error_text(&op, &took, e),
            CallResult::Resource { key, result: Ok(d) } => resource_text(&op, &took, key, d),
            CallResult::Page {
                scope,
                result: Ok(page),
                ..
            } => format!(
                "\n{op} answered in {took}: {} {}{}.\n",
                page.items.len(),
                scope.kind.info().plural,
                if page.next_token.is_some() {
                    ", more pages follow"
                } else {
                    ""
                }
            ),
        };
        self.write(&text)
    }

    pub fn cancelled(&mut self, id: u64) -> Result<(), String> {
        let (took, op) = self.took(id);
        self.write(&format!(
            "\n{op} cancelled by the user after {took}: the outcome is unknown (retrying the unchanged form reuses its clientToken).\n"
        ))
    }
}

/// Text inside a fenced block: cleaned, and unable to close the fence.
fn clean_block(s: &str) -> String {
    clean(s).replace("```", "'''")
}

fn mesh_text(op: &str, took: &str, r: &MeshResult) -> String {
    let m = &r.mesh;
    let md = &m.metadata;
    let mut text = format!(
        "\n{op} answered in {took}: mesh {} is **{}**, version {}.\n\n",
        code(&m.name),
        m.status.as_str(),
        md.version
    );
    let spec = format!(
        "egress filter {}, IP preference {}",
        m.spec
            .egress_filter
            .map_or("DROP_ALL (default)", |e| e.as_str()),
        m.spec.ip_preference.map_or("not set", |p| p.as_str())
    );
    let tags = match &r.tags {
        Ok(t) if t.is_empty() => "none".to_string(),
        Ok(t) => t
            .iter()
            .map(|t| format!("{}={}", code(&t.key), code(&t.value)))
            .collect::<Vec<_>>()
            .join(", "),
        Err(e) => format!("could not be read ({})", clean(&e.title())),
    };
    for (label, value) in [
        ("ARN", code(&md.arn)),
        ("UID", code(&md.uid)),
        ("Created", rfc3339(md.created_at)),
        ("Last updated", rfc3339(md.last_updated_at)),
        (
            "Owners",
            format!(
                "mesh {}, resource {}",
                code(&md.mesh_owner),
                code(&md.resource_owner)
            ),
        ),
        ("Spec", spec),
        ("Tags", tags),
        (
            "Request ID",
            code(r.request_id.as_deref().unwrap_or("(none)")),
        ),
    ] {
        text.push_str(&format!("- {label}: {value}\n"));
    }
    text
}

fn resource_text(op: &str, took: &str, key: &crate::kind::Key, d: &Described) -> String {
    let r = &d.resource;
    let mut text = format!(
        "\n{op} answered in {took}: {} {} is **{}**, version {}.\n\n- ARN: {}\n- UID: {}\n- request ID: {}\n",
        key.kind,
        where_(key),
        clean(&r.status),
        r.meta.version,
        code(&r.meta.arn),
        code(&r.meta.uid),
        code(d.request_id.as_deref().unwrap_or("-"))
    );
    let spec = serde_json::to_string_pretty(&r.spec).unwrap_or_default();
    text.push_str(&format!(
        "\nSpec:\n\n```json\n{}\n```\n",
        clean_block(&spec)
    ));
    text
}

fn error_text(op: &str, took: &str, e: &ApiError) -> String {
    let status = e
        .http_status
        .map(|s| format!(" (HTTP {s})"))
        .unwrap_or_default();
    format!(
        "\n{op} failed after {took}: **{}**{status}: {}\n\n- Request ID: {}\n- What to do: {}\n",
        clean(&e.title()),
        clean(&e.message),
        code(e.request_id.as_deref().unwrap_or("(none)")),
        e.hint_for(if matches!(op, "ListMeshes" | "DescribeMesh") {
            crate::aws::CallKind::Read
        } else {
            crate::aws::CallKind::Change
        })
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crate::aws::{CreateMeshRequest, ErrorKind};
    use crate::model::{EgressFilter, Mesh, MeshSpec, MeshStatus, Metadata, Tag};
    use crate::ui::text::epoch_plus;

    fn mesh() -> Mesh {
        Mesh {
            name: "orders".into(),
            spec: MeshSpec {
                egress_filter: Some(EgressFilter::AllowAll),
                ip_preference: None,
            },
            status: MeshStatus::Active,
            metadata: Metadata {
                arn: "arn:aws:appmesh:us-east-1:111122223333:mesh/orders".into(),
                uid: "uid-1".into(),
                version: 1,
                created_at: epoch_plus(1_700_000_000),
                last_updated_at: epoch_plus(1_700_000_000),
                mesh_owner: "111122223333".into(),
                resource_owner: "111122223333".into(),
            },
        }
    }

    #[test]
    fn records_requests_results_and_errors_as_markdown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.md");
        let mut t = Transcript::open(&path, "SANDBOX (memory only)").unwrap();
        let req = CreateMeshRequest {
            name: "orders".into(),
            spec: mesh().spec,
            tags: vec![Tag::new("team", "ops")],
            client_token: "tok-1".into(),
        };
        t.call(1, &Call::Create(req)).unwrap();
        t.result(
            1,
            &CallResult::Mesh(Ok(MeshResult {
                action: Action::Create,
                mesh: mesh(),
                tags: Ok(vec![Tag::new("team", "ops")]),
                request_id: Some("req-1".into()),
            })),
        )
        .unwrap();
        t.call(
            2,
            &Call::Remove {
                key: crate::kind::Key::mesh("orders"),
            },
        )
        .unwrap();
        t.result(
            2,
            &CallResult::Resource {
                key: crate::kind::Key::mesh("orders"),
                result: Err(ApiError {
                    kind: ErrorKind::Service,
                    code: Some("ResourceInUseException".into()),
                    message: "has nodes \u{1b}[2J".into(),
                    http_status: Some(409),
                    request_id: Some("req-2".into()),
                }),
            },
        )
        .unwrap();
        t.call(
            3,
            &Call::Get {
                key: crate::kind::Key::new(crate::kind::Kind::Route, "m", "r", "x"),
                tags: true,
            },
        )
        .unwrap();
        t.cancelled(3).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for expected in [
            "# appmesh-tui session",
            "Requests go to: SANDBOX",
            "CreateMesh `orders`",
            "\"egressFilter\"",
            "\"clientToken\": \"tok-1\"",
            "is **ACTIVE**, version 1",
            "`team`=`ops`",
            "Request ID: `req-1`",
            "DeleteMesh failed after",
            "**ResourceInUseException** (HTTP 409)",
            "DescribeRoute cancelled",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(
            !text.contains('\u{1b}'),
            "escape sequences never reach the file"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn credentials_in_the_endpoint_never_reach_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.md");
        let mut t = Transcript::open(
            &path,
            "profile default, region us-east-1, endpoint http://admin:hunter2@10.0.0.1:4566",
        )
        .unwrap();
        t.result(
            1,
            &CallResult::Mesh(Err(ApiError {
                kind: ErrorKind::Connection,
                code: None,
                message: "error sending request for url (http://admin:hunter2@10.0.0.1:4566/)"
                    .into(),
                http_status: None,
                request_id: None,
            })),
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("hunter2") && !text.contains("admin"),
            "{text}"
        );
        assert!(text.contains("endpoint http://***@10.0.0.1:4566"), "{text}");
    }

    #[test]
    fn a_fifo_or_a_device_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("t.md");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = Transcript::open(&fifo, "x").err().unwrap();
        assert!(
            e.contains("FIFO") && e.contains("t.md") && e.contains("--transcript"),
            "{e}"
        );
    }

    #[test]
    fn an_unwritable_path_says_what_to_do() {
        let e = Transcript::open(Path::new("/nonexistent/dir/t.md"), "x")
            .err()
            .unwrap();
        assert!(
            e.contains("/nonexistent/dir/t.md") && e.contains("--transcript"),
            "{e}"
        );
    }
}
