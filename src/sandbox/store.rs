//! The state file: its JSON format, loading, the lock, and atomic durable writes.
//!
//! Format (`"format": 1`): `{"format":1, "tokenSecret":"<64 hex>", "meshes":[{...}]}` where each
//! mesh holds its name, ARN, uid, version, times in epoch milliseconds, spec in the wire form,
//! tags, and the client tokens remembered for idempotency.
//!
//! A write goes to a temporary file in the same directory, is fsynced, renamed over the state
//! file, and the directory is fsynced: a crash at any moment leaves the old or the new file.
//! A lock file beside the state file (`<file>.lock`, held with `File::try_lock` for the life of
//! the sandbox) keeps two sandboxes (or `sandbox seed`) from using one state file at once; the
//! lock cannot be on the state file itself because each write replaces that file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::SandboxError;
use super::state::{Data, MeshRecord, ServiceDiscovery, Spec, TokenUse};
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
    #[serde(borrow)]
    meshes: Vec<FileMesh<'a>>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileMesh<'a> {
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

fn file_mesh(m: &MeshRecord) -> FileMesh<'_> {
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

/// The state file's bytes for `data`.
pub fn encode(data: &Data) -> Vec<u8> {
    Encoder::default().encode(data)
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
    pub fn encode(&mut self, data: &Data) -> Vec<u8> {
        let mut previous = std::mem::take(&mut self.cache);
        let mut out = Vec::with_capacity(256 * data.meshes.len() + 128);
        out.extend_from_slice(format!("{{\"format\":{FORMAT},\"tokenSecret\":").as_bytes());
        serde_json::to_writer(&mut out, &token::secret_to_hex(&data.secret))
            .expect("a string serializes");
        out.extend_from_slice(b",\"meshes\":[");
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
        let rec = MeshRecord {
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
        };
        let name = rec.name.clone();
        if meshes.insert(name.clone(), Arc::new(rec)).is_some() {
            return Err(format!("mesh {name:?} appears twice"));
        }
    }
    Ok(Data { meshes, secret })
}

/// Reads the state file; a missing file is `None` (start empty).
pub fn load(path: &Path) -> Result<Option<Data>, SandboxError> {
    let unreadable = |reason: String| SandboxError::StateUnreadable {
        path: path.to_path_buf(),
        reason,
    };
    match fs::read(path) {
        Ok(bytes) => decode(&bytes).map(Some).map_err(unreadable),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(unreadable(e.to_string())),
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
                meshes: data.meshes.values().map(|m| file_mesh(m)).collect(),
            };
            let mut out = serde_json::to_vec(&file).unwrap();
            out.push(b'\n');
            out
        }
        let mut data = sample();
        let mut enc = Encoder::default();
        assert_eq!(enc.encode(&data), full(&data));
        let first = data.meshes.keys().next().unwrap().clone();
        let mut changed = (*data.meshes[&first]).clone();
        changed.version += 1;
        changed.tags.insert("k\"\u{1b}".into(), "v\n".into());
        data.meshes.insert(first.clone(), Arc::new(changed));
        assert_eq!(enc.encode(&data), full(&data));
        data.meshes.remove(&first);
        let mut added = (*data.meshes.values().next().unwrap().clone()).clone();
        added.name = "zz-new".into();
        data.meshes.insert("zz-new".into(), Arc::new(added));
        assert_eq!(enc.encode(&data), full(&data));
        assert_eq!(decode(&enc.encode(&data)).unwrap(), data);
        data.meshes.clear();
        assert_eq!(enc.encode(&data), full(&data));
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
}
