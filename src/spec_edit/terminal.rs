//! Handing the spec to the person's own editor, the way `git commit` and `kubectl edit` do: a
//! temporary file (mode 0600, removed afterwards), `$VISUAL` or `$EDITOR` run on it with the
//! terminal, the file read back when the editor exits. A spec with problems reopens with the
//! problems as comments at their lines, until it is valid or the person empties it.
//!
//! The app gives up the terminal around each run of the editor through [`TerminalHandover`]
//! (leave the alternate screen and raw mode before, enter them again after); tests pass a fake.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::buffer::{MAX_BUFFER_BYTES, Unread, annotate, read_buffer};
use crate::fileio::{self, Cap, Existing};
use crate::kind::Kind;

/// How [`edit_in_terminal`] gives the terminal to the editor and takes it back.
pub trait TerminalHandover {
    /// Before the editor runs: leave the alternate screen, raw mode and mouse capture, and stop
    /// reading terminal events (so no keystroke meant for the editor is taken).
    fn leave(&mut self) -> io::Result<()>;
    /// After the editor exits: enter them again and redraw everything.
    fn restore(&mut self) -> io::Result<()>;
}

/// An editor command: `$VISUAL`, `$EDITOR` or a fallback found on `PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editor {
    /// The command as configured (`code --wait`).
    pub command: String,
    /// Where it came from: `VISUAL`, `EDITOR` or `PATH`.
    pub source: &'static str,
}

/// Characters that make git run an editor command through the shell (git's run-command.c).
const SHELL_CHARS: &[char] = &[
    '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', '*', '?', '[', '#', '~', '=', '%',
];

/// Editors tried on `PATH` when neither `VISUAL` nor `EDITOR` is set.
pub const FALLBACK_EDITORS: [&str; 2] = ["vi", "nano"];

impl Editor {
    /// The editor from the process environment, or `None` when there is none (then the in-app
    /// editor is used).
    pub fn from_env() -> Option<Editor> {
        Editor::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`Editor::from_env`], with the variables from `var`: `VISUAL` (unless `TERM` is
    /// `dumb`, as git does), `EDITOR`, then `vi` or `nano` on `PATH`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Option<Editor> {
        let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let dumb = var("TERM").is_some_and(|t| t == "dumb");
        if !dumb && let Some(v) = set("VISUAL") {
            return Some(Editor {
                command: v,
                source: "VISUAL",
            });
        }
        if let Some(v) = set("EDITOR") {
            return Some(Editor {
                command: v,
                source: "EDITOR",
            });
        }
        let path = var("PATH")?;
        FALLBACK_EDITORS.iter().find_map(|name| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|p| is_executable(p))
                .map(|p| Editor {
                    command: p.to_string_lossy().into_owned(),
                    source: "PATH",
                })
        })
    }

    /// The process that edits `file`: the command split on whitespace (`code --wait` →
    /// `code`, `--wait`), or, when it holds shell syntax (quotes, `$`, `~`…), run by `sh -c`
    /// with the file as `"$@"`, as git does.
    pub fn process(&self, file: &Path) -> Command {
        let cmd = self.command.trim();
        if cmd.contains(SHELL_CHARS) {
            let mut c = Command::new("sh");
            c.arg("-c").arg(format!("{cmd} \"$@\"")).arg(cmd).arg(file);
            c
        } else {
            let mut words = cmd.split_whitespace();
            let mut c = Command::new(words.next().unwrap_or("vi"));
            c.args(words).arg(file);
            c
        }
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// How an edit ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edited {
    /// A valid spec (pruned to what the service keeps).
    Saved(Value),
    /// The person emptied the file (or left only comments).
    Cancelled,
    /// The editor could not run, failed, or its file could not be read. `text` is the latest
    /// text the person had (the buffer handed over when nothing came back), so the app can
    /// keep it, e.g. in the in-app editor; `kept` is the file left on disk, if any.
    Failed {
        reason: String,
        text: String,
        kept: Option<PathBuf>,
    },
}

/// The cap on what is read back from the editor's file.
fn cap() -> Cap {
    Cap {
        what: "spec editor file",
        bytes: MAX_BUFFER_BYTES as u64,
        raise: None,
    }
}

/// Edits `buffer` (from [`super::render_buffer`]) in `editor` until it is a valid `kind` spec
/// or the person cancels. Each round: the text goes to the file, the terminal is handed over,
/// the editor runs, the terminal is taken back, the file is read and checked; problems are
/// written into the file as comments and the editor opens again.
///
/// Blocks until the person is done: the app runs it while it has given up the terminal.
pub fn edit_in_terminal(
    kind: Kind,
    buffer: String,
    editor: &Editor,
    term: &mut impl TerminalHandover,
) -> Edited {
    let file = match tempfile::Builder::new()
        .prefix("appmesh-spec-")
        .suffix(".yaml")
        .tempfile()
    {
        Ok(f) => f,
        Err(e) => {
            return Edited::Failed {
                reason: format!("cannot create a temporary file for the editor: {e}; check TMPDIR"),
                text: buffer,
                kept: None,
            };
        }
    };
    let path = file.path().to_path_buf();
    let mut text = buffer;
    // No fsync: the editor reads the file through the page cache, and it is removed when the
    // edit ends. On a disk busy with other writes (a build), an fsync here waits for the
    // filesystem's journal: 8-17 ms measured, the whole hand-over's budget.
    if let Err(e) = file.as_file().write_all(text.as_bytes()) {
        return Edited::Failed {
            reason: format!("cannot write {}: {e}", path.display()),
            text,
            kept: None,
        };
    }
    let mut first = true;
    loop {
        if !first && let Err(e) = fileio::write_file(&path, text.as_bytes(), Existing::Replace) {
            return Edited::Failed {
                reason: format!("cannot write the problems into the editor's file: {e}"),
                text,
                kept: None,
            };
        }
        first = false;
        if let Err(e) = term.leave() {
            return Edited::Failed {
                reason: format!("cannot hand the terminal to the editor: {e}"),
                text,
                kept: None,
            };
        }
        let status = editor.process(&path).status();
        let restored = term.restore();
        let back = fileio::read_text(&path, &cap());
        if let Err(e) = restored {
            // The person's text is what matters: keep the file.
            let kept = file.keep().ok().map(|(_, p)| p);
            return Edited::Failed {
                reason: format!("cannot take the terminal back from the editor: {e}"),
                text: back.unwrap_or(text),
                kept,
            };
        }
        let edited = match back {
            Ok(t) => t,
            Err(e) => {
                let kept = file.keep().ok().map(|(_, p)| p);
                return Edited::Failed {
                    reason: format!("cannot read what the editor saved: {e}; the file is kept"),
                    text,
                    kept,
                };
            }
        };
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                return Edited::Failed {
                    reason: format!(
                        "the editor ({}, from ${}) exited with {s}; nothing was sent",
                        editor.command, editor.source
                    ),
                    text: edited,
                    kept: None,
                };
            }
            Err(e) => {
                return Edited::Failed {
                    reason: format!(
                        "cannot run the editor {:?} (from ${}): {e}; set VISUAL or EDITOR to an editor that waits until the file is closed (e.g. \"code --wait\")",
                        editor.command, editor.source
                    ),
                    text: edited,
                    kept: None,
                };
            }
        }
        match read_buffer(kind, &edited) {
            Ok(spec) => return Edited::Saved(spec),
            Err(Unread::Cancelled) => return Edited::Cancelled,
            Err(Unread::Problems(problems)) => text = annotate(&edited, &problems),
        }
    }
}
