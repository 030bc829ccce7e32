//! Errors from an App Mesh call, in the project's own terms, with a plain-language hint.

use aws_sdk_appmesh::config::http::HttpResponse;
use aws_sdk_appmesh::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// What kind of failure it was: decides the hint and whether the outcome is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The service answered with an error (it has a code and an HTTP status).
    Service,
    /// The service answered, but the answer could not be read (not JSON, cut off, HTML).
    BadResponse,
    /// No connection: refused, unresolvable host, TLS failure.
    Connection,
    /// A timeout: the request may or may not have reached the service.
    Timeout,
    /// No credentials, or credentials that could not be loaded.
    Credentials,
    /// The request could not be built (a bug or a bad setting such as a malformed endpoint URL).
    Request,
    /// The user cancelled it: the outcome is unknown.
    Cancelled,
    /// Not sent: the input does not fit the service model (the message names the JSON path).
    Invalid,
}

/// An App Mesh call that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// The service's error code, e.g. `ConflictException`.
    pub code: Option<String>,
    pub message: String,
    pub http_status: Option<u16>,
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn cancelled() -> Self {
        ApiError {
            kind: ErrorKind::Cancelled,
            code: None,
            message: "Cancelled before an answer arrived.".into(),
            http_status: None,
            request_id: None,
        }
    }

    /// Not sent because the input does not fit the service model; `message` names the JSON
    /// path and the rule (`spec.listeners[0].portMapping.port: is required`).
    pub fn invalid(message: String) -> Self {
        ApiError {
            kind: ErrorKind::Invalid,
            code: None,
            message,
            http_status: None,
            request_id: None,
        }
    }

    /// True when the request may have reached the service (so retrying the unchanged form,
    /// which reuses its clientToken, is the safe way to find out).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout | ErrorKind::Cancelled)
            || (self.kind == ErrorKind::BadResponse && self.http_status.is_none_or(|s| s < 400))
    }

    /// A short title for the error pane.
    pub fn title(&self) -> String {
        match (&self.code, &self.kind) {
            (Some(code), _) => code.clone(),
            (None, ErrorKind::Service) => "Service error".into(),
            (None, ErrorKind::BadResponse) => "Unreadable answer".into(),
            (None, ErrorKind::Connection) => "Could not connect".into(),
            (None, ErrorKind::Timeout) => "Timed out".into(),
            (None, ErrorKind::Credentials) => "No credentials".into(),
            (None, ErrorKind::Request) => "Request not sent".into(),
            (None, ErrorKind::Cancelled) => "Cancelled".into(),
            (None, ErrorKind::Invalid) => "Not sent".into(),
        }
    }

    /// What it means and what to do, in plain language.
    pub fn hint(&self) -> String {
        let lower = self.message.to_ascii_lowercase();
        if let Some(code) = &self.code {
            let known = match code.as_str() {
                "SandboxNotStarted" => Some(
                    "The built-in sandbox could not start, so nothing was sent. The message says \
                     which file and what to do; quit, fix it, and start the app again (or start \
                     with --ephemeral to use an empty sandbox that keeps nothing).",
                ),
                "ConflictException" => Some(
                    "A mesh with this name already exists (or this clientToken was used for a \
                     different request). Pick another name, or open the existing mesh in the \
                     Meshes view (F3).",
                ),
                "ResourceInUseException" => Some(
                    "The mesh still has virtual services, virtual nodes, virtual routers or \
                     virtual gateways. Delete those first, then delete the mesh.",
                ),
                "NotFoundException" => Some(
                    "The service has no such mesh (or resource) in this account and region. \
                     Check the name, the region and the profile in the header.",
                ),
                "BadRequestException" => Some(
                    "The service rejected the request as invalid. The message says which field; \
                     fix it in the form and submit again.",
                ),
                "TooManyTagsException" => {
                    Some("A resource can have at most 50 tags. Remove some tags and try again.")
                }
                "LimitExceededException" => Some(
                    "An account quota is reached (meshes per account, for example). Delete \
                     meshes you no longer need, or ask for a quota increase.",
                ),
                "ForbiddenException" | "AccessDeniedException" => Some(
                    "These credentials may not do this. Check the IAM policy of the profile in \
                     the header (appmesh:* actions), or use another profile.",
                ),
                "TooManyRequestsException" | "ThrottlingException" => Some(
                    "The service is throttling requests; the call was already retried. Wait a \
                     moment and submit again (the same form reuses its clientToken).",
                ),
                "ServiceUnavailableException" | "InternalServerErrorException" => Some(
                    "The service failed on its side; the call was already retried. Submitting \
                     the unchanged form again is safe: it reuses the same clientToken.",
                ),
                "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => Some(
                    "Your session credentials have expired. Log in again (for SSO: `aws sso \
                     login --profile NAME`), then submit again.",
                ),
                "UnrecognizedClientException"
                | "InvalidClientTokenId"
                | "InvalidSignatureException"
                | "SignatureDoesNotMatch" => Some(
                    "The service does not accept these credentials. Check the access key of the \
                     profile in the header, or log in again.",
                ),
                _ => None,
            };
            if let Some(h) = known {
                return h.into();
            }
        }
        match self.kind {
            ErrorKind::Credentials => {
                if lower.contains("expired") || lower.contains("sso") && lower.contains("token") {
                    "Your SSO session has expired or is missing. Run `aws sso login --profile \
                     NAME` in another terminal, then submit again."
                        .into()
                } else {
                    "No AWS credentials were found. Configure them (`aws configure`, \
                     AWS_PROFILE, or environment variables), pick a profile with --profile, or \
                     run `appmesh-tui --sandbox` to use the built-in App Mesh sandbox."
                        .into()
                }
            }
            ErrorKind::Connection => {
                if lower.contains("dns") || lower.contains("resolve") || lower.contains("lookup") {
                    "The endpoint's host name could not be resolved. Check --endpoint-url and \
                     your network or VPN."
                        .into()
                } else if lower.contains("tls")
                    || lower.contains("ssl")
                    || lower.contains("certificate")
                {
                    "The TLS handshake failed. If the endpoint speaks plain HTTP, use http:// in \
                     --endpoint-url."
                        .into()
                } else {
                    "Nothing answered at the endpoint. Check --endpoint-url (is the server \
                     running?), your network or VPN, then submit again."
                        .into()
                }
            }
            ErrorKind::Cancelled => {
                "The outcome is unknown: the request may have reached the service. Submitting \
                 the unchanged form again is safe: it reuses the same clientToken, so the mesh \
                 is not created twice."
                    .into()
            }
            ErrorKind::Timeout => {
                "The outcome is unknown: the request may have reached the service. Submitting \
                 the unchanged form again is safe: it reuses the same clientToken, so the mesh \
                 is not created twice. If this keeps happening, check the network or VPN, raise \
                 --attempt-timeout, and check --endpoint-url: an https:// URL pointing at a \
                 plain-HTTP server hangs like this."
                    .into()
            }
            ErrorKind::BadResponse => "The server's answer was not an App Mesh response (not \
                 JSON, cut off, or an HTML page). Check that --endpoint-url points at an App \
                 Mesh endpoint."
                .into(),
            ErrorKind::Request => {
                "The request could not be built. Check --endpoint-url and the region.".into()
            }
            ErrorKind::Invalid => "Nothing was sent: the request does not fit the App Mesh \
                 service model. The message names the field and what is wrong; fix it and send \
                 again."
                .into(),
            ErrorKind::Service => "The service rejected the request. The message above says \
                 why."
                .into(),
        }
    }
}

/// Header that carries the request ID on App Mesh responses.
const REQUEST_ID_HEADERS: [&str; 2] = ["x-amzn-requestid", "x-amz-request-id"];

fn request_id_of(resp: &HttpResponse) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|h| resp.headers().get(*h))
        .map(str::to_string)
}

/// Converts any App Mesh operation error.
pub fn from_sdk<E>(err: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let http_status = err.raw_response().map(|r| r.status().as_u16());
    let request_id = err.raw_response().and_then(request_id_of);
    let detail = DisplayErrorContext(&err).to_string();
    let (kind, code, message) = match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().map(str::to_string);
            let message = e
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| "The service returned an error without a message.".into());
            if code.is_some() {
                (ErrorKind::Service, code, message)
            } else {
                // An error status with no recognisable error shape: an HTML page, a proxy, ...
                (
                    ErrorKind::BadResponse,
                    None,
                    describe_bad_body(http_status, &detail),
                )
            }
        }
        SdkError::TimeoutError(_) => (
            ErrorKind::Timeout,
            None,
            "No answer within the time limit.".to_string(),
        ),
        SdkError::DispatchFailure(df) => {
            if is_credentials_problem(&detail) {
                (ErrorKind::Credentials, None, last_cause(&detail))
            } else if df.is_timeout() {
                (ErrorKind::Timeout, None, last_cause(&detail))
            } else {
                (ErrorKind::Connection, None, last_cause(&detail))
            }
        }
        SdkError::ResponseError(_) => (
            ErrorKind::BadResponse,
            None,
            describe_bad_body(http_status, &detail),
        ),
        SdkError::ConstructionFailure(_) => {
            if is_credentials_problem(&detail) {
                (ErrorKind::Credentials, None, last_cause(&detail))
            } else {
                (ErrorKind::Request, None, last_cause(&detail))
            }
        }
        _ => (ErrorKind::Request, None, last_cause(&detail)),
    };
    ApiError {
        kind,
        code,
        message,
        http_status,
        request_id,
    }
}

fn is_credentials_problem(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("credential") || d.contains("identity") || d.contains("sso")
}

fn describe_bad_body(status: Option<u16>, detail: &str) -> String {
    match status {
        Some(s) => format!(
            "HTTP {s} with a body that is not an App Mesh response ({}).",
            last_cause(detail)
        ),
        None => format!("The answer could not be read ({}).", last_cause(detail)),
    }
}

/// Where `DisplayErrorContext` appends the error's Debug form (" (DispatchFailure(…))").
fn debug_suffix(detail: &str) -> Option<usize> {
    detail.match_indices(" (").map(|(i, _)| i).find(|&i| {
        let rest = &detail[i + 2..];
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        ident.starts_with(|c: char| c.is_ascii_uppercase())
            && (rest[ident.len()..].starts_with('(') || rest[ident.len()..].starts_with(" {"))
    })
}

/// The most specific part of an error chain ("a: b: c: d (Debug…)" -> "c: d"), short enough
/// for a line or two, without the Debug dump.
fn last_cause(detail: &str) -> String {
    let mut d = detail.trim();
    if let Some(i) = debug_suffix(d) {
        d = &d[..i];
    }
    let parts: Vec<&str> = d.split(": ").collect();
    let cause = parts[parts.len().saturating_sub(2)..].join(": ");
    let mut s: String = cause.chars().take(300).collect();
    if cause.chars().count() > 300 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str) -> ApiError {
        ApiError {
            kind: ErrorKind::Service,
            code: Some(code.into()),
            message: "m".into(),
            http_status: Some(409),
            request_id: None,
        }
    }

    #[test]
    fn hints_name_the_problem_and_the_fix() {
        assert!(
            service("ConflictException")
                .hint()
                .contains("already exists")
        );
        assert!(
            service("ExpiredTokenException")
                .hint()
                .contains("aws sso login")
        );
        assert!(
            service("ResourceInUseException")
                .hint()
                .contains("virtual nodes")
        );
        let creds = ApiError {
            kind: ErrorKind::Credentials,
            code: None,
            message: "no providers in chain provided credentials".into(),
            http_status: None,
            request_id: None,
        };
        assert!(creds.hint().contains("--sandbox"));
        assert!(!creds.outcome_unknown());
    }

    #[test]
    fn timeouts_and_cancels_have_unknown_outcome() {
        let mut e = ApiError::cancelled();
        assert!(e.outcome_unknown());
        assert!(e.hint().contains("same clientToken"));
        e.kind = ErrorKind::Timeout;
        assert!(e.outcome_unknown());
        e.kind = ErrorKind::Connection;
        assert!(!e.outcome_unknown());
    }

    #[test]
    fn last_cause_keeps_the_innermost_message() {
        assert_eq!(
            last_cause(
                "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111) (DispatchFailure(DispatchFailure { source: ConnectorError { kind: Io } }))"
            ),
            "tcp connect error: Connection refused (os error 111)"
        );
        assert_eq!(
            last_cause(
                "dispatch failure: io error: client error (Connect): dns error: failed to lookup address information: Name or service not known (DispatchFailure(DispatchFailure { connection: Unknown }))"
            ),
            "failed to lookup address information: Name or service not known"
        );
    }
}
