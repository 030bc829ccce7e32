//! A whole mesh to and from an endpoint: [`fetch`] lists and describes everything in a mesh
//! into a [`MeshModel`]; [`apply`] carries out a [`Plan`] step by step.
//!
//! Both work on any [`Endpoint`]; [`Api`] (the SDK client, also for the sandbox) is the one
//! the app uses, and the tests add an in-memory one.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::task::JoinSet;

use super::plan::{Op, Plan, Step};
use crate::aws::{Api, ApiError, ErrorKind, Page};
use crate::kind::{Key, Kind};
use crate::mesh::MeshModel;
use crate::model::Tag;
use crate::resource::Resource;

/// The calls a whole-mesh fetch and an apply make.
pub trait Endpoint: Clone + Send + Sync + 'static {
    fn describe(&self, key: &Key) -> impl Future<Output = Result<Resource, ApiError>> + Send;
    fn list_page(
        &self,
        kind: Kind,
        mesh: &str,
        parent: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<Page, ApiError>> + Send;
    fn list_tags(&self, arn: &str) -> impl Future<Output = Result<Vec<Tag>, ApiError>> + Send;
    fn create(
        &self,
        key: &Key,
        spec: &Value,
        tags: &[Tag],
        client_token: &str,
    ) -> impl Future<Output = Result<Resource, ApiError>> + Send;
    fn update(
        &self,
        key: &Key,
        spec: &Value,
        client_token: &str,
    ) -> impl Future<Output = Result<Resource, ApiError>> + Send;
    fn delete(&self, key: &Key) -> impl Future<Output = Result<Resource, ApiError>> + Send;
    fn tag(&self, arn: &str, tags: &[Tag]) -> impl Future<Output = Result<(), ApiError>> + Send;
    fn untag(
        &self,
        arn: &str,
        keys: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

impl Endpoint for Api {
    fn describe(&self, key: &Key) -> impl Future<Output = Result<Resource, ApiError>> + Send {
        let (api, key) = (self.clone(), key.clone());
        async move { Api::describe(&api, &key).await.map(|r| r.value) }
    }

    fn list_page(
        &self,
        kind: Kind,
        mesh: &str,
        parent: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<Page, ApiError>> + Send {
        let (api, mesh, parent) = (self.clone(), mesh.to_string(), parent.to_string());
        async move {
            Api::list_page(&api, kind, &mesh, &parent, next_token, None)
                .await
                .map(|r| r.value)
        }
    }

    fn list_tags(&self, arn: &str) -> impl Future<Output = Result<Vec<Tag>, ApiError>> + Send {
        let (api, arn) = (self.clone(), arn.to_string());
        async move { Api::list_tags(&api, &arn).await.map(|r| r.value) }
    }

    fn create(
        &self,
        key: &Key,
        spec: &Value,
        tags: &[Tag],
        client_token: &str,
    ) -> impl Future<Output = Result<Resource, ApiError>> + Send {
        let (api, key, spec, tags, token) = (
            self.clone(),
            key.clone(),
            spec.clone(),
            tags.to_vec(),
            client_token.to_string(),
        );
        async move {
            Api::create(&api, &key, &spec, &tags, &token)
                .await
                .map(|r| r.value)
        }
    }

    fn update(
        &self,
        key: &Key,
        spec: &Value,
        client_token: &str,
    ) -> impl Future<Output = Result<Resource, ApiError>> + Send {
        let (api, key, spec, token) = (
            self.clone(),
            key.clone(),
            spec.clone(),
            client_token.to_string(),
        );
        async move {
            Api::update(&api, &key, &spec, &token)
                .await
                .map(|r| r.value)
        }
    }

    fn delete(&self, key: &Key) -> impl Future<Output = Result<Resource, ApiError>> + Send {
        let (api, key) = (self.clone(), key.clone());
        async move { Api::delete(&api, &key).await.map(|r| r.value) }
    }

    fn tag(&self, arn: &str, tags: &[Tag]) -> impl Future<Output = Result<(), ApiError>> + Send {
        let (api, arn, tags) = (self.clone(), arn.to_string(), tags.to_vec());
        async move { Api::tag_resource(&api, &arn, &tags).await.map(|_| ()) }
    }

    fn untag(
        &self,
        arn: &str,
        keys: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let (api, arn, keys) = (self.clone(), arn.to_string(), keys.to_vec());
        async move { Api::untag_resource(&api, &arn, &keys).await.map(|_| ()) }
    }
}

/// How many calls a fetch keeps in flight.
pub const FETCH_CONCURRENCY: usize = 16;

/// At most this many pages of one list (100 items each): far beyond any quota.
const MAX_PAGES: usize = 1_000;

/// True for the service's "no such resource" answer.
pub fn is_not_found(e: &ApiError) -> bool {
    e.code.as_deref() == Some("NotFoundException")
}

/// Runs `f` on every item with at most `limit` in flight, and returns the results in the
/// items' order; the first error stops the rest.
async fn bounded<T, R, F, Fut>(items: Vec<T>, limit: usize, f: F) -> Result<Vec<R>, ApiError>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R, ApiError>> + Send + 'static,
{
    let total = items.len();
    let mut out: Vec<Option<R>> = (0..total).map(|_| None).collect();
    let mut set = JoinSet::new();
    let mut items = items.into_iter().enumerate();
    loop {
        while set.len() < limit.max(1) {
            let Some((i, item)) = items.next() else { break };
            let fut = f(item);
            set.spawn(async move { (i, fut.await) });
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        match joined {
            Ok((i, Ok(r))) => out[i] = Some(r),
            Ok((_, Err(e))) => return Err(e),
            Err(e) => {
                return Err(ApiError {
                    kind: ErrorKind::Request,
                    code: None,
                    message: format!("a call stopped unexpectedly: {e}"),
                    http_status: None,
                    request_id: None,
                });
            }
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// True when an endpoint answered a List with HTTP 404 and no App Mesh error at all: it does
/// not serve that kind (moto serves neither virtual services nor virtual gateways). The
/// service's own "no such mesh" is a `NotFoundException` and is not this.
pub fn is_unserved(e: &ApiError) -> bool {
    e.kind == ErrorKind::BadResponse && e.http_status == Some(404)
}

/// Every page of a list; `None` when the endpoint does not serve the kind ([`is_unserved`]).
async fn list_all<E: Endpoint>(
    api: E,
    kind: Kind,
    mesh: String,
    parent: String,
) -> Result<Option<Vec<Key>>, ApiError> {
    let mut keys = Vec::new();
    let mut next = None;
    let mut seen = std::collections::HashSet::new();
    for page_no in 0..MAX_PAGES {
        let page = match api.list_page(kind, &mesh, &parent, next).await {
            Err(e) if page_no == 0 && is_unserved(&e) => return Ok(None),
            other => other?,
        };
        keys.extend(page.items.into_iter().map(|s| s.key));
        match page.next_token {
            Some(t) if seen.insert(t.clone()) => next = Some(t),
            Some(_) => {
                return Err(bad_answer(format!(
                    "the endpoint sent the same page token twice while listing {}; the list stops",
                    kind.info().plural
                )));
            }
            None => return Ok(Some(keys)),
        }
    }
    Err(bad_answer(format!(
        "listing {} took more than {MAX_PAGES} pages; the list stops",
        kind.info().plural
    )))
}

fn bad_answer(message: String) -> ApiError {
    ApiError {
        kind: ErrorKind::BadResponse,
        code: None,
        message,
        http_status: None,
        request_id: None,
    }
}

/// A fetched mesh, and the kinds the endpoint does not serve (listed as none).
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched {
    pub model: MeshModel,
    pub unserved: Vec<Kind>,
}

/// Everything in mesh `mesh`: every resource of every kind (routes of every router, gateway
/// routes of every gateway), described, with its tags, as the endpoint holds it now. At most
/// [`FETCH_CONCURRENCY`] calls are in flight. A mesh that does not exist is the service's
/// `NotFoundException` (see [`is_not_found`]). A kind the endpoint does not serve at all
/// ([`is_unserved`]) counts as none.
pub async fn fetch<E: Endpoint>(api: &E, mesh: &str) -> Result<MeshModel, ApiError> {
    fetch_report(api, mesh).await.map(|f| f.model)
}

/// [`fetch`], saying which kinds the endpoint does not serve.
pub async fn fetch_report<E: Endpoint>(api: &E, mesh: &str) -> Result<Fetched, ApiError> {
    let mesh_key = Key::mesh(mesh);
    let mesh_res = api.describe(&mesh_key).await?;
    let mut unserved = Vec::new();
    // The four kinds directly in the mesh, listed at once.
    let tops: Vec<Kind> = Kind::Mesh.children();
    let lists = bounded(tops.clone(), FETCH_CONCURRENCY, |kind| {
        list_all(api.clone(), kind, mesh.to_string(), String::new())
    })
    .await?;
    let mut keys: Vec<Key> = Vec::new();
    for (kind, list) in tops.into_iter().zip(lists) {
        match list {
            Some(k) => keys.extend(k),
            None => unserved.push(kind),
        }
    }
    // Then the children of each router and gateway.
    let parents: Vec<(Kind, String)> = keys
        .iter()
        .flat_map(|k| {
            k.kind
                .children()
                .into_iter()
                .map(|c| (c, k.name.to_string()))
        })
        .collect();
    let children = bounded(parents.clone(), FETCH_CONCURRENCY, |(kind, parent)| {
        list_all(api.clone(), kind, mesh.to_string(), parent)
    })
    .await?;
    for ((kind, _), list) in parents.into_iter().zip(children) {
        match list {
            Some(k) => keys.extend(k),
            None if !unserved.contains(&kind) => unserved.push(kind),
            None => {}
        }
    }
    // Every resource described and its tags listed.
    let mut model = MeshModel::new(mesh);
    let described = bounded(keys, FETCH_CONCURRENCY, |key| {
        let api = api.clone();
        async move {
            let r = api.describe(&key).await?;
            let tags = api.list_tags(&r.meta.arn).await?;
            Ok((r, tags))
        }
    })
    .await?;
    let mesh_tags = api.list_tags(&mesh_res.meta.arn).await?;
    for (r, tags) in std::iter::once((mesh_res, mesh_tags)).chain(described) {
        let tags: BTreeMap<String, String> = tags.into_iter().map(|t| (t.key, t.value)).collect();
        model.put_resource(&r, tags);
    }
    Ok(Fetched { model, unserved })
}

/// Like [`fetch_report`], with an empty model (no items) for a mesh that does not exist.
pub async fn fetch_or_empty_report<E: Endpoint>(api: &E, mesh: &str) -> Result<Fetched, ApiError> {
    match fetch_report(api, mesh).await {
        Err(e) if is_not_found(&e) => Ok(Fetched {
            model: MeshModel::new(mesh),
            unserved: Vec::new(),
        }),
        other => other,
    }
}

/// Like [`fetch`], with an empty model (no items) for a mesh that does not exist.
pub async fn fetch_or_empty<E: Endpoint>(api: &E, mesh: &str) -> Result<MeshModel, ApiError> {
    fetch_or_empty_report(api, mesh).await.map(|f| f.model)
}

// ---- apply --------------------------------------------------------------------------------

/// What [`apply`] reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// Step `index` (0-based) of `total` starts.
    Start {
        index: usize,
        total: usize,
        step: &'a Step,
    },
    /// It is done.
    Done {
        index: usize,
        total: usize,
        step: &'a Step,
        took: Duration,
    },
}

/// How far an apply got.
#[derive(Debug)]
pub struct Outcome {
    /// Steps done, from the first: `plan.steps[..done]`.
    pub done: usize,
    /// The step that failed or was interrupted (`plan.steps[done]`), and how.
    pub stopped: Option<Stopped>,
}

#[derive(Debug)]
pub struct Stopped {
    /// The error, or `None` when the user interrupted the step.
    pub error: Option<ApiError>,
    /// What of the step was done before it stopped ("the spec was updated; the tags were
    /// not"), when part of it was.
    pub partly: Option<String>,
}

impl Outcome {
    pub fn complete(&self) -> bool {
        self.stopped.is_none()
    }
}

fn tag_list(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter().map(|(k, v)| Tag::new(k, v)).collect()
}

/// One step. `Err` carries what part of it was done, if any.
async fn run_step<E: Endpoint>(api: &E, step: &Step) -> Result<(), (ApiError, Option<String>)> {
    match step.op {
        Op::Create => api
            .create(
                &step.key,
                &step.spec,
                &tag_list(&step.tags),
                &step.client_token,
            )
            .await
            .map(|_| ())
            .map_err(|e| (e, None)),
        Op::Delete => api
            .delete(&step.key)
            .await
            .map(|_| ())
            .map_err(|e| (e, None)),
        Op::Update => {
            let mut arn = step.arn.clone();
            let mut did = None;
            if step.spec_changed {
                let r = api
                    .update(&step.key, &step.spec, &step.client_token)
                    .await
                    .map_err(|e| (e, None))?;
                arn = Some(r.meta.arn);
                did = Some("the spec was updated");
            }
            if step.tags.is_empty() && step.untag.is_empty() {
                return Ok(());
            }
            let partly = |e: ApiError, what: Option<&str>| (e, what.map(str::to_string));
            let arn = match arn {
                Some(a) => a,
                None => {
                    api.describe(&step.key)
                        .await
                        .map_err(|e| partly(e, did))?
                        .meta
                        .arn
                }
            };
            if !step.tags.is_empty() {
                api.tag(&arn, &tag_list(&step.tags))
                    .await
                    .map_err(|e| partly(e, did))?;
                did = Some(if step.spec_changed {
                    "the spec was updated and the new tags set"
                } else {
                    "the new tags were set"
                });
            }
            if !step.untag.is_empty() {
                api.untag(&arn, &step.untag)
                    .await
                    .map_err(|e| partly(e, did))?;
            }
            Ok(())
        }
    }
}

/// Carries out `plan` step by step, in order, reporting each start and end to `report`. Stops
/// at the first error, or when `cancel` completes (the step in flight is abandoned: whether it
/// reached the service is unknown). Creates and updates carry the step's clientToken, so
/// running the same plan again does not apply one twice.
pub async fn apply<E: Endpoint>(
    api: &E,
    plan: &Plan,
    cancel: impl Future<Output = ()>,
    mut report: impl FnMut(Event<'_>),
) -> Outcome {
    let total = plan.steps.len();
    tokio::pin!(cancel);
    for (index, step) in plan.steps.iter().enumerate() {
        report(Event::Start { index, total, step });
        let started = Instant::now();
        let result = tokio::select! {
            biased;
            () = &mut cancel => {
                return Outcome {
                    done: index,
                    stopped: Some(Stopped { error: None, partly: None }),
                };
            }
            r = run_step(api, step) => r,
        };
        match result {
            Ok(()) => report(Event::Done {
                index,
                total,
                step,
                took: started.elapsed(),
            }),
            Err((error, partly)) => {
                return Outcome {
                    done: index,
                    stopped: Some(Stopped {
                        error: Some(error),
                        partly,
                    }),
                };
            }
        }
    }
    Outcome {
        done: total,
        stopped: None,
    }
}

#[cfg(test)]
pub(crate) mod fake {
    //! An endpoint in memory that keeps the service's rules between resources (a container
    //! must exist, names are unique, what a spec must name must exist, what is named or holds
    //! children cannot be deleted), for testing fetch and apply without a server.

    use std::sync::{Arc, Mutex};
    use std::time::SystemTime;

    use super::*;
    use crate::mesh::Item;
    use crate::resource::{Meta, Summary};

    #[derive(Clone, Default)]
    pub struct Fake {
        pub state: Arc<Mutex<BTreeMap<Key, Item>>>,
        /// Every call, as `Verb kind name`.
        pub calls: Arc<Mutex<Vec<String>>>,
        /// Fail the n-th changing call (0-based) with a service error.
        pub fail_at: Option<usize>,
        /// List pages of at most this many (0: 100).
        pub page: usize,
    }

    fn err(code: &str, status: u16, message: String) -> ApiError {
        ApiError {
            kind: ErrorKind::Service,
            code: Some(code.into()),
            message,
            http_status: Some(status),
            request_id: None,
        }
    }

    fn arn(key: &Key) -> String {
        key.arn("us-east-1", "111122223333")
    }

    fn resource(key: &Key, item: &Item) -> Resource {
        Resource {
            key: key.clone(),
            meta: Meta {
                arn: arn(key),
                uid: "u".into(),
                version: 1,
                created_at: SystemTime::UNIX_EPOCH,
                last_updated_at: SystemTime::UNIX_EPOCH,
                mesh_owner: "111122223333".into(),
                resource_owner: "111122223333".into(),
            },
            status: "ACTIVE".into(),
            spec: item.spec.value(),
        }
    }

    impl Fake {
        pub fn holding(m: &MeshModel) -> Fake {
            let f = Fake::default();
            f.state.lock().unwrap().extend(m.items.clone());
            f
        }

        pub fn model(&self, mesh: &str) -> MeshModel {
            let mut m = MeshModel::new(mesh);
            for (k, i) in self.state.lock().unwrap().iter() {
                if k.mesh == mesh {
                    m.items.insert(
                        k.clone(),
                        Item {
                            meta: None,
                            ..i.clone()
                        },
                    );
                }
            }
            m
        }

        fn changing(&self, what: String) -> Result<(), ApiError> {
            let mut calls = self.calls.lock().unwrap();
            let n = calls
                .iter()
                .filter(|c| !c.starts_with("Describe") && !c.starts_with("List"))
                .count();
            calls.push(what);
            if self.fail_at == Some(n) {
                return Err(err("InternalServerErrorException", 500, "boom".into()));
            }
            Ok(())
        }

        fn key_of_arn(&self, a: &str) -> Option<Key> {
            self.state
                .lock()
                .unwrap()
                .keys()
                .find(|k| arn(k) == a)
                .cloned()
        }

        fn check_refs(st: &BTreeMap<Key, Item>, key: &Key, spec: &Value) -> Result<(), ApiError> {
            if let Some(c) = key.container()
                && !st.contains_key(&c)
            {
                return Err(err("NotFoundException", 404, format!("{c:?} missing")));
            }
            for r in crate::kind::references(key.kind, spec) {
                let to = Key::new(r.to, &key.mesh, "", &r.name);
                if r.must_exist && !st.contains_key(&to) {
                    return Err(err("NotFoundException", 404, format!("{to:?} missing")));
                }
            }
            Ok(())
        }
    }

    impl Endpoint for Fake {
        fn describe(&self, key: &Key) -> impl Future<Output = Result<Resource, ApiError>> + Send {
            self.calls
                .lock()
                .unwrap()
                .push(format!("Describe {:?} {}", key.kind, key.name));
            let r = match self.state.lock().unwrap().get(key) {
                Some(i) => Ok(resource(key, i)),
                None => Err(err("NotFoundException", 404, format!("{key:?}"))),
            };
            async move { r }
        }

        fn list_page(
            &self,
            kind: Kind,
            mesh: &str,
            parent: &str,
            next_token: Option<String>,
        ) -> impl Future<Output = Result<Page, ApiError>> + Send {
            self.calls
                .lock()
                .unwrap()
                .push(format!("List {kind:?} {parent}"));
            let st = self.state.lock().unwrap();
            let all: Vec<Summary> = st
                .iter()
                .filter(|(k, _)| k.kind == kind && k.mesh == mesh && k.parent == parent)
                .map(|(k, i)| resource(k, i).summary())
                .collect();
            let size = if self.page == 0 { 100 } else { self.page };
            let from: usize = next_token.and_then(|t| t.parse().ok()).unwrap_or(0);
            let items: Vec<Summary> = all.iter().skip(from).take(size).cloned().collect();
            let next = (from + size < all.len()).then(|| (from + size).to_string());
            async move {
                Ok(Page {
                    items,
                    next_token: next,
                })
            }
        }

        fn list_tags(&self, a: &str) -> impl Future<Output = Result<Vec<Tag>, ApiError>> + Send {
            let r = match self.key_of_arn(a) {
                Some(k) => Ok(tag_list(&self.state.lock().unwrap()[&k].tags)),
                None => Err(err("NotFoundException", 404, a.to_string())),
            };
            async move { r }
        }

        fn create(
            &self,
            key: &Key,
            spec: &Value,
            tags: &[Tag],
            _token: &str,
        ) -> impl Future<Output = Result<Resource, ApiError>> + Send {
            let r = (|| {
                self.changing(format!("Create {:?} {}", key.kind, key.name))?;
                let mut st = self.state.lock().unwrap();
                if st.contains_key(key) {
                    return Err(err("ConflictException", 409, format!("{key:?} exists")));
                }
                Fake::check_refs(&st, key, spec)?;
                let item = Item {
                    spec: spec.into(),
                    tags: tags
                        .iter()
                        .map(|t| (t.key.clone(), t.value.clone()))
                        .collect(),
                    meta: None,
                };
                let r = resource(key, &item);
                st.insert(key.clone(), item);
                Ok(r)
            })();
            async move { r }
        }

        fn update(
            &self,
            key: &Key,
            spec: &Value,
            _token: &str,
        ) -> impl Future<Output = Result<Resource, ApiError>> + Send {
            let r = (|| {
                self.changing(format!("Update {:?} {}", key.kind, key.name))?;
                let mut st = self.state.lock().unwrap();
                if !st.contains_key(key) {
                    return Err(err("NotFoundException", 404, format!("{key:?}")));
                }
                Fake::check_refs(&st, key, spec)?;
                let item = st.get_mut(key).unwrap();
                item.spec = spec.into();
                Ok(resource(key, item))
            })();
            async move { r }
        }

        fn delete(&self, key: &Key) -> impl Future<Output = Result<Resource, ApiError>> + Send {
            let r = (|| {
                self.changing(format!("Delete {:?} {}", key.kind, key.name))?;
                let mut st = self.state.lock().unwrap();
                let mut m = MeshModel::new(key.mesh.as_str());
                m.items = st.clone();
                if !m.children(key).is_empty()
                    || m.used_by(key).iter().any(|l| l.reference.blocks_delete)
                {
                    return Err(err(
                        "ResourceInUseException",
                        409,
                        format!("{key:?} in use"),
                    ));
                }
                match st.remove(key) {
                    Some(i) => Ok(resource(key, &i)),
                    None => Err(err("NotFoundException", 404, format!("{key:?}"))),
                }
            })();
            async move { r }
        }

        fn tag(&self, a: &str, tags: &[Tag]) -> impl Future<Output = Result<(), ApiError>> + Send {
            let r = (|| {
                let key = self
                    .key_of_arn(a)
                    .ok_or_else(|| err("NotFoundException", 404, a.into()))?;
                self.changing(format!("Tag {:?} {}", key.kind, key.name))?;
                let mut st = self.state.lock().unwrap();
                let item = st.get_mut(&key).unwrap();
                for t in tags {
                    item.tags.insert(t.key.clone(), t.value.clone());
                }
                Ok(())
            })();
            async move { r }
        }

        fn untag(
            &self,
            a: &str,
            keys: &[String],
        ) -> impl Future<Output = Result<(), ApiError>> + Send {
            let r = (|| {
                let key = self
                    .key_of_arn(a)
                    .ok_or_else(|| err("NotFoundException", 404, a.into()))?;
                self.changing(format!("Untag {:?} {}", key.kind, key.name))?;
                let mut st = self.state.lock().unwrap();
                let item = st.get_mut(&key).unwrap();
                for k in keys {
                    item.tags.remove(k);
                }
                Ok(())
            })();
            async move { r }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::Fake;
    use super::*;
    use crate::meshfile::format;

    fn example() -> MeshModel {
        format::parse("f", format::tests::EXAMPLE)
            .unwrap()
            .meshes
            .remove(0)
    }

    fn never() -> std::future::Pending<()> {
        std::future::pending()
    }

    #[tokio::test]
    async fn fetch_reads_everything_back() {
        let m = example();
        let api = Fake {
            page: 1,
            ..Fake::holding(&m)
        };
        let got = fetch(&api, "shop").await.unwrap();
        let mut stripped = got.clone();
        for i in stripped.items.values_mut() {
            assert!(i.meta.is_some());
            i.meta = None;
        }
        assert_eq!(stripped, m);
        // Routes were listed for the router, gateway routes for the gateway.
        let calls = api.calls.lock().unwrap().clone();
        assert!(calls.contains(&"List Route web".to_string()), "{calls:?}");
        assert!(calls.contains(&"List GatewayRoute ingress".to_string()));
        let e = fetch(&api, "nope").await.unwrap_err();
        assert!(is_not_found(&e));
        assert_eq!(fetch_or_empty(&api, "nope").await.unwrap().items.len(), 0);
    }

    #[tokio::test]
    async fn apply_builds_the_mesh_and_a_second_plan_is_empty() {
        let m = example();
        let api = Fake::default();
        let plan = Plan::new(&m, &fetch_or_empty(&api, "shop").await.unwrap(), false);
        let mut events = Vec::new();
        let out = apply(&api, &plan, never(), |e| {
            events.push(match e {
                Event::Start { index, .. } => format!("start {index}"),
                Event::Done { index, .. } => format!("done {index}"),
            })
        })
        .await;
        assert!(out.complete(), "{out:?}");
        assert_eq!(out.done, plan.steps.len());
        assert_eq!(events.len(), 2 * plan.steps.len());
        assert_eq!(api.model("shop"), m);
        let again = Plan::new(&m, &fetch(&api, "shop").await.unwrap(), true);
        assert!(again.is_empty(), "{}", again.render(false));
    }

    #[tokio::test]
    async fn updates_and_prunes_go_in_an_order_the_rules_allow() {
        let m = example();
        let api = Fake::holding(&m);
        let mut want = m.clone();
        // The canary route sends everything to v1, v2 leaves, tags change on the mesh.
        let canary = Key::new(Kind::Route, "shop", "web", "canary");
        want.items.get_mut(&canary).unwrap().spec.edit(|s| {
            s["httpRoute"]["action"]["weightedTargets"] =
                serde_json::json!([{"virtualNode": "web-v1", "weight": 1}]);
        });
        want.items
            .remove(&Key::new(Kind::VirtualNode, "shop", "", "web-v2"));
        let mesh = want.items.get_mut(&Key::mesh("shop")).unwrap();
        mesh.tags.insert("env".into(), "dev".into());
        mesh.tags.remove("team");
        let plan = Plan::new(&want, &fetch(&api, "shop").await.unwrap(), true);
        let out = apply(&api, &plan, never(), |_| {}).await;
        assert!(out.complete(), "{out:?}");
        assert_eq!(api.model("shop"), want);
    }

    #[tokio::test]
    async fn an_error_stops_the_apply_and_says_how_far_it_got() {
        let m = example();
        let api = Fake {
            fail_at: Some(3),
            ..Fake::default()
        };
        let plan = Plan::new(&m, &MeshModel::new("shop"), false);
        let out = apply(&api, &plan, never(), |_| {}).await;
        assert_eq!(out.done, 3);
        let stopped = out.stopped.unwrap();
        assert_eq!(
            stopped.error.unwrap().code.as_deref(),
            Some("InternalServerErrorException")
        );
        // Exactly the first three steps are on the endpoint.
        let held: Vec<Key> = api.state.lock().unwrap().keys().cloned().collect();
        let mut first: Vec<Key> = plan.steps[..3].iter().map(|s| s.key.clone()).collect();
        first.sort();
        assert_eq!(held, first);
        // Applying the file again finishes the job.
        let api = Fake {
            fail_at: None,
            ..api
        };
        let plan = Plan::new(&m, &fetch(&api, "shop").await.unwrap(), false);
        assert_eq!(plan.steps.len(), m.items.len() - 3);
        assert!(apply(&api, &plan, never(), |_| {}).await.complete());
        assert_eq!(api.model("shop"), m);
    }

    #[tokio::test]
    async fn a_failed_tag_change_says_the_spec_was_updated() {
        let m = example();
        let api = Fake::holding(&m);
        let mut want = m.clone();
        let node = Key::new(Kind::VirtualNode, "shop", "", "web-v1");
        let item = want.items.get_mut(&node).unwrap();
        item.spec
            .edit(|s| s["listeners"][0]["portMapping"]["port"] = serde_json::json!(9090));
        item.tags.insert("new".into(), "yes".into());
        let plan = Plan::new(&want, &fetch(&api, "shop").await.unwrap(), false);
        assert_eq!(plan.steps.len(), 1);
        // The update is changing call 0, the tagging call 1.
        let api = Fake {
            fail_at: Some(1),
            ..api
        };
        let out = apply(&api, &plan, never(), |_| {}).await;
        assert_eq!(out.done, 0);
        assert_eq!(
            out.stopped.unwrap().partly.as_deref(),
            Some("the spec was updated")
        );
    }

    #[tokio::test]
    async fn cancelling_stops_before_the_next_step() {
        let m = example();
        let api = Fake::default();
        let plan = Plan::new(&m, &MeshModel::new("shop"), false);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let mut tx = Some(tx);
        let out = apply(
            &api,
            &plan,
            async move {
                let _ = rx.await;
            },
            |e| {
                if let Event::Done { index: 1, .. } = e {
                    tx.take().unwrap().send(()).unwrap();
                }
            },
        )
        .await;
        assert_eq!(out.done, 2);
        let stopped = out.stopped.unwrap();
        assert!(stopped.error.is_none());
        assert_eq!(api.state.lock().unwrap().len(), 2);
    }
}
