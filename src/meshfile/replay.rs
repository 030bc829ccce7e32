//! `appmesh-tui replay TRANSCRIPT`: the meshes a session built, read back from its
//! `--transcript` record (see [`crate::transcript`] for what the record holds).
//!
//! A transcript lists each request as it was sent (`## TIME · CreateMesh \`name\``, then the
//! request's JSON) and each answer as it came (`CreateMesh answered in …`, `… failed after …`,
//! `… cancelled by the user …`), possibly several sessions appended to one file. Replay pairs
//! each answer with the oldest unanswered request of the same operation and replays the
//! requests that succeeded, in the order they were answered (the order the service applied
//! them):
//!
//! - `CreateMesh`: the mesh with the request's spec and tags, exactly as sent;
//! - `UpdateMesh`: the request's whole spec replaces the mesh's (none sent: `{}`);
//! - `TagResource / UntagResource`: the tags set and removed;
//! - `DeleteMesh`: the mesh is gone;
//! - a mesh a session changed without creating it starts from what the answer of its first
//!   successful call showed (its spec and tags), as does one only described before.
//!
//! What cannot be replayed is said in [`Replay::notes`]: calls whose outcome is unknown
//! (cancelled, or no answer recorded), tags the answer could not read, and that transcripts
//! record only meshes, so the file holds no virtual nodes, routers or other resources.
//! Requests of other kinds are replayed too when the record carries their whole input (the
//! kind's name members, spec and tags), so a transcript that records them needs no change here.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{Map, Value};

use crate::kind::{Key, Kind, Verb};
use crate::mesh::{Item, MeshModel};

/// What a transcript built.
#[derive(Debug, Default, PartialEq)]
pub struct Replay {
    /// The meshes that exist at the end of the record and that a session created or changed,
    /// in name order.
    pub meshes: Vec<MeshModel>,
    /// What could not be replayed, and why; each a sentence.
    pub notes: Vec<String>,
}

/// One request the record holds.
#[derive(Debug)]
struct Call {
    op: String,
    /// The text inside the heading's code span (the mesh's name), if any.
    named: Option<String>,
    body: Option<Value>,
    line: usize,
}

/// How a request ended.
#[derive(Debug)]
enum Ending {
    /// Answered; the bullet lines of the answer (`Spec`, `Tags`, …).
    Answered(BTreeMap<String, String>),
    Failed,
    Cancelled,
}

const OPS_WITH_SPACES: &[&str] = &["TagResource / UntagResource"];

/// The operation a heading or answer line starts with, and the rest.
fn split_op(s: &str) -> (&str, &str) {
    for op in OPS_WITH_SPACES {
        if let Some(rest) = s.strip_prefix(op) {
            return (op, rest.trim_start());
        }
    }
    match s.split_once(' ') {
        Some((op, rest)) => (op, rest),
        None => (s, ""),
    }
}

/// The text of the first code span in `s`.
fn code_span(s: &str) -> Option<String> {
    let start = s.find('`')? + 1;
    let end = s[start..].find('`')? + start;
    Some(s[start..end].to_string())
}

/// Every code span of `s`, in order.
fn code_spans(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else { break };
        out.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    out
}

/// Reads a transcript's text: the calls, and how each ended, in the order they ended.
fn read(text: &str, notes: &mut Vec<String>) -> Vec<(Call, Ending)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut calls: Vec<Call> = Vec::new();
    let mut open: VecDeque<usize> = VecDeque::new();
    let mut ended: Vec<(usize, Ending)> = Vec::new();
    let mut i = 0;
    let unanswered = |open: &mut VecDeque<usize>, calls: &[Call], notes: &mut Vec<String>| {
        for c in open.drain(..) {
            let call = &calls[c];
            if !matches!(call.op.as_str(), "ListMeshes" | "DescribeMesh") {
                notes.push(format!(
                    "line {}: {} {:?} has no answer recorded (the session ended while it ran?); its outcome is unknown and it is left out",
                    call.line,
                    call.op,
                    call.named.as_deref().unwrap_or("")
                ));
            }
        }
    };
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("# appmesh-tui session") {
            unanswered(&mut open, &calls, notes);
            i += 1;
            continue;
        }
        if let Some(rest) = line.strip_prefix("## ") {
            let Some((_, what)) = rest.split_once(" · ") else {
                i += 1;
                continue;
            };
            let (op, named) = split_op(what);
            let mut call = Call {
                op: op.to_string(),
                named: code_span(named),
                body: None,
                line: i + 1,
            };
            // "Request:", a blank line, then the JSON in a fenced block.
            let mut j = i + 1;
            while j < lines.len() && lines[j].trim().is_empty() {
                j += 1;
            }
            if j < lines.len() && lines[j].trim() == "Request:" {
                let mut k = j + 1;
                while k < lines.len() && lines[k].trim().is_empty() {
                    k += 1;
                }
                if k < lines.len() && lines[k].trim() == "```json" {
                    let start = k + 1;
                    let mut end = start;
                    while end < lines.len() && lines[end].trim() != "```" {
                        end += 1;
                    }
                    let json = lines[start..end.min(lines.len())].join("\n");
                    match serde_json::from_str::<Value>(&json) {
                        Ok(v) => call.body = Some(v),
                        Err(e) => notes.push(format!(
                            "line {}: the request of {} is not JSON ({e}); it is left out",
                            start + 1,
                            call.op
                        )),
                    }
                    j = end + 1;
                }
            }
            open.push_back(calls.len());
            calls.push(call);
            i = j.max(i + 1);
            continue;
        }
        let (op, rest) = split_op(line);
        let ending = if rest.starts_with("answered in ") {
            let mut bullets = BTreeMap::new();
            let mut j = i + 1;
            while j < lines.len() && !lines[j].starts_with("## ") {
                if let Some(b) = lines[j].strip_prefix("- ")
                    && let Some((k, v)) = b.split_once(": ")
                {
                    bullets.insert(k.to_string(), v.to_string());
                } else if !lines[j].trim().is_empty() {
                    break;
                }
                j += 1;
            }
            Some(Ending::Answered(bullets))
        } else if rest.starts_with("failed after ") {
            Some(Ending::Failed)
        } else if rest.starts_with("cancelled by the user") {
            Some(Ending::Cancelled)
        } else {
            None
        };
        if let Some(ending) = ending {
            match open.iter().position(|&c| calls[c].op == op) {
                Some(p) => {
                    let c = open.remove(p).unwrap_or_default();
                    ended.push((c, ending));
                }
                None => notes.push(format!(
                    "line {}: an answer of {op} without a request before it; ignored",
                    i + 1
                )),
            }
        }
        i += 1;
    }
    unanswered(&mut open, &calls, notes);
    let mut slots: Vec<Option<Call>> = calls.into_iter().map(Some).collect();
    ended
        .into_iter()
        .filter_map(|(c, e)| slots[c].take().map(|call| (call, e)))
        .collect()
}

/// The spec an answer's `Spec` bullet shows: `egress filter ALLOW_ALL, IP preference
/// IPv6_PREFERRED` (`DROP_ALL (default)` and `not set` are members not set).
fn spec_from_answer(s: &str) -> Value {
    let mut spec = Map::new();
    for part in s.split(", ") {
        if let Some(v) = part.strip_prefix("egress filter ")
            && !v.ends_with("(default)")
        {
            spec.insert("egressFilter".into(), serde_json::json!({ "type": v }));
        }
        if let Some(v) = part.strip_prefix("IP preference ")
            && v != "not set"
        {
            spec.insert(
                "serviceDiscovery".into(),
                serde_json::json!({ "ipPreference": v }),
            );
        }
    }
    Value::Object(spec)
}

/// The tags an answer's `Tags` bullet shows: `` `k`=`v`, `k2`=`v2` `` or `none`. `None` when
/// the answer could not read them.
fn tags_from_answer(s: &str) -> Option<BTreeMap<String, String>> {
    if s == "none" {
        return Some(BTreeMap::new());
    }
    if s.starts_with("could not be read") {
        return None;
    }
    let spans = code_spans(s);
    Some(
        spans
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| (c[0].clone(), c[1].clone()))
            .collect(),
    )
}

fn tags_from_body(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    Some((
                        t.get("key")?.as_str()?.to_string(),
                        t.get("value")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The key a request names: from its body's name members, else (meshes) the heading's name.
fn key_of(kind: Kind, call: &Call) -> Option<Key> {
    let info = kind.info();
    let body = call.body.as_ref();
    let get = |m: &str| {
        body.and_then(|b| b.get(m))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let name = get(info.name_member).or_else(|| {
        if kind == Kind::Mesh {
            call.named.clone()
        } else {
            None
        }
    })?;
    if kind == Kind::Mesh {
        return Some(Key::mesh(name));
    }
    let mesh = get("meshName")?;
    let parent = match info.parent {
        Some(p) => get(p.info().name_member)?,
        None => String::new(),
    };
    Some(Key::new(kind, mesh, parent, name))
}

/// Replays a transcript's text (see the module documentation).
pub fn replay(text: &str) -> Replay {
    let mut notes = Vec::new();
    let events = read(text, &mut notes);
    let mut state: BTreeMap<Key, Item> = BTreeMap::new();
    let mut built: BTreeSet<String> = BTreeSet::new();
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    let mut other_kinds = false;
    for (call, ending) in events {
        let bullets = match ending {
            Ending::Answered(b) => b,
            Ending::Failed => continue,
            Ending::Cancelled => {
                if !matches!(call.op.as_str(), "ListMeshes" | "DescribeMesh") {
                    notes.push(format!(
                        "line {}: {} {:?} was cancelled: whether the service applied it is unknown, so it is left out",
                        call.line,
                        call.op,
                        call.named.as_deref().unwrap_or("")
                    ));
                }
                continue;
            }
        };
        // What the answer showed of a mesh, to start from when the record has not created it.
        let shown = || -> Option<Item> {
            let spec = spec_from_answer(bullets.get("Spec")?);
            let tags = tags_from_answer(bullets.get("Tags")?)?;
            Some(Item {
                spec: spec.into(),
                tags,
                meta: None,
            })
        };
        if call.op == "TagResource / UntagResource" {
            let Some(name) = call.named.clone() else {
                continue;
            };
            // Tags of a resource inside a mesh: its ARN goes on past `mesh/NAME/`.
            let arn = call
                .body
                .as_ref()
                .and_then(|b| b.get("resourceArn"))
                .and_then(Value::as_str);
            if arn.is_some_and(|a| {
                a.split_once(":mesh/")
                    .is_some_and(|(_, rest)| rest.contains('/'))
            }) {
                other_kinds = true;
                continue;
            }
            let key = Key::mesh(name.clone());
            let body = call.body.as_ref();
            match state.get_mut(&key) {
                Some(item) => {
                    item.tags
                        .extend(tags_from_body(body.and_then(|b| b.get("tagResource"))));
                    for k in body
                        .and_then(|b| b.get("untagResource"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                    {
                        item.tags.remove(k);
                    }
                }
                None => match shown() {
                    Some(item) => {
                        state.insert(key, item);
                    }
                    None => {
                        notes.push(format!(
                            "line {}: the tags of mesh {name:?} were changed but the answer does not show them; the mesh is left out",
                            call.line
                        ));
                        continue;
                    }
                },
            }
            built.insert(name);
            continue;
        }
        let Some((kind, verb)) = Kind::of_operation(&call.op) else {
            continue;
        };
        if kind != Kind::Mesh {
            other_kinds = true;
        }
        let Some(key) = key_of(kind, &call) else {
            continue;
        };
        let body = call.body.as_ref();
        let spec = || {
            body.and_then(|b| b.get("spec"))
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new()))
        };
        match verb {
            Verb::Create => {
                state.insert(
                    key.clone(),
                    Item {
                        spec: spec().into(),
                        tags: tags_from_body(body.and_then(|b| b.get("tags"))),
                        meta: None,
                    },
                );
                deleted.remove(key.mesh.as_str());
                built.insert(key.mesh.to_string());
            }
            Verb::Update => {
                match state.get_mut(&key) {
                    Some(item) => item.spec = spec().into(),
                    None => match shown() {
                        Some(item) => {
                            state.insert(
                                key.clone(),
                                Item {
                                    spec: spec().into(),
                                    ..item
                                },
                            );
                        }
                        None => {
                            notes.push(format!(
                                "line {}: {} {:?} was updated, but its tags are not in the record; it is left out",
                                call.line, key.kind, key.name
                            ));
                            continue;
                        }
                    },
                }
                built.insert(key.mesh.to_string());
            }
            Verb::Delete => {
                if kind == Kind::Mesh {
                    state.retain(|k, _| k.mesh != key.mesh);
                    if built.remove(key.mesh.as_str()) {
                        deleted.insert(key.mesh.to_string());
                    }
                } else {
                    state.remove(&key);
                }
            }
            Verb::Describe => {
                if kind == Kind::Mesh
                    && !state.contains_key(&key)
                    && let Some(item) = shown()
                {
                    state.insert(key, item);
                }
            }
            Verb::List => {}
        }
    }
    for name in &deleted {
        notes.push(format!(
            "mesh {name:?} was deleted in the session, so the file does not hold it"
        ));
    }
    if !other_kinds {
        notes.push(
            "transcripts record meshes only (create, update, tags, delete): the file holds the meshes' specs and tags, and none of the virtual nodes, services, routers, routes or gateways inside them".to_string(),
        );
    }
    let mut meshes: BTreeMap<String, MeshModel> = BTreeMap::new();
    for (key, item) in state {
        if !built.contains(key.mesh.as_str()) {
            continue;
        }
        meshes
            .entry(key.mesh.to_string())
            .or_insert_with(|| MeshModel::new(key.mesh.clone()))
            .items
            .insert(key, item);
    }
    // A mesh whose own entry is missing (only its contents were recorded) gets an empty one.
    for m in meshes.values_mut() {
        m.items
            .entry(Key::mesh(&m.name))
            .or_insert_with(|| Item::new(Value::Object(Map::new())));
    }
    Replay {
        meshes: meshes.into_values().collect(),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Action, Call as AppCall, CallResult, MeshResult};
    use crate::aws::{ApiError, CreateMeshRequest, ErrorKind};
    use crate::model::{EgressFilter, IpPreference, Mesh, MeshSpec, MeshStatus, Metadata, Tag};
    use crate::transcript::Transcript;
    use crate::ui::text::epoch_plus;

    fn mesh(name: &str, spec: &MeshSpec) -> Mesh {
        Mesh {
            name: name.into(),
            spec: spec.clone(),
            status: MeshStatus::Active,
            metadata: Metadata {
                arn: format!("arn:aws:appmesh:us-east-1:111122223333:mesh/{name}"),
                uid: "u".into(),
                version: 1,
                created_at: epoch_plus(1_700_000_000),
                last_updated_at: epoch_plus(1_700_000_000),
                mesh_owner: "111122223333".into(),
                resource_owner: "111122223333".into(),
            },
        }
    }

    fn ok(name: &str, spec: &MeshSpec, tags: Vec<Tag>) -> CallResult {
        CallResult::Mesh(Ok(MeshResult {
            action: Action::Create,
            mesh: mesh(name, spec),
            tags: Ok(tags),
            request_id: Some("r".into()),
        }))
    }

    fn failed() -> CallResult {
        CallResult::Mesh(Err(ApiError {
            kind: ErrorKind::Service,
            code: Some("ConflictException".into()),
            message: "taken".into(),
            http_status: Some(409),
            request_id: None,
        }))
    }

    /// A transcript written by the app's own recorder.
    fn record(f: impl FnOnce(&mut Transcript)) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.md");
        let mut t = Transcript::open(&path, "SANDBOX").unwrap();
        f(&mut t);
        drop(t);
        std::fs::read_to_string(&path).unwrap()
    }

    fn create(name: &str, spec: &MeshSpec, tags: Vec<Tag>) -> AppCall {
        AppCall::Create(CreateMeshRequest {
            name: name.into(),
            spec: spec.clone(),
            tags,
            client_token: "tok".into(),
        })
    }

    #[test]
    fn a_session_becomes_the_meshes_it_built() {
        let allow = MeshSpec {
            egress_filter: Some(EgressFilter::AllowAll),
            ip_preference: None,
        };
        let v6 = MeshSpec {
            egress_filter: None,
            ip_preference: Some(IpPreference::Ipv6Preferred),
        };
        let text = record(|t| {
            let tags = vec![Tag::new("team", "pay ments"), Tag::new("env", "dev")];
            t.call(1, &create("orders", &allow, tags.clone())).unwrap();
            t.result(1, &ok("orders", &allow, tags)).unwrap();
            // A create that failed, one deleted later, one cancelled.
            t.call(2, &create("taken", &allow, vec![])).unwrap();
            t.result(2, &failed()).unwrap();
            t.call(3, &create("temp", &allow, vec![])).unwrap();
            t.result(3, &ok("temp", &allow, vec![])).unwrap();
            t.call(
                4,
                &AppCall::Remove {
                    key: Key::mesh("temp"),
                },
            )
            .unwrap();
            t.result(4, &ok("temp", &allow, vec![])).unwrap();
            t.call(5, &create("maybe", &allow, vec![])).unwrap();
            t.cancelled(5).unwrap();
            // Update and tags on orders.
            t.call(
                6,
                &AppCall::Update {
                    name: "orders".into(),
                    spec: v6.clone(),
                    client_token: "t2".into(),
                },
            )
            .unwrap();
            t.result(6, &ok("orders", &v6, vec![])).unwrap();
            let m = mesh("orders", &v6);
            t.call(
                7,
                &AppCall::Tag {
                    key: Key::mesh("orders"),
                    arn: m.metadata.arn.clone(),
                    tag: vec![Tag::new("owner", "ana")],
                    untag: vec!["env".into()],
                },
            )
            .unwrap();
            t.result(7, &ok("orders", &v6, vec![])).unwrap();
        });
        let r = replay(&text);
        assert_eq!(r.meshes.len(), 1, "{r:#?}");
        let m = &r.meshes[0];
        assert_eq!(m.name, "orders");
        let item = &m.items[&Key::mesh("orders")];
        assert_eq!(
            item.spec,
            serde_json::json!({"serviceDiscovery": {"ipPreference": "IPv6_PREFERRED"}})
        );
        assert_eq!(
            item.tags,
            BTreeMap::from([
                ("team".to_string(), "pay ments".to_string()),
                ("owner".to_string(), "ana".to_string())
            ])
        );
        let notes = r.notes.join("\n");
        assert!(
            notes.contains("CreateMesh \"maybe\" was cancelled"),
            "{notes}"
        );
        assert!(notes.contains("mesh \"temp\" was deleted"), "{notes}");
        assert!(notes.contains("transcripts record meshes only"), "{notes}");
    }

    #[test]
    fn answers_pair_with_their_requests_even_out_of_order() {
        let allow = MeshSpec {
            egress_filter: Some(EgressFilter::AllowAll),
            ip_preference: None,
        };
        let none = MeshSpec::default();
        let text = record(|t| {
            t.call(1, &create("a", &allow, vec![])).unwrap();
            t.call(
                2,
                &AppCall::List {
                    scope: crate::explore::Scope::meshes(),
                    next_token: None,
                    generation: 1,
                },
            )
            .unwrap();
            t.call(3, &create("b", &none, vec![])).unwrap();
            t.result(1, &ok("a", &allow, vec![])).unwrap();
            t.result(3, &failed()).unwrap();
        });
        let r = replay(&text);
        assert_eq!(
            r.meshes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["a"]
        );
        assert!(
            r.notes.iter().all(|n| !n.contains("ListMeshes")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn a_mesh_changed_but_not_created_starts_from_what_the_answer_showed() {
        let drop = MeshSpec {
            egress_filter: Some(EgressFilter::DropAll),
            ip_preference: None,
        };
        let text = record(|t| {
            t.call(
                1,
                &AppCall::Get {
                    key: Key::mesh("old"),
                    tags: true,
                },
            )
            .unwrap();
            t.result(
                1,
                &ok("old", &MeshSpec::default(), vec![Tag::new("k", "v")]),
            )
            .unwrap();
            t.call(
                2,
                &AppCall::Update {
                    name: "old".into(),
                    spec: drop.clone(),
                    client_token: "t".into(),
                },
            )
            .unwrap();
            t.result(2, &ok("old", &drop, vec![Tag::new("k", "v")]))
                .unwrap();
            // Only described: not built by the session.
            t.call(
                3,
                &AppCall::Get {
                    key: Key::mesh("seen"),
                    tags: true,
                },
            )
            .unwrap();
            t.result(3, &ok("seen", &drop, vec![])).unwrap();
        });
        let r = replay(&text);
        assert_eq!(r.meshes.len(), 1);
        let item = &r.meshes[0].items[&Key::mesh("old")];
        assert_eq!(
            item.spec,
            serde_json::json!({"egressFilter": {"type": "DROP_ALL"}})
        );
        assert_eq!(item.tags["k"], "v");
    }

    #[test]
    fn tags_of_a_resource_inside_a_mesh_do_not_make_a_mesh() {
        let tags = vec![Tag::new("team", "pay")];
        let text = record(|t| {
            t.call(
                1,
                &AppCall::Tag {
                    key: Key::new(Kind::VirtualNode, "payments", "", "node-a"),
                    arn: "arn:aws:appmesh:us-east-1:111122223333:mesh/payments/virtualNode/node-a"
                        .into(),
                    tag: tags.clone(),
                    untag: vec![],
                },
            )
            .unwrap();
            t.result(1, &ok("node-a", &MeshSpec::default(), tags))
                .unwrap();
        });
        let r = replay(&text);
        assert!(r.meshes.is_empty(), "{r:#?}");
    }

    #[test]
    fn other_kinds_replay_when_their_input_is_recorded() {
        let text = "\n# appmesh-tui session, 2026-01-01T00:00:00Z\n\nRequests go to: x\n\n## 2026-01-01T00:00:01Z · CreateMesh `m`\n\nRequest:\n\n```json\n{\"meshName\": \"m\"}\n```\n\nCreateMesh answered in 0.01 s: mesh `m` is **ACTIVE**, version 1.\n\n## 2026-01-01T00:00:02Z · CreateVirtualNode `n`\n\nRequest:\n\n```json\n{\"meshName\": \"m\", \"virtualNodeName\": \"n\", \"spec\": {\"serviceDiscovery\": {\"dns\": {\"hostname\": \"h\"}}}}\n```\n\nCreateVirtualNode answered in 0.01 s: virtual node `n`.\n";
        let r = replay(text);
        assert_eq!(r.meshes[0].items.len(), 2, "{r:#?}");
        assert!(r.notes.iter().all(|n| !n.contains("meshes only")));
    }

    #[test]
    fn garbage_is_no_mesh_and_never_a_panic() {
        for text in [
            "",
            "## x",
            "## a · CreateMesh `",
            "CreateMesh answered in",
            "## t · CreateMesh `m`\nRequest:\n\n```json\n{",
            "```json\n",
        ] {
            let r = replay(text);
            assert!(r.meshes.is_empty(), "{text:?}");
        }
    }
}
