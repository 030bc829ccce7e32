//! A scriptable App Mesh look-alike for error-path tests.
//!
//! ```ignore
//! // 429 once, then a valid CreateMesh answer: the client retries.
//! let server = FaultServer::start(Behaviour::ThenSucceed {
//!     failures: 1,
//!     error: ApiError::too_many_requests("slow down"),
//!     then: Reply::ok(bodies::mesh_json("m1")),
//! });
//! // ... point the app or an SDK client at server.endpoint() ...
//! let reqs = server.wait_for_requests(2);
//! assert_eq!(reqs[0].json()["clientToken"], reqs[1].json()["clientToken"]);
//! ```
//!
//! The server listens on 127.0.0.1 on a free port, serves each connection on
//! its own thread (HTTP/1.1, keep-alive), records every request before it
//! answers, and stops on drop. Everything it answers with a 2xx follows the
//! service model (epoch-second timestamps, MeshData as the payload); see
//! [`bodies`].

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::DEADLINE;

/// One terminal-escape-laden string with every kind of hostile sequence:
/// OSC 0 (window title), OSC 52 (clipboard write), CSI 2J (clear screen),
/// the 8-bit C1 CSI (U+009B) and a right-to-left override (U+202E).
pub const HOSTILE: &str =
    "evil\u{1b}]0;pwned\u{7}\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{9b}2J\u{202e}txet";
/// The separate sequences inside [`HOSTILE`], for assertions.
pub const OSC_TITLE: &str = "\u{1b}]0;pwned\u{7}";
pub const OSC_CLIPBOARD: &str = "\u{1b}]52;c;cHduZWQ=\u{7}";
pub const CSI_CLEAR: &str = "\u{1b}[2J";
pub const C1_CSI: char = '\u{9b}';
pub const BIDI_OVERRIDE: char = '\u{202e}';

/// Timestamps in canned bodies: 2023-11-14T22:13:20Z.
pub const CREATED_AT: i64 = 1_700_000_000;
pub const ACCOUNT: &str = "123456789012";

/// A modeled App Mesh error: status, `x-amzn-ErrorType`, JSON message,
/// `x-amzn-RequestId`.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Request id header; `None` gives `fault-<n>` (n = request number).
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: &str) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.to_string(),
            request_id: None,
        }
    }
    /// 409 ConflictException.
    pub fn conflict(message: &str) -> ApiError {
        ApiError::new(409, "ConflictException", message)
    }
    /// 400 BadRequestException.
    pub fn bad_request(message: &str) -> ApiError {
        ApiError::new(400, "BadRequestException", message)
    }
    /// 403 ForbiddenException.
    pub fn forbidden(message: &str) -> ApiError {
        ApiError::new(403, "ForbiddenException", message)
    }
    /// 404 NotFoundException.
    pub fn not_found(message: &str) -> ApiError {
        ApiError::new(404, "NotFoundException", message)
    }
    /// 429 TooManyRequestsException (retryable: throttling).
    pub fn too_many_requests(message: &str) -> ApiError {
        ApiError::new(429, "TooManyRequestsException", message)
    }
    /// 500 InternalServerErrorException (retryable).
    pub fn internal(message: &str) -> ApiError {
        ApiError::new(500, "InternalServerErrorException", message)
    }
    /// 503 ServiceUnavailableException (retryable).
    pub fn unavailable(message: &str) -> ApiError {
        ApiError::new(503, "ServiceUnavailableException", message)
    }
    /// 400 LimitExceededException.
    pub fn limit_exceeded(message: &str) -> ApiError {
        ApiError::new(400, "LimitExceededException", message)
    }
    /// 409 ResourceInUseException.
    pub fn resource_in_use(message: &str) -> ApiError {
        ApiError::new(409, "ResourceInUseException", message)
    }
    /// 400 TooManyTagsException.
    pub fn too_many_tags(message: &str) -> ApiError {
        ApiError::new(400, "TooManyTagsException", message)
    }
    /// An error whose message is [`HOSTILE`].
    pub fn hostile(status: u16, code: &str) -> ApiError {
        ApiError::new(status, code, HOSTILE)
    }
    pub fn request_id(mut self, id: &str) -> ApiError {
        self.request_id = Some(id.to_string());
        self
    }

    pub fn reply(&self, n: usize) -> Reply {
        let rid = self
            .request_id
            .clone()
            .unwrap_or_else(|| format!("fault-{n}"));
        Reply::json(self.status, json!({ "message": self.message }).to_string())
            .header("x-amzn-ErrorType", &self.code)
            .header("x-amzn-RequestId", &rid)
    }
}

/// An HTTP answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(status, "application/json", body)
    }
    /// 200 with a JSON body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::json(200, body)
    }
    pub fn html(status: u16) -> Reply {
        Reply::new(
            status,
            "text/html; charset=utf-8",
            format!(
                "<!DOCTYPE html>\n<html><head><title>{status} Bad Gateway</title></head>\
                 <body><h1>{status}</h1><p>The upstream server answered nonsense.</p></body></html>\n"
            ),
        )
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// What the server does with each request. Requests are numbered from 0 in
/// arrival order, counted from when the behaviour was set (at start or by
/// [`FaultServer::set_behaviour`]).
#[derive(Clone)]
pub enum Behaviour {
    /// Valid answers for the mesh and tag operations, built from the
    /// request (see [`healthy_reply`]).
    Healthy,
    /// Every request gets this modeled error.
    Error(ApiError),
    /// The first `failures` requests get `error`, the rest get `then`.
    ThenSucceed {
        failures: usize,
        error: ApiError,
        then: Reply,
    },
    /// Every request gets this answer.
    Reply(Reply),
    /// Request n gets the n-th answer; the last one repeats.
    Sequence(Vec<Reply>),
    /// 200, `application/json`, and a body that is not JSON.
    Garbage,
    /// An HTML error page with this status (e.g. 502, or 200).
    Html(u16),
    /// 200 with a body of this many bytes (not JSON), e.g. 50 MB.
    Huge(usize),
    /// Like `Huge`, but chunked: no `Content-Length` says how large it is.
    HugeChunked(usize),
    /// These bytes as they are, then the connection closes: not HTTP at all.
    Raw(Vec<u8>),
    /// Read the request and never answer (the connection stays open until
    /// the server is dropped).
    Hang,
    /// Read the request and close the connection without answering.
    Close,
    /// Send `reply` one byte at a time, waiting `every` between bytes.
    Drip { reply: Reply, every: Duration },
    /// Like `Healthy`, but names, tag keys/values and the list contain
    /// [`HOSTILE`]; unknown paths get an error whose message is hostile.
    Hostile,
    /// Decide per request.
    Custom(Decider),
    /// Per operation (as [`RecordedRequest::operation`] names it, e.g.
    /// "CreateMesh"): the first matching route decides, with requests
    /// numbered per operation; the rest go to `fallback`. So a 429 on the
    /// first CreateMesh is not used up by the app's ListMeshes at start-up.
    Route {
        routes: Vec<(&'static str, Behaviour)>,
        fallback: Box<Behaviour>,
    },
}

impl Behaviour {
    /// `behaviour` for one operation, [`Behaviour::Healthy`] for the rest.
    pub fn only(operation: &'static str, behaviour: Behaviour) -> Behaviour {
        Behaviour::Route {
            routes: vec![(operation, behaviour)],
            fallback: Box::new(Behaviour::Healthy),
        }
    }

    /// One byte per second.
    pub fn drip(reply: Reply) -> Behaviour {
        Behaviour::Drip {
            reply,
            every: Duration::from_secs(1),
        }
    }
    pub fn custom(
        f: impl Fn(&RecordedRequest, usize) -> Action + Send + Sync + 'static,
    ) -> Behaviour {
        Behaviour::Custom(Arc::new(f))
    }
}

/// The function of [`Behaviour::Custom`]: request and its number.
pub type Decider = Arc<dyn Fn(&RecordedRequest, usize) -> Action + Send + Sync>;

/// What to do with one request (for [`Behaviour::Custom`]).
#[derive(Clone, Debug)]
pub enum Action {
    Reply(Reply),
    Huge(usize),
    HugeChunked(usize),
    Raw(Vec<u8>),
    Hang,
    Close,
    Drip { reply: Reply, every: Duration },
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// A query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k) == name).then(|| percent_decode(v))
        })
    }
    pub fn body_str(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The body as JSON (`Value::Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    /// The App Mesh operation this looks like, e.g. "CreateMesh".
    pub fn operation(&self) -> &'static str {
        operation(&self.method, &self.path)
    }
}

fn operation(method: &str, path: &str) -> &'static str {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segs.as_slice()) {
        ("PUT", ["v20190125", "meshes"]) => "CreateMesh",
        ("GET", ["v20190125", "meshes"]) => "ListMeshes",
        ("GET", ["v20190125", "meshes", _]) => "DescribeMesh",
        ("PUT", ["v20190125", "meshes", _]) => "UpdateMesh",
        ("DELETE", ["v20190125", "meshes", _]) => "DeleteMesh",
        ("PUT", ["v20190125", "tag"]) => "TagResource",
        ("PUT", ["v20190125", "untag"]) => "UntagResource",
        ("GET", ["v20190125", "tags"]) => "ListTagsForResource",
        _ => "Unknown",
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Builders for bodies that follow the App Mesh service model.
pub mod bodies {
    use super::{ACCOUNT, CREATED_AT};
    use serde_json::{Value, json};

    pub fn arn(name: &str) -> String {
        format!("arn:aws:appmesh:us-east-1:{ACCOUNT}:mesh/{name}")
    }

    /// A `MeshData` with the default spec (egress DROP_ALL), ACTIVE.
    pub fn mesh_data(name: &str) -> Value {
        mesh_data_with(
            name,
            json!({"egressFilter": {"type": "DROP_ALL"}}),
            "ACTIVE",
            1,
        )
    }

    /// A `MeshData` with the given spec, status and version.
    pub fn mesh_data_with(name: &str, spec: Value, status: &str, version: i64) -> Value {
        json!({
            "meshName": name,
            "metadata": {
                "arn": arn(name),
                "createdAt": CREATED_AT,
                "lastUpdatedAt": CREATED_AT + version - 1,
                "meshOwner": ACCOUNT,
                "resourceOwner": ACCOUNT,
                "uid": format!("00000000-0000-4000-8000-{:012x}", name.len()),
                "version": version,
            },
            "spec": spec,
            "status": {"status": status},
        })
    }

    /// The body of CreateMesh / DescribeMesh / UpdateMesh / DeleteMesh
    /// (MeshData is the payload, not wrapped).
    pub fn mesh_json(name: &str) -> String {
        mesh_data(name).to_string()
    }

    /// A `MeshRef` as in ListMeshes.
    pub fn mesh_ref(name: &str) -> Value {
        json!({
            "arn": arn(name),
            "createdAt": CREATED_AT,
            "lastUpdatedAt": CREATED_AT,
            "meshName": name,
            "meshOwner": ACCOUNT,
            "resourceOwner": ACCOUNT,
            "version": 1,
        })
    }

    /// A ListMeshes body.
    pub fn list_meshes(names: &[&str], next_token: Option<&str>) -> String {
        let mut v = json!({"meshes": names.iter().map(|n| mesh_ref(n)).collect::<Vec<_>>()});
        if let Some(t) = next_token {
            v["nextToken"] = json!(t);
        }
        v.to_string()
    }

    /// A ListTagsForResource body.
    pub fn tags(tags: &[(&str, &str)]) -> String {
        json!({"tags": tags.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>()})
            .to_string()
    }

    /// TagResource / UntagResource body.
    pub fn empty() -> String {
        "{}".to_string()
    }
}

/// The answer of [`Behaviour::Healthy`]: mesh operations echo the mesh name
/// (and spec, for create and update) from the request; ListMeshes lists
/// `mesh-1`; ListTagsForResource has no tags; unknown paths get 404
/// NotFoundException.
pub fn healthy_reply(req: &RecordedRequest, n: usize) -> Reply {
    let name_from_path = || percent_decode(req.path.rsplit('/').next().unwrap_or(""));
    let spec_from_body = || {
        let spec = req.json()["spec"].clone();
        if spec.is_object() && spec.get("egressFilter").is_some() {
            spec
        } else {
            let mut s = if spec.is_object() { spec } else { json!({}) };
            s["egressFilter"] = json!({"type": "DROP_ALL"});
            s
        }
    };
    match req.operation() {
        "CreateMesh" => {
            let name = req.json()["meshName"]
                .as_str()
                .unwrap_or("mesh")
                .to_string();
            Reply::ok(bodies::mesh_data_with(&name, spec_from_body(), "ACTIVE", 1).to_string())
        }
        "DescribeMesh" => Reply::ok(bodies::mesh_json(&name_from_path())),
        "UpdateMesh" => Reply::ok(
            bodies::mesh_data_with(&name_from_path(), spec_from_body(), "ACTIVE", 2).to_string(),
        ),
        "DeleteMesh" => Reply::ok(
            bodies::mesh_data_with(
                &name_from_path(),
                json!({"egressFilter": {"type": "DROP_ALL"}}),
                "DELETED",
                1,
            )
            .to_string(),
        ),
        "ListMeshes" => Reply::ok(bodies::list_meshes(&["mesh-1"], None)),
        "ListTagsForResource" => Reply::ok(bodies::tags(&[])),
        "TagResource" | "UntagResource" => Reply::ok(bodies::empty()),
        _ => ApiError::not_found(&format!("no route for {} {}", req.method, req.path)).reply(n),
    }
}

fn hostile_reply(req: &RecordedRequest, n: usize) -> Reply {
    match req.operation() {
        "CreateMesh" | "DescribeMesh" | "UpdateMesh" => Reply::ok(bodies::mesh_json(HOSTILE)),
        "DeleteMesh" => Reply::ok(
            bodies::mesh_data_with(
                HOSTILE,
                json!({"egressFilter": {"type": "DROP_ALL"}}),
                "DELETED",
                1,
            )
            .to_string(),
        ),
        "ListMeshes" => Reply::ok(bodies::list_meshes(&[HOSTILE, "plain-mesh"], None)),
        "ListTagsForResource" => Reply::ok(bodies::tags(&[(HOSTILE, HOSTILE), ("env", HOSTILE)])),
        "TagResource" | "UntagResource" => Reply::ok(bodies::empty()),
        _ => ApiError::hostile(400, "BadRequestException").reply(n),
    }
}

struct Inner {
    /// The behaviour and the number of requests before it was set.
    behaviour: Mutex<(Behaviour, usize)>,
    requests: Mutex<Vec<RecordedRequest>>,
    cond: Condvar,
    shutdown: AtomicBool,
    conns: Mutex<Vec<TcpStream>>,
}

impl Inner {
    fn requests(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Wait up to `d` or until shutdown; true if shutting down.
    fn pause(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut g = self.requests();
        loop {
            if self.shutdown.load(Ordering::SeqCst) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            g = self
                .cond
                .wait_timeout(g, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// The fault server. Stops (and drops every open connection) on drop.
pub struct FaultServer {
    port: u16,
    inner: Arc<Inner>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl FaultServer {
    pub fn start(behaviour: Behaviour) -> FaultServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind fault server");
        let port = listener.local_addr().unwrap().port();
        let inner = Arc::new(Inner {
            behaviour: Mutex::new((behaviour, 0)),
            requests: Mutex::new(Vec::new()),
            cond: Condvar::new(),
            shutdown: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
        });
        let accept = {
            let inner = inner.clone();
            std::thread::Builder::new()
                .name(format!("fault-accept-{port}"))
                .spawn(move || {
                    for stream in listener.incoming() {
                        if inner.shutdown.load(Ordering::SeqCst) {
                            return;
                        }
                        let Ok(stream) = stream else { continue };
                        if let Ok(clone) = stream.try_clone() {
                            inner
                                .conns
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push(clone);
                        }
                        let inner = inner.clone();
                        let _ = std::thread::Builder::new()
                            .name("fault-conn".into())
                            .spawn(move || serve(stream, &inner));
                    }
                })
                .expect("spawn accept thread")
        };
        FaultServer {
            port,
            inner,
            accept: Some(accept),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Change what the server does from the next request on.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        let base = self.request_count();
        *self
            .inner
            .behaviour
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = (behaviour, base);
    }

    /// The requests for one operation, e.g. "CreateMesh".
    pub fn requests_for(&self, operation: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.operation() == operation)
            .collect()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.requests().clone()
    }

    pub fn request_count(&self) -> usize {
        self.inner.requests().len()
    }

    /// Wait until at least `n` requests arrived; panics after the deadline.
    pub fn wait_for_requests(&self, n: usize) -> Vec<RecordedRequest> {
        let deadline = Instant::now() + DEADLINE;
        let mut g = self.inner.requests();
        while g.len() < n {
            let now = Instant::now();
            if now >= deadline {
                panic!(
                    "fault server: waited for {n} requests, got {}: {:#?}",
                    g.len(),
                    g.iter()
                        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
                        .collect::<Vec<_>>()
                );
            }
            g = self
                .inner
                .cond
                .wait_timeout(g, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        g.clone()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        {
            let _g = self.inner.requests();
            self.inner.cond.notify_all();
        }
        for c in self
            .inner
            .conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            let _ = c.shutdown(Shutdown::Both);
        }
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn decide(
    behaviour: &Behaviour,
    req: &RecordedRequest,
    n: usize,
    history: &[RecordedRequest],
) -> Action {
    match behaviour {
        Behaviour::Healthy => Action::Reply(healthy_reply(req, n)),
        Behaviour::Error(e) => Action::Reply(e.reply(n)),
        Behaviour::ThenSucceed {
            failures,
            error,
            then,
        } => {
            if n < *failures {
                Action::Reply(error.reply(n))
            } else {
                Action::Reply(then.clone())
            }
        }
        Behaviour::Reply(r) => Action::Reply(r.clone()),
        Behaviour::Sequence(v) => Action::Reply(
            v.get(n)
                .or(v.last())
                .cloned()
                .unwrap_or_else(|| Reply::ok(bodies::empty())),
        ),
        Behaviour::Garbage => Action::Reply(Reply::ok("this is {not json at all")),
        Behaviour::Html(status) => Action::Reply(Reply::html(*status)),
        Behaviour::Huge(len) => Action::Huge(*len),
        Behaviour::HugeChunked(len) => Action::HugeChunked(*len),
        Behaviour::Raw(bytes) => Action::Raw(bytes.clone()),
        Behaviour::Hang => Action::Hang,
        Behaviour::Close => Action::Close,
        Behaviour::Drip { reply, every } => Action::Drip {
            reply: reply.clone(),
            every: *every,
        },
        Behaviour::Hostile => Action::Reply(hostile_reply(req, n)),
        Behaviour::Custom(f) => f(req, n),
        Behaviour::Route { routes, fallback } => {
            let op = req.operation();
            match routes.iter().find(|(name, _)| *name == op) {
                Some((_, b)) => {
                    let same: Vec<RecordedRequest> = history
                        .iter()
                        .filter(|r| r.operation() == op)
                        .cloned()
                        .collect();
                    decide(b, req, same.len() - 1, &same)
                }
                None => decide(fallback, req, n, history),
            }
        }
    }
}

/// A port on 127.0.0.1 with nothing listening (connections are refused).
pub fn closed_port() -> u16 {
    super::free_port()
}

fn serve(mut stream: TcpStream, inner: &Inner) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(120)));
    let mut buf = Vec::new();
    loop {
        let Some(req) = read_request(&mut stream, &mut buf) else {
            return;
        };
        if inner.shutdown.load(Ordering::SeqCst) {
            return;
        }
        // Hold the behaviour lock while recording, so a request counts
        // against the behaviour that answers it.
        let (behaviour, history) = {
            let b = inner.behaviour.lock().unwrap_or_else(|e| e.into_inner());
            let mut g = inner.requests();
            g.push(req.clone());
            inner.cond.notify_all();
            (b.0.clone(), g[b.1.min(g.len())..].to_vec())
        };
        let n = history.len() - 1;
        let action = decide(&behaviour, &req, n, &history);
        let keep_going = match action {
            Action::Reply(r) => stream.write_all(&encode(&r, false)).is_ok(),
            Action::Huge(len) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\nx-amzn-RequestId: fault-{n}\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).is_ok() {
                    let chunk = vec![b'x'; 64 * 1024];
                    let mut left = len;
                    while left > 0 && !inner.shutdown.load(Ordering::SeqCst) {
                        let k = left.min(chunk.len());
                        if stream.write_all(&chunk[..k]).is_err() {
                            break;
                        }
                        left -= k;
                    }
                }
                false
            }
            Action::HugeChunked(len) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\nx-amzn-RequestId: fault-{n}\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).is_ok() {
                    let data = vec![b'x'; 64 * 1024];
                    let mut left = len;
                    while left > 0 && !inner.shutdown.load(Ordering::SeqCst) {
                        let k = left.min(data.len());
                        let mut chunk = format!("{k:x}\r\n").into_bytes();
                        chunk.extend_from_slice(&data[..k]);
                        chunk.extend_from_slice(b"\r\n");
                        if stream.write_all(&chunk).is_err() {
                            break;
                        }
                        left -= k;
                    }
                    let _ = stream.write_all(b"0\r\n\r\n");
                }
                false
            }
            Action::Raw(bytes) => {
                let _ = stream.write_all(&bytes);
                false
            }
            Action::Hang => {
                while !inner.pause(Duration::from_secs(3600)) {}
                false
            }
            Action::Close => false,
            Action::Drip { reply, every } => {
                for b in encode(&reply, true) {
                    if stream.write_all(&[b]).is_err() || inner.pause(every) {
                        break;
                    }
                }
                false
            }
        };
        if !keep_going {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

fn encode(r: &Reply, close: bool) -> Vec<u8> {
    let reason = match r.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", r.status);
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&r.body);
    out
}

/// Read one HTTP/1.1 request; `buf` keeps bytes of the next one.
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<RecordedRequest> {
    let mut tmp = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let n = stream.read(&mut tmp).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut fill = |want: usize, buf: &mut Vec<u8>| -> Option<()> {
        while buf.len() < want {
            let n = stream.read(&mut tmp).ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&tmp[..n]);
        }
        Some(())
    };
    let body =
        if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    if let Some(i) = find(buf, b"\r\n") {
                        break i;
                    }
                    let have = buf.len();
                    fill(have + 1, buf)?;
                };
                let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
                let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
                buf.drain(..line_end + 2);
                if size == 0 {
                    // Trailers end with an empty line.
                    loop {
                        let end = loop {
                            if let Some(i) = find(buf, b"\r\n") {
                                break i;
                            }
                            let have = buf.len();
                            fill(have + 1, buf)?;
                        };
                        buf.drain(..end + 2);
                        if end == 0 {
                            break;
                        }
                    }
                    break body;
                }
                fill(size + 2, buf)?;
                body.extend_from_slice(&buf[..size]);
                buf.drain(..size + 2);
            }
        } else {
            let len: usize = get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            fill(len, buf)?;
            buf.drain(..len).collect()
        };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    Some(RecordedRequest {
        method,
        path,
        query,
        headers,
        body,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
