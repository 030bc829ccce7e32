//! The user's files, read and written safely. Every file format the app reads or writes goes
//! through here, so the same rules hold for all of them:
//!
//! - **Reading** ([`read_text`], [`read_bytes`]): only a regular file is read. The type is
//!   checked before the file is opened (a FIFO, `/dev/zero`, a terminal or a directory is
//!   refused at once, never opened, so nothing waits on it or reads without end), the file is
//!   opened with `O_NONBLOCK` and checked again, and at most [`Cap::bytes`] are read: a larger
//!   file is refused with a message that names the path, the cap and how to raise it.
//! - **Parsing JSON** ([`check_json_shape`]): before a JSON document is parsed into a tree, one
//!   pass checks its nesting depth and its number of values against [`JsonLimits`], so a
//!   hostile file can neither exhaust the stack nor make a tree many times its size.
//! - **Writing a user's file** ([`write_file`]): through a symbolic link to its target (the link
//!   stays a link), never over a device, FIFO, socket or directory, keeping an existing file's
//!   permission bits (and owner, where allowed). A new file is created exclusively; a
//!   replacement goes to a temporary file beside the target, which is then renamed over it, or
//!   is written in place where a rename cannot work (a directory the user may not write to, a
//!   file with more than one hard link).
//! - **Appending** ([`open_append`], for the transcript and the log): the same checks, the file
//!   created with mode 0600, an existing file's mode kept.
//!
//! The errors ([`ReadError`], [`WriteError`]) are full sentences that name the path and say
//! what to do; callers add which file it was ("template", "transcript file").

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The most bytes to read from one kind of file, and how the user raises it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cap {
    /// What the file is, for messages: "template", "config file".
    pub what: &'static str,
    pub bytes: u64,
    /// How to raise the cap (a flag or a config key), or `None` when a real file never comes
    /// near it.
    pub raise: Option<&'static str>,
}

/// What kind of thing a path is, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Regular,
    Directory,
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
    Other,
}

impl FileKind {
    pub fn of(meta: &Metadata) -> FileKind {
        let t = meta.file_type();
        if t.is_file() {
            FileKind::Regular
        } else if t.is_dir() {
            FileKind::Directory
        } else if t.is_fifo() {
            FileKind::Fifo
        } else if t.is_char_device() {
            FileKind::CharDevice
        } else if t.is_block_device() {
            FileKind::BlockDevice
        } else if t.is_socket() {
            FileKind::Socket
        } else {
            FileKind::Other
        }
    }

    /// "a FIFO (named pipe)", "a character device", …
    pub fn described(self) -> &'static str {
        match self {
            FileKind::Regular => "a regular file",
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a FIFO (named pipe)",
            FileKind::CharDevice => "a character device",
            FileKind::BlockDevice => "a block device",
            FileKind::Socket => "a socket",
            FileKind::Other => "not a regular file",
        }
    }
}

/// "1 MiB", "64 KiB", "1,500 bytes": a size as a person reads it.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{} bytes", thousands(bytes))
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    NotFound {
        path: PathBuf,
    },
    /// A device, FIFO, socket or directory: refused before it was opened.
    NotRegular {
        path: PathBuf,
        kind: FileKind,
        cap: Cap,
    },
    /// Larger than the cap; nothing beyond the cap was read.
    TooLarge {
        path: PathBuf,
        cap: Cap,
    },
    /// Not UTF-8 text.
    NotText {
        path: PathBuf,
        /// Byte offset of the first invalid byte.
        at: usize,
    },
    Io {
        path: PathBuf,
        source: io::Error,
    },
}

impl ReadError {
    pub fn path(&self) -> &Path {
        match self {
            ReadError::NotFound { path }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::NotText { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound { .. })
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound { path } => write!(f, "{} does not exist", path.display()),
            ReadError::NotRegular { path, kind, cap } => write!(
                f,
                "{} is {}, not a regular file; {}s are read only from regular files of at most {} (save the content to a file first)",
                path.display(),
                kind.described(),
                cap.what,
                human_size(cap.bytes)
            ),
            ReadError::TooLarge { path, cap } => {
                write!(
                    f,
                    "{} is larger than {}, the cap for {}s",
                    path.display(),
                    human_size(cap.bytes),
                    cap.what
                )?;
                match cap.raise {
                    Some(how) => write!(f, "; check that it is the right file, or {how}"),
                    None => write!(f, "; check that it is the right file"),
                }
            }
            ReadError::NotText { path, at } => write!(
                f,
                "{} is not UTF-8 text (byte {} is not valid UTF-8)",
                path.display(),
                thousands(*at as u64)
            ),
            ReadError::Io { path, source } => {
                write!(f, "{}: {source}", path.display())?;
                if source.kind() == io::ErrorKind::PermissionDenied {
                    f.write_str("; check the file's permissions")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn read_io(path: &Path, e: io::Error) -> ReadError {
    if e.kind() == io::ErrorKind::NotFound {
        ReadError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        ReadError::Io {
            path: path.to_path_buf(),
            source: e,
        }
    }
}

/// Reads a regular file of at most `cap.bytes` bytes (see the module docs). Symbolic links are
/// followed to a regular file; anything else is refused before it is opened.
pub fn read_bytes(path: &Path, cap: &Cap) -> Result<Vec<u8>, ReadError> {
    // The type first, without opening: opening a FIFO waits for a writer, and opening some
    // devices does something.
    let meta = fs::metadata(path).map_err(|e| read_io(path, e))?;
    let kind = FileKind::of(&meta);
    if kind != FileKind::Regular {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
            cap: cap.clone(),
        });
    }
    // O_NONBLOCK: should the path have been swapped for a FIFO meanwhile, the open returns at
    // once, and the type is checked again on what was opened.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| read_io(path, e))?;
    let meta = file.metadata().map_err(|e| read_io(path, e))?;
    let kind = FileKind::of(&meta);
    if kind != FileKind::Regular {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
            cap: cap.clone(),
        });
    }
    let too_large = || ReadError::TooLarge {
        path: path.to_path_buf(),
        cap: cap.clone(),
    };
    if meta.len() > cap.bytes {
        return Err(too_large());
    }
    // The file may grow while it is read: one byte more than the cap says so.
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(cap.bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| read_io(path, e))?;
    if buf.len() as u64 > cap.bytes {
        return Err(too_large());
    }
    Ok(buf)
}

/// Checks, without opening it, that `path` is missing (`Ok(None)`) or a regular file of at most
/// `cap.bytes` (`Ok(Some(size))`): for files another library reads whole (the SDK's AWS config
/// files), so that it never meets a FIFO, a device or a huge file.
pub fn check_readable(path: &Path, cap: &Cap) -> Result<Option<u64>, ReadError> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_io(path, e)),
    };
    let kind = FileKind::of(&meta);
    if kind != FileKind::Regular {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
            cap: cap.clone(),
        });
    }
    if meta.len() > cap.bytes {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            cap: cap.clone(),
        });
    }
    Ok(Some(meta.len()))
}

/// [`read_bytes`], as UTF-8 text.
pub fn read_text(path: &Path, cap: &Cap) -> Result<String, ReadError> {
    let bytes = read_bytes(path, cap)?;
    String::from_utf8(bytes).map_err(|e| ReadError::NotText {
        path: path.to_path_buf(),
        at: e.utf8_error().valid_up_to(),
    })
}

// ---------------------------------------------------------------------------------------------
// JSON shape

/// Bounds on a JSON document, checked before it is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonLimits {
    /// Arrays and objects inside each other.
    pub max_depth: usize,
    /// Values in the whole document (every string, number, literal, array and object).
    pub max_values: usize,
}

/// A JSON document over its [`JsonLimits`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeError {
    TooDeep {
        max: usize,
        line: usize,
        column: usize,
    },
    TooMany {
        max: usize,
        line: usize,
        column: usize,
    },
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeError::TooDeep { max, line, column } => write!(
                f,
                "nested more than {max} levels deep (line {line}, column {column})"
            ),
            ShapeError::TooMany { max, line, column } => write!(
                f,
                "holds more than {} values (the limit is reached at line {line}, column {column})",
                thousands(*max as u64)
            ),
        }
    }
}

/// Checks the nesting depth and the number of values of a JSON text in one pass, without
/// building anything. Text that is not JSON passes (the parser reports it); only the bounds
/// are checked here.
pub fn check_json_shape(text: &str, limits: JsonLimits) -> Result<(), ShapeError> {
    let mut depth = 0usize;
    let mut values = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // Inside a number or a literal (true, false, null): counted once, at its first byte.
    let mut in_scalar = false;
    let (mut line, mut column) = (1usize, 0usize);
    for b in text.bytes() {
        if b == b'\n' {
            line += 1;
            column = 0;
        } else if b & 0xC0 != 0x80 {
            column += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        let starts_value = match b {
            b'"' => {
                in_string = true;
                in_scalar = false;
                true
            }
            b'[' | b'{' => {
                in_scalar = false;
                depth += 1;
                if depth > limits.max_depth {
                    return Err(ShapeError::TooDeep {
                        max: limits.max_depth,
                        line,
                        column,
                    });
                }
                true
            }
            b']' | b'}' => {
                in_scalar = false;
                depth = depth.saturating_sub(1);
                false
            }
            b',' | b':' | b' ' | b'\t' | b'\r' | b'\n' => {
                in_scalar = false;
                false
            }
            _ => !std::mem::replace(&mut in_scalar, true),
        };
        if starts_value {
            values += 1;
            if values > limits.max_values {
                return Err(ShapeError::TooMany {
                    max: limits.max_values,
                    line,
                    column,
                });
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Writing

/// How [`write_file`] treats a file that is already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Leave it alone and fail with [`WriteError::Exists`].
    Keep,
    /// Replace its contents (the user agreed).
    Replace,
}

/// What [`write_file`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The file that holds the text now: the path, or the target of the link it named.
    pub file: PathBuf,
    /// An existing file was replaced.
    pub replaced: bool,
}

/// What a write came to, in a form a message carries ([`crate::app::Msg::Written`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    Written(Written),
    /// The file was already there and left as it was ([`Existing::Keep`]).
    Exists(PathBuf),
    /// Nothing was written: why, as a sentence ([`WriteError`]'s message).
    Failed(String),
}

impl From<Result<Written, WriteError>> for WriteOutcome {
    fn from(r: Result<Written, WriteError>) -> Self {
        match r {
            Ok(w) => WriteOutcome::Written(w),
            Err(WriteError::Exists { path }) => WriteOutcome::Exists(path),
            Err(e) => WriteOutcome::Failed(e.to_string()),
        }
    }
}

/// Why a file could not be written.
#[derive(Debug)]
pub enum WriteError {
    /// The file is already there; nothing was written.
    Exists {
        path: PathBuf,
    },
    /// A device, FIFO, socket or directory (perhaps behind a link): nothing was written.
    NotRegular {
        path: PathBuf,
        /// The link's target, when `path` is a link.
        target: Option<PathBuf>,
        kind: FileKind,
    },
    /// A symbolic link to something that does not exist.
    DanglingLink {
        path: PathBuf,
        target: PathBuf,
    },
    Io {
        path: PathBuf,
        source: io::Error,
    },
}

impl WriteError {
    pub fn path(&self) -> &Path {
        match self {
            WriteError::Exists { path }
            | WriteError::NotRegular { path, .. }
            | WriteError::DanglingLink { path, .. }
            | WriteError::Io { path, .. } => path,
        }
    }

    fn io(path: &Path, source: io::Error) -> Self {
        WriteError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Exists { path } => write!(
                f,
                "{} already exists and was left as it is; choose another file name, \
                 or confirm to overwrite it",
                path.display()
            ),
            WriteError::NotRegular { path, target, kind } => {
                match target {
                    Some(t) => write!(
                        f,
                        "{} is a link to {}, which is {}",
                        path.display(),
                        t.display(),
                        kind.described()
                    )?,
                    None => write!(f, "{} is {}", path.display(), kind.described())?,
                }
                f.write_str(
                    "; nothing was written (only regular files are written); choose a file name",
                )
            }
            WriteError::DanglingLink { path, target } => write!(
                f,
                "{} is a link to {}, which does not exist; nothing was written; write to \
                 the target's path directly, or choose another file name",
                path.display(),
                target.display()
            ),
            WriteError::Io { path, source } => {
                write!(f, "could not write {}: {source}", path.display())?;
                match source.kind() {
                    io::ErrorKind::NotFound => f.write_str("; check that the directory exists"),
                    io::ErrorKind::PermissionDenied => f.write_str(
                        "; choose a directory you can write to, or check the file's permissions",
                    ),
                    _ => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The file a write to `path` lands in: `path` itself, or the final target of the link it
/// names. `Ok((file, link_target, metadata))`, metadata `None` when nothing is there yet.
fn resolve(path: &Path) -> Result<(PathBuf, bool, Option<Metadata>), WriteError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            let target = fs::canonicalize(path).map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    WriteError::DanglingLink {
                        path: path.to_path_buf(),
                        target: fs::read_link(path).unwrap_or_default(),
                    }
                } else {
                    WriteError::io(path, e)
                }
            })?;
            let meta = fs::metadata(&target).map_err(|e| WriteError::io(path, e))?;
            Ok((target, true, Some(meta)))
        }
        Ok(m) => Ok((path.to_path_buf(), false, Some(m))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((path.to_path_buf(), false, None)),
        Err(e) => Err(WriteError::io(path, e)),
    }
}

fn refuse_special(
    path: &Path,
    file: &Path,
    via_link: bool,
    meta: &Metadata,
) -> Result<(), WriteError> {
    let kind = FileKind::of(meta);
    if kind == FileKind::Regular {
        return Ok(());
    }
    Err(WriteError::NotRegular {
        path: path.to_path_buf(),
        target: via_link.then(|| file.to_path_buf()),
        kind,
    })
}

/// Writes `contents` to the user's file at `path` (see the module docs): a new file is
/// created exclusively; an existing one is kept ([`Existing::Keep`], the error says so) or
/// replaced ([`Existing::Replace`]) through a link to its target, keeping its permission bits.
/// Devices, FIFOs, sockets and directories are refused without being opened.
pub fn write_file(path: &Path, contents: &[u8], existing: Existing) -> Result<Written, WriteError> {
    let (file, via_link, meta) = resolve(path)?;
    if let Some(m) = &meta {
        refuse_special(path, &file, via_link, m)?;
        if existing == Existing::Keep {
            return Err(WriteError::Exists {
                path: path.to_path_buf(),
            });
        }
    }
    match meta {
        None => {
            create_new(&file, contents)?;
            Ok(Written {
                file,
                replaced: false,
            })
        }
        Some(m) => {
            replace(path, &file, &m, contents)?;
            Ok(Written {
                file,
                replaced: true,
            })
        }
    }
}

/// A new file, created exclusively (O_EXCL never follows a link and fails if anything is
/// there); a failed write removes it.
fn create_new(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let mut file = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(WriteError::Exists {
                path: path.to_path_buf(),
            });
        }
        Err(e) => return Err(WriteError::io(path, e)),
    };
    if let Err(e) = file.write_all(contents).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(WriteError::io(path, e));
    }
    Ok(())
}

/// Replaces the regular file `file` (`path` names it, perhaps through a link).
fn replace(path: &Path, file: &Path, meta: &Metadata, contents: &[u8]) -> Result<(), WriteError> {
    // A rename would split a file with several hard links from its other names.
    if meta.nlink() > 1 {
        return write_in_place(path, file, contents);
    }
    match replace_by_rename(file, meta, contents) {
        Ok(()) => Ok(()),
        // No temporary file beside it (a directory the user may not write to, a read-only
        // mount where the file itself is writable through a bind...): write in place.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            write_in_place(path, file, contents)
        }
        Err(e) => Err(WriteError::io(path, e)),
    }
}

fn replace_by_rename(file: &Path, meta: &Metadata, contents: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = file
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?
        .to_string_lossy()
        .into_owned();
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        out.write_all(contents)?;
        // The old file's owner (allowed for root, or when nothing changes) and mode.
        let _ = std::os::unix::fs::fchown(&out, Some(meta.uid()), Some(meta.gid()));
        out.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))?;
        out.sync_all()?;
        drop(out);
        fs::rename(&tmp, file)?;
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_in_place(path: &Path, file: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let mut out = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(file)
        .map_err(|e| WriteError::io(path, e))?;
    let meta = out.metadata().map_err(|e| WriteError::io(path, e))?;
    refuse_special(path, file, path != file, &meta)?;
    out.set_len(0)
        .and_then(|()| out.write_all(contents))
        .and_then(|()| out.sync_all())
        .map_err(|e| WriteError::io(path, e))
}

/// Opens the user's file at `path` for appending (the transcript, the log): created with mode
/// 0600 when new, an existing file's mode kept, written through a link to a regular file;
/// devices, FIFOs, sockets, directories and dangling links are refused without being opened.
pub fn open_append(path: &Path) -> Result<File, WriteError> {
    let (file, via_link, meta) = resolve(path)?;
    if let Some(m) = &meta {
        refuse_special(path, &file, via_link, m)?;
    }
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(&file)
        .map_err(|e| WriteError::io(path, e))?;
    let m = out.metadata().map_err(|e| WriteError::io(path, e))?;
    refuse_special(path, &file, via_link, &m)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: Cap = Cap {
        what: "test file",
        bytes: 16,
        raise: Some("raise it with --max-test-size BYTES"),
    };

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    #[test]
    fn reads_a_regular_file_and_follows_links_to_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        fs::write(&p, "{}").unwrap();
        assert_eq!(read_text(&p, &CAP).unwrap(), "{}");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        assert_eq!(read_text(&link, &CAP).unwrap(), "{}");
        let exact = dir.path().join("exact");
        fs::write(&exact, "x".repeat(16)).unwrap();
        assert_eq!(read_bytes(&exact, &CAP).unwrap().len(), 16);
    }

    #[test]
    fn devices_fifos_and_directories_are_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
        // No writer ever opens it: a plain open would wait forever.
        let e = read_text(&fifo, &CAP).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::NotRegular {
                    kind: FileKind::Fifo,
                    ..
                }
            ),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(msg.contains("pipe") && msg.contains("FIFO"), "{msg}");
        let e = read_text(Path::new("/dev/zero"), &CAP).unwrap_err();
        assert!(
            e.to_string().contains("/dev/zero is a character device"),
            "{e}"
        );
        let e = read_text(dir.path(), &CAP).unwrap_err();
        assert!(e.to_string().contains("is a directory"), "{e}");
        // Through a link too.
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read_text(&link, &CAP).unwrap_err(),
            ReadError::NotRegular {
                kind: FileKind::CharDevice,
                ..
            }
        ));
    }

    #[test]
    fn a_file_over_the_cap_is_refused_naming_the_cap_and_how_to_raise_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        fs::write(&p, "x".repeat(17)).unwrap();
        let e = read_text(&p, &CAP).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("big is larger than 16 bytes")
                && msg.contains("test file")
                && msg.contains("--max-test-size"),
            "{msg}"
        );
    }

    #[test]
    fn checking_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            check_readable(&dir.path().join("none"), &CAP).unwrap(),
            None
        );
        let p = dir.path().join("f");
        fs::write(&p, "12345").unwrap();
        assert_eq!(check_readable(&p, &CAP).unwrap(), Some(5));
        fs::write(&p, "x".repeat(17)).unwrap();
        assert!(matches!(
            check_readable(&p, &CAP),
            Err(ReadError::TooLarge { .. })
        ));
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        assert!(matches!(
            check_readable(&fifo, &CAP),
            Err(ReadError::NotRegular {
                kind: FileKind::Fifo,
                ..
            })
        ));
    }

    #[test]
    fn missing_binary_and_unreadable_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(&dir.path().join("none"), &CAP).unwrap_err();
        assert!(
            e.is_not_found() && e.to_string().contains("does not exist"),
            "{e}"
        );
        let p = dir.path().join("bin");
        fs::write(&p, b"ab\xffc").unwrap();
        let e = read_text(&p, &CAP).unwrap_err();
        assert!(e.to_string().contains("byte 2 is not valid UTF-8"), "{e}");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(1 << 20), "1 MiB");
        assert_eq!(human_size(64 << 10), "64 KiB");
        assert_eq!(human_size(8 << 30), "8 GiB");
        assert_eq!(human_size(1500), "1,500 bytes");
        assert_eq!(thousands(200_001), "200,001");
        assert_eq!(thousands(999), "999");
    }

    const LIMITS: JsonLimits = JsonLimits {
        max_depth: 3,
        max_values: 6,
    };

    #[test]
    fn json_shape_counts_depth_and_values() {
        // Keys count as values (they are strings): 6 here.
        assert_eq!(
            check_json_shape(
                r#"{"a": [1, {"b": null}]}"#,
                JsonLimits {
                    max_values: 7,
                    ..LIMITS
                }
            ),
            Ok(())
        );
        // Brackets and quotes inside strings do not count.
        assert_eq!(check_json_shape(r#"["[[[[{{{{", "\"[[["]"#, LIMITS), Ok(()));
        let e = check_json_shape("[[[[1]]]]", LIMITS).unwrap_err();
        assert_eq!(
            e,
            ShapeError::TooDeep {
                max: 3,
                line: 1,
                column: 4
            }
        );
        assert!(e.to_string().contains("more than 3 levels"), "{e}");
        let e = check_json_shape("[1, 2, 3,\n 4, 5, 6]", LIMITS).unwrap_err();
        assert_eq!(
            e,
            ShapeError::TooMany {
                max: 6,
                line: 2,
                column: 8
            }
        );
        // A number is one value however many digits it has.
        assert_eq!(check_json_shape("[12345, -1.5e10, true]", LIMITS), Ok(()));
    }

    #[test]
    fn a_new_file_is_created_and_an_existing_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.tf");
        let w = write_file(&p, b"one", Existing::Keep).unwrap();
        assert_eq!((w.file.as_path(), w.replaced), (p.as_path(), false));
        assert_eq!(fs::read_to_string(&p).unwrap(), "one");
        let err = write_file(&p, b"two", Existing::Keep).unwrap_err();
        assert!(matches!(err, WriteError::Exists { .. }), "{err:?}");
        assert!(err.to_string().contains("overwrite"), "{err}");
        assert_eq!(fs::read_to_string(&p).unwrap(), "one");
        let err = write_file(&dir.path().join("no/such/dir/x"), b"x", Existing::Keep).unwrap_err();
        assert!(err.to_string().contains("directory exists"), "{err}");
    }

    #[test]
    fn replacing_keeps_the_mode_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.yaml");
        fs::write(&p, "first").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        let w = write_file(&p, b"second", Existing::Replace).unwrap();
        assert!(w.replaced);
        assert_eq!(fs::read_to_string(&p).unwrap(), "second");
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o640);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.yaml"]);
        // Replace on a path that is free creates it.
        let q = dir.path().join("new.sh");
        assert!(!write_file(&q, b"x", Existing::Replace).unwrap().replaced);
    }

    #[test]
    fn replacing_through_a_link_writes_the_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.tf");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o604)).unwrap();
        let link = dir.path().join("link.tf");
        std::os::unix::fs::symlink("real.tf", &link).unwrap();
        // Keep: the link counts as an existing file.
        assert!(matches!(
            write_file(&link, b"new", Existing::Keep).unwrap_err(),
            WriteError::Exists { .. }
        ));
        let w = write_file(&link, b"new", Existing::Replace).unwrap();
        assert_eq!(w.file, fs::canonicalize(&target).unwrap());
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_link(&link).unwrap(), Path::new("real.tf"));
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(fs::metadata(&target).unwrap().mode() & 0o777, 0o604);
        // A dangling link is refused, and left as it was.
        let dangling = dir.path().join("dangling.tf");
        std::os::unix::fs::symlink("missing/none.tf", &dangling).unwrap();
        let e = write_file(&dangling, b"x", Existing::Replace).unwrap_err();
        assert!(matches!(e, WriteError::DanglingLink { .. }), "{e:?}");
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(!dir.path().join("missing").exists());
    }

    #[test]
    fn devices_fifos_and_directories_are_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out.tf");
        mkfifo(&fifo);
        for existing in [Existing::Keep, Existing::Replace] {
            let e = write_file(&fifo, b"x", existing).unwrap_err();
            assert!(
                matches!(
                    e,
                    WriteError::NotRegular {
                        kind: FileKind::Fifo,
                        ..
                    }
                ),
                "{e:?}"
            );
            assert!(
                e.to_string().contains("FIFO") && e.to_string().contains("nothing was written")
            );
        }
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        // A link to a FIFO: the link and the FIFO stay.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        let e = write_file(&link, b"x", Existing::Replace).unwrap_err();
        assert!(
            e.to_string().contains("is a link to") && e.to_string().contains("FIFO"),
            "{e}"
        );
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // (Never a real device here: the tests may run as root, where a bug would replace it.)
        let e = write_file(dir.path(), b"x", Existing::Replace).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
    }

    #[test]
    fn a_file_with_hard_links_is_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        fs::write(&a, "old contents").unwrap();
        fs::hard_link(&a, &b).unwrap();
        write_file(&a, b"new", Existing::Replace).unwrap();
        assert_eq!(fs::read_to_string(&b).unwrap(), "new", "both names see it");
    }

    #[test]
    fn appending_creates_private_files_and_refuses_special_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.md");
        let mut f = open_append(&p).unwrap();
        f.write_all(b"one\n").unwrap();
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        let mut f = open_append(&p).unwrap();
        f.write_all(b"two\n").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "one\ntwo\n");
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o640, "mode kept");
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        open_append(&link).unwrap().write_all(b"three\n").unwrap();
        assert!(fs::read_to_string(&p).unwrap().ends_with("three\n"));
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let e = open_append(&fifo).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(open_append(Path::new("/dev/full")).is_err());
    }
}
