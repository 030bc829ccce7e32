//! The state file: its JSON format, loading (with every record checked against the service
//! model), the lock, atomic writes, and the [`Store`] that keeps the state durable with the
//! journal beside the file.
//!
//! Format 2 (`"format": 2`): `{"format":2, "tokenSecret":"<64 hex>", "journalSeq":N,
//! "resources":[{...}]}` where each resource holds its region, kind, mesh, parent (routes and
//! gateway routes), name, uid, version, times in epoch milliseconds, spec in the wire form, tags,
//! and the client tokens remembered for idempotency. `journalSeq` is the last journal record the
//! file holds (see [`super::journal`]). Format 1 (meshes only, written before the sandbox knew
//! every kind) is read and converted; the next write is format 2.
//!
//! The state file is only ever replaced whole: a temporary file in the same directory, fsynced,
//! renamed over the state file, and the directory fsynced, so a crash at any moment leaves the
//! old or the new file, and the file always parses. Changes between two such writes are records
//! in the journal. A lock file beside the state file (`<file>.lock`, held with `File::try_lock`
//! for the life of the sandbox) keeps two sandboxes (or `sandbox seed`) from using one state file
//! at once; the lock cannot be on the state file itself because each write replaces that file.
//! A state path that is a symbolic link is followed first ([`resolve`]), so the real file is
//! the one locked, read and replaced, whichever link names it.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::SandboxError;
use super::journal;
use super::quota::{Quota, Quotas};
use super::state::{Data, Loc, Outcome, Record, TokenUse, raw};
use super::token;
use crate::kind::{Key, Kind};
use crate::shape;

pub const FORMAT: u32 = 2;

/// Largest state file or journal the sandbox reads (far above what the quotas-off budget of
/// 100,000 resources takes, about 50 MB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

// The file's shapes. Writing borrows from the state (a write serializes every resource, often);
// reading owns.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileResOut<'a> {
    region: &'a str,
    kind: Kind,
    mesh_name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    parent_name: &'a str,
    name: &'a str,
    uid: &'a str,
    version: i64,
    created_at_ms: i64,
    last_updated_at_ms: i64,
    spec: &'a RawValue,
    tags: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    create_token: Option<FileToken>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    update_tokens: Vec<FileToken>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FileResIn {
    region: String,
    kind: Kind,
    mesh_name: String,
    #[serde(default)]
    parent_name: String,
    name: String,
    uid: String,
    version: i64,
    created_at_ms: i64,
    last_updated_at_ms: i64,
    #[serde(default)]
    spec: Value,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    create_token: Option<FileToken>,
    #[serde(default)]
    update_tokens: Vec<FileToken>,
}

/// A mesh as format 1 (and journals written before format 2) held it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LegacyMesh {
    mesh_name: String,
    arn: String,
    uid: String,
    version: i64,
    created_at_ms: i64,
    last_updated_at_ms: i64,
    spec: LegacySpec,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    create_token: Option<FileToken>,
    #[serde(default)]
    update_tokens: Vec<FileToken>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LegacySpec {
    egress_filter: String,
    #[serde(default)]
    service_discovery: Option<LegacyServiceDiscovery>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LegacyServiceDiscovery {
    #[serde(default)]
    ip_preference: Option<String>,
}

/// Where a deleted resource was (journal records).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FileLoc {
    region: String,
    kind: Kind,
    mesh_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    parent_name: String,
    name: String,
}

impl FileLoc {
    pub(super) fn of(loc: &Loc) -> FileLoc {
        FileLoc {
            region: loc.region.clone(),
            kind: loc.key.kind,
            mesh_name: loc.key.mesh.to_string(),
            parent_name: loc.key.parent.to_string(),
            name: loc.key.name.to_string(),
        }
    }

    pub(super) fn into_loc(self) -> Loc {
        Loc::new(
            self.region,
            Key::new(self.kind, self.mesh_name, self.parent_name, self.name),
        )
    }
}

#[derive(Serialize, Deserialize)]
struct FileToken {
    token: String,
    request: String,
}

impl FileToken {
    fn of(t: &TokenUse) -> Self {
        FileToken {
            token: t.token.clone(),
            request: t.request.clone(),
        }
    }
    fn into_use(self) -> TokenUse {
        TokenUse {
            token: self.token,
            request: self.request,
        }
    }
}

/// One resource as the state file and the journal write it.
pub(super) fn write_resource(r: &Record, out: &mut Vec<u8>) {
    let k = r.key();
    let f = FileResOut {
        region: &r.loc.region,
        kind: k.kind,
        mesh_name: &k.mesh,
        parent_name: &k.parent,
        name: &k.name,
        uid: &r.uid,
        version: r.version,
        created_at_ms: r.created_ms,
        last_updated_at_ms: r.updated_ms,
        spec: &r.spec,
        tags: &r.tags,
        create_token: r.create_token.as_ref().map(FileToken::of),
        update_tokens: r.update_tokens.iter().map(FileToken::of).collect(),
    };
    serde_json::to_writer(out, &f).expect("a resource serializes");
}

/// Checks a value read from a file as strictly as a request: the name by its shape, the spec by
/// the model, the tags by their shapes and quota. The error names the field.
fn check_read(
    loc: &Loc,
    spec: &Value,
    tags: &BTreeMap<String, String>,
    quotas: &Quotas,
) -> Result<(), String> {
    let model = shape::model();
    let k = &loc.key;
    let info = k.kind.info();
    let mut problems = Vec::new();
    if loc.region.is_empty()
        || loc.region.len() > 64
        || !loc
            .region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        problems.push(shape::Problem::new(
            "region",
            format!("{:?} is not a region name", loc.region),
        ));
    }
    let name_shape = model
        .structure(info.data_shape)
        .and_then(|s| s.member(info.name_member))
        .map(|m| m.shape.as_str())
        .unwrap_or("ResourceName");
    problems.extend(shape::validate(
        model,
        name_shape,
        &Value::from(k.name.as_str()),
        "name",
    ));
    if k.kind != Kind::Mesh {
        problems.extend(shape::validate(
            model,
            "ResourceName",
            &Value::from(k.mesh.as_str()),
            "meshName",
        ));
    }
    if info.parent.is_some() {
        problems.extend(shape::validate(
            model,
            "ResourceName",
            &Value::from(k.parent.as_str()),
            "parentName",
        ));
    }
    for (label, s) in [
        ("name", &k.name),
        ("meshName", &k.mesh),
        ("parentName", &k.parent),
    ] {
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            problems.push(shape::Problem::new(
                label,
                format!("holds the control character U+{:04X}", c as u32),
            ));
        }
    }
    problems.extend(shape::validate(model, info.spec_shape, spec, "spec"));
    let tag_list = Value::Array(
        tags.iter()
            .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
            .collect(),
    );
    problems.extend(
        shape::validate(model, "TagList", &tag_list, "tags")
            .into_iter()
            .filter(|p| !p.rule.starts_with("must have at most")),
    );
    if let Some(max) = quotas.get(Quota::Tags)
        && tags.len() > max
    {
        problems.push(shape::Problem::new(
            "tags",
            format!(
                "has {} tags; the tags quota is {max} (start with --quota tags=N to allow more)",
                tags.len()
            ),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(shape::problems_message(&problems))
    }
}

impl FileResIn {
    /// The record this entry describes, checked; the error names the resource and the field.
    pub(super) fn into_record(self, quotas: &Quotas) -> Result<Record, String> {
        let loc = Loc::new(
            self.region,
            Key::new(self.kind, self.mesh_name, self.parent_name, self.name),
        );
        let spec = match self.spec {
            Value::Null => Value::Object(Default::default()),
            v => v,
        };
        check_read(&loc, &spec, &self.tags, quotas)
            .map_err(|e| format!("{} ({}): {e}", loc.key.describe(), loc.region))?;
        if self.version < 1 {
            return Err(format!(
                "{} has version {}; versions start at 1",
                loc.key.describe(),
                self.version
            ));
        }
        let spec = shape::prune(shape::model(), loc.key.kind.info().spec_shape, &spec);
        Ok(Record {
            loc,
            uid: self.uid,
            version: self.version,
            created_ms: self.created_at_ms,
            updated_ms: self.last_updated_at_ms,
            spec: raw(&spec),
            tags: self.tags,
            create_token: self.create_token.map(FileToken::into_use),
            update_tokens: self
                .update_tokens
                .into_iter()
                .map(FileToken::into_use)
                .collect(),
        })
    }
}

impl LegacyMesh {
    /// A format-1 mesh as a record: its region from its ARN, its spec in the wire form.
    pub(super) fn into_record(self, quotas: &Quotas) -> Result<Record, String> {
        let region = self
            .arn
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                format!(
                    "mesh {:?} has an ARN without a region: {:?}",
                    self.mesh_name, self.arn
                )
            })?
            .to_string();
        let mut spec = serde_json::json!({"egressFilter": {"type": self.spec.egress_filter}});
        if let Some(sd) = self.spec.service_discovery {
            spec["serviceDiscovery"] = match sd.ip_preference {
                Some(p) => serde_json::json!({"ipPreference": p}),
                None => serde_json::json!({}),
            };
        }
        FileResIn {
            region,
            kind: Kind::Mesh,
            mesh_name: self.mesh_name.clone(),
            parent_name: String::new(),
            name: self.mesh_name,
            uid: self.uid,
            version: self.version,
            created_at_ms: self.created_at_ms,
            last_updated_at_ms: self.last_updated_at_ms,
            spec,
            tags: self.tags,
            create_token: self.create_token,
            update_tokens: self.update_tokens,
        }
        .into_record(quotas)
    }
}

/// The state file's bytes for `data`, holding no journal records.
pub fn encode(data: &Data) -> Vec<u8> {
    Encoder::default().encode(data, 0)
}

/// Encodes the state file again and again (the writer's job), keeping each resource's encoded
/// bytes for as long as it is unchanged. Records are immutable behind their `Arc` (a change
/// makes a new record), so the same `Arc` means the same bytes; a write then costs copying the
/// unchanged resources plus encoding the changed ones, not encoding everything.
#[derive(Default)]
pub struct Encoder {
    cache: std::collections::HashMap<Loc, (Arc<Record>, Vec<u8>)>,
}

impl Encoder {
    /// The state file for `data`, which holds the journal's records up to `journal_seq`.
    pub fn encode(&mut self, data: &Data, journal_seq: u64) -> Vec<u8> {
        let mut previous = std::mem::take(&mut self.cache);
        let mut out = Vec::with_capacity(300 * data.resources.len() + 128);
        out.extend_from_slice(format!("{{\"format\":{FORMAT},\"tokenSecret\":").as_bytes());
        serde_json::to_writer(&mut out, &token::secret_to_hex(&data.secret))
            .expect("a string serializes");
        out.extend_from_slice(format!(",\"journalSeq\":{journal_seq},\"resources\":[").as_bytes());
        for (i, (loc, rec)) in data.resources.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let bytes = match previous.remove(loc) {
                Some((cached, bytes)) if Arc::ptr_eq(&cached, rec) => bytes,
                _ => {
                    let mut b = Vec::with_capacity(300);
                    write_resource(rec, &mut b);
                    b
                }
            };
            out.extend_from_slice(&bytes);
            self.cache.insert(loc.clone(), (Arc::clone(rec), bytes));
        }
        out.extend_from_slice(b"]}\n");
        out
    }
}

/// Parses a state file's bytes (checking every resource against the model and `quotas`). The
/// error says what is wrong, for a message naming the file.
pub fn decode(bytes: &[u8], quotas: &Quotas) -> Result<Data, String> {
    decode_snapshot(bytes, quotas).map(|(data, _)| data)
}

/// Reads a format-2 state file's object (`tokenSecret`, `journalSeq`, `resources`; other
/// members are ignored), turning each resource into a [`Record`] as it is read. A resource
/// that fails its checks stops the parse; why is left in `refused` (the parser's own error
/// would add a line and column to it).
struct V2Seed<'a> {
    quotas: &'a Quotas,
    refused: &'a std::cell::RefCell<Option<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for V2Seed<'_> {
    type Value = (String, u64, Vec<Record>);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for V2Seed<'_> {
    type Value = (String, u64, Vec<Record>);

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sandbox state object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let (mut secret, mut seq, mut records) = (None, 0u64, None);
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*k {
                "tokenSecret" => secret = Some(map.next_value::<String>()?),
                "journalSeq" => seq = map.next_value()?,
                "resources" => {
                    records = Some(map.next_value_seed(RecordsSeed {
                        quotas: self.quotas,
                        refused: self.refused,
                    })?)
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let secret = secret.ok_or_else(|| A::Error::missing_field("tokenSecret"))?;
        let records = records.ok_or_else(|| A::Error::missing_field("resources"))?;
        Ok((secret, seq, records))
    }
}

/// The `resources` array of a format-2 state file, each checked as it is read.
struct RecordsSeed<'a> {
    quotas: &'a Quotas,
    refused: &'a std::cell::RefCell<Option<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for RecordsSeed<'_> {
    type Value = Vec<Record>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RecordsSeed<'_> {
    type Value = Vec<Record>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of resources")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(r) = seq.next_element::<FileResIn>()? {
            match r.into_record(self.quotas) {
                Ok(rec) => out.push(rec),
                Err(e) => {
                    let why = format!("resource {}: {e}", out.len() + 1);
                    *self.refused.borrow_mut() = Some(why.clone());
                    return Err(serde::de::Error::custom(why));
                }
            }
        }
        Ok(out)
    }
}

/// Parses a state file's bytes into its data and the last journal record it holds.
fn decode_snapshot(bytes: &[u8], quotas: &Quotas) -> Result<(Data, u64), String> {
    #[derive(Deserialize)]
    struct Probe {
        format: Option<u32>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct V1 {
        token_secret: String,
        #[serde(default)]
        journal_seq: u64,
        meshes: Vec<LegacyMesh>,
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let bad = |e: serde_json::Error| format!("not a valid sandbox state: {e}");
    let (secret, seq, records) = match probe.format {
        Some(FORMAT) => {
            // Each resource is checked and made a record as soon as it is parsed: the parsed
            // form (specs as `Value`s, several times the size of the file) never exists for
            // all of them at once, and the heap is not left full of holes between the records
            // that stay.
            let refused = std::cell::RefCell::new(None);
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let f = serde::de::DeserializeSeed::deserialize(
                V2Seed {
                    quotas,
                    refused: &refused,
                },
                &mut de,
            )
            .and_then(|f| de.end().map(|()| f));
            match (f, refused.into_inner()) {
                (_, Some(why)) => return Err(why),
                (Err(e), None) => return Err(bad(e)),
                (Ok(f), None) => f,
            }
        }
        Some(1) => {
            let f: V1 = serde_json::from_slice(bytes).map_err(bad)?;
            let records = f
                .meshes
                .into_iter()
                .enumerate()
                .map(|(i, m)| {
                    m.into_record(quotas)
                        .map_err(|e| format!("mesh {}: {e}", i + 1))
                })
                .collect::<Result<Vec<_>, _>>()?;
            (f.token_secret, f.journal_seq, records)
        }
        Some(n) => {
            return Err(format!(
                "it has format {n}, this appmesh-tui reads formats 1 and {FORMAT} (a newer version wrote it?)"
            ));
        }
        None => return Err("it has no \"format\" field; it is not a sandbox state file".into()),
    };
    let secret =
        token::secret_from_hex(&secret).ok_or("tokenSecret is not 64 hexadecimal digits")?;
    // The file lists resources in key order (see `encode`), so sorting costs one pass, a
    // duplicate sits next to its twin, and the map is built in one go rather than by 100,000
    // searches from the root.
    let mut records = records;
    records.sort_by(|a, b| a.loc.cmp(&b.loc));
    if let Some(w) = records.windows(2).find(|w| w[0].loc == w[1].loc) {
        let loc = &w[0].loc;
        return Err(format!(
            "{} ({}) appears twice",
            loc.key.describe(),
            loc.region
        ));
    }
    let resources = records
        .into_iter()
        .map(|rec| (rec.loc.clone(), Arc::new(rec)))
        .collect();
    Ok((Data { resources, secret }, seq))
}

/// Follows `path` through symbolic links to the file it names (which may not exist yet), so
/// that the real file is what gets locked, read and replaced.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Ok(_) => return fs::canonicalize(&p),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // A new file: its directory's real path, and its own name.
                let name = p.file_name().map(|n| n.to_os_string()).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidInput, "the path names no file")
                })?;
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let dir = fs::canonicalize(&dir).unwrap_or(dir);
                return Ok(dir.join(name));
            }
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Reads a file of the state (the state file or its journal): `None` if it does not exist.
/// Refuses what is not a regular file (a FIFO or device would never end) and files over
/// [`MAX_FILE_BYTES`].
pub fn read_bounded(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Err(io::Error::other(
            "it is not a regular file (a directory, device or pipe)",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(io::Error::other(format!(
            "it is {} bytes, more than the {} bytes the sandbox reads",
            meta.len(),
            MAX_FILE_BYTES
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::other(format!(
            "it grew past the {MAX_FILE_BYTES} bytes the sandbox reads while being read"
        )));
    }
    Ok(Some(bytes))
}

/// What is on disk: the state file's data with the journal's newer records applied.
struct OnDisk {
    /// `None`: there is no state file (and no journal).
    data: Option<Data>,
    /// The state file exists (`data` may come from the journal alone).
    state_file: bool,
    /// The last record number in use.
    last_seq: u64,
    /// Bytes of the journal that are whole records.
    journal_len: u64,
    /// The journal has records or a torn end: folding it into the state file is due.
    journal_in_use: bool,
}

fn read_disk(path: &Path, quotas: &Quotas) -> Result<OnDisk, SandboxError> {
    let unreadable = |reason: String| SandboxError::StateUnreadable {
        path: path.to_path_buf(),
        reason,
    };
    let (data, folded_seq) = match read_bounded(path).map_err(|e| unreadable(e.to_string()))? {
        Some(bytes) => {
            let (data, seq) = decode_snapshot(&bytes, quotas).map_err(unreadable)?;
            (Some(data), seq)
        }
        None => (None, 0),
    };
    let jpath = journal::path_for(path);
    let journal_unreadable = |reason: String| SandboxError::JournalUnreadable {
        path: jpath.clone(),
        state: path.to_path_buf(),
        reason,
    };
    let bytes = read_bounded(&jpath).map_err(|e| journal_unreadable(e.to_string()))?;
    let Some(bytes) = bytes else {
        return Ok(OnDisk {
            state_file: data.is_some(),
            data,
            last_seq: folded_seq,
            journal_len: 0,
            journal_in_use: false,
        });
    };
    let contents = journal::decode(&bytes, quotas).map_err(journal_unreadable)?;
    let state_file = data.is_some();
    let mut last_seq = folded_seq;
    let mut data = data;
    for record in contents.records {
        if record.seq <= folded_seq {
            continue; // the state file holds it already
        }
        if record.seq != last_seq + 1 {
            return Err(journal_unreadable(format!(
                "record {} follows {}: the records in between are missing, so changes that were \
                 acknowledged are gone",
                record.seq, last_seq
            )));
        }
        last_seq = record.seq;
        let d = data.get_or_insert_with(Data::empty);
        for gone in record.delete {
            match gone {
                journal::Removal::At(loc) => {
                    d.resources.remove(&loc);
                }
                journal::Removal::LegacyMesh(name) => d
                    .resources
                    .retain(|l, _| !(l.key.kind == Kind::Mesh && l.key.name == name)),
            }
        }
        for r in record.put {
            d.resources.insert(r.loc.clone(), Arc::new(r));
        }
    }
    Ok(OnDisk {
        data,
        state_file,
        last_seq,
        journal_len: contents.valid_len,
        journal_in_use: !bytes.is_empty(),
    })
}

/// Reads the state file (following links) and its journal, checking every resource against the
/// model and `quotas`; no state file is `None` (start empty).
pub fn load(path: &Path, quotas: &Quotas) -> Result<Option<Data>, SandboxError> {
    let path = resolve(path).map_err(|e| SandboxError::StateUnreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    read_disk(&path, quotas).map(|d| d.data)
}

/// A file of the state could not be written.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub source: io::Error,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.source)
    }
}

/// A journal at least this long is folded into the state file even when the file is smaller.
pub const FOLD_AT_LEAST: u64 = 1 << 20;

/// The sandbox's durable state: the state file, its journal and the lock, for one writer.
///
/// A change is durable once its journal record is (one append and one fsync, however many
/// meshes the state holds). When the journal has grown as long as the state file (and at least
/// [`FOLD_AT_LEAST`]), the state is folded into a new state file, written atomically (temporary
/// file, fsync, rename, fsync the directory), and the journal is emptied; so a change costs its
/// own size plus, spread over many changes, about one more copy of it. The first change to a new
/// state file writes the file itself, and a clean stop folds everything in and removes the
/// journal, leaving the state file alone and complete.
pub struct Store {
    path: PathBuf,
    _lock: StateLock,
    encoder: Encoder,
    journal: journal::Journal,
    state_file_exists: bool,
    state_file_len: u64,
    /// The last journal record number in use (written, or failed and cut off).
    last_seq: u64,
    fold_at_least: u64,
}

impl Store {
    /// Takes the lock and reads the state file and its journal (no file: an empty state). A
    /// journal left by a sandbox that did not stop cleanly is folded in now, when that works.
    pub fn open(path: &Path, quotas: &Quotas) -> Result<(Store, Data), SandboxError> {
        let path = &resolve(path).map_err(|e| SandboxError::StateDir {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let lock = lock(path)?;
        let disk = read_disk(path, quotas)?;
        let state_file_len = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let mut store = Store {
            path: path.to_path_buf(),
            _lock: lock,
            encoder: Encoder::default(),
            journal: journal::Journal::new(journal::path_for(path), disk.journal_len),
            state_file_exists: disk.state_file,
            state_file_len,
            last_seq: disk.last_seq,
            fold_at_least: FOLD_AT_LEAST,
        };
        let data = disk.data.unwrap_or_else(Data::empty);
        if disk.journal_in_use {
            // Not now (a full disk, say): the journal stays valid and is folded in later.
            let _ = store.fold(&data);
        }
        Ok((store, data))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn journal_path(&self) -> &Path {
        self.journal.path()
    }

    /// There is no state file yet: the first change must be written with [`Store::replace`].
    pub fn needs_state_file(&self) -> bool {
        !self.state_file_exists
    }

    /// Makes a batch of changes durable: one journal record with the resources as they are now
    /// and those deleted. On error nothing of it counts.
    pub fn commit(&mut self, outcome: &Outcome) -> Result<(), WriteError> {
        if outcome.put.is_empty() && outcome.delete.is_empty() {
            return Ok(());
        }
        // Records are numbered without gaps, so a record missing from the middle is noticed on
        // load. A failed append gives its number to the next one: its bytes are cut off before
        // anything is appended after them (see `Journal::append`).
        let seq = self.last_seq + 1;
        let record = journal::encode(seq, &outcome.put, &outcome.delete);
        self.journal.append(&record).map_err(|source| WriteError {
            path: self.journal.path().to_path_buf(),
            source,
        })?;
        self.last_seq = seq;
        Ok(())
    }

    /// Makes `data` durable by writing it as the whole state file (the first change to a new
    /// file; `sandbox seed`, which adds many resources at once).
    pub fn replace(&mut self, data: &Data) -> Result<(), WriteError> {
        self.fold(data)
    }

    /// The journal is long enough to fold into the state file.
    pub fn fold_due(&self) -> bool {
        self.journal.len() >= self.fold_at_least.max(self.state_file_len)
    }

    /// Writes `data`, the durable state (the state file with every journal record so far), into
    /// a new state file, then empties the journal. The state stays durable whatever fails here:
    /// until the new file is in place, the journal holds it.
    pub fn fold(&mut self, data: &Data) -> Result<(), WriteError> {
        let bytes = self.encoder.encode(data, self.last_seq);
        write_atomic(&self.path, &bytes).map_err(|source| WriteError {
            path: self.path.clone(),
            source,
        })?;
        self.state_file_exists = true;
        self.state_file_len = bytes.len() as u64;
        // The state file holds everything now, so this counts as done: records up to
        // `last_seq` are skipped on load, and a journal file that cannot be cut now is cut
        // before the next append (which fails if that fails too).
        let _ = self.journal.clear();
        Ok(())
    }

    /// On a clean stop, with the durable state: folds the journal in and removes it.
    pub fn close(&mut self, data: &Data) -> Result<(), WriteError> {
        if !self.journal.is_empty() {
            self.fold(data)?;
        }
        self.journal.remove().map_err(|source| WriteError {
            path: self.journal.path().to_path_buf(),
            source,
        })
    }

    #[cfg(test)]
    fn fold_at(&mut self, bytes: u64) {
        self.fold_at_least = bytes;
    }
}

/// The lock file held while a sandbox or `seed` uses a state file.
pub struct StateLock {
    _file: File,
}

pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Creates the state file's directory if needed and takes the lock.
pub fn lock(path: &Path) -> Result<StateLock, SandboxError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| SandboxError::StateDir {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
    }
    let lp = lock_path(path);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lp)
        .map_err(|e| SandboxError::StateDir {
            path: lp.clone(),
            reason: e.to_string(),
        })?;
    match file.try_lock() {
        Ok(()) => {
            remove_stale_temp_files(path);
            Ok(StateLock { _file: file })
        }
        Err(fs::TryLockError::WouldBlock) => Err(SandboxError::StateLocked {
            path: path.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(SandboxError::StateDir {
            path: lp,
            reason: e.to_string(),
        }),
    }
}

fn temp_prefix(path: &Path) -> std::ffi::OsString {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(".tmp-");
    name
}

/// Removes temporary files a killed writer left behind. Only called with the lock held, so no
/// other process is writing one now.
fn remove_stale_temp_files(path: &Path) {
    let Some(dir) = path.parent() else { return };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = temp_prefix(path);
    let prefix = prefix.as_encoded_bytes();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().as_encoded_bytes().starts_with(prefix)
                && e.file_type().is_ok_and(|t| t.is_file())
            {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// Replaces `path` with `bytes` durably: temp file, fsync, rename, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let mut tmp_name = temp_prefix(path);
    tmp_name.push(std::process::id().to_string());
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sandbox::state::sample_data;

    fn q() -> Quotas {
        Quotas::aws_defaults()
    }

    fn decode(bytes: &[u8]) -> Result<Data, String> {
        super::decode(bytes, &q())
    }

    fn load(path: &Path) -> Result<Option<Data>, SandboxError> {
        super::load(path, &q())
    }

    fn sample() -> Data {
        sample_data()
    }

    /// The encoder's bytes are exactly what encoding afresh gives, also after changes,
    /// deletions and additions with the cache warm.
    #[test]
    fn cached_encoding_matches_a_full_serialization() {
        let full = |data: &Data| Encoder::default().encode(data, 7);
        let mut data = sample();
        let mut enc = Encoder::default();
        assert_eq!(enc.encode(&data, 7), full(&data));
        let first = data.resources.keys().next().unwrap().clone();
        let mut changed = (*data.resources[&first]).clone();
        changed.version += 1;
        changed.tags.insert("k\"\u{1b}".into(), "v\n".into());
        data.resources.insert(first.clone(), Arc::new(changed));
        assert_eq!(enc.encode(&data, 7), full(&data));
        data.resources.remove(&first);
        let mut added = (**data.resources.values().next().unwrap()).clone();
        added.loc = Loc::new("us-east-1", Key::mesh("zz-new"));
        data.resources.insert(added.loc.clone(), Arc::new(added));
        assert_eq!(enc.encode(&data, 7), full(&data));
        assert_eq!(decode(&enc.encode(&data, 7)).unwrap(), data);
        data.resources.clear();
        assert_eq!(enc.encode(&data, 7), full(&data));
    }

    #[test]
    fn encode_decode_round_trip() {
        let d = sample();
        let bytes = encode(&d);
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["format"], 2);
        assert_eq!(v["resources"].as_array().unwrap().len(), d.resources.len());
        assert_eq!(decode(&bytes).unwrap(), d);
    }

    /// A state file the meshes-only sandbox wrote: its meshes load in their ARN's region, with
    /// their specs in the wire form.
    #[test]
    fn a_format_1_state_file_is_converted() {
        let v1 = br#"{"format":1,"tokenSecret":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f","journalSeq":3,"meshes":[
            {"meshName":"a","arn":"arn:aws:appmesh:us-west-2:111122223333:mesh/a","uid":"u1","version":2,"createdAtMs":1000,"lastUpdatedAtMs":2000,"spec":{"egressFilter":"DROP_ALL","serviceDiscovery":{"ipPreference":"IPv4_ONLY"}},"tags":{"k":"v"},"createToken":{"token":"t","request":"r"}},
            {"meshName":"b","arn":"arn:aws:appmesh:us-west-2:111122223333:mesh/b","uid":"u2","version":1,"createdAtMs":1000,"lastUpdatedAtMs":1000,"spec":{"egressFilter":"ALLOW_ALL"}}]}"#;
        let (d, seq) = decode_snapshot(v1, &q()).unwrap();
        assert_eq!(seq, 3);
        assert_eq!(d.mesh_names(), ["a", "b"]);
        let a = &d.resources[&Loc::new("us-west-2", Key::mesh("a"))];
        assert_eq!(
            a.spec.get(),
            r#"{"egressFilter":{"type":"DROP_ALL"},"serviceDiscovery":{"ipPreference":"IPv4_ONLY"}}"#
        );
        assert_eq!(a.version, 2);
        assert_eq!(a.create_token.as_ref().unwrap().token, "t");
        assert_eq!(a.tags["k"], "v");
        // Written again, it is format 2 and reads back the same.
        assert_eq!(decode(&encode(&d)).unwrap(), d);
    }

    #[test]
    fn decode_errors_say_what_is_wrong() {
        assert!(decode(b"{").unwrap_err().contains("not valid JSON"));
        assert!(decode(b"{}").unwrap_err().contains("format"));
        assert!(decode(br#"{"format":3}"#).unwrap_err().contains("format 3"));
        assert!(decode(br#"{"format":2}"#).is_err());
        let mut v: serde_json::Value = serde_json::from_slice(&encode(&sample())).unwrap();
        v["resources"][0]["spec"]["egressFilter"] = serde_json::json!({"type": "SOMETIMES"});
        let e = decode(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(
            e.contains("SOMETIMES") && e.contains("spec.egressFilter.type"),
            "{e}"
        );
        // Values from the file are checked as strictly as requests.
        let mut v: serde_json::Value = serde_json::from_slice(&encode(&sample())).unwrap();
        v["resources"][0]["name"] = "".into();
        let e = decode(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(
            e.contains("resource 1") && e.contains("name: must not be empty"),
            "{e}"
        );
        let mut v: serde_json::Value = serde_json::from_slice(&encode(&sample())).unwrap();
        let tags: serde_json::Map<String, serde_json::Value> =
            (0..60).map(|i| (format!("k{i}"), "v".into())).collect();
        v["resources"][0]["tags"] = tags.into();
        let e = decode(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(
            e.contains("has 60 tags") && e.contains("--quota tags=N"),
            "{e}"
        );
        assert!(super::decode(&serde_json::to_vec(&v).unwrap(), &Quotas::none()).is_ok());
        let mut v: serde_json::Value = serde_json::from_slice(&encode(&sample())).unwrap();
        v["resources"][1]["name"] = "bad\nname".into();
        let e = decode(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(e.contains("control character U+000A"), "{e}");
        let mut v: serde_json::Value = serde_json::from_slice(&encode(&sample())).unwrap();
        let first = v["resources"][0].clone();
        v["resources"].as_array_mut().unwrap().push(first);
        assert!(
            decode(&serde_json::to_vec(&v).unwrap())
                .unwrap_err()
                .contains("appears twice")
        );
    }

    #[test]
    fn load_missing_unreadable_and_atomic_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/state.json");
        assert!(load(&path).unwrap().is_none());
        let d = sample();
        write_atomic(&path, &encode(&d)).unwrap();
        assert_eq!(load(&path).unwrap().unwrap(), d);
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
        fs::write(&path, b"{ broken").unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains(&path.display().to_string()), "{e}");
        assert!(e.contains("--ephemeral"), "{e}");
        assert_eq!(fs::read(&path).unwrap(), b"{ broken");
    }

    #[test]
    fn stale_temp_files_are_removed_under_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let stale = dir.path().join(".state.json.tmp-999999");
        let other = dir.path().join(".other.json.tmp-1");
        fs::write(&stale, b"half").unwrap();
        fs::write(&other, b"x").unwrap();
        let _l = lock(&path).unwrap();
        assert!(!stale.exists());
        assert!(other.exists());
    }

    #[test]
    fn lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/state.json");
        let l = lock(&path).unwrap();
        let e = lock(&path).err().expect("second lock fails");
        assert!(matches!(e, SandboxError::StateLocked { .. }));
        assert!(e.to_string().contains("state.json"));
        drop(l);
        assert!(lock(&path).is_ok());
    }

    #[test]
    fn failed_write_keeps_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomic(&path, b"old").unwrap();
        // The state path is a directory's child that cannot be renamed over: make the target a
        // non-empty directory so rename fails.
        let blocked = dir.path().join("blocked.json");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("x"), b"").unwrap();
        assert!(write_atomic(&blocked, b"new").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    // The store: state file + journal.

    /// A store with the durable data beside it, committing whole states the way the server
    /// does: the meshes that differ from the durable data, or the whole file when there is none.
    struct Driven {
        store: Store,
        durable: Data,
    }

    impl Driven {
        fn open(path: &Path) -> Driven {
            let (store, durable) = Store::open(path, &q()).unwrap();
            Driven { store, durable }
        }

        fn commit(&mut self, after: Data) -> Result<(), WriteError> {
            if self.store.needs_state_file() {
                self.store.replace(&after)?;
            } else {
                let mut outcome = Outcome::default();
                for (loc, m) in &after.resources {
                    if !self
                        .durable
                        .resources
                        .get(loc)
                        .is_some_and(|d| Arc::ptr_eq(d, m))
                    {
                        outcome.put.push(m.clone());
                    }
                }
                for loc in self.durable.resources.keys() {
                    if !after.resources.contains_key(loc) {
                        outcome.delete.push(loc.clone());
                    }
                }
                self.store.commit(&outcome)?;
            }
            self.durable = after;
            Ok(())
        }

        fn fold(&mut self) -> Result<(), WriteError> {
            self.store.fold(&self.durable)
        }

        fn close(&mut self) -> Result<(), WriteError> {
            self.store.close(&self.durable)
        }
    }

    /// A new directory for a state file: the file's and the journal's paths, and some meshes.
    fn fresh() -> (tempfile::TempDir, PathBuf, PathBuf, Data) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let jpath = journal::path_for(&path);
        (dir, path, jpath, sample())
    }

    fn at(name: &str) -> Loc {
        Loc::new("us-east-1", Key::mesh(name))
    }

    fn mesh(data: &Data, name: &str, version: i64) -> Arc<Record> {
        let mut m = (**data.resources.values().next().unwrap()).clone();
        m.loc = at(name);
        m.version = version;
        Arc::new(m)
    }

    fn with(data: &Data, add: &[(&str, i64)], remove: &[&str]) -> Data {
        let mut d = data.clone();
        for (name, version) in add {
            d.resources.insert(at(name), mesh(data, name, *version));
        }
        for name in remove {
            d.resources.remove(&at(name));
        }
        d
    }

    /// The names in the state file alone, as any JSON reader sees it.
    fn state_file_names(path: &Path) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
        v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn changes_go_to_the_journal_and_load_reads_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let journal = journal::path_for(&path);
        let mut store = Driven::open(&path);
        assert!(&store.durable.resources.is_empty());
        assert!(!path.exists(), "opening writes nothing");

        // The first change writes the state file itself.
        let base = sample();
        store.commit(base.clone()).unwrap();
        let names_at_first = state_file_names(&path);
        assert_eq!(names_at_first.len(), base.resources.len());
        assert!(!journal.exists());

        // Later changes append records; the state file stays as it was and still parses.
        let d1 = with(&base, &[("added", 1)], &["plain"]);
        store.commit(d1.clone()).unwrap();
        let d2 = with(&d1, &[("added", 2), ("more", 1)], &[]);
        store.commit(d2.clone()).unwrap();
        store.commit(d2.clone()).unwrap(); // nothing changed: nothing written
        let names_at_first = state_file_names(&path);
        assert_eq!(names_at_first.len(), base.resources.len());
        let text = fs::read_to_string(&journal).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert_eq!(load(&path).unwrap().unwrap(), d2);
        assert_eq!(store.durable, d2);

        // A clean stop folds the journal in and removes it.
        store.close().unwrap();
        assert!(!journal.exists());
        assert_eq!(decode(&fs::read(&path).unwrap()).unwrap(), d2);
        drop(store);
        let store = Driven::open(&path);
        assert_eq!(store.durable, d2);
    }

    #[test]
    fn a_long_journal_is_folded_into_the_state_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut store = Driven::open(&path);
        store.store.fold_at(0);
        let mut d = sample();
        store.commit(d.clone()).unwrap();
        let first_len = fs::metadata(&path).unwrap().len();
        let mut folds = 0;
        for i in 0..40 {
            d = with(&d, &[(&format!("m{i:02}"), 1)], &[]);
            store.commit(d.clone()).unwrap();
            if store.store.fold_due() {
                store.fold().unwrap();
                folds += 1;
                assert_eq!(decode(&fs::read(&path).unwrap()).unwrap(), d);
                assert_eq!(fs::metadata(journal::path_for(&path)).unwrap().len(), 0);
            }
        }
        // The journal is folded in when it is as long as the state file: not every time, and
        // less often as the state grows.
        assert!((2..20).contains(&folds), "{folds} folds");
        assert!(fs::metadata(&path).unwrap().len() > first_len);
        assert_eq!(load(&path).unwrap().unwrap(), d);
    }

    /// A fold that wrote the new state file but died before emptying the journal: the records the
    /// file holds already are skipped, so a mesh deleted later does not come back.
    #[test]
    fn records_the_state_file_holds_are_skipped() {
        let (_dir, path, jpath, base) = fresh();
        let mut store = Driven::open(&path);
        store.commit(base.clone()).unwrap();
        let d1 = with(&base, &[("x", 1)], &[]);
        store.commit(d1.clone()).unwrap();
        let d2 = with(&d1, &[], &["x"]);
        store.commit(d2.clone()).unwrap();
        let journal_before_fold = fs::read(&jpath).unwrap();
        store.fold().unwrap();
        drop(store);
        // Put the journal back as it was before the fold emptied it, then add a record.
        fs::write(&jpath, &journal_before_fold).unwrap();
        let d3 = with(&d2, &[("y", 1)], &[]);
        let y = journal::encode(3, &[d3.resources[&at("y")].clone()], &[]);
        fs::OpenOptions::new()
            .append(true)
            .open(&jpath)
            .unwrap()
            .write_all(&y)
            .unwrap();
        assert_eq!(load(&path).unwrap().unwrap(), d3);
        // Opening folds it in and empties the journal.
        let store = Driven::open(&path);
        assert_eq!(store.durable, d3);
        assert_eq!(decode(&fs::read(&path).unwrap()).unwrap(), d3);
        assert_eq!(fs::metadata(&jpath).unwrap().len(), 0);
    }

    /// A crash in the middle of an append leaves part of a record: it is dropped (never
    /// acknowledged), and the next append does not build on it.
    #[test]
    fn a_torn_append_is_dropped() {
        let (_dir, path, jpath, base) = fresh();
        let d1 = with(&base, &[("kept", 1)], &[]);
        {
            let mut store = Driven::open(&path);
            store.commit(base.clone()).unwrap();
            store.commit(d1.clone()).unwrap();
        }
        let d2 = with(&d1, &[("torn", 1)], &[]);
        let record = journal::encode(2, &[d2.resources[&at("torn")].clone()], &[]);
        for cut in [1, record.len() / 2, record.len() - 1] {
            let mut bytes = fs::read(&jpath).unwrap();
            let whole = bytes.len();
            bytes.extend_from_slice(&record[..cut]);
            fs::write(&jpath, &bytes).unwrap();
            assert_eq!(load(&path).unwrap().unwrap(), d1, "cut at {cut}");
            fs::write(&jpath, &bytes[..whole]).unwrap();
        }
        // A whole last line whose bytes did not all reach the disk is dropped too.
        let mut bytes = fs::read(&jpath).unwrap();
        let mut damaged = record.clone();
        damaged[20] ^= 0x55;
        bytes.extend_from_slice(&damaged);
        fs::write(&jpath, &bytes).unwrap();
        assert_eq!(load(&path).unwrap().unwrap(), d1);
        // The sandbox starts on it, and what it appends next reads back.
        let mut store = Driven::open(&path);
        assert_eq!(store.durable, d1);
        let d3 = with(&d1, &[("after", 1)], &[]);
        store.commit(d3.clone()).unwrap();
        drop(store);
        assert_eq!(load(&path).unwrap().unwrap(), d3);
    }

    /// A damaged record with records after it is not a torn append: the journal is reported,
    /// named, and left as it is.
    #[test]
    fn a_damaged_journal_is_named_and_kept() {
        let (_dir, path, jpath, base) = fresh();
        {
            let mut store = Driven::open(&path);
            store.commit(base.clone()).unwrap();
            store.commit(with(&base, &[("a", 1)], &[])).unwrap();
            store
                .commit(with(&base, &[("a", 1), ("b", 1)], &[]))
                .unwrap();
        }
        let mut bytes = fs::read(&jpath).unwrap();
        bytes[12] ^= 0x55;
        fs::write(&jpath, &bytes).unwrap();
        let e = Store::open(&path, &q())
            .err()
            .expect("a damaged journal is refused");
        let msg = e.to_string();
        assert!(msg.contains(&jpath.display().to_string()), "{msg}");
        assert!(msg.contains("record 1 is damaged"), "{msg}");
        assert!(msg.contains("move the journal aside"), "{msg}");
        assert!(matches!(e, SandboxError::JournalUnreadable { .. }));
        assert_eq!(
            fs::read(&jpath).unwrap(),
            bytes,
            "the journal is left as it was"
        );
    }

    /// A write that fails changes nothing: not the files, not the store's durable data. The
    /// error names the file.
    #[test]
    fn a_failed_commit_changes_nothing() {
        let (_dir, path, jpath, base) = fresh();
        let mut store = Driven::open(&path);
        store.commit(base.clone()).unwrap();
        // The journal cannot be created: a directory is in its way.
        fs::create_dir(&jpath).unwrap();
        let e = store.commit(with(&base, &[("lost", 1)], &[])).unwrap_err();
        assert_eq!(e.path, jpath);
        assert!(
            e.to_string()
                .starts_with(&format!("cannot write {}", jpath.display()))
        );
        assert_eq!(store.durable, base);
        fs::remove_dir(&jpath).unwrap();
        let d = with(&base, &[("saved", 1)], &[]);
        store.commit(d.clone()).unwrap();
        drop(store);
        assert_eq!(load(&path).unwrap().unwrap(), d);
    }

    /// The first change writes the state file; if the journal beside it cannot be emptied, the
    /// change still counts (the file holds it), and the next append fails until the journal
    /// can be written, without losing or inventing anything.
    #[test]
    fn a_state_file_write_counts_even_if_the_journal_cannot_be_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let jpath = journal::path_for(&path);
        let mut store = Driven::open(&path);
        fs::create_dir(&jpath).unwrap();
        let base = sample();
        store.commit(base.clone()).unwrap();
        assert_eq!(decode(&fs::read(&path).unwrap()).unwrap(), base);
        let e = store.commit(with(&base, &[("lost", 1)], &[])).unwrap_err();
        assert_eq!(e.path, jpath);
        fs::remove_dir(&jpath).unwrap();
        let d = with(&base, &[("kept", 1)], &[]);
        store.commit(d.clone()).unwrap();
        assert_eq!(load(&path).unwrap().unwrap(), d);
    }
}
