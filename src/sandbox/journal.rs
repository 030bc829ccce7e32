//! The journal beside the state file (`<file>.journal`): what changed since the state file was
//! last written, one record per group commit, appended and fsynced before the changes are
//! acknowledged.
//!
//! A record is one line: `<crc32 as 8 hex digits> <JSON>\n`, the JSON being
//! `{"seq":N,"put":[<resource as in the state file>...],"delete":[<region, kind and names>...]}`.
//! A put holds the whole resource, so replaying a record twice gives the same state. `seq` rises
//! by exactly one per record (a gap means a record was lost, and loading stops); the state file says which record it already holds (`journalSeq`), and replay
//! skips those. A record counts only when its line is complete and its checksum matches: a
//! crash in the middle of an append leaves a damaged last line, which is dropped (that change
//! was never acknowledged). A damaged line with records after it is not a torn append but a
//! damaged file, and loading stops with an error naming it.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::quota::Quotas;
use super::state::{Loc, Record};
use super::store::{FileLoc, FileResIn, LegacyMesh, write_resource};

/// `<state file>.journal`.
pub fn path_for(state: &Path) -> PathBuf {
    let mut name = state.file_name().unwrap_or_default().to_os_string();
    name.push(".journal");
    state.with_file_name(name)
}

/// What a record removes.
#[derive(Debug, PartialEq)]
pub enum Removal {
    At(Loc),
    /// A mesh by name, from a journal written before the sandbox knew regions and kinds.
    LegacyMesh(String),
}

/// One record read back.
#[derive(Debug, PartialEq)]
pub struct Entry {
    pub seq: u64,
    pub put: Vec<Record>,
    pub delete: Vec<Removal>,
}

/// The bytes of one record, newline included.
pub fn encode(seq: u64, put: &[Arc<Record>], delete: &[Loc]) -> Vec<u8> {
    let mut json = Vec::with_capacity(64 + 300 * put.len());
    json.extend_from_slice(format!("{{\"seq\":{seq},\"put\":[").as_bytes());
    for (i, r) in put.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        write_resource(r, &mut json);
    }
    json.extend_from_slice(b"],\"delete\":");
    let gone: Vec<FileLoc> = delete.iter().map(FileLoc::of).collect();
    serde_json::to_writer(&mut json, &gone).expect("locations serialize");
    json.push(b'}');
    let mut out = Vec::with_capacity(json.len() + 10);
    out.extend_from_slice(format!("{:08x} ", crc32fast::hash(&json)).as_bytes());
    out.extend_from_slice(&json);
    out.push(b'\n');
    out
}

/// What a journal file holds.
#[derive(Debug, Default, PartialEq)]
pub struct Contents {
    pub records: Vec<Entry>,
    /// Bytes of the whole records; anything after them is a torn last append.
    pub valid_len: u64,
    /// A torn last append was found (and is ignored).
    pub torn: bool,
}

#[derive(Deserialize)]
struct Line {
    seq: u64,
    #[serde(default)]
    put: Vec<Value>,
    #[serde(default)]
    delete: Vec<Value>,
}

/// Parses one line (without its newline), or says why it is not a record. Each resource is
/// checked as strictly as the state file's.
fn parse_line(line: &[u8], quotas: &Quotas) -> Result<Entry, String> {
    let (crc, json) = match line.split_first_chunk::<9>() {
        Some((head, json)) if head[8] == b' ' => (&head[..8], json),
        _ => return Err("it does not start with a checksum".into()),
    };
    let crc = std::str::from_utf8(crc)
        .ok()
        .and_then(|s| u32::from_str_radix(s, 16).ok())
        .ok_or("its checksum is not 8 hexadecimal digits")?;
    if crc32fast::hash(json) != crc {
        return Err("its checksum does not match".into());
    }
    let line: Line = serde_json::from_slice(json).map_err(|e| format!("not a record: {e}"))?;
    let mut put = Vec::with_capacity(line.put.len());
    for v in line.put {
        // A resource has a kind; a mesh of the journal format before it has an ARN instead.
        let rec = if v.get("kind").is_some() {
            serde_json::from_value::<FileResIn>(v)
                .map_err(|e| format!("not a resource: {e}"))?
                .into_record(quotas)?
        } else {
            serde_json::from_value::<LegacyMesh>(v)
                .map_err(|e| format!("not a mesh: {e}"))?
                .into_record(quotas)?
        };
        put.push(rec);
    }
    let delete = line
        .delete
        .into_iter()
        .map(|v| match v {
            Value::String(name) => Ok(Removal::LegacyMesh(name)),
            v => serde_json::from_value::<FileLoc>(v)
                .map(|l| Removal::At(l.into_loc()))
                .map_err(|e| format!("not a deleted resource: {e}")),
        })
        .collect::<Result<_, _>>()?;
    Ok(Entry {
        seq: line.seq,
        put,
        delete,
    })
}

/// Parses a journal's bytes. The error says which record is damaged and how, or which records
/// are missing.
pub fn decode(bytes: &[u8], quotas: &Quotas) -> Result<Contents, String> {
    let mut out = Contents::default();
    let mut at = 0usize;
    let mut number = 0usize;
    while at < bytes.len() {
        number += 1;
        let rest = &bytes[at..];
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            // No newline: the last append was cut short.
            out.torn = true;
            break;
        };
        match parse_line(&rest[..end], quotas) {
            Ok(record) => {
                if let Some(prev) = out.records.last()
                    && record.seq != prev.seq + 1
                {
                    return Err(if record.seq <= prev.seq {
                        format!(
                            "record {number} has number {} after {}; records must rise",
                            record.seq, prev.seq
                        )
                    } else {
                        format!(
                            "record {number} has number {} after {}: the records in between are \
                             missing, so changes that were acknowledged are gone",
                            record.seq, prev.seq
                        )
                    });
                }
                out.records.push(record);
                at += end + 1;
                out.valid_len = at as u64;
            }
            // The last line: an append cut short whose newline reached the disk anyway.
            Err(_) if at + end + 1 == bytes.len() => {
                out.torn = true;
                break;
            }
            Err(why) => return Err(format!("record {number} is damaged: {why}")),
        }
    }
    Ok(out)
}

/// An open journal for appending.
pub struct Journal {
    path: PathBuf,
    file: Option<File>,
    /// Bytes of whole, durable records.
    len: u64,
    /// The file may hold more than `len` bytes (a torn append from before, a failed append
    /// that could not be cut back, records the state file took in): cut it to `len` before
    /// appending.
    cut: bool,
    /// The file's directory entry is durable. Synced once per process, also for a file that
    /// existed: an earlier run may have been killed between creating it and syncing.
    dir_synced: bool,
}

impl Journal {
    /// The journal at `path`, `len` bytes of which are whole records (the rest, if any, is cut
    /// off before the first append).
    pub fn new(path: PathBuf, len: u64) -> Self {
        Journal {
            path,
            file: None,
            len,
            cut: true,
            dir_synced: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes of whole records.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The open file, cut to its whole records.
    fn file(&mut self) -> io::Result<&mut File> {
        if self.file.is_none() {
            let f = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&self.path)?;
            self.file = Some(f);
        }
        if !self.dir_synced {
            sync_dir(&self.path)?;
            self.dir_synced = true;
        }
        let f = self.file.as_mut().expect("opened above");
        if self.cut {
            let actual = f.metadata()?.len();
            if actual > self.len {
                f.set_len(self.len)?;
                f.sync_data()?;
            } else if actual < self.len {
                // Shorter than the records it had (cut from outside): never pad it with zeros.
                self.len = actual;
            }
            self.cut = false;
        }
        Ok(f)
    }

    /// Appends `bytes` durably. On failure nothing counts: the bytes that reached the file are
    /// cut off (now, or before the next append if cutting fails too).
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.write_at_end(bytes) {
            Ok(at) => {
                self.len = at + bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                self.cut = true;
                let _ = self.file();
                Err(e)
            }
        }
    }

    /// Writes `bytes` after the whole records and syncs them; returns where they start.
    fn write_at_end(&mut self, bytes: &[u8]) -> io::Result<u64> {
        use std::io::{Seek, SeekFrom};
        self.file()?;
        let at = self.len;
        let f = self.file.as_mut().expect("opened by file()");
        // The file is opened for writing, not appending: write at the end of the records.
        f.seek(SeekFrom::Start(at))?;
        f.write_all(bytes)?;
        f.sync_data()?;
        Ok(at)
    }

    /// Empties the journal, once the state file holds its records. From then on the journal
    /// counts as empty even if cutting the file fails now: the records left in it are skipped
    /// on load (the state file names the last one it holds), and the cut is tried again before
    /// the next append.
    pub fn clear(&mut self) -> io::Result<()> {
        self.len = 0;
        self.cut = true;
        if self.file.is_none() && !self.path.exists() {
            return Ok(());
        }
        self.file().map(|_| ())
    }

    /// Removes the journal file (on a clean stop, once it is empty).
    pub fn remove(&mut self) -> io::Result<()> {
        self.file = None;
        self.cut = true;
        self.len = 0;
        self.dir_synced = false;
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Fsyncs the directory holding `path`, so that a new or renamed entry in it is durable.
pub fn sync_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::{Key, Kind};
    use crate::sandbox::state::{Data, sample_data};

    fn some() -> (Data, Arc<Record>, Arc<Record>) {
        let d = sample_data();
        let mut it = d.resources.values();
        let a = it.next().unwrap().clone();
        let b = it.last().unwrap().clone();
        (d, a, b)
    }

    fn gone(names: &[&str]) -> Vec<Loc> {
        names
            .iter()
            .map(|n| Loc::new("us-east-1", Key::new(Kind::VirtualNode, "m", "", *n)))
            .collect()
    }

    fn q() -> Quotas {
        Quotas::aws_defaults()
    }

    #[test]
    fn records_round_trip_one_line_each() {
        let (_, a, b) = some();
        let mut bytes = encode(1, &[a.clone(), b.clone()], &[]);
        bytes.extend(encode(2, &[], &gone(&["gone", "also gone"])));
        assert_eq!(bytes.iter().filter(|&&c| c == b'\n').count(), 2);
        let c = decode(&bytes, &q()).unwrap();
        assert!(!c.torn);
        assert_eq!(c.valid_len, bytes.len() as u64);
        assert_eq!(
            c.records,
            [
                Entry {
                    seq: 1,
                    put: vec![(*a).clone(), (*b).clone()],
                    delete: vec![],
                },
                Entry {
                    seq: 2,
                    put: vec![],
                    delete: gone(&["gone", "also gone"])
                        .into_iter()
                        .map(Removal::At)
                        .collect(),
                },
            ]
        );
        assert_eq!(decode(b"", &q()).unwrap(), Contents::default());
    }

    #[test]
    fn a_journal_of_the_meshes_only_format_still_reads() {
        // As the sandbox wrote it before it knew every kind.
        let json = br#"{"seq":7,"put":[{"meshName":"old","arn":"arn:aws:appmesh:eu-west-1:111122223333:mesh/old","uid":"u","version":2,"createdAtMs":1,"lastUpdatedAtMs":2,"spec":{"egressFilter":"ALLOW_ALL"},"tags":{"k":"v"}}],"delete":["was"]}"#;
        let line = [
            format!("{:08x} ", crc32fast::hash(json)).as_bytes(),
            json,
            b"\n",
        ]
        .concat();
        let c = decode(&line, &q()).unwrap();
        let e = &c.records[0];
        assert_eq!(e.put[0].loc, Loc::new("eu-west-1", Key::mesh("old")));
        assert_eq!(
            e.put[0].spec.get(),
            r#"{"egressFilter":{"type":"ALLOW_ALL"}}"#
        );
        assert_eq!(e.delete, [Removal::LegacyMesh("was".into())]);
    }

    #[test]
    fn a_torn_end_is_dropped_and_damage_before_it_is_an_error() {
        let (_, a, _) = some();
        let one = encode(1, std::slice::from_ref(&a), &[]);
        let two = encode(2, &[], &gone(&["a"]));
        let whole = [one.clone(), two.clone()].concat();
        // Cut anywhere in the last record, or a damaged last line: only the first counts.
        for cut in 1..two.len() {
            let c = decode(&whole[..one.len() + cut], &q()).unwrap();
            assert!(c.torn, "cut {cut}");
            assert_eq!(c.records.len(), 1, "cut {cut}");
            assert_eq!(c.valid_len, one.len() as u64);
        }
        let mut bad_last = whole.clone();
        bad_last[one.len() + 15] ^= 1;
        assert_eq!(decode(&bad_last, &q()).unwrap().records.len(), 1);
        // The same damage in the first record, with a record after it, is an error.
        let mut bad_first = whole.clone();
        bad_first[15] ^= 1;
        let e = decode(&bad_first, &q()).unwrap_err();
        assert!(e.contains("record 1 is damaged"), "{e}");
        assert!(e.contains("checksum"), "{e}");
        let e = decode(&[b"garbage\n".as_slice(), &two].concat(), &q()).unwrap_err();
        assert!(e.contains("record 1"), "{e}");
        // Numbers must rise by one: a record removed from the middle is noticed.
        let e = decode(&[two.clone(), one.clone()].concat(), &q()).unwrap_err();
        assert!(e.contains("must rise"), "{e}");
        let three = encode(3, &[], &gone(&["b"]));
        let e = decode(&[one.clone(), three].concat(), &q()).unwrap_err();
        assert!(
            e.contains("record 2 has number 3 after 1") && e.contains("missing"),
            "{e}"
        );
    }

    #[test]
    fn a_record_breaking_the_model_is_refused() {
        let json = br#"{"seq":1,"put":[{"region":"us-east-1","kind":"VirtualNode","meshName":"m","name":"","uid":"u","version":1,"createdAtMs":1,"lastUpdatedAtMs":1,"spec":{"listeners":[{"portMapping":{"port":0,"protocol":"http"}}]}}],"delete":[]}"#;
        let line = [
            format!("{:08x} ", crc32fast::hash(json)).as_bytes(),
            json,
            b"\n",
        ]
        .concat();
        let two = encode(2, &[], &gone(&["x"]));
        let e = decode(&[line, two].concat(), &q()).unwrap_err();
        assert!(e.contains("record 1 is damaged"), "{e}");
        assert!(e.contains("name: must not be empty"), "{e}");
        assert!(e.contains("spec.listeners[0].portMapping.port"), "{e}");
    }

    #[test]
    fn appends_clear_and_remove() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json.journal");
        let (_, a, _) = some();
        let one = encode(1, &[a], &[]);
        let two = encode(2, &[], &gone(&["a"]));
        // A torn end left by an earlier run is cut off before the first append.
        std::fs::write(&path, [one.as_slice(), b"12ab"].concat()).unwrap();
        let mut j = Journal::new(path.clone(), one.len() as u64);
        j.append(&two).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            [one.clone(), two.clone()].concat()
        );
        assert_eq!(j.len(), (one.len() + two.len()) as u64);
        j.clear().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        j.append(&one).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), one);
        j.remove().unwrap();
        assert!(!path.exists());
        j.remove().unwrap();
        // A file shorter than the records counted (cut from outside) is not padded with zeros.
        std::fs::write(&path, &one).unwrap();
        let mut short = Journal::new(path.clone(), 10_000);
        short.append(&two).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            [one.clone(), two.clone()].concat()
        );
        std::fs::remove_file(&path).unwrap();
        // Clearing a journal that does not exist creates nothing.
        let mut k = Journal::new(dir.path().join("none.journal"), 0);
        k.clear().unwrap();
        assert!(!dir.path().join("none.journal").exists());
    }

    proptest::proptest! {
        /// Whatever the bytes, reading them never panics; a journal cut anywhere reads back as
        /// the records wholly before the cut, and the rest counts as a torn end.
        #[test]
        fn any_cut_reads_back_the_whole_records_before_it(
            deletes in proptest::collection::vec(
                proptest::collection::vec("[a-z\\-\\\\\"🦀]{1,12}", 0..4), 1..6),
            cut in 0usize..4000,
            noise in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let _ = decode(&noise, &q());
            let records: Vec<Vec<u8>> = deletes
                .iter()
                .enumerate()
                .map(|(i, names)| {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    encode(i as u64 + 1, &[], &gone(&names))
                })
                .collect();
            let all = records.concat();
            let cut = cut.min(all.len());
            let c = decode(&all[..cut], &q()).unwrap();
            let mut whole = 0;
            let mut len = 0;
            for r in &records {
                if len + r.len() > cut {
                    break;
                }
                len += r.len();
                whole += 1;
            }
            proptest::prop_assert_eq!(c.records.len(), whole);
            proptest::prop_assert_eq!(c.valid_len, len as u64);
            proptest::prop_assert_eq!(c.torn, cut > len);
            for (r, names) in c.records.iter().zip(&deletes) {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let want: Vec<Removal> = gone(&names).into_iter().map(Removal::At).collect();
                proptest::prop_assert_eq!(&r.delete, &want);
            }
        }
    }
}
