//! The spec editor (`E`): the full spec of any resource as YAML, in the person's own editor
//! (`$VISUAL` / `$EDITOR`, the terminal handed over the way `kubectl edit` and `git commit`
//! do) or, without one, in an in-app editor. Both check the text against the service model on
//! save and write each problem back as a comment at its line, until the spec is valid or the
//! text is emptied (only comments left) to cancel. Nothing the person wrote is dropped.
//!
//! - [`render_buffer`], [`read_buffer`], [`annotate`]: the text, reading it back, problems as
//!   comments (pure).
//! - [`edit_in_terminal`]: the external editor loop, with the app's side as
//!   [`TerminalHandover`].
//! - [`SpecEditor`]: the in-app editor component (`handle_key` → [`Outcome`], `render`).

mod buffer;
mod component;
mod terminal;

pub use buffer::{
    MAX_BUFFER_BYTES, PROBLEM_MARK, ProblemAt, Unread, annotate, read_buffer, render_buffer,
};
pub use component::{Outcome, SpecEditor};
pub use terminal::{Edited, Editor, FALLBACK_EDITORS, TerminalHandover, edit_in_terminal};

#[cfg(test)]
mod tests;
