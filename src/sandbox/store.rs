//! The state file: its JSON format, loading, the lock, atomic writes, and the [`Store`] that
//! keeps the state durable with the journal beside the file.
//!
//! Format (`"format": 1`): `{"format":1, "tokenSecret":"<64 hex>", "journalSeq":N,
//! "meshes":[{...}]}` where each mesh holds its name, ARN, uid, version, times in epoch
//! milliseconds, spec in the wire form, tags, and the client tokens remembered for idempotency.
//! `journalSeq` is the last journal record the file holds (see [`super::journal`]); a file
//! without it holds none.
//!
//! The state file is only ever replaced whole: a temporary file in the same directory, fsynced,
//! renamed over the state file, and the directory fsynced, so a crash at any moment leaves the
//! old or the new file, and the file always parses. Changes between two such writes are records
//! in the journal. A lock file beside the state file (`<file>.lock`, held with `File::try_lock`
//! for the life of the sandbox) keeps two sandboxes (or `sandbox seed`) from using one state file
//! at once; the lock cannot be on the state file itself because each write replaces that file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::SandboxError;
use super::journal;
use super::state::{Data, MeshRecord, Outcome, ServiceDiscovery, Spec, TokenUse};
use super::token;
use crate::model::{EgressFilter, IpPreference};

pub const FORMAT: u32 = 1;

// The file's shapes. Strings are `Cow`s so that writing borrows from the state (a write
// serializes every mesh, often) and reading owns.

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileState<'a> {
    format: u32,
    token_secret: String,
    /// The last journal record this file holds (0: none); see [`super::journal`].
    #[serde(default)]
    journal_seq: u64,
    #[serde(borrow)]
    meshes: Vec<FileMesh<'a>>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FileMesh<'a> {
    #[serde(borrow)]
    mesh_name: Cow<'a, str>,
    #[serde(borrow)]
    arn: Cow<'a, str>,
    #[serde(borrow)]
    uid: Cow<'a, str>,
    version: i64,
    created_at_ms: i64,
    last_updated_at_ms: i64,
    spec: FileSpec,
    #[serde(default)]
    tags: Cow<'a, BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", borrow)]
    create_token: Option<FileToken<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", borrow)]
    update_tokens: Vec<FileToken<'a>>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileSpec {
    egress_filter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service_discovery: Option<FileServiceDiscovery>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileServiceDiscovery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ip_preference: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct FileToken<'a> {
    #[serde(borrow)]
    token: Cow<'a, str>,
    #[serde(borrow)]
    request: Cow<'a, str>,
}

impl<'a> FileToken<'a> {
    fn of(t: &'a TokenUse) -> Self {
        FileToken {
            token: Cow::Borrowed(&t.token),
            request: Cow::Borrowed(&t.request),
        }
    }
    fn into_use(self) -> TokenUse {
        TokenUse {
            token: self.token.into_owned(),
            request: self.request.into_owned(),
        }
    }
}

pub(super) fn file_mesh(m: &MeshRecord) -> FileMesh<'_> {
    FileMesh {
        mesh_name: Cow::Borrowed(&m.name),
        arn: Cow::Borrowed(&m.arn),
        uid: Cow::Borrowed(&m.uid),
        version: m.version,
        created_at_ms: m.created_ms,
        last_updated_at_ms: m.updated_ms,
        spec: FileSpec {
            egress_filter: m.spec.egress.as_str().to_string(),
            service_discovery: m.spec.service_discovery.map(|sd| FileServiceDiscovery {
                ip_preference: sd.ip_preference.map(|p| p.as_str().to_string()),
            }),
        },
        tags: Cow::Borrowed(&m.tags),
        create_token: m.create_token.as_ref().map(FileToken::of),
        update_tokens: m.update_tokens.iter().map(FileToken::of).collect(),
    }
}

impl FileMesh<'_> {
    /// The mesh this entry describes; the error names the mesh and the bad value.
    pub(super) fn into_record(self) -> Result<MeshRecord, String> {
        let m = self;
        let egress = EgressFilter::parse(&m.spec.egress_filter).ok_or_else(|| {
            format!(
                "mesh {:?} has an unknown egressFilter {:?}",
                m.mesh_name, m.spec.egress_filter
            )
        })?;
        let service_discovery = match m.spec.service_discovery {
            None => None,
            Some(sd) => Some(ServiceDiscovery {
                ip_preference: match sd.ip_preference {
                    None => None,
                    Some(p) => Some(IpPreference::parse(&p).ok_or_else(|| {
                        format!("mesh {:?} has an unknown ipPreference {p:?}", m.mesh_name)
                    })?),
                },
            }),
        };
        Ok(MeshRecord {
            name: m.mesh_name.into_owned(),
            arn: m.arn.into_owned(),
            uid: m.uid.into_owned(),
            version: m.version,
            created_ms: m.created_at_ms,
            updated_ms: m.last_updated_at_ms,
            spec: Spec {
                egress,
                service_discovery,
            },
            tags: m.tags.into_owned(),
            create_token: m.create_token.map(FileToken::into_use),
            update_tokens: m
                .update_tokens
                .into_iter()
                .map(FileToken::into_use)
                .collect(),
        })
    }
}

/// The state file's bytes for `data`, holding no journal records.
pub fn encode(data: &Data) -> Vec<u8> {
    Encoder::default().encode(data, 0)
}

/// Encodes the state file again and again (the writer's job), keeping each mesh's encoded
/// bytes for as long as the mesh is unchanged. Meshes are immutable behind their `Arc` (a
/// change makes a new record), so the same `Arc` means the same bytes; a write then costs
/// copying the unchanged meshes plus encoding the changed ones, not encoding everything.
#[derive(Default)]
pub struct Encoder {
    cache: std::collections::HashMap<String, (Arc<MeshRecord>, Vec<u8>)>,
}

impl Encoder {
    /// The state file for `data`, which holds the journal's records up to `journal_seq`.
    pub fn encode(&mut self, data: &Data, journal_seq: u64) -> Vec<u8> {
        let mut previous = std::mem::take(&mut self.cache);
        let mut out = Vec::with_capacity(256 * data.meshes.len() + 128);
        out.extend_from_slice(format!("{{\"format\":{FORMAT},\"tokenSecret\":").as_bytes());
        serde_json::to_writer(&mut out, &token::secret_to_hex(&data.secret))
            .expect("a string serializes");
        out.extend_from_slice(format!(",\"journalSeq\":{journal_seq},\"meshes\":[").as_bytes());
        for (i, (name, mesh)) in data.meshes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let bytes = match previous.remove(name) {
                Some((cached, bytes)) if Arc::ptr_eq(&cached, mesh) => bytes,
                _ => serde_json::to_vec(&file_mesh(mesh)).expect("a mesh serializes"),
            };
            out.extend_from_slice(&bytes);
            self.cache.insert(name.clone(), (Arc::clone(mesh), bytes));
        }
        out.extend_from_slice(b"]}\n");
        out
    }
}

/// Parses a state file's bytes. The error says what is wrong, for a message naming the file.
pub fn decode(bytes: &[u8]) -> Result<Data, String> {
    decode_snapshot(bytes).map(|(data, _)| data)
}

/// Parses a state file's bytes into its data and the last journal record it holds.
fn decode_snapshot(bytes: &[u8]) -> Result<(Data, u64), String> {
    #[derive(Deserialize)]
    struct Probe {
        format: Option<u32>,
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    match probe.format {
        Some(FORMAT) => {}
        Some(n) => {
            return Err(format!(
                "it has format {n}, this appmesh-tui reads format {FORMAT} (a newer version wrote it?)"
            ));
        }
        None => return Err("it has no \"format\" field; it is not a sandbox state file".into()),
    }
    let file: FileState =
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid sandbox state: {e}"))?;
    let secret = token::secret_from_hex(&file.token_secret)
        .ok_or("tokenSecret is not 64 hexadecimal digits")?;
    let mut meshes = BTreeMap::new();
    for m in file.meshes {
        let rec = m.into_record()?;
        let name = rec.name.clone();
        if meshes.insert(name.clone(), Arc::new(rec)).is_some() {
            return Err(format!("mesh {name:?} appears twice"));
        }
    }
    Ok((Data { meshes, secret }, file.journal_seq))
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

fn read_disk(path: &Path) -> Result<OnDisk, SandboxError> {
    let unreadable = |reason: String| SandboxError::StateUnreadable {
        path: path.to_path_buf(),
        reason,
    };
    let (data, folded_seq) = match fs::read(path) {
        Ok(bytes) => {
            let (data, seq) = decode_snapshot(&bytes).map_err(unreadable)?;
            (Some(data), seq)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => (None, 0),
        Err(e) => return Err(unreadable(e.to_string())),
    };
    let jpath = journal::path_for(path);
    let journal_unreadable = |reason: String| SandboxError::JournalUnreadable {
        path: jpath.clone(),
        state: path.to_path_buf(),
        reason,
    };
    let bytes = journal::read(&jpath).map_err(|e| journal_unreadable(e.to_string()))?;
    let Some(bytes) = bytes else {
        return Ok(OnDisk {
            state_file: data.is_some(),
            data,
            last_seq: folded_seq,
            journal_len: 0,
            journal_in_use: false,
        });
    };
    let contents = journal::decode(&bytes).map_err(journal_unreadable)?;
    let state_file = data.is_some();
    let mut last_seq = folded_seq;
    let mut data = data;
    for record in contents.records {
        last_seq = last_seq.max(record.seq);
        if record.seq <= folded_seq {
            continue; // the state file holds it already
        }
        let d = data.get_or_insert_with(Data::empty);
        for name in record.delete {
            d.meshes.remove(&name);
        }
        for m in record.put {
            d.meshes.insert(m.name.clone(), Arc::new(m));
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

/// Reads the state file and its journal; no state file is `None` (start empty).
pub fn load(path: &Path) -> Result<Option<Data>, SandboxError> {
    read_disk(path).map(|d| d.data)
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
    pub fn open(path: &Path) -> Result<(Store, Data), SandboxError> {
        let lock = lock(path)?;
        let disk = read_disk(path)?;
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

    /// Makes a batch of changes durable: one journal record with the meshes as they are now
    /// and the names deleted. On error nothing of it counts.
    pub fn commit(&mut self, outcome: &Outcome) -> Result<(), WriteError> {
        if outcome.put.is_empty() && outcome.delete.is_empty() {
            return Ok(());
        }
        // A record number is used up even if the append fails: whatever of a failed record might
        // linger is never taken for a later one.
        self.last_seq += 1;
        let put: Vec<&Arc<MeshRecord>> = outcome.put.iter().collect();
        let delete: Vec<&str> = outcome.delete.iter().map(String::as_str).collect();
        let record = journal::encode(self.last_seq, &put, &delete);
        self.journal.append(&record).map_err(|source| WriteError {
            path: self.journal.path().to_path_buf(),
            source,
        })
    }

    /// Makes `data` durable by writing it as the whole state file (the first change to a new
    /// file; `sandbox seed`, which adds many meshes at once).
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

    /// The encoder's bytes are exactly what serializing the whole file gives, also after
    /// changes, deletions and additions with the cache warm.
    #[test]
    fn cached_encoding_matches_a_full_serialization() {
        fn full(data: &Data) -> Vec<u8> {
            let file = FileState {
                format: FORMAT,
                token_secret: token::secret_to_hex(&data.secret),
                journal_seq: 7,
                meshes: data.meshes.values().map(|m| file_mesh(m)).collect(),
            };
            let mut out = serde_json::to_vec(&file).unwrap();
            out.push(b'\n');
            out
        }
        let mut data = sample();
        let mut enc = Encoder::default();
        assert_eq!(enc.encode(&data, 7), full(&data));
        let first = data.meshes.keys().next().unwrap().clone();
        let mut changed = (*data.meshes[&first]).clone();
        changed.version += 1;
        changed.tags.insert("k\"\u{1b}".into(), "v\n".into());
        data.meshes.insert(first.clone(), Arc::new(changed));
        assert_eq!(enc.encode(&data, 7), full(&data));
        data.meshes.remove(&first);
        let mut added = (*data.meshes.values().next().unwrap().clone()).clone();
        added.name = "zz-new".into();
        data.meshes.insert("zz-new".into(), Arc::new(added));
        assert_eq!(enc.encode(&data, 7), full(&data));
        assert_eq!(decode(&enc.encode(&data, 7)).unwrap(), data);
        data.meshes.clear();
        assert_eq!(enc.encode(&data, 7), full(&data));
    }
    use crate::sandbox::state::State;
    use crate::sandbox::wire::parse_create_mesh;

    fn sample() -> Data {
        let mut s = State::new(Data::empty(), "us-east-1", "111122223333", 100);
        let bodies: [&str; 3] = [
            r#"{"meshName":"plain"}"#,
            r#"{"meshName":"full","clientToken":"tok","spec":{"egressFilter":{"type":"ALLOW_ALL"},"serviceDiscovery":{"ipPreference":"IPv6_ONLY"}},"tags":[{"key":"a","value":""},{"key":"b","value":"2"}]}"#,
            r#"{"meshName":"sd-empty 🦀 \"quoted\"","spec":{"serviceDiscovery":{}}}"#,
        ];
        for b in bodies {
            s.create_mesh(parse_create_mesh(b.as_bytes()).unwrap(), 1_700_000_000_123)
                .unwrap();
        }
        s.data().clone()
    }

    #[test]
    fn encode_decode_round_trip() {
        let d = sample();
        let bytes = encode(&d);
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["format"], 1);
        assert_eq!(decode(&bytes).unwrap(), d);
    }

    #[test]
    fn decode_errors_say_what_is_wrong() {
        assert!(decode(b"{").unwrap_err().contains("not valid JSON"));
        assert!(decode(b"{}").unwrap_err().contains("format"));
        assert!(decode(br#"{"format":2}"#).unwrap_err().contains("format 2"));
        assert!(decode(br#"{"format":1}"#).is_err());
        let mut v: serde_json::Value = serde_json::from_slice(&encode(&sample())).unwrap();
        v["meshes"][0]["spec"]["egressFilter"] = "SOMETIMES".into();
        let e = decode(&serde_json::to_vec(&v).unwrap()).unwrap_err();
        assert!(e.contains("SOMETIMES"), "{e}");
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
            let (store, durable) = Store::open(path).unwrap();
            Driven { store, durable }
        }

        fn commit(&mut self, after: Data) -> Result<(), WriteError> {
            if self.store.needs_state_file() {
                self.store.replace(&after)?;
            } else {
                let mut outcome = Outcome::default();
                for (name, m) in &after.meshes {
                    if !self
                        .durable
                        .meshes
                        .get(name)
                        .is_some_and(|d| Arc::ptr_eq(d, m))
                    {
                        outcome.put.push(m.clone());
                    }
                }
                for name in self.durable.meshes.keys() {
                    if !after.meshes.contains_key(name) {
                        outcome.delete.push(name.clone());
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

    fn mesh(data: &Data, name: &str, version: i64) -> Arc<MeshRecord> {
        let mut m = (**data.meshes.values().next().unwrap()).clone();
        m.name = name.into();
        m.arn = format!("arn:aws:appmesh:us-east-1:111122223333:mesh/{name}");
        m.version = version;
        Arc::new(m)
    }

    fn with(data: &Data, add: &[(&str, i64)], remove: &[&str]) -> Data {
        let mut d = data.clone();
        for (name, version) in add {
            d.meshes
                .insert(name.to_string(), mesh(data, name, *version));
        }
        for name in remove {
            d.meshes.remove(*name);
        }
        d
    }

    /// The state file alone, as any JSON reader sees it.
    fn state_file_names(path: &Path) -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
        v["meshes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["meshName"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn changes_go_to_the_journal_and_load_reads_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let journal = journal::path_for(&path);
        let mut store = Driven::open(&path);
        assert!(&store.durable.meshes.is_empty());
        assert!(!path.exists(), "opening writes nothing");

        // The first change writes the state file itself.
        let base = sample();
        store.commit(base.clone()).unwrap();
        assert_eq!(
            state_file_names(&path),
            ["full", "plain", "sd-empty 🦀 \"quoted\""]
        );
        assert!(!journal.exists());

        // Later changes append records; the state file stays as it was and still parses.
        let d1 = with(&base, &[("added", 1)], &["plain"]);
        store.commit(d1.clone()).unwrap();
        let d2 = with(&d1, &[("added", 2), ("more", 1)], &[]);
        store.commit(d2.clone()).unwrap();
        store.commit(d2.clone()).unwrap(); // nothing changed: nothing written
        assert_eq!(
            state_file_names(&path),
            ["full", "plain", "sd-empty 🦀 \"quoted\""]
        );
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
        let y = journal::encode(3, &[&d3.meshes["y"]], &[]);
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
        let record = journal::encode(2, &[&d2.meshes["torn"]], &[]);
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
        let e = Store::open(&path)
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
