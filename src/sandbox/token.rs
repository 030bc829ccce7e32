//! Pagination tokens: opaque, tamper-evident, bound to one list and expiring.
//!
//! A token is `hex(mac) + hex(payload)`, where the payload is the JSON array
//! `[scope, issued_at_secs, last_key]` (scope: `"meshes"` or `"tags <arn>"`) and the MAC is two
//! SipHash-2-4 values keyed with the 256-bit secret kept in the sandbox state. SipHash is a keyed
//! PRF, not a standard MAC construction like HMAC; for a local sandbox it is enough to tell a
//! forged, edited or foreign token from one the sandbox issued, without another crate. A token
//! from another sandbox state (other secret), for another list, older than [`TOKEN_TTL_SECS`], or
//! not of this form is rejected.

use std::hash::Hasher;
#[allow(deprecated)]
use std::hash::SipHasher;

/// How long a token stays valid.
pub const TOKEN_TTL_SECS: i64 = 24 * 60 * 60;

/// The secret the tokens are keyed with.
pub type Secret = [u64; 4];

/// A new random secret.
pub fn new_secret() -> Secret {
    let a = uuid::Uuid::new_v4().as_u64_pair();
    let b = uuid::Uuid::new_v4().as_u64_pair();
    [a.0, a.1, b.0, b.1]
}

pub fn secret_to_hex(s: &Secret) -> String {
    s.iter().map(|v| format!("{v:016x}")).collect()
}

pub fn secret_from_hex(h: &str) -> Option<Secret> {
    if h.len() != 64 || !h.is_ascii() {
        return None;
    }
    let mut s = [0u64; 4];
    for (i, v) in s.iter_mut().enumerate() {
        *v = u64::from_str_radix(&h[i * 16..i * 16 + 16], 16).ok()?;
    }
    Some(s)
}

#[allow(deprecated)]
fn mac(secret: &Secret, payload: &[u8]) -> String {
    let mut a = SipHasher::new_with_keys(secret[0], secret[1]);
    a.write(payload);
    let mut b = SipHasher::new_with_keys(secret[2], secret[3]);
    b.write(payload);
    format!("{:016x}{:016x}", a.finish(), b.finish())
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// A token continuing `scope` after `last`.
pub fn issue(secret: &Secret, scope: &str, last: &str, now_secs: i64) -> String {
    let payload = serde_json::to_vec(&(scope, now_secs, last)).expect("tuple serializes");
    format!("{}{}", mac(secret, &payload), hex(&payload))
}

/// Why a token is refused (for the BadRequestException message).
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token this sandbox issued: malformed, edited, forged or from another state.
    Invalid,
    /// Issued for another list (another operation or resource).
    OtherList,
    /// Older than the TTL.
    Expired,
}

/// The `last` key of a token issued for `scope`.
pub fn verify(
    secret: &Secret,
    scope: &str,
    token: &str,
    now_secs: i64,
) -> Result<String, TokenError> {
    if token.len() < 32 || !token.is_ascii() {
        return Err(TokenError::Invalid);
    }
    let (m, p) = token.split_at(32);
    let payload = unhex(p).ok_or(TokenError::Invalid)?;
    // Comparing MAC strings: timing leaks are irrelevant for a local sandbox.
    if mac(secret, &payload) != m {
        return Err(TokenError::Invalid);
    }
    let (s, issued, last): (String, i64, String) =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Invalid)?;
    if s != scope {
        return Err(TokenError::OtherList);
    }
    if now_secs - issued > TOKEN_TTL_SECS || issued - now_secs > 300 {
        return Err(TokenError::Expired);
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let s = new_secret();
        let t = issue(&s, "meshes", "mesh-b", 1000);
        assert_eq!(verify(&s, "meshes", &t, 1001).unwrap(), "mesh-b");
        // Another list.
        assert_eq!(
            verify(&s, "tags arn:x", &t, 1001),
            Err(TokenError::OtherList)
        );
        // Another secret (another sandbox state).
        assert_eq!(
            verify(&new_secret(), "meshes", &t, 1001),
            Err(TokenError::Invalid)
        );
        // Flip one character anywhere.
        for i in 0..t.len() {
            let mut b = t.clone().into_bytes();
            b[i] = if b[i] == b'0' { b'1' } else { b'0' };
            let forged = String::from_utf8(b).unwrap();
            assert!(verify(&s, "meshes", &forged, 1001).is_err(), "position {i}");
        }
        // A forged payload with a guessed MAC.
        let payload = serde_json::to_vec(&("meshes", 1000, "mesh-z")).unwrap();
        let forged = format!("{}{}", "0".repeat(32), hex(&payload));
        assert_eq!(
            verify(&s, "meshes", &forged, 1001),
            Err(TokenError::Invalid)
        );
        for junk in [
            "",
            "abc",
            "zz",
            &"f".repeat(40),
            "ünïcödé-token-ünïcödé-token-xxxx",
        ] {
            assert!(verify(&s, "meshes", junk, 1001).is_err(), "{junk}");
        }
        // Expiry.
        assert_eq!(
            verify(&s, "meshes", &t, 1000 + TOKEN_TTL_SECS + 1),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn secret_hex_round_trip() {
        let s = new_secret();
        assert_eq!(secret_from_hex(&secret_to_hex(&s)), Some(s));
        assert_eq!(secret_from_hex("xyz"), None);
    }

    #[test]
    fn keys_with_any_characters() {
        let s = new_secret();
        let key = "a\"b\\c\n🦀/d";
        let t = issue(&s, "tags arn:aws:appmesh:r:1:mesh/x", key, 5);
        assert_eq!(
            verify(&s, "tags arn:aws:appmesh:r:1:mesh/x", &t, 5).unwrap(),
            key
        );
    }
}
