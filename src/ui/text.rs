//! Text from outside the app (servers, files, the environment) made safe to draw, and the
//! time formats the panes use.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Whether a character must not reach the terminal as is: C0 and C1 controls (ESC, BEL, CSI
/// introducers, ...), DEL, and the bidirectional overrides and isolates that reorder text.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Makes text safe to draw: ESC shows as `␛`, other control characters as `�`, and
/// bidirectional controls are dropped, so nothing a server sends can move the cursor, change
/// the window title, write the clipboard or reorder what the user reads.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter_map(|c| match c {
                '\u{1b}' => Some('␛'),
                '\n' | '\t' => Some(' '),
                c if c.is_control() => Some('�'),
                c if is_unsafe(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Display width in terminal columns (wide characters count 2, combining marks 0).
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending in `…` when something was cut.
pub fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// Keeps the end of `s` (for paths), starting with `…` when something was cut.
pub fn fit_start(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut w = 0;
    for c in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        kept.push(c);
        w += cw;
    }
    let mut out = String::from(if max > 0 { "…" } else { "" });
    out.extend(kept.into_iter().rev());
    out
}

/// Breaks `s` into lines of at most `max` columns, at spaces where it can and anywhere
/// when a word is longer than a line (ARNs, UUIDs).
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0;
    for word in s.split_inclusive(' ') {
        let ww = width(word.trim_end());
        if w > 0 && w + ww > max {
            lines.push(std::mem::take(&mut line).trim_end().to_string());
            w = 0;
        }
        for c in word.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if w + cw > max && (c != ' ') {
                lines.push(std::mem::take(&mut line));
                w = 0;
            }
            line.push(c);
            w += cw;
        }
    }
    let last = line.trim_end().to_string();
    if !last.is_empty() || lines.is_empty() {
        lines.push(last);
    }
    lines
}

/// Replaces the home directory at the start of a path with `~`.
pub fn tilde(path: &str) -> String {
    match std::env::var("HOME") {
        Ok(home) if !home.is_empty() && home != "/" && path.starts_with(&home) => {
            format!("~{}", &path[home.len()..])
        }
        _ => path.to_string(),
    }
}

/// `2026-11-27T11:40:02Z`: UTC, RFC 3339, whole seconds.
pub fn rfc3339(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    let dt = dt.replace_nanosecond(0).unwrap_or(dt);
    dt.format(&Rfc3339)
        .unwrap_or_else(|_| "(invalid time)".into())
}

/// "just now", "2 min ago", "3 h ago", "4 days ago" (or "in 2 min" for a clock ahead of ours).
pub fn ago(now: SystemTime, t: SystemTime) -> String {
    let (d, future) = match now.duration_since(t) {
        Ok(d) => (d, false),
        Err(e) => (e.duration(), true),
    };
    let s = d.as_secs();
    let amount = if s < 10 {
        return "just now".into();
    } else if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 86_400 {
        format!("{} h", s / 3600)
    } else {
        let days = s / 86_400;
        format!("{days} day{}", if days == 1 { "" } else { "s" })
    };
    if future {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// A fixed instant for tests and snapshots.
pub fn epoch_plus(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_never_pass() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{1b}[2J\u{9b}c\u{202e}d\u{1b}]52;c;cHduZWQ=\u{7}";
        let out = clean(hostile);
        assert!(!out.chars().any(is_unsafe), "{out:?}");
        assert!(out.contains('␛'));
        assert_eq!(clean("plain ünïcode 🦀"), "plain ünïcode 🦀");
    }

    #[test]
    fn fitting_and_wrapping() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("日本語テキスト", 5), "日本…");
        assert_eq!(fit_start("/a/b/c/d.json", 8), "…/d.json");
        assert_eq!(
            wrap("arn:aws:appmesh:us-east-1:111122223333:mesh/x", 20),
            vec!["arn:aws:appmesh:us-e", "ast-1:111122223333:m", "esh/x"]
        );
        assert_eq!(
            wrap("a mesh with this name", 10),
            vec!["a mesh", "with this", "name"]
        );
        assert_eq!(wrap("", 10), vec![""]);
        for l in wrap("🦀🦀🦀🦀🦀 wide", 3) {
            assert!(width(&l) <= 3, "{l}");
        }
    }

    #[test]
    fn times() {
        let t = epoch_plus(1_764_243_602);
        assert_eq!(rfc3339(t), "2025-11-27T11:40:02Z");
        assert_eq!(ago(t + Duration::from_secs(3), t), "just now");
        assert_eq!(ago(t + Duration::from_secs(130), t), "2 min ago");
        assert_eq!(ago(t + Duration::from_secs(7200), t), "2 h ago");
        assert_eq!(ago(t + Duration::from_secs(86_400), t), "1 day ago");
        assert_eq!(ago(t, t + Duration::from_secs(120)), "in 2 min");
    }
}
