//! The project's own App Mesh types and the service model's limits.
//!
//! Screens and state use these types only; `aws` converts to and from the SDK's types, and the
//! sandbox speaks the wire format. The limits come from the service model
//! (`appmesh-2019-01-25.service-2.json`): shapes `ResourceName`, `TagKey`, `TagValue`, `TagList`.

use std::fmt;
use std::time::SystemTime;

/// `ResourceName`: 1 to 255 characters.
pub const MESH_NAME_MAX: usize = 255;
/// `TagKey`: 1 to 128 characters.
pub const TAG_KEY_MAX: usize = 128;
/// `TagValue`: 0 to 256 characters.
pub const TAG_VALUE_MAX: usize = 256;
/// `TagList`: at most 50 tags.
pub const TAGS_MAX: usize = 50;
/// `clientToken`: up to 36 letters, numbers, hyphens and underscores (CreateMesh reference).
pub const CLIENT_TOKEN_MAX: usize = 36;

/// `EgressFilterType`. The service default is `DROP_ALL`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EgressFilter {
    #[default]
    DropAll,
    AllowAll,
}

impl EgressFilter {
    /// In the order the form lists them: the service default first.
    pub const ALL: [EgressFilter; 2] = [EgressFilter::DropAll, EgressFilter::AllowAll];

    pub fn as_str(self) -> &'static str {
        match self {
            EgressFilter::DropAll => "DROP_ALL",
            EgressFilter::AllowAll => "ALLOW_ALL",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for EgressFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `IpPreference`. Not setting it leaves the request without `serviceDiscovery`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpPreference {
    Ipv6Preferred,
    Ipv4Preferred,
    Ipv4Only,
    Ipv6Only,
}

impl IpPreference {
    /// In the order of the service model's enum.
    pub const ALL: [IpPreference; 4] = [
        IpPreference::Ipv6Preferred,
        IpPreference::Ipv4Preferred,
        IpPreference::Ipv4Only,
        IpPreference::Ipv6Only,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IpPreference::Ipv6Preferred => "IPv6_PREFERRED",
            IpPreference::Ipv4Preferred => "IPv4_PREFERRED",
            IpPreference::Ipv4Only => "IPv4_ONLY",
            IpPreference::Ipv6Only => "IPv6_ONLY",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for IpPreference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `MeshSpec`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MeshSpec {
    /// `None`: the request carries no egress filter (the service fills in `DROP_ALL`).
    pub egress_filter: Option<EgressFilter>,
    /// `None`: the request carries no `serviceDiscovery`.
    pub ip_preference: Option<IpPreference>,
}

/// `TagRef`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// `MeshStatusCode`, plus whatever a newer service might send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeshStatus {
    Active,
    Inactive,
    Deleted,
    Unknown(String),
}

impl MeshStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "ACTIVE" => MeshStatus::Active,
            "INACTIVE" => MeshStatus::Inactive,
            "DELETED" => MeshStatus::Deleted,
            other => MeshStatus::Unknown(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            MeshStatus::Active => "ACTIVE",
            MeshStatus::Inactive => "INACTIVE",
            MeshStatus::Deleted => "DELETED",
            MeshStatus::Unknown(s) => s,
        }
    }
}

/// `ResourceMetadata`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub arn: String,
    pub uid: String,
    pub version: i64,
    pub created_at: SystemTime,
    pub last_updated_at: SystemTime,
    pub mesh_owner: String,
    pub resource_owner: String,
}

/// `MeshData`: a mesh as the service returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mesh {
    pub name: String,
    pub spec: MeshSpec,
    pub status: MeshStatus,
    pub metadata: Metadata,
}

impl Mesh {
    /// The typed mesh of a described mesh resource (for the create form, which edits meshes
    /// with its own fields). Values the form has no choice for are left unset.
    pub fn from_resource(r: &crate::resource::Resource) -> Option<Mesh> {
        if r.key.kind != crate::kind::Kind::Mesh {
            return None;
        }
        let text = |path: &[&str]| {
            let mut v = &r.spec;
            for p in path {
                v = v.get(*p)?;
            }
            v.as_str()
        };
        Some(Mesh {
            name: r.key.name.to_string(),
            spec: MeshSpec {
                egress_filter: text(&["egressFilter", "type"]).and_then(EgressFilter::parse),
                ip_preference: text(&["serviceDiscovery", "ipPreference"])
                    .and_then(IpPreference::parse),
            },
            status: MeshStatus::parse(&r.status),
            metadata: Metadata {
                arn: r.meta.arn.clone(),
                uid: r.meta.uid.clone(),
                version: r.meta.version,
                created_at: r.meta.created_at,
                last_updated_at: r.meta.last_updated_at,
                mesh_owner: r.meta.mesh_owner.to_string(),
                resource_owner: r.meta.resource_owner.to_string(),
            },
        })
    }
}

/// `MeshRef`: one row of ListMeshes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeshSummary {
    pub name: String,
    pub arn: String,
    pub version: i64,
    pub created_at: SystemTime,
    pub last_updated_at: SystemTime,
    pub mesh_owner: String,
    pub resource_owner: String,
}

/// Number of characters as the service counts them (Unicode scalar values).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// The first character a name may not hold, with its position (1-based, in characters):
/// control characters (C0, DEL, C1: line breaks, tabs, NUL, ESC, …), the Unicode
/// bidirectional controls that reorder what is shown (U+061C, U+200E, U+200F, U+202A-U+202E,
/// U+2066-U+2069) and the line and paragraph separators (U+2028, U+2029). A name holding one
/// shows as something other than what it is, or cannot be typed to confirm a delete.
pub fn forbidden_char(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|&(_, c)| is_forbidden_char(c))
        .map(|(i, c)| (i + 1, c))
}

/// See [`forbidden_char`].
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// A character for a message: `U+001B (ESC)`, `U+202E (right-to-left override)`.
pub fn char_name(c: char) -> String {
    const C0: [&str; 32] = [
        "NUL",
        "SOH",
        "STX",
        "ETX",
        "EOT",
        "ENQ",
        "ACK",
        "BEL",
        "backspace",
        "tab",
        "line feed",
        "vertical tab",
        "form feed",
        "carriage return",
        "SO",
        "SI",
        "DLE",
        "DC1",
        "DC2",
        "DC3",
        "DC4",
        "NAK",
        "SYN",
        "ETB",
        "CAN",
        "EM",
        "SUB",
        "ESC",
        "FS",
        "GS",
        "RS",
        "US",
    ];
    let name = match c {
        '\0'..='\u{1f}' => Some(C0[c as usize]),
        '\u{7f}' => Some("DEL"),
        '\u{80}'..='\u{9f}' => Some("a C1 control"),
        '\u{061c}' => Some("Arabic letter mark"),
        '\u{200e}' => Some("left-to-right mark"),
        '\u{200f}' => Some("right-to-left mark"),
        '\u{202a}' => Some("left-to-right embedding"),
        '\u{202b}' => Some("right-to-left embedding"),
        '\u{202c}' => Some("pop directional formatting"),
        '\u{202d}' => Some("left-to-right override"),
        '\u{202e}' => Some("right-to-left override"),
        '\u{2028}' => Some("line separator"),
        '\u{2029}' => Some("paragraph separator"),
        '\u{2066}' => Some("left-to-right isolate"),
        '\u{2067}' => Some("right-to-left isolate"),
        '\u{2068}' => Some("first strong isolate"),
        '\u{2069}' => Some("pop directional isolate"),
        _ => None,
    };
    match name {
        Some(n) => format!("U+{:04X} ({n})", c as u32),
        None => format!("U+{:04X}", c as u32),
    }
}

/// "character 4 is U+001B (ESC), a control character" for `field`'s message, or `None`.
pub fn forbidden_char_problem(field: &str, s: &str) -> Option<String> {
    let (at, c) = forbidden_char(s)?;
    Some(format!(
        "{field}: character {at} is {}, a control character, which a {} may not hold.",
        char_name(c),
        field.to_lowercase()
    ))
}

/// Why a mesh name is not valid, or `None` when it is.
pub fn mesh_name_problem(name: &str) -> Option<String> {
    let n = char_len(name);
    if n == 0 {
        Some("Mesh name is required (1-255 characters).".into())
    } else if n > MESH_NAME_MAX {
        Some(format!(
            "Mesh name is {n} characters; the service allows at most {MESH_NAME_MAX}."
        ))
    } else {
        forbidden_char_problem("Mesh name", name)
    }
}

/// Why a tag key is not valid, or `None` when it is.
pub fn tag_key_problem(key: &str) -> Option<String> {
    let n = char_len(key);
    if n == 0 {
        Some("Tag key is required (1-128 characters).".into())
    } else if n > TAG_KEY_MAX {
        Some(format!(
            "Tag key is {n} characters; the service allows at most {TAG_KEY_MAX}."
        ))
    } else {
        forbidden_char_problem("Tag key", key)
    }
}

/// Why a tag value is not valid, or `None` when it is.
pub fn tag_value_problem(value: &str) -> Option<String> {
    let n = char_len(value);
    if n > TAG_VALUE_MAX {
        return Some(format!(
            "Tag value is {n} characters; the service allows at most {TAG_VALUE_MAX}."
        ));
    }
    forbidden_char_problem("Tag value", value)
}

/// Whether a client token has the documented form: 1-36 letters, digits, `-` or `_`.
pub fn client_token_is_valid(token: &str) -> bool {
    (1..=CLIENT_TOKEN_MAX).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesh_name_edges() {
        assert!(mesh_name_problem("").is_some());
        assert!(mesh_name_problem("a").is_none());
        assert!(mesh_name_problem(&"a".repeat(255)).is_none());
        let msg = mesh_name_problem(&"a".repeat(256)).unwrap();
        assert!(msg.contains("256") && msg.contains("255"), "{msg}");
        // Characters, not bytes: 255 emoji are 1020 bytes and still valid.
        assert!(mesh_name_problem(&"🦀".repeat(255)).is_none());
    }

    #[test]
    fn tag_edges() {
        assert!(tag_key_problem("").is_some());
        assert!(tag_key_problem(&"k".repeat(128)).is_none());
        assert!(tag_key_problem(&"k".repeat(129)).is_some());
        assert!(tag_value_problem("").is_none());
        assert!(tag_value_problem(&"v".repeat(256)).is_none());
        assert!(tag_value_problem(&"v".repeat(257)).is_some());
    }

    #[test]
    fn control_characters_are_refused_naming_the_field_and_the_character() {
        let msg = mesh_name_problem("abc\u{1b}[2J").unwrap();
        assert_eq!(
            msg,
            "Mesh name: character 4 is U+001B (ESC), a control character, which a mesh name may not hold."
        );
        assert!(mesh_name_problem("a\0b").unwrap().contains("U+0000 (NUL)"));
        assert!(
            mesh_name_problem("txet\u{202e}abc")
                .unwrap()
                .contains("character 5 is U+202E (right-to-left override)")
        );
        assert!(
            mesh_name_problem("two\nlines")
                .unwrap()
                .contains("line feed")
        );
        assert!(
            mesh_name_problem("\u{9b}")
                .unwrap()
                .contains("U+009B (a C1 control)")
        );
        assert!(
            tag_key_problem("k\tey")
                .unwrap()
                .starts_with("Tag key: character 2 is U+0009 (tab)")
        );
        assert!(
            tag_value_problem("v\u{7f}")
                .unwrap()
                .contains("U+007F (DEL)")
        );
        // Everything else is a name: spaces, emoji, other scripts, zero-width joiners.
        for ok in ["my mesh", "網格🦀", "👩\u{200d}💻", "a/b", "עברית"] {
            assert!(mesh_name_problem(ok).is_none(), "{ok}");
        }
    }

    #[test]
    fn enums_round_trip() {
        for e in EgressFilter::ALL {
            assert_eq!(EgressFilter::parse(e.as_str()), Some(e));
        }
        for p in IpPreference::ALL {
            assert_eq!(IpPreference::parse(p.as_str()), Some(p));
        }
        assert_eq!(EgressFilter::parse("drop_all"), None);
        assert_eq!(MeshStatus::parse("WEIRD").as_str(), "WEIRD");
    }

    #[test]
    fn client_tokens() {
        assert!(client_token_is_valid(
            "0b7f9a2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
        ));
        assert!(client_token_is_valid("a_b-C"));
        assert!(!client_token_is_valid(""));
        assert!(!client_token_is_valid(&"a".repeat(37)));
        assert!(!client_token_is_valid("has space"));
    }
}
