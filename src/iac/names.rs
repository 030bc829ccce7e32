//! How the App Mesh API's member names map to each infrastructure format: one table per
//! format, holding only the exceptions to that format's naming rule. The conversion
//! ([`super::convert`]) walks a spec with the service model and asks these tables for every
//! member, so no field is named in code.
//!
//! Sources (read them to change a table; the tests check the tables against them where a tool
//! is at hand):
//! - **CloudFormation**: the `AWS::AppMesh::*` resource schemas that cfn-lint 1.51.0 ships
//!   (`cfnlint/data/schemas/resources/*.json`, the provider schemas CloudFormation publishes).
//!   Rule: the API member name with its first letter upper-cased. `tests/iac_formats.rs` walks
//!   the installed cfn-lint's schemas against this table.
//! - **Terraform**: the `aws_appmesh_*` resource schemas of the AWS provider 6.19.0
//!   (`terraform providers schema -json`; the provider's `internal/service/appmesh/*.go` and
//!   `website/docs/r/appmesh_*.html.markdown`). Rule: snake_case; nested structures are blocks.
//!   `tests/fixtures/iac/terraform-aws-appmesh.txt` lists every path of those schemas and the
//!   tests check every exported file against it.
//! - **Kubernetes**: the App Mesh controller's CRDs, `appmesh.k8s.aws/v1beta2`
//!   (aws/aws-app-mesh-controller-for-k8s at 7588d122, `config/crd/bases/*.yaml` and
//!   `apis/appmesh/v1beta2/*_types.go`). Rule: the API member name unchanged.
//!   `tests/fixtures/iac/appmesh-controller-v1beta2.txt` lists every path of those CRDs.

/// One of the three infrastructure formats with their own member names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    CloudFormation,
    Terraform,
    Kubernetes,
}

/// A member of the API that the format cannot hold: `(structure shape, member, why)`.
pub type Absent = (&'static str, &'static str, &'static str);

/// The naming rules of one format.
#[derive(Debug)]
pub struct Rules {
    pub dialect: Dialect,
    /// `(structure shape or "*" for every structure, API member, format name)`: the exceptions
    /// to the format's rule.
    pub renames: &'static [(&'static str, &'static str, &'static str)],
    /// API members the format does not have; an export leaves them out and says so.
    pub absent: &'static [Absent],
    /// `(structure shape, format member, why)`: members of the format that the App Mesh API
    /// does not have; an import leaves them out and says so.
    pub extra: &'static [(&'static str, &'static str, &'static str)],
    /// `(structure shape, API member)`: a list of `{key, value}` structures that the format
    /// writes as a map of strings.
    pub key_value_maps: &'static [(&'static str, &'static str)],
    /// `(structure shape, API member, allowed values, why)`: enum members whose format accepts
    /// fewer values than the API.
    pub narrower_enums: &'static [(
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static str,
    )],
    /// `(structure shape, API member, reference member, ARN member)`: a resource name that the
    /// format writes as a reference to another object or as that resource's ARN.
    pub references: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

/// CloudFormation: PascalCase, except the acronyms, which the schemas spell in capitals
/// wherever they occur (every structure that has one of these members).
pub const CLOUDFORMATION: Rules = Rules {
    dialect: Dialect::CloudFormation,
    renames: &[
        ("*", "acm", "ACM"),
        ("*", "awsCloudMap", "AWSCloudMap"),
        ("*", "dns", "DNS"),
        ("*", "grpc", "GRPC"),
        ("*", "http", "HTTP"),
        ("*", "http2", "HTTP2"),
        ("*", "sds", "SDS"),
        ("*", "tcp", "TCP"),
        ("*", "tls", "TLS"),
    ],
    absent: &[],
    extra: &[],
    key_value_maps: &[],
    narrower_enums: &[],
    references: &[],
};

/// Terraform: snake_case; a list of structures is a repeated block named in the singular.
pub const TERRAFORM: Rules = Rules {
    dialect: Dialect::Terraform,
    renames: &[
        ("*", "backends", "backend"),
        ("*", "headers", "header"),
        ("*", "listeners", "listener"),
        ("*", "queryParameters", "query_parameter"),
        ("*", "weightedTargets", "weighted_target"),
    ],
    absent: &[
        (
            "AwsCloudMapServiceDiscovery",
            "ipPreference",
            "aws_appmesh_virtual_node has no ip_preference in aws_cloud_map (provider 6.19.0)",
        ),
        (
            "GrpcGatewayRouteAction",
            "rewrite",
            "aws_appmesh_gateway_route has no rewrite in grpc_route.action (provider 6.19.0)",
        ),
        (
            "GrpcGatewayRouteMatch",
            "hostname",
            "aws_appmesh_gateway_route has no hostname in grpc_route.match (provider 6.19.0)",
        ),
        (
            "GrpcGatewayRouteMatch",
            "metadata",
            "aws_appmesh_gateway_route has no metadata in grpc_route.match (provider 6.19.0)",
        ),
        (
            "HttpGatewayRouteMatch",
            "method",
            "aws_appmesh_gateway_route has no method in http_route.match / http2_route.match \
             (provider 6.19.0)",
        ),
    ],
    extra: &[(
        "GrpcRouteMatch",
        "prefix",
        "the App Mesh API has no prefix in a gRPC route's match",
    )],
    key_value_maps: &[("AwsCloudMapServiceDiscovery", "attributes")],
    narrower_enums: &[],
    references: &[],
};

/// Kubernetes (the App Mesh controller's CRDs): the API's names, with four spelled
/// differently, the names of other resources given as references to their objects (or ARNs),
/// and a few members the controller does not pass on.
pub const KUBERNETES: Rules = Rules {
    dialect: Dialect::Kubernetes,
    renames: &[
        ("*", "certificateArn", "certificateARN"),
        ("*", "certificateAuthorityArns", "certificateAuthorityARNs"),
        ("MeshSpec", "serviceDiscovery", "meshServiceDiscovery"),
    ],
    absent: &[
        (
            "AwsCloudMapServiceDiscovery",
            "ipPreference",
            "the controller's VirtualNode has no ipPreference in awsCloudMap",
        ),
        (
            "DnsServiceDiscovery",
            "ipPreference",
            "the controller's VirtualNode has no ipPreference in dns",
        ),
    ],
    extra: &[(
        "VirtualGatewayListenerTlsValidationContextTrust",
        "acm",
        "the App Mesh API has no ACM trust for a virtual gateway listener's TLS validation",
    )],
    key_value_maps: &[],
    narrower_enums: &[(
        "MeshServiceDiscovery",
        "ipPreference",
        &["IPv6_ONLY", "IPv4_ONLY"],
        "the controller's Mesh accepts only IPv6_ONLY and IPv4_ONLY in meshServiceDiscovery",
    )],
    references: &[
        (
            "VirtualServiceBackend",
            "virtualServiceName",
            "virtualServiceRef",
            "virtualServiceARN",
        ),
        (
            "VirtualNodeServiceProvider",
            "virtualNodeName",
            "virtualNodeRef",
            "virtualNodeARN",
        ),
        (
            "VirtualRouterServiceProvider",
            "virtualRouterName",
            "virtualRouterRef",
            "virtualRouterARN",
        ),
        (
            "WeightedTarget",
            "virtualNode",
            "virtualNodeRef",
            "virtualNodeARN",
        ),
        (
            "GatewayRouteVirtualService",
            "virtualServiceName",
            "virtualServiceRef",
            "virtualServiceARN",
        ),
    ],
};

impl Dialect {
    pub fn rules(self) -> &'static Rules {
        match self {
            Dialect::CloudFormation => &CLOUDFORMATION,
            Dialect::Terraform => &TERRAFORM,
            Dialect::Kubernetes => &KUBERNETES,
        }
    }
}

/// `virtualNodeName` → `VirtualNodeName`.
pub fn pascal(member: &str) -> String {
    let mut c = member.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `virtualNodeName` → `virtual_node_name`, `http2Route` → `http2_route`.
pub fn snake(member: &str) -> String {
    let mut out = String::with_capacity(member.len() + 4);
    let mut prev_lower_or_digit = false;
    for c in member.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower_or_digit {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower_or_digit = false;
        } else {
            out.push(c);
            prev_lower_or_digit = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

impl Rules {
    /// The format's name for `member` of structure `shape`, or `None` when the format does not
    /// have it (see [`Rules::absent_why`]).
    pub fn name(&self, shape: &str, member: &str) -> Option<String> {
        if self.absent_why(shape, member).is_some() {
            return None;
        }
        if let Some((_, _, to)) = self
            .renames
            .iter()
            .find(|(s, m, _)| *m == member && (*s == shape || *s == "*"))
        {
            return Some((*to).to_string());
        }
        Some(match self.dialect {
            Dialect::CloudFormation => pascal(member),
            Dialect::Terraform => snake(member),
            Dialect::Kubernetes => member.to_string(),
        })
    }

    /// Why the format cannot hold `member` of `shape`, when it cannot.
    pub fn absent_why(&self, shape: &str, member: &str) -> Option<&'static str> {
        self.absent
            .iter()
            .find(|(s, m, _)| *s == shape && *m == member)
            .map(|(_, _, why)| *why)
    }

    /// Why the App Mesh API lacks the format's member `name` of `shape`, when it does.
    pub fn extra_why(&self, shape: &str, name: &str) -> Option<&'static str> {
        self.extra
            .iter()
            .find(|(s, n, _)| *s == shape && *n == name)
            .map(|(_, _, why)| *why)
    }

    pub fn is_key_value_map(&self, shape: &str, member: &str) -> bool {
        self.key_value_maps
            .iter()
            .any(|(s, m)| *s == shape && *m == member)
    }

    /// The values the format accepts for an enum member, when fewer than the API's.
    pub fn narrower(
        &self,
        shape: &str,
        member: &str,
    ) -> Option<(&'static [&'static str], &'static str)> {
        self.narrower_enums
            .iter()
            .find(|(s, m, _, _)| *s == shape && *m == member)
            .map(|(_, _, allowed, why)| (*allowed, *why))
    }

    /// `(reference member, ARN member)` for a member that names another resource.
    pub fn reference(&self, shape: &str, member: &str) -> Option<(&'static str, &'static str)> {
        self.references
            .iter()
            .find(|(s, m, _, _)| *s == shape && *m == member)
            .map(|(_, _, r, a)| (*r, *a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::{Shape, model};

    #[test]
    fn case_rules() {
        assert_eq!(pascal("virtualNodeName"), "VirtualNodeName");
        assert_eq!(snake("virtualNodeName"), "virtual_node_name");
        assert_eq!(snake("http2Route"), "http2_route");
        assert_eq!(snake("perRetryTimeout"), "per_retry_timeout");
        assert_eq!(snake("maxServerErrors"), "max_server_errors");
        assert_eq!(snake("awsCloudMap"), "aws_cloud_map");
        assert_eq!(
            snake("certificateAuthorityArns"),
            "certificate_authority_arns"
        );
        assert_eq!(snake("intervalMillis"), "interval_millis");
        assert_eq!(CLOUDFORMATION.name("ClientPolicy", "tls").unwrap(), "TLS");
        assert_eq!(CLOUDFORMATION.name("HttpRoute", "match").unwrap(), "Match");
        assert_eq!(
            TERRAFORM.name("HttpRoute", "retryPolicy").unwrap(),
            "retry_policy"
        );
        assert_eq!(
            TERRAFORM.name("VirtualNodeSpec", "listeners").unwrap(),
            "listener"
        );
        assert_eq!(TERRAFORM.name("HttpGatewayRouteMatch", "method"), None);
        assert_eq!(
            KUBERNETES.name("MeshSpec", "serviceDiscovery").unwrap(),
            "meshServiceDiscovery"
        );
        assert_eq!(
            KUBERNETES
                .name("VirtualNodeSpec", "serviceDiscovery")
                .unwrap(),
            "serviceDiscovery"
        );
    }

    /// Every shape and member a table names exists in the service model, so a typo or a model
    /// change cannot leave an entry that never applies.
    #[test]
    fn every_entry_names_a_real_member() {
        let m = model();
        let members_named = |member: &str| {
            m.shapes.values().any(|s| match s {
                Shape::Structure(s) => s.member(member).is_some(),
                _ => false,
            })
        };
        let has = |shape: &str, member: &str| {
            if shape == "*" {
                members_named(member)
            } else {
                m.structure(shape).and_then(|s| s.member(member)).is_some()
            }
        };
        for rules in [&CLOUDFORMATION, &TERRAFORM, &KUBERNETES] {
            for (s, mm, _) in rules.renames {
                assert!(has(s, mm), "{:?} rename {s}.{mm}", rules.dialect);
            }
            for (s, mm, _) in rules.absent {
                assert!(has(s, mm), "{:?} absent {s}.{mm}", rules.dialect);
            }
            for (s, mm) in rules.key_value_maps {
                assert!(has(s, mm), "{:?} map {s}.{mm}", rules.dialect);
            }
            for (s, mm, allowed, _) in rules.narrower_enums {
                assert!(has(s, mm), "{:?} enum {s}.{mm}", rules.dialect);
                let shape = &m.structure(s).unwrap().member(mm).unwrap().shape;
                for a in *allowed {
                    assert!(m.enum_values(shape).iter().any(|v| v == a), "{a}");
                }
            }
            for (s, mm, _, _) in rules.references {
                assert!(has(s, mm), "{:?} reference {s}.{mm}", rules.dialect);
            }
            for (s, _, _) in rules.extra {
                assert!(m.structure(s).is_some(), "{:?} extra in {s}", rules.dialect);
            }
        }
    }
}
