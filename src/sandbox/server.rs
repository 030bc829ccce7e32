//! The HTTP side: routing, query and path decoding, responses, request logging, and the group
//! commit that makes every change durable before it is acknowledged.
//!
//! Group commit: a mutating request applies its change to the in-memory state under the lock,
//! bumps the state's sequence number and queues a oneshot waiter; then it waits. One writer task
//! takes the lock briefly to take all queued waiters and the changes since the last write (with
//! the meshes they touched as they are now), makes them durable outside the lock
//! (`Store::commit`: one journal record, appended and fsynced), and answers every waiter it
//! took; then it folds the journal into the state file if the journal has grown long enough.
//! Requests that arrive during a write are taken by the next write, so concurrent clients share
//! one write; before a write the writer briefly lets changes that are on their way join (see
//! `Shared::write_once`). With one request in flight per client, N clients get at most
//! N / (duration of one append and fsync) changes per second, whatever the state's size.
//!
//! If a write fails, the in-memory state is rolled back to the last durable state (its changes
//! and those made since are undone: `State::revert`), and every waiting request (those in the
//! failed write and those queued after it, which built on the failed state) gets
//! InternalServerErrorException. Reads never wait for the writer.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt;
use tokio::sync::{Notify, oneshot};

use super::state::State;
use super::store::Store;
use super::wire::{self, ApiError};

type Waiter = oneshot::Sender<Result<(), String>>;
/// How long the writer waits for more changes to join a write; see `Shared::write_once`.
const GATHER: std::time::Duration = std::time::Duration::from_micros(500);
/// Resolves when the change is on disk (`Ok`) or could not be written (`Err`).
type Durable = oneshot::Receiver<Result<(), String>>;

pub(crate) struct Inner {
    pub st: State,
    /// Number of changes applied so far.
    seq: u64,
    /// Changes up to this number are on disk (or, ephemeral, all of them).
    durable_seq: u64,
    pending: Vec<Waiter>,
    /// The writer has stopped: changes can no longer be made durable.
    closed: bool,
}

pub(crate) struct Shared {
    pub inner: RwLock<Inner>,
    /// The state file and journal (`None`: ephemeral). Only the writer task uses it.
    pub persist: Option<Arc<Mutex<Store>>>,
    pub notify: Notify,
    pub log_requests: bool,
    pub max_body_bytes: usize,
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Shared {
    pub fn new(
        st: State,
        persist: Option<Store>,
        log_requests: bool,
        max_body_bytes: usize,
    ) -> Self {
        Shared {
            inner: RwLock::new(Inner {
                st,
                seq: 0,
                durable_seq: 0,
                pending: Vec::new(),
                closed: false,
            }),
            persist: persist.map(|s| Arc::new(Mutex::new(s))),
            notify: Notify::new(),
            log_requests,
            max_body_bytes,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs a change under the lock; the answer may be sent once `commit` on the returned
    /// receiver is `Ok`. Unchanged results (idempotent retries) still wait for anything pending,
    /// so a retry never acknowledges a change that is not yet durable.
    fn mutate<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<(T, bool), ApiError>,
    ) -> Result<(T, Option<Durable>), ApiError> {
        let mut g = self.write();
        if g.closed {
            return Err(ApiError::new(
                503,
                "ServiceUnavailableException",
                "the sandbox is shutting down; the change was not made",
            ));
        }
        let (value, changed) = f(&mut g.st)?;
        if changed {
            g.seq += 1;
        }
        if self.persist.is_none() {
            g.durable_seq = g.seq;
            return Ok((value, None));
        }
        if g.seq == g.durable_seq {
            return Ok((value, None));
        }
        let (tx, rx) = oneshot::channel();
        g.pending.push(tx);
        drop(g);
        self.notify.notify_one();
        Ok((value, Some(rx)))
    }

    async fn commit(rx: Option<Durable>) -> Result<(), ApiError> {
        let Some(rx) = rx else { return Ok(()) };
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ApiError::internal(format!(
                "the sandbox could not save its state, so the change was not made: {e}"
            ))),
            Err(_) => Err(ApiError::internal(
                "the sandbox is shutting down; the change was not saved",
            )),
        }
    }

    pub fn mesh_names(&self) -> Vec<String> {
        self.read().st.data().meshes.keys().cloned().collect()
    }

    /// Writes everything pending, once. Returns how many requests the write answered, `None`
    /// when there was nothing to write.
    ///
    /// `last_batch` is the size of the previous write's batch. Clients that were answered by it
    /// tend to send their next change right away; if fewer than that are queued yet, the writer
    /// yields for up to [`GATHER`] so they join this write instead of the next one (without this,
    /// batches alternate between one request and all the others). A lone client never waits.
    async fn write_once(self: &Arc<Self>, last_batch: usize) -> Option<usize> {
        let persist = self.persist.as_ref()?;
        let deadline = Instant::now() + GATHER;
        while self.read().pending.len() < last_batch && Instant::now() < deadline {
            tokio::task::yield_now().await;
        }
        // Only this task uses the store, and not at this moment: the lock is free.
        let needs_file = persist
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .needs_state_file();
        let (changes, outcome, whole, waiters, seq) = {
            let mut g = self.write();
            if g.pending.is_empty() && g.seq == g.durable_seq {
                return None;
            }
            let waiters = std::mem::take(&mut g.pending);
            let (changes, outcome) = g.st.take_changes();
            let whole = needs_file.then(|| g.st.data().clone());
            (changes, outcome, whole, waiters, g.seq)
        };
        let batch = waiters.len();
        let result = self
            .with_store(move |store| {
                match &whole {
                    Some(data) => store.replace(data),
                    None => store.commit(&outcome),
                }
                .map_err(|e| e.to_string())
            })
            .await;
        match result {
            Ok(()) => {
                {
                    let mut g = self.write();
                    g.durable_seq = g.durable_seq.max(seq);
                }
                for w in waiters {
                    let _ = w.send(Ok(()));
                }
                self.fold(false).await;
            }
            Err(msg) => {
                if self.log_requests {
                    eprintln!(
                        "appmesh sandbox: {msg}; the in-memory state was rolled back to the last saved state and the waiting requests got InternalServerErrorException"
                    );
                }
                let later = {
                    let mut g = self.write();
                    g.st.revert(changes);
                    g.durable_seq = g.seq;
                    std::mem::take(&mut g.pending)
                };
                for w in waiters.into_iter().chain(later) {
                    let _ = w.send(Err(msg.clone()));
                }
            }
        }
        Some(batch)
    }

    /// Runs `f` on the store on a blocking thread (the store does file I/O).
    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let Some(persist) = &self.persist else {
            return Err("the sandbox keeps no state file".into());
        };
        let store = Arc::clone(persist);
        tokio::task::spawn_blocking(move || f(&mut store.lock().unwrap_or_else(|e| e.into_inner())))
            .await
            .unwrap_or_else(|e| Err(format!("the state writer panicked: {e}")))
    }

    /// Folds the journal into the state file: when it has grown long enough, or on a clean
    /// stop (`closing`, which also removes the journal). The changes are durable in the journal
    /// already, so a failure only means the journal stays (and is read back on the next start).
    async fn fold(&self, closing: bool) {
        let Some(persist) = &self.persist else { return };
        if !closing && !persist.lock().unwrap_or_else(|e| e.into_inner()).fold_due() {
            return;
        }
        let data = self.read().st.data_without_pending();
        let result = self
            .with_store(move |store| {
                let done = if closing {
                    store.close(&data)
                } else {
                    store.fold(&data)
                };
                done.map_err(|e| {
                    let (when, then) = if closing {
                        (" on stop", "are read back on the next start")
                    } else {
                        ("", "folding is tried again later")
                    };
                    format!(
                        "cannot fold the journal into the state file{when} ({e}); the changes are safe in {} and {then}",
                        store.journal_path().display()
                    )
                })
            })
            .await;
        if let Err(msg) = result
            && self.log_requests
        {
            eprintln!("appmesh sandbox: {msg}");
        }
    }
}

/// The writer task: writes whenever a change is queued; on stop, writes what is left and ends.
pub(crate) async fn writer(shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let mut last_batch = 0;
    loop {
        let stopping = tokio::select! {
            _ = shared.notify.notified() => false,
            _ = &mut stop => true,
        };
        while let Some(n) = shared.write_once(last_batch).await {
            last_batch = n;
        }
        if stopping {
            // Nothing can be written from now on: refuse further changes, and answer any that
            // slipped in after the last write (their changes are not durable).
            let late = {
                let mut g = shared.write();
                g.closed = true;
                std::mem::take(&mut g.pending)
            };
            for w in late {
                let _ = w.send(Err("the sandbox stopped before the change was saved".into()));
            }
            shared.fold(true).await;
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP.

/// Decodes `%XX` escapes (and `+` as space when `plus` is set) into UTF-8.
fn percent_decode(s: &str, plus: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let h = b.get(i + 1..i + 3)?;
                let h = std::str::from_utf8(h).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

struct Query(Vec<(String, String)>);

impl Query {
    fn parse(q: Option<&str>) -> Result<Self, ApiError> {
        let mut v = Vec::new();
        for part in q.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, val) = part.split_once('=').unwrap_or((part, ""));
            let bad = || {
                ApiError::bad_request(format!(
                    "the query parameter {part:?} is not valid URL encoding"
                ))
            };
            v.push((
                percent_decode(k, true).ok_or_else(bad)?,
                percent_decode(val, true).ok_or_else(bad)?,
            ));
        }
        Ok(Query(v))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What a request resolved to, for the response and the log line.
struct Answer {
    status: u16,
    body: Vec<u8>,
    error_code: Option<&'static str>,
}

impl Answer {
    fn ok(body: Vec<u8>) -> Self {
        Answer {
            status: 200,
            body,
            error_code: None,
        }
    }
}

impl From<ApiError> for Answer {
    fn from(e: ApiError) -> Self {
        Answer {
            status: e.status,
            body: e.body(),
            error_code: Some(e.code),
        }
    }
}

const MESH_OPS: &str = "CreateMesh, DescribeMesh, ListMeshes, UpdateMesh, DeleteMesh, TagResource, UntagResource and ListTagsForResource";

/// The answer for App Mesh operations the sandbox does not implement, and for unknown routes:
/// 400 BadRequestException, which every SDK maps to a modeled error and does not retry, and which
/// the AWS CLI prints with its message.
fn unsupported(method: &Method, path: &str, segs: &[&str]) -> ApiError {
    // /v20190125/meshes/{mesh}/<collection>[/{name}[/<sub>[/{name}]]]
    let resource = |seg: &str| -> Option<(&'static str, &'static str)> {
        Some(match seg {
            "virtualNodes" => ("VirtualNode", "virtual nodes"),
            "virtualServices" => ("VirtualService", "virtual services"),
            "virtualRouters" => ("VirtualRouter", "virtual routers"),
            "virtualGateways" => ("VirtualGateway", "virtual gateways"),
            "routes" => ("Route", "routes"),
            "gatewayRoutes" => ("GatewayRoute", "gateway routes"),
            "virtualRouter" => ("Route", "routes"),
            "virtualGateway" => ("GatewayRoute", "gateway routes"),
            _ => return None,
        })
    };
    if segs.len() >= 3 && segs[0] == "meshes" {
        let rest = &segs[2..];
        // Routes and gateway routes sit under virtualRouter/{r}/routes and
        // virtualGateway/{g}/gatewayRoutes; the collection is then rest[2].
        let (coll_idx, found) = match rest {
            [r, _, sub, ..] if (*r == "virtualRouter" || *r == "virtualGateway") => {
                (2, resource(sub))
            }
            [c, ..] => (0, resource(c)),
            [] => (0, None),
        };
        if let Some((singular, plural)) = found {
            let item = rest.len() > coll_idx + 1;
            let op = match (method.as_str(), item) {
                ("GET", false) => format!("List{singular}s"),
                ("PUT", false) => format!("Create{singular}"),
                ("GET", true) => format!("Describe{singular}"),
                ("PUT", true) => format!("Update{singular}"),
                ("DELETE", true) => format!("Delete{singular}"),
                _ => format!("{method} on {plural}"),
            };
            return ApiError::bad_request(format!(
                "the appmesh-tui sandbox does not support {op} yet: {plural} are not implemented. \
                 Supported are the mesh operations: {MESH_OPS}."
            ));
        }
    }
    ApiError::bad_request(format!(
        "the appmesh-tui sandbox does not support the request {method} {path} (unknown \
         operation). Supported are the mesh operations: {MESH_OPS}."
    ))
}

fn now_secs() -> i64 {
    now_ms() / 1000
}

async fn read_body(
    shared: &Shared,
    body: Body,
    declared: Option<u64>,
) -> Result<Vec<u8>, ApiError> {
    let max = shared.max_body_bytes;
    let too_large = |n: String| {
        ApiError::new(
            413,
            "BadRequestException",
            format!("the request body is {n} bytes; the sandbox accepts at most {max} bytes"),
        )
    };
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    // Past the limit, keep reading (and dropping) a while so the client sees the 413 instead of
    // a reset connection; give up on bodies far past the limit.
    let drain_cap = (max as u64).saturating_mul(4).max(16 << 20);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))?;
        total += chunk.len() as u64;
        if total <= max as u64 {
            buf.extend_from_slice(&chunk);
        } else if total > drain_cap {
            break;
        }
    }
    if total > max as u64 || declared.is_some_and(|d| d > max as u64) {
        let n = declared.unwrap_or(total).max(total);
        let shown = if total > drain_cap && declared.is_none() {
            format!("more than {drain_cap}")
        } else {
            n.to_string()
        };
        return Err(too_large(shown));
    }
    Ok(buf)
}

async fn route(shared: &Arc<Shared>, req: Request) -> Result<Answer, ApiError> {
    let (parts, body) = req.into_parts();
    let method = parts.method;
    let raw_path = parts.uri.path();
    let query = Query::parse(parts.uri.query())?;
    let Some(rest) = raw_path.strip_prefix("/v20190125/") else {
        return Err(unsupported(&method, raw_path, &[]));
    };
    let raw_segs: Vec<&str> = rest.split('/').collect();
    let decoded: Vec<String> = raw_segs
        .iter()
        .map(|s| {
            percent_decode(s, false).ok_or_else(|| {
                ApiError::bad_request(format!("the path segment {s:?} is not valid URL encoding"))
            })
        })
        .collect::<Result<_, _>>()?;
    let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let declared_len = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());

    match (&method, segs.as_slice()) {
        (&Method::PUT, ["meshes"]) => {
            let body = read_body(shared, body, declared_len).await?;
            let input = wire::parse_create_mesh(&body)?;
            let now = now_ms();
            let (mesh, rx) = shared.mutate(|st| st.create_mesh(input, now))?;
            Shared::commit(rx).await?;
            let owner = shared.read().st.account().to_string();
            Ok(Answer::ok(wire::mesh_data(&mesh, &owner, "ACTIVE")))
        }
        (&Method::GET, ["meshes"]) => {
            let limit = wire::parse_limit(query.get("limit"), 100, 100)?;
            let token = query.get("nextToken").filter(|t| !t.is_empty());
            let (page, next, owner) = {
                let g = shared.read();
                let (page, next) = g.st.list_meshes(limit, token, now_secs())?;
                (page, next, g.st.account().to_string())
            };
            Ok(Answer::ok(wire::list_meshes(
                page.iter().map(|m| &**m),
                &owner,
                next.as_deref(),
            )))
        }
        (&Method::GET, ["meshes", name]) => {
            wire::check_mesh_name(name)?;
            let owner_q = query.get("meshOwner");
            let (mesh, owner) = {
                let g = shared.read();
                (
                    g.st.describe_mesh(name, owner_q)?,
                    g.st.account().to_string(),
                )
            };
            Ok(Answer::ok(wire::mesh_data(&mesh, &owner, "ACTIVE")))
        }
        (&Method::PUT, ["meshes", name]) => {
            wire::check_mesh_name(name)?;
            let body = read_body(shared, body, declared_len).await?;
            let input = wire::parse_update_mesh(&body)?;
            let now = now_ms();
            let (mesh, rx) = shared.mutate(|st| st.update_mesh(name, input, now))?;
            Shared::commit(rx).await?;
            let owner = shared.read().st.account().to_string();
            Ok(Answer::ok(wire::mesh_data(&mesh, &owner, "ACTIVE")))
        }
        (&Method::DELETE, ["meshes", name]) => {
            wire::check_mesh_name(name)?;
            let (mesh, rx) = shared.mutate(|st| st.delete_mesh(name).map(|m| (m, true)))?;
            Shared::commit(rx).await?;
            let owner = shared.read().st.account().to_string();
            Ok(Answer::ok(wire::mesh_data(&mesh, &owner, "DELETED")))
        }
        (&Method::PUT, ["tag"]) => {
            let arn = query.get("resourceArn").unwrap_or("").to_string();
            let body = read_body(shared, body, declared_len).await?;
            if arn.is_empty() {
                return Err(ApiError::bad_request("resourceArn is required"));
            }
            let tags = wire::parse_tag_resource(&body)?;
            let ((), rx) = shared.mutate(|st| st.tag_resource(&arn, tags).map(|c| ((), c)))?;
            Shared::commit(rx).await?;
            Ok(Answer::ok(b"{}".to_vec()))
        }
        (&Method::PUT, ["untag"]) => {
            let arn = query.get("resourceArn").unwrap_or("").to_string();
            let body = read_body(shared, body, declared_len).await?;
            if arn.is_empty() {
                return Err(ApiError::bad_request("resourceArn is required"));
            }
            let keys = wire::parse_untag_resource(&body)?;
            let ((), rx) = shared.mutate(|st| st.untag_resource(&arn, &keys).map(|c| ((), c)))?;
            Shared::commit(rx).await?;
            Ok(Answer::ok(b"{}".to_vec()))
        }
        (&Method::GET, ["tags"]) => {
            let arn = query.get("resourceArn").unwrap_or("");
            if arn.is_empty() {
                return Err(ApiError::bad_request("resourceArn is required"));
            }
            let limit = wire::parse_limit(query.get("limit"), 50, 100)?;
            let token = query.get("nextToken").filter(|t| !t.is_empty());
            let (tags, next) = shared.read().st.list_tags(arn, limit, token, now_secs())?;
            Ok(Answer::ok(wire::list_tags(&tags, next.as_deref())))
        }
        _ => Err(unsupported(&method, raw_path, &segs)),
    }
}

/// The one handler: every request, every answer, JSON with a request id.
pub(crate) async fn handle(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    let started = Instant::now();
    let log = shared.log_requests.then(|| {
        (
            req.method().clone(),
            req.uri()
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
        )
    });
    let answer = match route(&shared, req).await {
        Ok(a) => a,
        Err(e) => Answer::from(e),
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    if let Some((method, path)) = log {
        let shown: String = if path.chars().count() > 200 {
            path.chars().take(200).chain("…".chars()).collect()
        } else {
            path
        };
        eprintln!(
            "{method} {shown} {} {} {:.1}ms",
            answer.status,
            answer.error_code.unwrap_or("-"),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    let mut resp = Response::new(Body::from(answer.body));
    *resp.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    if let Some(code) = answer.error_code {
        h.insert("x-amzn-ErrorType", HeaderValue::from_static(code));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%2Fb%20c+d", false).unwrap(), "a/b c+d");
        assert_eq!(percent_decode("a+b", true).unwrap(), "a b");
        assert_eq!(percent_decode("%F0%9F%A6%80", false).unwrap(), "🦀");
        assert!(percent_decode("%zz", false).is_none());
        assert!(percent_decode("%F0", false).is_none());
        assert!(percent_decode("%4", false).is_none());
        let q = Query::parse(Some("resourceArn=arn%3Aaws%3Ax&limit=5&flag")).unwrap();
        assert_eq!(q.get("resourceArn"), Some("arn:aws:x"));
        assert_eq!(q.get("limit"), Some("5"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(q.get("nope"), None);
    }

    #[test]
    fn unsupported_names_the_operation() {
        let m = |s: &str| Method::from_bytes(s.as_bytes()).unwrap();
        let e = unsupported(&m("GET"), "/p", &["meshes", "m", "virtualNodes"]);
        assert_eq!((e.status, e.code), (400, "BadRequestException"));
        assert!(e.message.contains("ListVirtualNodes"), "{}", e.message);
        assert!(e.message.contains("virtual nodes"));
        assert!(e.message.contains("CreateMesh"));
        let e = unsupported(
            &m("DELETE"),
            "/p",
            &["meshes", "m", "virtualRouter", "r", "routes", "x"],
        );
        assert!(e.message.contains("DeleteRoute"), "{}", e.message);
        let e = unsupported(
            &m("PUT"),
            "/p",
            &["meshes", "m", "virtualGateway", "g", "gatewayRoutes"],
        );
        assert!(e.message.contains("CreateGatewayRoute"), "{}", e.message);
        let e = unsupported(&m("GET"), "/p", &["meshes", "m", "virtualServices", "s"]);
        assert!(
            e.message.contains("DescribeVirtualService"),
            "{}",
            e.message
        );
        let e = unsupported(&m("POST"), "/v20190125/meshes", &["meshes"]);
        assert!(e.message.contains("unknown operation"), "{}", e.message);
        assert!(
            e.message.contains("POST /v20190125/meshes "),
            "{}",
            e.message
        );
        let e = unsupported(&m("GET"), "/", &[]);
        assert!(e.message.contains("GET / "), "{}", e.message);
    }
}
