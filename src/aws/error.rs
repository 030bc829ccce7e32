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

/// What the failed call was for: decides what "try again" means in the hint. A read (ListMeshes,
/// DescribeMesh) changes nothing, so it is simply tried again; a change is resubmitted, and its
/// clientToken keeps that safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Change,
    Read,
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

    /// What it means and what to do, in plain language, for a change (create, update, tags,
    /// delete).
    pub fn hint(&self) -> String {
        self.hint_for(CallKind::Change)
    }

    /// What it means and what to do, for this kind of call.
    pub fn hint_for(&self, call: CallKind) -> String {
        let read = call == CallKind::Read;
        let again = if read { "try again" } else { "submit again" };
        let lower = self.message.to_ascii_lowercase();
        if let Some(code) = &self.code {
            let for_read = match code.as_str() {
                "TooManyRequestsException" | "ThrottlingException" if read => Some(
                    "The service is throttling requests; the call was already retried. Wait a \
                     moment and try again."
                        .to_string(),
                ),
                "ServiceUnavailableException" | "InternalServerErrorException" if read => Some(
                    "The service failed on its side; the call was already retried. Try again in \
                     a moment."
                        .to_string(),
                ),
                "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => Some(format!(
                    "Your session credentials have expired. Log in again (for SSO: `aws sso \
                     login --profile NAME`), then {again}."
                )),
                _ => None,
            };
            if let Some(h) = for_read {
                return h;
            }
        }
        if let Some(code) = &self.code {
            let known = match code.as_str() {
                "AwsConfigFileUnusable" => Some(
                    "Your AWS config or credentials file cannot be used (the message says which \
                     and why), so nothing was sent. Fix or move it, or point AWS_CONFIG_FILE / \
                     AWS_SHARED_CREDENTIALS_FILE at another file, then start the app again; \
                     --sandbox does not need it.",
                ),
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
                    format!(
                        "Your SSO session has expired or is missing. Run `aws sso login --profile \
                         NAME` in another terminal, then {again}."
                    )
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
                    format!(
                        "Nothing answered at the endpoint. Check --endpoint-url (is the server \
                         running?), your network or VPN, then {again}."
                    )
                }
            }
            ErrorKind::Cancelled if read => {
                "Cancelled before an answer arrived. Listing and describing change nothing, so \
                 trying again is safe."
                    .into()
            }
            ErrorKind::Timeout if read => {
                "No answer in time. Listing and describing change nothing, so trying again is \
                 safe. If this keeps happening, check the network or VPN, raise \
                 --attempt-timeout, and check --endpoint-url: an https:// URL pointing at a \
                 plain-HTTP server hangs like this."
                    .into()
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
                 HTTP, not JSON, cut off, far too large, or an HTML page). Check that \
                 --endpoint-url points at an App Mesh endpoint."
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
    if let Some(big) = super::limits::too_large_in(&err) {
        return ApiError {
            kind: ErrorKind::BadResponse,
            code: None,
            message: format!("Not read: {big}."),
            http_status,
            request_id,
        };
    }
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
            } else if is_not_http(&detail) {
                // Something answered, but not in HTTP (another protocol, garbage).
                (
                    ErrorKind::BadResponse,
                    None,
                    format!(
                        "The server answered with something that is not HTTP ({}).",
                        last_cause(&detail)
                    ),
                )
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
        // Error texts may quote the request's URL, with a password in it.
        message: crate::redact::redact(&message).into_owned(),
        http_status,
        request_id,
    }
}

/// hyper's parse errors: the bytes that came back were not an HTTP response.
fn is_not_http(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("invalid http version parsed")
        || d.contains("invalid http status-code parsed")
        || d.contains("invalid http method parsed")
        || d.contains("invalid http header parsed")
        || d.contains("message head is too large")
        || d.contains("error parsing")
        || d.contains("invalid uri")
        || d.contains("invalid chunk")
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
    fn a_read_is_told_to_try_again_not_to_resubmit_a_form() {
        let timeout = ApiError {
            kind: ErrorKind::Timeout,
            code: None,
            message: "No answer within the time limit.".into(),
            http_status: None,
            request_id: None,
        };
        let read = timeout.hint_for(CallKind::Read);
        assert!(
            !read.contains("form")
                && !read.contains("clientToken")
                && read.contains("trying again is safe"),
            "{read}"
        );
        assert!(timeout.hint().contains("clientToken"));
        for code in [
            "ThrottlingException",
            "ServiceUnavailableException",
            "ExpiredTokenException",
        ] {
            let h = service(code).hint_for(CallKind::Read);
            assert!(!h.contains("form") && !h.contains("submit"), "{code}: {h}");
        }
        let mut refused = timeout.clone();
        refused.kind = ErrorKind::Connection;
        assert!(
            refused
                .hint_for(CallKind::Read)
                .ends_with("then try again.")
        );
        refused.kind = ErrorKind::Cancelled;
        assert!(!refused.hint_for(CallKind::Read).contains("form"));
    }

    #[test]
    fn non_http_answers_are_recognised() {
        assert!(is_not_http(
            "dispatch failure: other: client error (SendRequest): invalid HTTP version parsed (DispatchFailure(…))"
        ));
        assert!(!is_not_http(
            "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused"
        ));
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
