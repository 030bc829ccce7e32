//! The sandbox's data and the mesh operations on it, free of I/O so they can be tested directly.
//!
//! Meshes are kept by name in a `BTreeMap` (the ListMeshes order) behind `Arc`s, so updates copy
//! one record (`Arc::make_mut`) and a snapshot is a map clone of `Arc`s.
//!
//! Change tracking (for a state kept on disk): each change records the mesh it touched and the
//! record it had before, in order. The state writer takes those [`Changes`] with the meshes as
//! they are now (what it writes to the journal), and on a failed write hands them back to
//! [`State::revert`], which restores the records they held before: a write costs the meshes it
//! changed, not the meshes held.
//!
//! Idempotency: a CreateMesh with a `clientToken` records the token and a fingerprint of the
//! request (name, effective spec, tags) on the mesh; a global index maps tokens to mesh names.
//! The same token with the same request returns the mesh as it is now without a change; the same
//! token with another request is a ConflictException. UpdateMesh keeps the last
//! [`UPDATE_TOKENS_KEPT`] tokens per mesh with a fingerprint of the spec, with the same rules
//! (tokens are scoped to the mesh for updates). Deleting a mesh forgets its tokens.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use super::token::{self, Secret, TokenError};
use super::wire::{ApiError, CreateMeshInput, UpdateMeshInput};
use crate::model::{EgressFilter, IpPreference, TAGS_MAX};

/// How many UpdateMesh client tokens are remembered per mesh.
pub const UPDATE_TOKENS_KEPT: usize = 8;

/// `MeshServiceDiscovery`: present only when the request gave one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServiceDiscovery {
    pub ip_preference: Option<IpPreference>,
}

/// The effective `MeshSpec` (defaults filled in).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Spec {
    pub egress: EgressFilter,
    pub service_discovery: Option<ServiceDiscovery>,
}

impl Spec {
    /// A stable text form, for idempotency fingerprints.
    pub fn fingerprint(&self) -> String {
        serde_json::to_string(&super::wire::SpecOut::of(self)).expect("spec serializes")
    }
}

/// A client token and the fingerprint of the request that used it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenUse {
    pub token: String,
    pub request: String,
}

/// One mesh as the sandbox holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeshRecord {
    pub name: String,
    pub arn: String,
    pub uid: String,
    pub version: i64,
    /// Epoch milliseconds.
    pub created_ms: i64,
    pub updated_ms: i64,
    pub spec: Spec,
    pub tags: BTreeMap<String, String>,
    pub create_token: Option<TokenUse>,
    /// Oldest first, at most [`UPDATE_TOKENS_KEPT`].
    pub update_tokens: Vec<TokenUse>,
}

/// What is persisted: the meshes and the pagination-token secret. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    pub meshes: BTreeMap<String, Arc<MeshRecord>>,
    pub secret: Secret,
}

impl Data {
    pub fn empty() -> Self {
        Data {
            meshes: BTreeMap::new(),
            secret: token::new_secret(),
        }
    }
}

/// Changes since they were last taken: each touched mesh's name and its record before the change
/// (`None`: it did not exist), oldest first.
#[derive(Debug, Default)]
pub struct Changes(Vec<(String, Option<Arc<MeshRecord>>)>);

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends later changes.
    pub fn extend(&mut self, later: Changes) {
        self.0.extend(later.0);
    }
}

/// What a batch of changes left: the touched meshes as they are now, and the names gone.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    pub put: Vec<Arc<MeshRecord>>,
    pub delete: Vec<String>,
}

/// One page of ListTagsForResource: (key, value) pairs and the next token.
pub type TagPage = (Vec<(String, String)>, Option<String>);

/// The data plus derived indexes and settings.
pub struct State {
    data: Data,
    /// CreateMesh client token → mesh name.
    create_tokens: HashMap<String, String>,
    region: String,
    account: String,
    max_meshes: usize,
    /// `Some` when changes are tracked (see [`State::track_changes`]).
    changes: Option<Changes>,
}

/// Remembers that `name`, now `before`, is about to change, if changes are tracked. (A function
/// of the field, so that it can be called while a record of `data` is borrowed.)
fn note(changes: &mut Option<Changes>, name: &str, before: Option<&Arc<MeshRecord>>) {
    if let Some(c) = changes {
        c.0.push((name.to_string(), before.cloned()));
    }
}

/// Puts back the records `changes` replaced, newest first.
fn undo(data: &mut Data, changes: Changes) {
    for (name, before) in changes.0.into_iter().rev() {
        match before {
            Some(m) => data.meshes.insert(name, m),
            None => data.meshes.remove(&name),
        };
    }
}

fn create_fingerprint(name: &str, spec: &Spec, tags: &BTreeMap<String, String>) -> String {
    serde_json::to_string(&(name, spec.fingerprint(), tags)).expect("fingerprint serializes")
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

impl State {
    pub fn new(
        data: Data,
        region: impl Into<String>,
        account: impl Into<String>,
        max_meshes: usize,
    ) -> Self {
        let mut s = State {
            data,
            create_tokens: HashMap::new(),
            region: region.into(),
            account: account.into(),
            max_meshes,
            changes: None,
        };
        s.reindex();
        s
    }

    /// From now on, remember each change for [`State::take_changes`].
    pub fn track_changes(&mut self) {
        self.changes.get_or_insert_with(Changes::default);
    }

    /// Remembers that `name` is about to change, if changes are tracked.
    fn touch(&mut self, name: &str) {
        note(&mut self.changes, name, self.data.meshes.get(name));
    }

    /// The changes since the last call, and what they left.
    pub fn take_changes(&mut self) -> (Changes, Outcome) {
        let changes = self
            .changes
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        let mut names: Vec<&str> = changes.0.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let mut outcome = Outcome::default();
        for name in names {
            match self.data.meshes.get(name) {
                Some(m) => outcome.put.push(m.clone()),
                None => outcome.delete.push(name.to_string()),
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
            let pending = Changes(pending.0.clone());
            undo(&mut data, pending);
        }
        data
    }

    fn reindex(&mut self) {
        self.create_tokens = self
            .data
            .meshes
            .values()
            .filter_map(|m| {
                m.create_token
                    .as_ref()
                    .map(|t| (t.token.clone(), m.name.clone()))
            })
            .collect();
    }

    pub fn data(&self) -> &Data {
        &self.data
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn mesh_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:appmesh:{}:{}:mesh/{}",
            self.region, self.account, name
        )
    }

    fn not_found(name: &str) -> ApiError {
        ApiError::not_found(format!("mesh {name:?} not found"))
    }

    /// CreateMesh. Returns the mesh and whether anything changed.
    pub fn create_mesh(
        &mut self,
        req: CreateMeshInput,
        now_ms: i64,
    ) -> Result<(Arc<MeshRecord>, bool), ApiError> {
        let fingerprint = create_fingerprint(&req.name, &req.spec, &req.tags);
        if let Some(token) = &req.client_token
            && let Some(owner) = self.create_tokens.get(token)
        {
            let mesh = &self.data.meshes[owner];
            let used = mesh.create_token.as_ref().expect("indexed token exists");
            if used.request == fingerprint {
                return Ok((mesh.clone(), false));
            }
            return Err(ApiError::conflict(format!(
                "clientToken {token:?} was already used for a different CreateMesh request \
                 (mesh {owner:?}); use a new token for a new request"
            )));
        }
        if self.data.meshes.contains_key(&req.name) {
            return Err(ApiError::conflict(format!(
                "mesh {:?} already exists",
                req.name
            )));
        }
        if self.data.meshes.len() >= self.max_meshes {
            return Err(ApiError::limit_exceeded(format!(
                "the sandbox already holds {} meshes, its limit; delete meshes or restart it \
                 with a larger --max-meshes",
                self.max_meshes
            )));
        }
        let mesh = Arc::new(MeshRecord {
            arn: self.mesh_arn(&req.name),
            uid: uuid::Uuid::new_v4().to_string(),
            version: 1,
            created_ms: now_ms,
            updated_ms: now_ms,
            spec: req.spec,
            tags: req.tags,
            create_token: req.client_token.clone().map(|token| TokenUse {
                token,
                request: fingerprint,
            }),
            update_tokens: Vec::new(),
            name: req.name,
        });
        if let Some(t) = req.client_token {
            self.create_tokens.insert(t, mesh.name.clone());
        }
        self.touch(&mesh.name);
        self.data.meshes.insert(mesh.name.clone(), mesh.clone());
        Ok((mesh, true))
    }

    /// DescribeMesh. A `meshOwner` other than the sandbox's account is NotFoundException: the
    /// sandbox holds no meshes shared from other accounts.
    pub fn describe_mesh(
        &self,
        name: &str,
        mesh_owner: Option<&str>,
    ) -> Result<Arc<MeshRecord>, ApiError> {
        if let Some(owner) = mesh_owner
            && owner != self.account
        {
            return Err(ApiError::not_found(format!(
                "mesh {name:?} owned by account {owner} not found; the sandbox only holds \
                 meshes of account {}",
                self.account
            )));
        }
        self.data
            .meshes
            .get(name)
            .cloned()
            .ok_or_else(|| Self::not_found(name))
    }

    /// UpdateMesh.
    pub fn update_mesh(
        &mut self,
        name: &str,
        req: UpdateMeshInput,
        now_ms: i64,
    ) -> Result<(Arc<MeshRecord>, bool), ApiError> {
        let mesh = self
            .data
            .meshes
            .get_mut(name)
            .ok_or_else(|| Self::not_found(name))?;
        let fingerprint = req.spec.fingerprint();
        if let Some(token) = &req.client_token
            && let Some(used) = mesh.update_tokens.iter().find(|u| &u.token == token)
        {
            if used.request == fingerprint {
                return Ok((mesh.clone(), false));
            }
            return Err(ApiError::conflict(format!(
                "clientToken {token:?} was already used for an UpdateMesh of mesh {name:?} \
                 with a different spec; use a new token for a new request"
            )));
        }
        note(&mut self.changes, name, Some(mesh));
        let m = Arc::make_mut(mesh);
        m.spec = req.spec;
        m.version = m.version.saturating_add(1);
        // Keep timestamps strictly moving even if the clock is coarse or went back.
        m.updated_ms = now_ms.max(m.updated_ms.saturating_add(1));
        if let Some(token) = req.client_token {
            if m.update_tokens.len() >= UPDATE_TOKENS_KEPT {
                m.update_tokens.remove(0);
            }
            m.update_tokens.push(TokenUse {
                token,
                request: fingerprint,
            });
        }
        Ok((mesh.clone(), true))
    }

    /// DeleteMesh: removes the mesh with its tags and tokens and returns it.
    pub fn delete_mesh(&mut self, name: &str) -> Result<Arc<MeshRecord>, ApiError> {
        let mesh = self
            .data
            .meshes
            .remove(name)
            .ok_or_else(|| Self::not_found(name))?;
        note(&mut self.changes, name, Some(&mesh));
        if let Some(t) = &mesh.create_token {
            self.create_tokens.remove(&t.token);
        }
        Ok(mesh)
    }

    /// ListMeshes: up to `limit` meshes after the token's position, and the next token.
    pub fn list_meshes(
        &self,
        limit: usize,
        next_token: Option<&str>,
        now_secs: i64,
    ) -> Result<(Vec<Arc<MeshRecord>>, Option<String>), ApiError> {
        let start = match next_token {
            None => Bound::Unbounded,
            Some(t) => Bound::Excluded(
                token::verify(&self.data.secret, "meshes", t, now_secs).map_err(token_error)?,
            ),
        };
        let mut iter = self
            .data
            .meshes
            .range::<String, _>((start, Bound::Unbounded))
            .map(|(_, m)| m);
        let page: Vec<Arc<MeshRecord>> = iter.by_ref().take(limit).cloned().collect();
        let next = match (iter.next(), page.last()) {
            (Some(_), Some(last)) => Some(token::issue(
                &self.data.secret,
                "meshes",
                &last.name,
                now_secs,
            )),
            _ => None,
        };
        Ok((page, next))
    }

    /// The mesh an ARN names, for the tagging operations. Anything else is NotFoundException.
    fn mesh_by_arn(&self, arn: &str) -> Result<&Arc<MeshRecord>, ApiError> {
        if arn.is_empty() {
            return Err(ApiError::bad_request("resourceArn is required"));
        }
        let prefix = format!("arn:aws:appmesh:{}:{}:mesh/", self.region, self.account);
        arn.strip_prefix(&prefix)
            .and_then(|name| self.data.meshes.get(name))
            .filter(|m| m.arn == arn)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "resource {arn:?} not found; the sandbox holds meshes with ARNs like \
                     {prefix}NAME"
                ))
            })
    }

    /// TagResource: adds or overwrites keys; the result may hold at most 50 tags.
    pub fn tag_resource(
        &mut self,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<bool, ApiError> {
        let name = self.mesh_by_arn(arn)?.name.clone();
        let mesh = self.data.meshes.get_mut(&name).expect("found above");
        let new_keys = tags.keys().filter(|k| !mesh.tags.contains_key(*k)).count();
        let total = mesh.tags.len() + new_keys;
        if total > TAGS_MAX {
            return Err(ApiError::too_many_tags(format!(
                "the resource has {} tags and this request adds {new_keys} new keys; a resource \
                 can have at most {TAGS_MAX} tags",
                mesh.tags.len()
            )));
        }
        if tags.iter().all(|(k, v)| mesh.tags.get(k) == Some(v)) {
            return Ok(false);
        }
        note(&mut self.changes, &name, Some(mesh));
        Arc::make_mut(mesh).tags.extend(tags);
        Ok(true)
    }

    /// UntagResource: removes keys; unknown keys are fine.
    pub fn untag_resource(&mut self, arn: &str, keys: &[String]) -> Result<bool, ApiError> {
        let name = self.mesh_by_arn(arn)?.name.clone();
        let mesh = self.data.meshes.get_mut(&name).expect("found above");
        if !keys.iter().any(|k| mesh.tags.contains_key(k)) {
            return Ok(false);
        }
        note(&mut self.changes, &name, Some(mesh));
        let m = Arc::make_mut(mesh);
        for k in keys {
            m.tags.remove(k);
        }
        Ok(true)
    }

    /// ListTagsForResource, in key order, paginated like ListMeshes.
    pub fn list_tags(
        &self,
        arn: &str,
        limit: usize,
        next_token: Option<&str>,
        now_secs: i64,
    ) -> Result<TagPage, ApiError> {
        let mesh = self.mesh_by_arn(arn)?;
        let scope = format!("tags {arn}");
        let start = match next_token {
            None => Bound::Unbounded,
            Some(t) => Bound::Excluded(
                token::verify(&self.data.secret, &scope, t, now_secs).map_err(token_error)?,
            ),
        };
        let mut iter = mesh.tags.range::<String, _>((start, Bound::Unbounded));
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

    pub fn len(&self) -> usize {
        self.data.meshes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.meshes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::wire::parse_create_mesh;

    const NOW: i64 = 1_800_000_000_000;

    fn state(max: usize) -> State {
        State::new(Data::empty(), "eu-west-1", "111122223333", max)
    }

    fn create(name: &str, token: Option<&str>) -> CreateMeshInput {
        CreateMeshInput {
            name: name.into(),
            client_token: token.map(Into::into),
            spec: Spec::default(),
            tags: BTreeMap::new(),
        }
    }

    #[test]
    fn create_fills_metadata() {
        let mut s = state(10);
        let (m, changed) = s.create_mesh(create("a", None), NOW).unwrap();
        assert!(changed);
        assert_eq!(m.version, 1);
        assert_eq!(m.arn, "arn:aws:appmesh:eu-west-1:111122223333:mesh/a");
        assert_eq!((m.created_ms, m.updated_ms), (NOW, NOW));
        assert_eq!(m.spec.egress, EgressFilter::DropAll);
        assert_eq!(uuid::Uuid::parse_str(&m.uid).unwrap().get_version_num(), 4);
        let (m2, _) = s.create_mesh(create("b", None), NOW).unwrap();
        assert_ne!(m.uid, m2.uid);
    }

    #[test]
    fn duplicate_names_conflict_and_tokens_are_idempotent() {
        let mut s = state(10);
        let (m, _) = s.create_mesh(create("a", Some("t1")), NOW).unwrap();
        // Same token, same request: the same mesh, nothing changes.
        let (again, changed) = s.create_mesh(create("a", Some("t1")), NOW + 5).unwrap();
        assert!(!changed);
        assert_eq!(again, m);
        assert_eq!(s.len(), 1);
        // Same name, no token or another token: conflict.
        assert_eq!(
            s.create_mesh(create("a", None), NOW).unwrap_err().code,
            "ConflictException"
        );
        let e = s.create_mesh(create("a", Some("t2")), NOW).unwrap_err();
        assert_eq!(e.code, "ConflictException");
        assert!(e.message.contains("already exists"));
        // Same token, other request (other name, or other tags): conflict saying so.
        let e = s.create_mesh(create("b", Some("t1")), NOW).unwrap_err();
        assert_eq!(e.code, "ConflictException");
        assert!(e.message.contains("clientToken"), "{e:?}");
        let mut tagged = create("a", Some("t1"));
        tagged.tags.insert("k".into(), "v".into());
        assert_eq!(
            s.create_mesh(tagged, NOW).unwrap_err().code,
            "ConflictException"
        );
        assert_eq!(s.len(), 1);
        // After delete the token is forgotten: the name can be created again.
        s.delete_mesh("a").unwrap();
        let (m3, changed) = s.create_mesh(create("a", Some("t1")), NOW).unwrap();
        assert!(changed);
        assert_ne!(m3.uid, m.uid);
    }

    #[test]
    fn retry_after_update_returns_current_mesh() {
        let mut s = state(10);
        s.create_mesh(create("a", Some("t1")), NOW).unwrap();
        let upd = UpdateMeshInput {
            client_token: Some("u1".into()),
            spec: Spec {
                egress: EgressFilter::AllowAll,
                service_discovery: None,
            },
        };
        let (m, changed) = s.update_mesh("a", upd.clone(), NOW + 10).unwrap();
        assert!(changed);
        assert_eq!(m.version, 2);
        assert_eq!(m.created_ms, NOW);
        assert_eq!(m.updated_ms, NOW + 10);
        // Retrying the update: same result, no bump.
        let (m2, changed) = s.update_mesh("a", upd.clone(), NOW + 20).unwrap();
        assert!(!changed);
        assert_eq!(m2, m);
        // Same token, other spec: conflict.
        let other = UpdateMeshInput {
            client_token: Some("u1".into()),
            spec: Spec::default(),
        };
        assert_eq!(
            s.update_mesh("a", other, NOW).unwrap_err().code,
            "ConflictException"
        );
        // No token: always a new version; spec omitted means defaults.
        let (m3, _) = s
            .update_mesh(
                "a",
                UpdateMeshInput {
                    client_token: None,
                    spec: Spec::default(),
                },
                NOW,
            )
            .unwrap();
        assert_eq!(m3.version, 3);
        assert_eq!(m3.spec, Spec::default());
        assert!(m3.updated_ms > m.updated_ms, "timestamps keep moving");
        let (c, changed) = s.create_mesh(create("a", Some("t1")), NOW).unwrap();
        assert!(!changed);
        assert_eq!(c.version, 3);
        assert_eq!(
            s.update_mesh("zz", upd, NOW).unwrap_err().code,
            "NotFoundException"
        );
    }

    #[test]
    fn update_tokens_are_bounded() {
        let mut s = state(10);
        s.create_mesh(create("a", None), NOW).unwrap();
        for i in 0..20 {
            let u = UpdateMeshInput {
                client_token: Some(format!("u{i}")),
                spec: Spec::default(),
            };
            s.update_mesh("a", u, NOW).unwrap();
        }
        let m = s.describe_mesh("a", None).unwrap();
        assert_eq!(m.update_tokens.len(), UPDATE_TOKENS_KEPT);
        assert_eq!(m.update_tokens.last().unwrap().token, "u19");
        assert_eq!(m.version, 21);
    }

    #[test]
    fn limit_and_describe_owner() {
        let mut s = state(2);
        s.create_mesh(create("a", Some("t")), NOW).unwrap();
        s.create_mesh(create("b", None), NOW).unwrap();
        let e = s.create_mesh(create("c", None), NOW).unwrap_err();
        assert_eq!(e.code, "LimitExceededException");
        // A retry still answers at the limit.
        assert!(s.create_mesh(create("a", Some("t")), NOW).is_ok());
        assert!(s.describe_mesh("a", Some("111122223333")).is_ok());
        assert_eq!(
            s.describe_mesh("a", Some("999999999999")).unwrap_err().code,
            "NotFoundException"
        );
        assert_eq!(
            s.describe_mesh("zz", None).unwrap_err().code,
            "NotFoundException"
        );
    }

    #[test]
    fn pagination_visits_every_mesh_once_in_order() {
        let mut s = state(1000);
        for i in (0..250).rev() {
            s.create_mesh(create(&format!("m{i:03}"), None), NOW)
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let (page, next) = s.list_meshes(100, token.as_deref(), 100).unwrap();
            seen.extend(page.iter().map(|m| m.name.clone()));
            pages += 1;
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        let expected: Vec<String> = (0..250).map(|i| format!("m{i:03}")).collect();
        assert_eq!(seen, expected);
        // Exactly one full page: no token.
        let (page, next) = s.list_meshes(250, None, 100).unwrap();
        assert_eq!((page.len(), next), (250, None));
        // A mesh deleted between pages does not break the walk.
        let (_, next) = s.list_meshes(10, None, 100).unwrap();
        s.delete_mesh("m009").unwrap();
        let (page, _) = s.list_meshes(1, next.as_deref(), 100).unwrap();
        assert_eq!(page[0].name, "m010");
    }

    #[test]
    fn bad_tokens_are_bad_requests() {
        let mut s = state(10);
        for n in ["a", "b", "c"] {
            s.create_mesh(create(n, None), NOW).unwrap();
        }
        let (_, next) = s.list_meshes(1, None, 100).unwrap();
        let t = next.unwrap();
        for bad in ["garbage", "", &format!("{t}00"), &t[..t.len() - 2]] {
            let e = s.list_meshes(1, Some(bad), 100).unwrap_err();
            assert_eq!(e.code, "BadRequestException", "{bad}");
            assert!(e.message.contains("nextToken"));
        }
        // A token from another sandbox state.
        let other = state(10);
        assert_eq!(
            other.list_meshes(1, Some(&t), 100).unwrap_err().code,
            "BadRequestException"
        );
        // Stale: expired.
        let e = s
            .list_meshes(1, Some(&t), 100 + token::TOKEN_TTL_SECS + 1)
            .unwrap_err();
        assert!(e.message.contains("expired"));
        // A ListMeshes token is not a ListTagsForResource token.
        let arn = s.mesh_arn("a");
        assert!(
            s.list_tags(&arn, 1, Some(&t), 100)
                .unwrap_err()
                .message
                .contains("another list")
        );
    }

    #[test]
    fn tagging() {
        let mut s = state(10);
        let body = br#"{"meshName":"a","tags":[{"key":"k1","value":"v1"}]}"#;
        s.create_mesh(parse_create_mesh(body).unwrap(), NOW)
            .unwrap();
        let arn = s.mesh_arn("a");
        let tags = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(
            s.tag_resource(&arn, tags(&[("k1", "new"), ("k2", "")]))
                .unwrap()
        );
        assert!(!s.tag_resource(&arn, tags(&[("k2", "")])).unwrap());
        let (all, next) = s.list_tags(&arn, 50, None, 0).unwrap();
        assert_eq!(next, None);
        assert_eq!(
            all,
            vec![("k1".into(), "new".into()), ("k2".into(), "".into())]
        );
        assert!(
            s.untag_resource(&arn, &["k1".into(), "nope".into()])
                .unwrap()
        );
        assert!(!s.untag_resource(&arn, &["nope".into()]).unwrap());
        assert_eq!(s.list_tags(&arn, 50, None, 0).unwrap().0.len(), 1);
        // Merged set over 50.
        let many: BTreeMap<String, String> =
            (0..49).map(|i| (format!("x{i}"), String::new())).collect();
        assert!(s.tag_resource(&arn, many).unwrap());
        let e = s.tag_resource(&arn, tags(&[("y", "")])).unwrap_err();
        assert_eq!(e.code, "TooManyTagsException");
        // Overwriting existing keys at 50 is fine.
        assert!(s.tag_resource(&arn, tags(&[("x1", "z")])).unwrap());
        // Pagination over tags.
        let (p1, t1) = s.list_tags(&arn, 20, None, 0).unwrap();
        let (p2, t2) = s.list_tags(&arn, 20, t1.as_deref(), 0).unwrap();
        let (p3, t3) = s.list_tags(&arn, 20, t2.as_deref(), 0).unwrap();
        assert_eq!((p1.len(), p2.len(), p3.len(), t3), (20, 20, 10, None));
        // A tags token for one ARN is not valid for another.
        s.create_mesh(create("b", None), NOW).unwrap();
        let e = s
            .list_tags(&s.mesh_arn("b"), 20, t1.as_deref(), 0)
            .unwrap_err();
        assert_eq!(e.code, "BadRequestException");
        // Unknown ARNs.
        for arn in [
            "arn:aws:appmesh:eu-west-1:111122223333:mesh/nope",
            "arn:aws:appmesh:us-east-1:111122223333:mesh/a",
            "arn:aws:appmesh:eu-west-1:111122223333:mesh/a/virtualNode/n",
            "not-an-arn",
        ] {
            assert_eq!(
                s.list_tags(arn, 5, None, 0).unwrap_err().code,
                "NotFoundException"
            );
            assert_eq!(
                s.tag_resource(arn, BTreeMap::new()).unwrap_err().code,
                "NotFoundException"
            );
            assert_eq!(
                s.untag_resource(arn, &[]).unwrap_err().code,
                "NotFoundException"
            );
        }
        // Delete removes the tags with the mesh.
        s.delete_mesh("a").unwrap();
        assert_eq!(
            s.list_tags(&arn, 5, None, 0).unwrap_err().code,
            "NotFoundException"
        );
    }

    /// Every kind of change is tracked: what a batch left, and undoing it (with the changes made
    /// after it) gives back the data and the token index as they were.
    #[test]
    fn changes_are_taken_and_reverted() {
        let mut s = state(10);
        s.create_mesh(create("kept", Some("t-kept")), NOW).unwrap();
        s.create_mesh(create("gone", None), NOW).unwrap();
        // Not tracked yet: nothing to take.
        assert!(s.take_changes().0.is_empty());
        s.track_changes();
        let before = s.data().clone();
        let arn = s.mesh_arn("kept");

        s.create_mesh(create("new", Some("t-new")), NOW).unwrap();
        s.update_mesh(
            "kept",
            UpdateMeshInput {
                client_token: None,
                spec: Spec {
                    egress: EgressFilter::AllowAll,
                    service_discovery: None,
                },
            },
            NOW + 1,
        )
        .unwrap();
        s.tag_resource(&arn, BTreeMap::from([("k".into(), "v".into())]))
            .unwrap();
        s.untag_resource(&arn, &["k".into()]).unwrap();
        s.delete_mesh("gone").unwrap();
        // A failed or idempotent request changes nothing and is not tracked.
        assert!(s.create_mesh(create("kept", None), NOW).is_err());
        let (_, changed) = s.create_mesh(create("new", Some("t-new")), NOW).unwrap();
        assert!(!changed);

        let after = s.data().clone();
        let (changes, outcome) = s.take_changes();
        let put: Vec<_> = outcome
            .put
            .iter()
            .map(|m| (m.name.as_str(), m.version))
            .collect();
        assert_eq!(put, [("kept", 2), ("new", 1)]);
        assert_eq!(outcome.delete, ["gone"]);
        assert!(s.take_changes().0.is_empty(), "taken once");

        // A change after the batch, then the batch's write fails: both are undone.
        s.create_mesh(create("later", Some("t-later")), NOW)
            .unwrap();
        assert_eq!(s.data_without_pending(), after);
        s.revert(changes);
        assert_eq!(s.data(), &before);
        assert!(s.take_changes().0.is_empty());
        // The token index follows: the reverted token is free, the kept one still answers.
        let (m, changed) = s.create_mesh(create("new", Some("t-new")), NOW).unwrap();
        assert!(changed && m.version == 1);
        let (m, changed) = s.create_mesh(create("kept", Some("t-kept")), NOW).unwrap();
        assert!(!changed && m.name == "kept");
        assert!(s.data().meshes.contains_key("gone"));
        assert!(!s.data().meshes.contains_key("later"));
    }
}
