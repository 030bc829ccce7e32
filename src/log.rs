//! `--log-file FILE`: a plain diagnostic log, off by default. It goes to the file only, never
//! to the terminal while the UI runs, the file is created with mode 0600 (an existing file
//! keeps its mode), and nothing secret is ever written: lines are built from the app's own
//! types (operation, mesh name, error code, request ID), never from credentials or HTTP
//! headers, and every line passes through [`crate::redact::redact`] (a password in an endpoint
//! URL). The file is opened with [`crate::fileio::open_append`]: a FIFO, a device or a
//! directory is refused.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::ui::text::{clean, rfc3339};

static LOG: Mutex<Option<File>> = Mutex::new(None);

/// Starts logging to `path` (appending).
pub fn open(path: &Path) -> Result<(), String> {
    let file = crate::fileio::open_append(path)
        .map_err(|e| format!("cannot open log file: {e}; pick another path with --log-file"))?;
    *LOG.lock().unwrap_or_else(|p| p.into_inner()) = Some(file);
    line(&format!(
        "appmesh-tui {} started",
        env!("CARGO_PKG_VERSION")
    ));
    Ok(())
}

/// Whether a log file is open.
pub fn enabled() -> bool {
    LOG.lock().map(|l| l.is_some()).unwrap_or(false)
}

/// Appends one line (control characters made visible). Does nothing when logging is off;
/// a failed write turns logging off rather than disturbing the session.
pub fn line(text: &str) {
    let mut guard = LOG.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(file) = guard.as_mut() {
        let entry = format!(
            "{} {}\n",
            rfc3339(SystemTime::now()),
            crate::redact::redact(&clean(text))
        );
        if file.write_all(entry.as_bytes()).is_err() {
            *guard = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_cleaned_lines_to_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        line("before open: dropped");
        open(&path).unwrap();
        assert!(enabled());
        line("CreateMesh orders failed: \u{1b}]0;title\u{7}");
        line("connected: endpoint http://admin:hunter2@127.0.0.1:4566");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("started") && text.contains("CreateMesh orders failed: ␛]0;title"),
            "{text}"
        );
        assert!(
            text.contains("endpoint http://***@127.0.0.1:4566") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(!text.contains("before open") && !text.contains('\u{1b}'));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert!(
            open(Path::new("/nonexistent/x.log"))
                .unwrap_err()
                .contains("--log-file")
        );
    }
}
