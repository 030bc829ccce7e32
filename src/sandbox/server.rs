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

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt;
use tokio::sync::{Notify, oneshot};

use serde_json::{Map, Value};

use super::state::{CreateInput, Loc, Record, State};
use super::store::Store;
use super::wire::{self, ApiError};
use crate::kind::{Key, Kind, Verb};
use crate::shape::{self, Operation};

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
    /// The region of unsigned requests.
    pub region: String,
    pub account: String,
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
        region: String,
    ) -> Self {
        let account = st.account().to_string();
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
            region,
            account,
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
        self.read().st.data().mesh_names()
    }

    /// `3 meshes, 12 virtual nodes, …`.
    pub fn summary(&self) -> String {
        super::cli::summary_of(self.read().st.data())
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

/// One operation's route, from the model: its method and path segments.
struct RouteDef {
    op: &'static Operation,
    method: Method,
    /// `Ok(literal)` or `Err(label)` for `{label}`.
    segs: Vec<Result<String, String>>,
}

/// Every operation's route, built from the model once.
fn routes() -> &'static [RouteDef] {
    static ROUTES: OnceLock<Vec<RouteDef>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        shape::model()
            .operations
            .values()
            .map(|op| RouteDef {
                op,
                method: Method::from_bytes(op.method.as_bytes())
                    .expect("the model's methods are valid"),
                segs: op
                    .uri
                    .trim_start_matches('/')
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(label) => Err(label.trim_end_matches('+').to_string()),
                            None => Ok(s.to_string()),
                        },
                    )
                    .collect(),
            })
            .collect()
    })
}

/// The operation a method and (decoded) path segments name, with the URI labels' values.
fn match_route(
    method: &Method,
    segs: &[String],
) -> Result<(&'static Operation, HashMap<String, String>), ApiError> {
    let mut path_matched = false;
    for r in routes() {
        if r.segs.len() != segs.len() {
            continue;
        }
        let mut labels = HashMap::new();
        let fits = r.segs.iter().zip(segs).all(|(want, got)| match want {
            Ok(lit) => lit == got,
            Err(label) => {
                labels.insert(label.clone(), got.clone());
                true
            }
        });
        if !fits {
            continue;
        }
        path_matched = true;
        if r.method == method {
            return Ok((r.op, labels));
        }
    }
    let path = format!("/{}", segs.join("/"));
    // A modeled error every SDK maps and does not retry; the message says what is wrong.
    Err(ApiError::new(
        400,
        "BadRequestException",
        if path_matched {
            format!("{method} is not an App Mesh operation on {path}")
        } else {
            format!(
                "{method} {path} is not an App Mesh API route (routes start with /v20190125/, e.g. GET /v20190125/meshes)"
            )
        },
    ))
}

/// The region a request is for: its SigV4 credential scope (`Credential=KEY/DATE/REGION/…` in
/// the Authorization header, or `X-Amz-Credential` in a presigned query), as a regional
/// endpoint would serve it; unsigned requests get the sandbox's default region.
fn request_region(headers: &axum::http::HeaderMap, query: &Query, default: &str) -> String {
    let scope_region = |cred: &str| {
        let mut parts = cred.split('/');
        let _key = parts.next()?;
        let _date = parts.next()?;
        let region = parts.next()?.trim();
        (!region.is_empty()
            && region.len() <= 64
            && region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| region.to_string())
    };
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|auth| {
            let at = auth.find("Credential=")?;
            scope_region(auth[at + "Credential=".len()..].split([',', ' ']).next()?)
        });
    from_header
        .or_else(|| query.get("X-Amz-Credential").and_then(scope_region))
        .unwrap_or_else(|| default.to_string())
}

fn str_of<'a>(input: &'a Map<String, Value>, member: &str) -> &'a str {
    input.get(member).and_then(Value::as_str).unwrap_or("")
}

/// The resource an operation's input names (its name is empty for List).
fn loc_of(region: &str, kind: Kind, input: &Map<String, Value>) -> Loc {
    let info = kind.info();
    let parent = info
        .parent
        .map(|p| str_of(input, p.info().name_member))
        .unwrap_or("");
    Loc::new(
        region,
        Key::new(
            kind,
            str_of(input, "meshName"),
            parent,
            str_of(input, info.name_member),
        ),
    )
}

fn limit_of(input: &Map<String, Value>) -> usize {
    input
        .get("limit")
        .and_then(Value::as_u64)
        .map_or(100, |n| n as usize)
}

async fn route(
    shared: &Arc<Shared>,
    req: Request,
    op_name: &mut Option<&'static str>,
) -> Result<Answer, ApiError> {
    let (parts, body) = req.into_parts();
    let query = Query::parse(parts.uri.query())?;
    let segs: Vec<String> = parts
        .uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_decode(s, false).ok_or_else(|| {
                ApiError::bad_request(format!("the path segment {s:?} is not valid URL encoding"))
            })
        })
        .collect::<Result<_, _>>()?;
    let (op, labels) = match_route(&parts.method, &segs)?;
    *op_name = Some(op.name.as_str());
    let declared_len = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body = read_body(shared, body, declared_len).await?;
    let body = if matches!(parts.method, Method::GET | Method::DELETE) {
        Map::new()
    } else {
        wire::parse_body(&body)?
    };
    let model = shape::model();
    let input = wire::input(model, op, &labels, &query.0, body)?;
    let region = request_region(&parts.headers, &query, &shared.region);
    let owner_q = input.get("meshOwner").and_then(Value::as_str);
    let account = shared.account.clone();
    let token = input
        .get("nextToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty());

    let Some((kind, verb)) = Kind::of_operation(&op.name) else {
        // The tag operations.
        let arn = str_of(&input, "resourceArn").to_string();
        return match op.name.as_str() {
            "TagResource" => {
                let tags = wire::tags_of(&input);
                let ((), rx) =
                    shared.mutate(|st| st.tag_resource(&region, &arn, tags).map(|c| ((), c)))?;
                Shared::commit(rx).await?;
                Ok(Answer::ok(b"{}".to_vec()))
            }
            "UntagResource" => {
                let keys: Vec<String> = input
                    .get("tagKeys")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .filter_map(|k| k.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let ((), rx) =
                    shared.mutate(|st| st.untag_resource(&region, &arn, &keys).map(|c| ((), c)))?;
                Shared::commit(rx).await?;
                Ok(Answer::ok(b"{}".to_vec()))
            }
            _ => {
                let (tags, next) = shared.read().st.list_tags(
                    &region,
                    &arn,
                    limit_of(&input),
                    token,
                    now_secs(),
                )?;
                Ok(Answer::ok(wire::tags_body(&tags, next.as_deref())))
            }
        };
    };
    let loc = loc_of(&region, kind, &input);
    let spec = || {
        shape::prune(
            model,
            kind.info().spec_shape,
            input.get("spec").unwrap_or(&Value::Object(Map::new())),
        )
    };
    let client_token = input
        .get("clientToken")
        .and_then(Value::as_str)
        .map(str::to_string);
    let answer = |rec: &Record, status: &str| {
        let arn = rec.loc.key.arn(&rec.loc.region, &account);
        Answer::ok(wire::resource_body(rec, &arn, &account, status))
    };
    match verb {
        Verb::Create => {
            let create = CreateInput {
                loc,
                spec: spec(),
                tags: wire::tags_of(&input),
                client_token,
            };
            let now = now_ms();
            let (rec, rx) = shared.mutate(|st| st.create(create, owner_q, now))?;
            Shared::commit(rx).await?;
            Ok(answer(&rec, "ACTIVE"))
        }
        Verb::Describe => {
            let rec = shared.read().st.describe(&loc, owner_q)?;
            Ok(answer(&rec, "ACTIVE"))
        }
        Verb::Update => {
            let spec = spec();
            let now = now_ms();
            let (rec, rx) =
                shared.mutate(|st| st.update(&loc, spec, client_token, owner_q, now))?;
            Shared::commit(rx).await?;
            Ok(answer(&rec, "ACTIVE"))
        }
        Verb::Delete => {
            let (rec, rx) = shared.mutate(|st| st.delete(&loc, owner_q).map(|r| (r, true)))?;
            Shared::commit(rx).await?;
            Ok(answer(&rec, "DELETED"))
        }
        Verb::List => {
            let (page, next) =
                shared
                    .read()
                    .st
                    .list(&loc, owner_q, limit_of(&input), token, now_secs())?;
            Ok(Answer::ok(wire::list_body(
                kind,
                page.iter()
                    .map(|r| (&**r, r.loc.key.arn(&r.loc.region, &account))),
                &account,
                next.as_deref(),
            )))
        }
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
    let mut op = None;
    let answer = match route(&shared, req, &mut op).await {
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
            "{} {method} {shown} {} {} {:.1}ms",
            op.unwrap_or("-"),
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

    fn segs(path: &str) -> Vec<String> {
        path.trim_start_matches('/')
            .split('/')
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_operation_has_its_route() {
        assert_eq!(routes().len(), 38);
        let (op, labels) = match_route(
            &Method::DELETE,
            &segs("/v20190125/meshes/m/virtualRouter/r/routes/x"),
        )
        .unwrap();
        assert_eq!(op.name, "DeleteRoute");
        assert_eq!(labels["meshName"], "m");
        assert_eq!(labels["virtualRouterName"], "r");
        assert_eq!(labels["routeName"], "x");
        let (op, _) = match_route(
            &Method::PUT,
            &segs("/v20190125/meshes/m/virtualGateway/g/gatewayRoutes"),
        )
        .unwrap();
        assert_eq!(op.name, "CreateGatewayRoute");
        let (op, _) = match_route(&Method::GET, &segs("/v20190125/tags")).unwrap();
        assert_eq!(op.name, "ListTagsForResource");
        let e = match_route(&Method::POST, &segs("/v20190125/meshes")).unwrap_err();
        assert_eq!((e.status, e.code), (400, "BadRequestException"));
        assert!(
            e.message.contains("POST is not an App Mesh operation"),
            "{}",
            e.message
        );
        // The plural form of the route collection is not a route.
        let e = match_route(
            &Method::GET,
            &segs("/v20190125/meshes/m/virtualRouters/r/routes"),
        )
        .unwrap_err();
        assert_eq!(e.status, 400);
        assert!(
            e.message.contains("not an App Mesh API route"),
            "{}",
            e.message
        );
    }

    #[test]
    fn the_region_comes_from_the_credential_scope() {
        let mut h = axum::http::HeaderMap::new();
        let q = Query::parse(None).unwrap();
        assert_eq!(request_region(&h, &q, "us-east-1"), "us-east-1");
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKID/20261130/eu-west-1/appmesh/aws4_request, SignedHeaders=host, Signature=abc",
            ),
        );
        assert_eq!(request_region(&h, &q, "us-east-1"), "eu-west-1");
        let h = axum::http::HeaderMap::new();
        let q = Query::parse(Some(
            "X-Amz-Credential=AKID%2F20261130%2Fap-south-1%2Fappmesh%2Faws4_request",
        ))
        .unwrap();
        assert_eq!(request_region(&h, &q, "us-east-1"), "ap-south-1");
        let q = Query::parse(Some("X-Amz-Credential=AKID%2F2026%2F..%2Fx")).unwrap();
        assert_eq!(request_region(&h, &q, "us-east-1"), "us-east-1");
    }
}
