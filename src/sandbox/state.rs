//! The sandbox's data and the operations on it, free of I/O so they can be tested directly.
//!
//! Every resource of every kind and region is one [`Record`] in one `BTreeMap` keyed by
//! [`Loc`] (region, kind, mesh, parent, name), so each List is a contiguous range, behind `Arc`s
//! so updates copy one record and a snapshot is a map clone of `Arc`s. Specs are kept as the
//! compact JSON the client sent, reduced to the members the model knows (the service keeps no
//! more and adds no defaults), and written into answers as they are.
//!
//! Derived indexes, rebuilt on load and revert and kept up to date by every change: client
//! tokens of creates, how many resources each scope holds (for quotas), and which resources
//! hold a reference that blocks deleting another (a route's targets, a service's provider, a
//! gateway route's target).
//!
//! Change tracking (for a state kept on disk): each change records the resource it touched and
//! the record it had before, in order. The state writer takes those [`Changes`] with the
//! records as they are now (what it writes to the journal), and on a failed write hands them
//! back to [`State::revert`]: a write costs the resources it changed, not the resources held.
//!
//! Idempotency: a create with a `clientToken` records the token and a fingerprint of the
//! request (name, spec, tags) on the resource; an index maps (scope, token) to the resource.
//! The same token with the same request returns the resource as it is now without a change;
//! the same token with another request is a ConflictException. Updates keep the last
//! [`UPDATE_TOKENS_KEPT`] tokens per resource with a fingerprint of the spec, with the same
//! rules. Deleting a resource forgets its tokens.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use super::quota::{Quota, Quotas};
use super::token::{self, Secret, TokenError};
use super::wire::ApiError;
use crate::kind::{Key, Kind, Name, references};

/// How many update client tokens are remembered per resource.
pub const UPDATE_TOKENS_KEPT: usize = 8;

/// Where a resource is: its region and key. Ordered by region, then kind, mesh, parent, name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub region: String,
    pub key: Key,
}

impl Loc {
    pub fn new(region: impl Into<String>, key: Key) -> Loc {
        Loc {
            region: region.into(),
            key,
        }
    }

    /// The scope a resource is counted and named in: its region, kind, mesh and parent (all
    /// meshes of a region share one scope).
    fn scope(&self) -> Loc {
        let k = &self.key;
        let mesh = if k.kind == Kind::Mesh {
            Name::default()
        } else {
            k.mesh.clone()
        };
        Loc {
            region: self.region.clone(),
            key: Key {
                kind: k.kind,
                mesh,
                parent: k.parent.clone(),
                name: Name::default(),
            },
        }
    }

    /// Same region, kind, mesh and parent as `scope` (from [`Loc::scope`]).
    fn in_scope(&self, scope: &Loc) -> bool {
        self.region == scope.region
            && self.key.kind == scope.key.kind
            && (self.key.kind == Kind::Mesh || self.key.mesh == scope.key.mesh)
            && self.key.parent == scope.key.parent
    }
}

/// A client token and the fingerprint of the request that used it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenUse {
    pub token: String,
    pub request: String,
}

/// One resource as the sandbox holds it.
#[derive(Clone, Debug)]
pub struct Record {
    pub loc: Loc,
    pub uid: String,
    pub version: i64,
    /// Epoch milliseconds.
    pub created_ms: i64,
    pub updated_ms: i64,
    /// The spec as compact JSON with only modeled members (`{}` when none was given).
    pub spec: Box<RawValue>,
    pub tags: BTreeMap<String, String>,
    pub create_token: Option<TokenUse>,
    /// Oldest first, at most [`UPDATE_TOKENS_KEPT`].
    pub update_tokens: Vec<TokenUse>,
}

impl PartialEq for Record {
    fn eq(&self, other: &Self) -> bool {
        self.loc == other.loc
            && self.uid == other.uid
            && self.version == other.version
            && self.created_ms == other.created_ms
            && self.updated_ms == other.updated_ms
            && self.spec.get() == other.spec.get()
            && self.tags == other.tags
            && self.create_token == other.create_token
            && self.update_tokens == other.update_tokens
    }
}

impl Record {
    /// The spec parsed (for references and fingerprints).
    pub fn spec_value(&self) -> Value {
        serde_json::from_str(self.spec.get()).unwrap_or(Value::Object(Default::default()))
    }

    pub fn key(&self) -> &Key {
        &self.loc.key
    }
}

/// The compact JSON of a value, as a raw value for the record.
pub fn raw(v: &Value) -> Box<RawValue> {
    // Serialized straight into the box: `RawValue::from_string` would parse the text again to
    // check what serde_json just wrote.
    serde_json::value::to_raw_value(v).expect("a JSON value serializes")
}

/// What is persisted: the resources and the pagination-token secret. Cheap to clone.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    pub resources: BTreeMap<Loc, Arc<Record>>,
    pub secret: Secret,
}

impl Data {
    pub fn empty() -> Self {
        Data {
            resources: BTreeMap::new(),
            secret: token::new_secret(),
        }
    }

    /// The names of the meshes held, of every region, in name order.
    pub fn mesh_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .resources
            .keys()
            .filter(|l| l.key.kind == Kind::Mesh)
            .map(|l| l.key.name.to_string())
            .collect();
        names.sort();
        names
    }

    /// How many resources of `kind` are held, in every region.
    pub fn count(&self, kind: Kind) -> usize {
        self.resources.keys().filter(|l| l.key.kind == kind).count()
    }
}

/// Changes since they were last taken: each touched resource and its record before the change
/// (`None`: it did not exist), oldest first.
#[derive(Debug, Default)]
pub struct Changes(Vec<(Loc, Option<Arc<Record>>)>);

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends later changes.
    pub fn extend(&mut self, later: Changes) {
        self.0.extend(later.0);
    }
}

/// What a batch of changes left: the touched resources as they are now, and those gone.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub put: Vec<Arc<Record>>,
    pub delete: Vec<Loc>,
}

/// One page of ListTagsForResource: (key, value) pairs and the next token.
pub type TagPage = (Vec<(String, String)>, Option<String>);

/// A create's input, checked against the model already.
#[derive(Clone, Debug)]
pub struct CreateInput {
    pub loc: Loc,
    /// Pruned to the modeled members.
    pub spec: Value,
    pub tags: BTreeMap<String, String>,
    pub client_token: Option<String>,
}

/// The data plus derived indexes and settings.
pub struct State {
    data: Data,
    /// (scope of the resource, token) → the resource a create with that token made.
    create_tokens: HashMap<(Loc, String), Loc>,
    /// How many resources each scope holds.
    counts: HashMap<Loc, usize>,
    /// A resource → the resources whose specs hold it with a reference that blocks its delete.
    holders: HashMap<Loc, BTreeSet<Loc>>,
    account: String,
    quotas: Quotas,
    /// `Some` when changes are tracked (see [`State::track_changes`]).
    changes: Option<Changes>,
}

fn token_error(e: TokenError) -> ApiError {
    ApiError::bad_request(match e {
        TokenError::Invalid => {
            "nextToken is not valid: it was not issued by this sandbox or was modified".to_string()
        }
        TokenError::OtherList => "nextToken was issued for another list".to_string(),
        TokenError::Expired => format!(
            "nextToken has expired (tokens are valid for {} hours); list again from the start",
            token::TOKEN_TTL_SECS / 3600
        ),
    })
}

/// `VirtualNode`, `Mesh`: how the service names a kind in its messages.
fn kind_word(k: Kind) -> &'static str {
    k.info().name
}

/// `"payments"` or `"canary" (virtual router "web")`.
fn named(key: &Key) -> String {
    match key.kind.info().parent {
        Some(p) => format!("{:?} ({} {:?})", key.name, p, key.parent),
        None => format!("{:?}", key.name),
    }
}

/// Up to five names and how many more.
fn some_names(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut s = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}

impl State {
    pub fn new(data: Data, account: impl Into<String>, quotas: Quotas) -> Self {
        let mut s = State {
            data,
            create_tokens: HashMap::new(),
            counts: HashMap::new(),
            holders: HashMap::new(),
            account: account.into(),
            quotas,
            changes: None,
        };
        s.reindex();
        s
    }

    /// From now on, remember each change for [`State::take_changes`].
    pub fn track_changes(&mut self) {
        self.changes.get_or_insert_with(Changes::default);
    }

    /// The changes since the last call, and what they left.
    pub fn take_changes(&mut self) -> (Changes, Outcome) {
        let changes = self
            .changes
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        let mut locs: Vec<&Loc> = changes.0.iter().map(|(l, _)| l).collect();
        locs.sort_unstable();
        locs.dedup();
        let mut outcome = Outcome::default();
        for loc in locs {
            match self.data.resources.get(loc) {
                Some(r) => outcome.put.push(r.clone()),
                None => outcome.delete.push(loc.clone()),
            }
        }
        (changes, outcome)
    }

    /// Undoes `changes` (taken earlier) and every change made since: the data is as it was
    /// before them.
    pub fn revert(&mut self, mut changes: Changes) {
        if let Some(later) = self.changes.as_mut().map(std::mem::take) {
            changes.extend(later);
        }
        undo(&mut self.data, changes);
        self.reindex();
    }

    /// The data without the changes not yet taken: what is durable once every taken change is.
    pub fn data_without_pending(&self) -> Data {
        let mut data = self.data.clone();
        if let Some(pending) = &self.changes {
            undo(&mut data, Changes(pending.0.clone()));
        }
        data
    }

    fn reindex(&mut self) {
        self.create_tokens.clear();
        self.counts.clear();
        self.holders.clear();
        let records: Vec<Arc<Record>> = self.data.resources.values().cloned().collect();
        for r in &records {
            self.index(r, true);
        }
    }

    /// Adds `r` to the derived indexes (`add`), or takes it out.
    fn index(&mut self, r: &Record, add: bool) {
        let scope = r.loc.scope();
        if let Some(t) = &r.create_token {
            let k = (scope.clone(), t.token.clone());
            if add {
                self.create_tokens.insert(k, r.loc.clone());
            } else {
                self.create_tokens.remove(&k);
            }
        }
        let n = self.counts.entry(scope.clone()).or_default();
        if add {
            *n += 1;
        } else {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.counts.remove(&scope);
            }
        }
        if r.loc.key.kind.info().refs.iter().any(|p| p.blocks_delete) {
            for target in self.blocking_targets(r) {
                if add {
                    self.holders
                        .entry(target)
                        .or_default()
                        .insert(r.loc.clone());
                } else if let Some(set) = self.holders.get_mut(&target) {
                    set.remove(&r.loc);
                    if set.is_empty() {
                        self.holders.remove(&target);
                    }
                }
            }
        }
    }

    /// The resources `r`'s spec holds with a reference that blocks their delete.
    fn blocking_targets(&self, r: &Record) -> Vec<Loc> {
        references(r.loc.key.kind, &r.spec_value())
            .into_iter()
            .filter(|x| x.blocks_delete)
            .map(|x| {
                Loc::new(
                    r.loc.region.clone(),
                    Key::new(x.to, r.loc.key.mesh.clone(), "", x.name),
                )
            })
            .collect()
    }

    /// Puts `rec` in place of whatever `loc` held, keeping indexes and change tracking.
    fn put(&mut self, rec: Arc<Record>) {
        let loc = rec.loc.clone();
        let before = self.data.resources.insert(loc.clone(), rec.clone());
        if let Some(b) = &before {
            self.index(b, false);
        }
        self.index(&rec, true);
        if let Some(c) = &mut self.changes {
            c.0.push((loc, before));
        }
    }

    fn remove(&mut self, loc: &Loc) -> Option<Arc<Record>> {
        let before = self.data.resources.remove(loc)?;
        self.index(&before, false);
        if let Some(c) = &mut self.changes {
            c.0.push((loc.clone(), Some(before.clone())));
        }
        Some(before)
    }

    pub fn data(&self) -> &Data {
        &self.data
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn quotas(&self) -> &Quotas {
        &self.quotas
    }

    pub fn arn(&self, loc: &Loc) -> String {
        loc.key.arn(&loc.region, &self.account)
    }

    pub fn len(&self) -> usize {
        self.data.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.resources.is_empty()
    }

    /// NotFoundException as the service words it.
    fn not_found(&self, loc: &Loc) -> ApiError {
        let k = &loc.key;
        let where_ = match (k.kind, k.kind.info().parent) {
            (Kind::Mesh, _) => String::new(),
            (_, Some(p)) => format!(
                " under {} {:?} in mesh {:?}",
                kind_word(p),
                k.parent,
                k.mesh
            ),
            (_, None) => format!(" under mesh {:?}", k.mesh),
        };
        ApiError::not_found(format!(
            "{} with name {:?} is not present{where_} for account {} in {}",
            kind_word(k.kind),
            k.name,
            self.account,
            loc.region
        ))
    }

    /// A request naming a mesh owner other than the sandbox's account: the service answers as
    /// for a mesh that is not shared with the caller.
    fn check_owner(&self, loc: &Loc, mesh_owner: Option<&str>) -> Result<(), ApiError> {
        match mesh_owner {
            Some(owner) if owner != self.account => Err(ApiError::not_found(format!(
                "Mesh with name {:?} owned by account {owner} is not present or not shared with \
                 account {}; the sandbox holds only meshes of account {}",
                loc.key.mesh, self.account, self.account
            ))),
            _ => Ok(()),
        }
    }

    /// The mesh (and router or gateway) a resource at `loc` lives in must exist.
    fn check_containers(&self, loc: &Loc) -> Result<(), ApiError> {
        let mut c = loc.key.container();
        while let Some(key) = c {
            let cl = Loc::new(loc.region.clone(), key);
            if !self.data.resources.contains_key(&cl) {
                return Err(self.not_found(&cl));
            }
            c = cl.key.container();
        }
        Ok(())
    }

    pub fn get(&self, loc: &Loc) -> Option<&Arc<Record>> {
        self.data.resources.get(loc)
    }

    /// The service's rules for a spec beyond its shape: backends named once and within their
    /// quota, and what the spec names must exist.
    fn check_spec(&self, loc: &Loc, spec: &Value) -> Result<(), ApiError> {
        let refs = references(loc.key.kind, spec);
        if loc.key.kind == Kind::VirtualNode {
            let backends: Vec<_> = refs.iter().filter(|r| r.role == "backend").collect();
            let mut seen: HashMap<&str, &str> = HashMap::new();
            for b in &backends {
                if let Some(first) = seen.insert(&b.name, &b.at) {
                    return Err(ApiError::bad_request(format!(
                        "spec.{}: virtual service {:?} is already a backend (spec.{first}); name each backend once",
                        b.at, b.name
                    )));
                }
            }
            if let Some(max) = self.quotas.get(Quota::Backends)
                && backends.len() > max
            {
                return Err(ApiError::limit_exceeded(format!(
                    "spec.backends has {} backends; the quota is {max} {} ({})",
                    backends.len(),
                    Quota::Backends.info().what,
                    Quota::Backends.how_to_raise()
                )));
            }
        }
        for r in refs.iter().filter(|r| r.must_exist) {
            let target = Loc::new(
                loc.region.clone(),
                Key::new(r.to, loc.key.mesh.clone(), "", r.name.clone()),
            );
            if !self.data.resources.contains_key(&target) {
                let e = self.not_found(&target);
                return Err(ApiError::not_found(format!(
                    "{} (named at spec.{} as the {})",
                    e.message, r.at, r.role
                )));
            }
        }
        Ok(())
    }

    /// The tags quota: TagResource answers TooManyTagsException; a create, whose errors in the
    /// model do not include that one, answers LimitExceededException.
    fn check_tag_count(&self, n: usize, creating: bool) -> Result<(), ApiError> {
        match self.quotas.get(Quota::Tags) {
            Some(max) if n > max => {
                let message = format!(
                    "the quota of {max} {} is reached: this request would leave {n} ({})",
                    Quota::Tags.info().what,
                    Quota::Tags.how_to_raise()
                );
                Err(if creating {
                    ApiError::limit_exceeded(message)
                } else {
                    ApiError::too_many_tags(message)
                })
            }
            _ => Ok(()),
        }
    }

    /// CreateX. Returns the resource and whether anything changed.
    pub fn create(
        &mut self,
        input: CreateInput,
        mesh_owner: Option<&str>,
        now_ms: i64,
    ) -> Result<(Arc<Record>, bool), ApiError> {
        let loc = input.loc;
        self.check_owner(&loc, mesh_owner)?;
        let spec_text = input.spec.to_string();
        let fingerprint = serde_json::to_string(&(&loc.key.name, &spec_text, &input.tags))
            .expect("a fingerprint serializes");
        let scope = loc.scope();
        if let Some(token) = &input.client_token
            && let Some(made) = self.create_tokens.get(&(scope.clone(), token.clone()))
        {
            let rec = &self.data.resources[made];
            let used = rec.create_token.as_ref().expect("an indexed token exists");
            if used.request == fingerprint {
                return Ok((rec.clone(), false));
            }
            return Err(ApiError::conflict(format!(
                "clientToken {token:?} was already used for a different Create{} request \
                 ({} {}); use a new token for a new request",
                kind_word(loc.key.kind),
                loc.key.kind,
                named(&rec.loc.key)
            )));
        }
        self.check_containers(&loc)?;
        if self.data.resources.contains_key(&loc) {
            let in_mesh = match loc.key.kind {
                Kind::Mesh => String::new(),
                _ => match loc.key.kind.info().parent {
                    Some(p) => format!(" in {} {:?} of mesh {:?}", p, loc.key.parent, loc.key.mesh),
                    None => format!(" in mesh {:?}", loc.key.mesh),
                },
            };
            return Err(ApiError::conflict(format!(
                "{} with name {:?} already exists{in_mesh}",
                kind_word(loc.key.kind),
                loc.key.name
            )));
        }
        let quota = Quota::of_kind(loc.key.kind);
        if let Some(max) = self.quotas.get(quota) {
            let held = self.counts.get(&scope).copied().unwrap_or(0);
            if held >= max {
                let where_ = match (loc.key.kind, loc.key.kind.info().parent) {
                    (Kind::Mesh, _) => format!("account {} in {}", self.account, loc.region),
                    (_, Some(p)) => format!("{p} {:?}", loc.key.parent),
                    (_, None) => format!("mesh {:?}", loc.key.mesh),
                };
                return Err(ApiError::limit_exceeded(format!(
                    "the quota of {max} {} is reached: {where_} holds {held}; delete some first, or {}",
                    quota.info().what,
                    quota.how_to_raise()
                )));
            }
        }
        self.check_spec(&loc, &input.spec)?;
        self.check_tag_count(input.tags.len(), true)?;
        let rec = Arc::new(Record {
            uid: uuid::Uuid::new_v4().to_string(),
            version: 1,
            created_ms: now_ms,
            updated_ms: now_ms,
            spec: RawValue::from_string(spec_text).expect("serialized JSON"),
            tags: input.tags,
            create_token: input.client_token.map(|token| TokenUse {
                token,
                request: fingerprint,
            }),
            update_tokens: Vec::new(),
            loc,
        });
        self.put(rec.clone());
        Ok((rec, true))
    }

    /// DescribeX.
    pub fn describe(&self, loc: &Loc, mesh_owner: Option<&str>) -> Result<Arc<Record>, ApiError> {
        self.check_owner(loc, mesh_owner)?;
        self.check_containers(loc)?;
        self.data
            .resources
            .get(loc)
            .cloned()
            .ok_or_else(|| self.not_found(loc))
    }

    /// UpdateX: a new spec, version + 1.
    pub fn update(
        &mut self,
        loc: &Loc,
        spec: Value,
        client_token: Option<String>,
        mesh_owner: Option<&str>,
        now_ms: i64,
    ) -> Result<(Arc<Record>, bool), ApiError> {
        let current = self.describe(loc, mesh_owner)?;
        let spec_text = spec.to_string();
        if let Some(token) = &client_token
            && let Some(used) = current.update_tokens.iter().find(|u| &u.token == token)
        {
            if used.request == spec_text {
                return Ok((current, false));
            }
            return Err(ApiError::conflict(format!(
                "clientToken {token:?} was already used for an Update{} of {} {} with a \
                 different spec; use a new token for a new request",
                kind_word(loc.key.kind),
                loc.key.kind,
                named(&loc.key)
            )));
        }
        self.check_spec(loc, &spec)?;
        let mut rec = (*current).clone();
        rec.spec = RawValue::from_string(spec_text.clone()).expect("serialized JSON");
        rec.version = rec.version.saturating_add(1);
        // Keep timestamps strictly moving even if the clock is coarse or went back.
        rec.updated_ms = now_ms.max(rec.updated_ms.saturating_add(1));
        if let Some(token) = client_token {
            if rec.update_tokens.len() >= UPDATE_TOKENS_KEPT {
                rec.update_tokens.remove(0);
            }
            rec.update_tokens.push(TokenUse {
                token,
                request: spec_text,
            });
        }
        let rec = Arc::new(rec);
        self.put(rec.clone());
        Ok((rec, true))
    }

    /// The resources of `kind` directly under `container` (a mesh or router or gateway key).
    fn children_of(&self, region: &str, kind: Kind, mesh: &str, parent: &str) -> Vec<String> {
        let start = Loc::new(
            region,
            Key {
                kind,
                mesh: mesh.into(),
                parent: parent.into(),
                name: Name::default(),
            },
        );
        let scope = start.scope();
        self.data
            .resources
            .range(start..)
            .take_while(|(l, _)| l.in_scope(&scope))
            .map(|(l, _)| l.key.name.to_string())
            .collect()
    }

    /// Why `loc` cannot be deleted now, if it cannot.
    fn in_use(&self, loc: &Loc) -> Option<String> {
        let k = &loc.key;
        let word = kind_word(k.kind);
        match k.kind {
            Kind::Mesh => {
                let mut held = Vec::new();
                for kind in Kind::IN_MESH {
                    let names: Vec<String> = if kind.info().parent.is_some() {
                        // Routes and gateway routes sit under their router or gateway, which
                        // is named first anyway.
                        continue;
                    } else {
                        self.children_of(&loc.region, kind, &k.mesh, "")
                    };
                    if !names.is_empty() {
                        held.push(format!(
                            "{} {}: {}",
                            names.len(),
                            kind.info().plural,
                            some_names(&names)
                        ));
                    }
                }
                (!held.is_empty()).then(|| {
                    format!(
                        "Mesh with name {:?} cannot be deleted because it still holds resources ({}); delete them first",
                        k.name,
                        held.join("; ")
                    )
                })
            }
            Kind::VirtualRouter | Kind::VirtualGateway => {
                let child = k.kind.children()[0];
                let names = self.children_of(&loc.region, child, &k.mesh, &k.name);
                if !names.is_empty() {
                    return Some(format!(
                        "{word} with name {:?} cannot be deleted because it has {}: {}; delete them first",
                        k.name,
                        child.info().plural,
                        some_names(&names)
                    ));
                }
                self.held_by(loc)
            }
            _ => self.held_by(loc),
        }
    }

    /// The references that keep `loc` from being deleted, worded as the service does.
    fn held_by(&self, loc: &Loc) -> Option<String> {
        let holders = self.holders.get(loc)?;
        let k = &loc.key;
        let word = kind_word(k.kind);
        let mut by_kind: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
        for h in holders {
            let name = match h.key.kind.info().parent {
                Some(_) => format!("{}/{}", h.key.parent, h.key.name),
                None => h.key.name.to_string(),
            };
            by_kind.entry(h.key.kind).or_default().push(name);
        }
        let parts: Vec<String> = by_kind
            .iter()
            .map(|(kind, names)| match (k.kind, kind) {
                (_, Kind::VirtualService) => {
                    format!("it is a VirtualService provider ({})", some_names(names))
                }
                (_, Kind::Route) => format!(
                    "it is the target of one or more routes ({})",
                    some_names(names)
                ),
                (_, other) => format!(
                    "{} refer to it ({})",
                    other.info().plural,
                    some_names(names)
                ),
            })
            .collect();
        if k.kind == Kind::VirtualService {
            let names = by_kind.values().flatten().cloned().collect::<Vec<_>>();
            return Some(format!(
                "VirtualService with name {:?} is being referenced in the following: GATEWAY_ROUTE: [{}]",
                k.name,
                some_names(&names)
            ));
        }
        Some(format!(
            "{word} with name {:?} cannot be deleted because {}",
            k.name,
            parts.join(" and ")
        ))
    }

    /// DeleteX: removes the resource with its tags and tokens and returns it.
    pub fn delete(&mut self, loc: &Loc, mesh_owner: Option<&str>) -> Result<Arc<Record>, ApiError> {
        self.describe(loc, mesh_owner)?;
        if let Some(why) = self.in_use(loc) {
            return Err(ApiError::new(409, "ResourceInUseException", why));
        }
        Ok(self.remove(loc).expect("described above"))
    }

    /// ListX: up to `limit` resources of `kind` in the container after the token's position,
    /// and the next token. The container must exist.
    pub fn list(
        &self,
        scope: &Loc,
        mesh_owner: Option<&str>,
        limit: usize,
        next_token: Option<&str>,
        now_secs: i64,
    ) -> Result<(Vec<Arc<Record>>, Option<String>), ApiError> {
        let scope = scope.scope();
        if scope.key.kind != Kind::Mesh {
            self.check_owner(&scope, mesh_owner)?;
            // The container of a resource in this scope must exist.
            let probe = Loc::new(
                scope.region.clone(),
                Key::new(
                    scope.key.kind,
                    scope.key.mesh.clone(),
                    scope.key.parent.clone(),
                    "-",
                ),
            );
            self.check_containers(&probe)?;
        }
        let list_name = format!(
            "list {} {:?} {} {}",
            scope.region, scope.key.kind, scope.key.mesh, scope.key.parent
        );
        let after = match next_token {
            None => None,
            Some(t) => Some(
                token::verify(&self.data.secret, &list_name, t, now_secs).map_err(token_error)?,
            ),
        };
        let mut start = scope.clone();
        if scope.key.kind == Kind::Mesh {
            start.key.mesh = after.as_deref().unwrap_or_default().into();
        }
        start.key.name = after.as_deref().unwrap_or_default().into();
        let lower = match after {
            Some(_) => Bound::Excluded(start),
            None => Bound::Included(start),
        };
        let mut iter = self
            .data
            .resources
            .range((lower, Bound::Unbounded))
            .take_while(|(l, _)| l.in_scope(&scope))
            .map(|(_, r)| r);
        let page: Vec<Arc<Record>> = iter.by_ref().take(limit).cloned().collect();
        let next = match (iter.next(), page.last()) {
            (Some(_), Some(last)) => Some(token::issue(
                &self.data.secret,
                &list_name,
                &last.loc.key.name,
                now_secs,
            )),
            _ => None,
        };
        Ok((page, next))
    }

    /// The resource an ARN names, in the request's region. Anything else is NotFoundException.
    pub fn by_arn(&self, region: &str, arn: &str) -> Result<&Arc<Record>, ApiError> {
        if arn.is_empty() {
            return Err(ApiError::bad_request("resourceArn is required"));
        }
        let not_found = || {
            ApiError::not_found(format!(
                "resource {arn:?} not found: the sandbox holds resources of account {} with ARNs \
                 like arn:aws:appmesh:{region}:{}:mesh/NAME[/virtualNode/NAME…] in {region}",
                self.account, self.account
            ))
        };
        let (arn_region, account, keys) = Key::arn_candidates(arn).ok_or_else(not_found)?;
        if arn_region != region || account != self.account {
            return Err(not_found());
        }
        keys.into_iter()
            .find_map(|key| self.data.resources.get(&Loc::new(region, key)))
            .ok_or_else(not_found)
    }

    /// TagResource: adds or overwrites keys; the result may hold at most the tags quota.
    pub fn tag_resource(
        &mut self,
        region: &str,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<bool, ApiError> {
        let current = self.by_arn(region, arn)?.clone();
        let new_keys = tags
            .keys()
            .filter(|k| !current.tags.contains_key(*k))
            .count();
        self.check_tag_count(current.tags.len() + new_keys, false)?;
        if tags.iter().all(|(k, v)| current.tags.get(k) == Some(v)) {
            return Ok(false);
        }
        let mut rec = (*current).clone();
        rec.tags.extend(tags);
        self.put(Arc::new(rec));
        Ok(true)
    }

    /// UntagResource: removes keys; unknown keys are fine.
    pub fn untag_resource(
        &mut self,
        region: &str,
        arn: &str,
        keys: &[String],
    ) -> Result<bool, ApiError> {
        let current = self.by_arn(region, arn)?.clone();
        if !keys.iter().any(|k| current.tags.contains_key(k)) {
            return Ok(false);
        }
        let mut rec = (*current).clone();
        for k in keys {
            rec.tags.remove(k);
        }
        self.put(Arc::new(rec));
        Ok(true)
    }

    /// ListTagsForResource, in key order, paginated like the lists.
    pub fn list_tags(
        &self,
        region: &str,
        arn: &str,
        limit: usize,
        next_token: Option<&str>,
        now_secs: i64,
    ) -> Result<TagPage, ApiError> {
        let rec = self.by_arn(region, arn)?;
        let scope = format!("tags {arn}");
        let start = match next_token {
            None => Bound::Unbounded,
            Some(t) => Bound::Excluded(
                token::verify(&self.data.secret, &scope, t, now_secs).map_err(token_error)?,
            ),
        };
        let mut iter = rec.tags.range::<String, _>((start, Bound::Unbounded));
        let page: Vec<(String, String)> = iter
            .by_ref()
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let next = match (iter.next(), page.last()) {
            (Some(_), Some((last, _))) => {
                Some(token::issue(&self.data.secret, &scope, last, now_secs))
            }
            _ => None,
        };
        Ok((page, next))
    }
}

/// Puts back the records `changes` replaced, newest first.
fn undo(data: &mut Data, changes: Changes) {
    for (loc, before) in changes.0.into_iter().rev() {
        match before {
            Some(r) => data.resources.insert(loc, r),
            None => data.resources.remove(&loc),
        };
    }
}

/// Resources of several kinds in two regions, with tags, tokens and odd names, for the tests of
/// the state file and the journal.
#[cfg(test)]
pub(crate) fn sample_data() -> Data {
    use serde_json::json;
    let mut s = State::new(Data::empty(), "111122223333", Quotas::aws_defaults());
    let mut tags = BTreeMap::new();
    tags.insert("a".to_string(), String::new());
    tags.insert("b \"q\"".to_string(), "v\n2".to_string());
    let items = [
        (
            "us-east-1",
            Key::mesh("plain"),
            json!({}),
            BTreeMap::new(),
            None,
        ),
        (
            "us-east-1",
            Key::mesh("full"),
            json!({"egressFilter": {"type": "ALLOW_ALL"}, "serviceDiscovery": {"ipPreference": "IPv6_ONLY"}}),
            tags,
            Some("tok"),
        ),
        (
            "eu-west-1",
            Key::mesh("sd-empty 🦀 \"quoted\""),
            json!({"serviceDiscovery": {}}),
            BTreeMap::new(),
            None,
        ),
        (
            "us-east-1",
            Key::new(Kind::VirtualNode, "full", "", "n"),
            json!({"serviceDiscovery": {"dns": {"hostname": "n.local"}}}),
            BTreeMap::new(),
            None,
        ),
        (
            "us-east-1",
            Key::new(Kind::VirtualRouter, "full", "", "r"),
            json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http"}}]}),
            BTreeMap::new(),
            None,
        ),
        (
            "us-east-1",
            Key::new(Kind::Route, "full", "r", "x"),
            json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "n", "weight": 1}]}}}),
            BTreeMap::new(),
            Some("rt"),
        ),
    ];
    for (region, key, spec, tags, token) in items {
        s.create(
            CreateInput {
                loc: Loc::new(region, key),
                spec,
                tags,
                client_token: token.map(str::to_string),
            },
            None,
            1_700_000_000_123,
        )
        .expect("sample resources are valid");
    }
    s.data().clone()
}

#[cfg(test)]
mod tests;
