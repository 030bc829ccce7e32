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
        None
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
        None
    }
}

/// Why a tag value is not valid, or `None` when it is.
pub fn tag_value_problem(value: &str) -> Option<String> {
    let n = char_len(value);
    (n > TAG_VALUE_MAX).then(|| {
        format!("Tag value is {n} characters; the service allows at most {TAG_VALUE_MAX}.")
    })
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
