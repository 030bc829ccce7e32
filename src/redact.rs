//! Secrets never reach the screen, a transcript, a log or an export: the one place that hides
//! them.
//!
//! An endpoint URL may carry a user name and password (`http://user:pass@host:4566`). The SDK
//! gets the URL as it was given; everything the app shows or writes goes through [`redact`],
//! which replaces the user information of every URL in a text with `***`
//! (`http://***@host:4566`), so the reader still sees that the URL held some.

use std::borrow::Cow;

/// What user information is replaced with.
pub const HIDDEN: &str = "***";

/// `text` with the user information (`user:pass@`) of every `scheme://` URL in it replaced by
/// [`HIDDEN`]. Text without any comes back as it is, borrowed.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut done = 0; // bytes of `text` already handled
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let authority_start = search + found + 3;
        // The authority ends at the path, query or fragment, or where the URL ends in prose.
        let rest = &text[authority_start..];
        let authority_len = rest
            .find(|c: char| {
                matches!(
                    c,
                    '/' | '?' | '#' | '"' | '\'' | '`' | '<' | '>' | ')' | ']'
                ) || c.is_whitespace()
                    || c.is_control()
            })
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        if let Some(at) = authority.rfind('@')
            && at > 0
            && authority[..at] != *HIDDEN
        {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[done..authority_start]);
            o.push_str(HIDDEN);
            done = authority_start + at;
        }
        search = authority_start + authority_len;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[done..]);
            Cow::Owned(o)
        }
    }
}

/// True when `text` holds a URL with user information (so callers can say it was hidden).
pub fn has_secret(text: &str) -> bool {
    matches!(redact(text), Cow::Owned(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_password_are_hidden_wherever_the_url_is() {
        assert_eq!(
            redact("http://user:pass@127.0.0.1:4566"),
            "http://***@127.0.0.1:4566"
        );
        assert_eq!(
            redact("https://admin:s3cr%40t@mesh.example/v1?x=a@b#frag"),
            "https://***@mesh.example/v1?x=a@b#frag"
        );
        assert_eq!(redact("http://token@host"), "http://***@host");
        assert_eq!(
            redact("profile p, endpoint http://u:p@h:1 and (https://a:b@c/d)."),
            "profile p, endpoint http://***@h:1 and (https://***@c/d)."
        );
        assert_eq!(
            redact("error sending request for url (http://u:p@h:1/v20190125/meshes)"),
            "error sending request for url (http://***@h:1/v20190125/meshes)"
        );
        // A password holding '@' or ':' is hidden whole: the last '@' ends it.
        assert_eq!(redact("http://u:p@ss:w@rd@host/"), "http://***@host/");
    }

    #[test]
    fn text_without_secrets_is_left_alone() {
        for plain in [
            "http://127.0.0.1:4566",
            "https://appmesh.us-east-1.amazonaws.com/v20190125/meshes?x=a@b",
            "mail me: someone@example.com",
            "no url at all",
            "://@",
            "",
            "http://***@host",
        ] {
            assert!(matches!(redact(plain), Cow::Borrowed(_)), "{plain}");
            assert!(!has_secret(plain));
        }
        assert!(has_secret("http://a:b@c"));
    }
}
