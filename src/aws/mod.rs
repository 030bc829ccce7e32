//! The App Mesh calls the app makes, behind the project's own small interface.
//!
//! Screens never see SDK types: [`Api`] takes and returns [`crate::model`] types and
//! [`ApiError`]. Every call goes through the real `aws-sdk-appmesh` client over HTTP, also
//! against the built-in sandbox.

pub mod error;
pub mod limits;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_sdk_appmesh::Client;
use aws_sdk_appmesh::config::interceptors::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_appmesh::config::timeout::TimeoutConfig;
use aws_sdk_appmesh::config::{ConfigBag, Credentials, Intercept, RuntimeComponents};
use aws_sdk_appmesh::error::{BoxError, DisplayErrorContext};
use aws_sdk_appmesh::operation::RequestId;
use aws_sdk_appmesh::primitives::DateTime;
use aws_sdk_appmesh::types as sdk;

pub use error::{ApiError, CallKind, ErrorKind};

use crate::model::{
    EgressFilter, IpPreference, Mesh, MeshSpec, MeshStatus, MeshSummary, Metadata, Tag,
};

tokio::task_local! {
    /// Where the current task wants to hear about attempts (see [`report_attempts`]).
    static ATTEMPTS: AttemptSink;
}

#[derive(Clone)]
struct AttemptSink {
    report: Arc<dyn Fn(u32) + Send + Sync>,
    count: Arc<AtomicU32>,
}

/// Runs `fut`, calling `report(n)` before every attempt after the first of each App Mesh call
/// it makes, so the user sees the SDK retrying (throttling, 5xx) instead of a silent wait.
pub async fn report_attempts<F: Future>(
    report: impl Fn(u32) + Send + Sync + 'static,
    fut: F,
) -> F::Output {
    let sink = AttemptSink {
        report: Arc::new(report),
        count: Arc::new(AtomicU32::new(0)),
    };
    ATTEMPTS.scope(sink, fut).await
}

/// Counts attempts per call. The SDK's orchestrator runs inside the calling task, so the
/// task-local sink of that task is the one to tell.
#[derive(Debug)]
struct AttemptObserver;

impl Intercept for AttemptObserver {
    fn name(&self) -> &'static str {
        "appmesh-tui attempt observer"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let _ = ATTEMPTS.try_with(|s| s.count.store(0, Ordering::Relaxed));
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let _ = ATTEMPTS.try_with(|s| {
            let n = s.count.fetch_add(1, Ordering::Relaxed) + 1;
            if n > 1 {
                (s.report)(n);
            }
        });
        Ok(())
    }
}

/// The region used when none is configured anywhere.
pub const FALLBACK_REGION: &str = "us-east-1";

/// Time limits for every call. The SDK's standard retry mode runs inside `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub attempt: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            attempt: Duration::from_secs(15),
            total: Duration::from_secs(45),
        }
    }
}

/// How to reach App Mesh: what the command line and environment said.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Use these fixed credentials (the sandbox) instead of the AWS credential chain.
    pub static_credentials: Option<Credentials>,
    pub timeouts: Timeouts,
    /// Longest wait for the region lookup (which may probe EC2 instance metadata).
    pub region_lookup_limit: Option<Duration>,
    /// Read nothing of the user's AWS configuration (the sandbox: fixed credentials, region and
    /// endpoint); the SDK gets empty profile files.
    pub isolated: bool,
}

/// Where requests go, as the header shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub profile: Option<String>,
    pub region: String,
    /// Set when the region was not configured and a fallback is used.
    pub region_note: Option<String>,
    /// `None`: the default AWS endpoint for the region.
    pub endpoint: Option<String>,
}

impl Target {
    /// True when requests go to the real AWS endpoint (which ended App Mesh support).
    pub fn is_default_aws_endpoint(&self) -> bool {
        self.endpoint.is_none()
    }
}

/// What a call returned, with the request ID the service gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply<T> {
    pub value: T,
    pub request_id: Option<String>,
}

/// A CreateMesh request in the project's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateMeshRequest {
    pub name: String,
    pub spec: MeshSpec,
    pub tags: Vec<Tag>,
    pub client_token: String,
}

/// One page of ListMeshes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeshPage {
    pub meshes: Vec<MeshSummary>,
    pub next_token: Option<String>,
}

/// A connected App Mesh client. Cheap to clone; every clone shares one connection pool.
#[derive(Clone, Debug)]
pub struct Api {
    client: Client,
}

/// Resolves the region without stalling: explicit setting, then the environment and the
/// profile, then (bounded) instance metadata, then [`FALLBACK_REGION`].
async fn resolve_region(settings: &Settings) -> (String, Option<String>) {
    if let Some(r) = settings.region.as_deref().filter(|r| !r.is_empty()) {
        return (r.to_string(), None);
    }
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(p) = &settings.profile {
        chain = chain.profile_name(p);
    }
    let chain = chain.build();
    let limit = settings
        .region_lookup_limit
        .unwrap_or(Duration::from_millis(1500));
    match tokio::time::timeout(limit, chain.region()).await {
        Ok(Some(r)) => (r.to_string(), None),
        Ok(None) => (
            FALLBACK_REGION.to_string(),
            Some("no region configured; using us-east-1 (set --region or AWS_REGION)".into()),
        ),
        Err(_) => (
            FALLBACK_REGION.to_string(),
            Some(format!(
                "region lookup took over {} ms; using us-east-1 (set --region or AWS_REGION)",
                limit.as_millis()
            )),
        ),
    }
}

/// Fixed credentials (the sandbox's).
pub fn fixed_credentials(id: &str, secret: &str) -> Credentials {
    Credentials::new(id, secret, None, None, "appmesh-tui")
}

/// The most read of an AWS config or credentials file by the app itself (to list profiles and
/// to find credential helpers that prompt). Real files hold a few hundred profiles at most.
pub const AWS_FILE_CAP: crate::fileio::Cap = crate::fileio::Cap {
    what: "AWS config or credentials file",
    bytes: 16 << 20,
    raise: None,
};

/// Where the AWS config and credentials files are, as the SDK finds them: `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` (a leading `~/` is the home directory), else `~/.aws/config`
/// and `~/.aws/credentials`.
pub fn aws_file_paths() -> (Option<std::path::PathBuf>, Option<std::path::PathBuf>) {
    use std::path::PathBuf;
    let home = dirs::home_dir();
    let from_env = |var: &str| {
        let v = std::env::var_os(var).filter(|v| !v.is_empty())?;
        let v = PathBuf::from(v);
        Some(match (v.strip_prefix("~"), &home) {
            (Ok(rest), Some(h)) => h.join(rest),
            _ => v,
        })
    };
    let dot_aws = home.as_ref().map(|h| h.join(".aws"));
    (
        from_env("AWS_CONFIG_FILE").or_else(|| dot_aws.as_ref().map(|d| d.join("config"))),
        from_env("AWS_SHARED_CREDENTIALS_FILE")
            .or_else(|| dot_aws.as_ref().map(|d| d.join("credentials"))),
    )
}

/// Checks the AWS config and credentials files before the SDK reads them (it reads them whole,
/// and would follow a FIFO or a device such as `/dev/zero` without end): each must be missing
/// or a regular file of at most [`AWS_FILE_CAP`]. The message names the file and the variable
/// that points at it.
pub fn check_aws_files() -> Result<(), String> {
    let (config, credentials) = aws_file_paths();
    for (path, var) in [
        (config, "AWS_CONFIG_FILE"),
        (credentials, "AWS_SHARED_CREDENTIALS_FILE"),
    ] {
        if let Some(p) = path
            && let Err(e) = crate::fileio::check_readable(&p, &AWS_FILE_CAP)
        {
            return Err(format!(
                "AWS file {e}; fix or move it, or point {var} at another file"
            ));
        }
    }
    Ok(())
}

/// Reads an AWS config or credentials file through [`crate::fileio`] (a regular file of at most
/// [`AWS_FILE_CAP`]); a missing file is `Ok(None)`.
pub fn read_aws_file(path: &std::path::Path) -> Result<Option<String>, String> {
    match crate::fileio::read_text(path, &AWS_FILE_CAP) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(format!("cannot read AWS file: {e}")),
    }
}

/// Why an endpoint URL cannot be used, or `None`: it must be `http://` or `https://` with a
/// host. The message shows the URL with any password hidden.
pub fn endpoint_url_problem(url: &str) -> Option<String> {
    let shown = crate::redact::redact(url);
    let example = "give it as http://HOST:PORT or https://HOST (e.g. http://127.0.0.1:4566)";
    let uri = match url.parse::<http::Uri>() {
        Ok(u) => u,
        Err(_) => return Some(format!("{shown:?} is not a URL; {example}")),
    };
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        Some(other) => {
            return Some(format!(
                "{shown:?} has the scheme {other:?}; App Mesh endpoints are http:// or https://; {example}"
            ));
        }
        None => {
            return Some(format!(
                "{shown:?} is not a URL (no http:// or https://); {example}"
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Some(format!("{shown:?} has no host; {example}"));
    }
    None
}

/// Why the profile's credentials may talk to the terminal (`credential_process` can prompt,
/// SSO may need a login), or `None`. Reads the AWS config file the way the CLI finds it
/// (bounded: see [`read_aws_file`]).
pub fn credentials_need_terminal(profile: Option<&str>) -> Option<String> {
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        return None;
    }
    let path = aws_file_paths().0?;
    let text = read_aws_file(&path).ok().flatten()?;
    let profile = profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".into());
    profile_section_needs_terminal(&text, &profile)
}

/// Why `profile`'s section of an AWS config file's text names a credential helper that may
/// prompt (`credential_process`, SSO), or `None`. Public for the fuzz target.
#[doc(hidden)]
pub fn profile_section_needs_terminal(config: &str, profile: &str) -> Option<String> {
    let wanted = [format!("[profile {profile}]"), format!("[{profile}]")];
    let mut inside = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            let header = line.split_whitespace().collect::<Vec<_>>().join(" ");
            inside = wanted.contains(&header);
            continue;
        }
        if !inside {
            continue;
        }
        let key = line.split('=').next().unwrap_or("").trim();
        match key {
            "credential_process" => return Some("credential_process".into()),
            "sso_session" | "sso_start_url" => return Some("SSO".into()),
            _ => {}
        }
    }
    None
}

/// Resolves the profile's credentials once, now, through the standard chain. Used before
/// the UI takes over the terminal when a credential helper may prompt.
pub async fn resolve_credentials(settings: &Settings) -> Result<Credentials, String> {
    use aws_sdk_appmesh::config::ProvideCredentials;
    check_aws_files()?;
    let mut chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder();
    if let Some(p) = &settings.profile {
        chain = chain.profile_name(p);
    }
    if let Some(r) = &settings.region {
        chain = chain.region(aws_config::Region::new(r.clone()));
    }
    chain
        .build()
        .await
        .provide_credentials()
        .await
        .map_err(|e| format!("could not get credentials: {}", DisplayErrorContext(&e)))
}

/// Builds the client from the settings and the standard AWS environment. Runs in the
/// background while the first frame is already on screen. Fails only when the endpoint in
/// force (from the environment or the profile: the flag and the config file are checked
/// earlier) is not an http(s) URL, with a message that says where it came from.
pub async fn connect(settings: &Settings) -> Result<(Api, Target), ApiError> {
    if !settings.isolated {
        check_aws_files().map_err(|message| ApiError {
            kind: ErrorKind::Request,
            code: Some("AwsConfigFileUnusable".into()),
            message,
            http_status: None,
            request_id: None,
        })?;
    }
    let (region, region_note) = resolve_region(settings).await;
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(region.clone()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(settings.timeouts.connect)
                .operation_attempt_timeout(settings.timeouts.attempt)
                .operation_timeout(settings.timeouts.total)
                .build(),
        );
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(creds) = &settings.static_credentials {
        loader = loader.credentials_provider(creds.clone());
    }
    if settings.isolated {
        use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
        loader = loader.profile_files(
            EnvConfigFiles::builder()
                .with_contents(EnvConfigFileKind::Config, "")
                .build(),
        );
    }
    let sdk_config = loader.load().await;
    // AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_APP_MESH / the profile's endpoint_url are honoured
    // by aws-config; show whichever is in force.
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (endpoint, source) = if let Some(e) = settings.endpoint_url.clone() {
        (Some(e), "--endpoint-url")
    } else if let Some(e) = env("AWS_ENDPOINT_URL_APP_MESH") {
        (Some(e), "AWS_ENDPOINT_URL_APP_MESH")
    } else if let Some(e) = env("AWS_ENDPOINT_URL") {
        (Some(e), "AWS_ENDPOINT_URL")
    } else {
        (
            sdk_config.endpoint_url().map(str::to_string),
            "the profile's endpoint_url",
        )
    };
    let endpoint = endpoint.filter(|e| !e.is_empty());
    if let Some(problem) = endpoint.as_deref().and_then(endpoint_url_problem) {
        return Err(ApiError {
            kind: ErrorKind::Request,
            code: None,
            message: format!("The endpoint from {source} {problem}."),
            http_status: None,
            request_id: None,
        });
    }
    // Shown in the header and exports, so any password in it is hidden here once.
    let endpoint = endpoint.map(|e| crate::redact::redact(&e).into_owned());
    let client = Client::from_conf(
        aws_sdk_appmesh::config::Builder::from(&sdk_config)
            .interceptor(AttemptObserver)
            .interceptor(limits::BodyLimit::default())
            .retry_classifier(limits::NoRetryWhenTooLarge)
            .build(),
    );
    let target = Target {
        profile: settings
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok()),
        region,
        region_note,
        endpoint,
    };
    Ok((Api { client }, target))
}

impl Api {
    pub async fn create_mesh(&self, req: &CreateMeshRequest) -> Result<Reply<Mesh>, ApiError> {
        let out = self
            .client
            .create_mesh()
            .mesh_name(&req.name)
            .set_spec(spec_to_sdk(&req.spec))
            .set_tags(tags_to_sdk(&req.tags))
            .client_token(&req.client_token)
            .send()
            .await
            .map_err(error::from_sdk)?;
        mesh_reply(out.mesh(), &out)
    }

    pub async fn describe_mesh(&self, name: &str) -> Result<Reply<Mesh>, ApiError> {
        let out = self
            .client
            .describe_mesh()
            .mesh_name(name)
            .send()
            .await
            .map_err(error::from_sdk)?;
        mesh_reply(out.mesh(), &out)
    }

    pub async fn update_mesh(
        &self,
        name: &str,
        spec: &MeshSpec,
        client_token: &str,
    ) -> Result<Reply<Mesh>, ApiError> {
        let out = self
            .client
            .update_mesh()
            .mesh_name(name)
            .set_spec(spec_to_sdk(spec))
            .client_token(client_token)
            .send()
            .await
            .map_err(error::from_sdk)?;
        mesh_reply(out.mesh(), &out)
    }

    pub async fn delete_mesh(&self, name: &str) -> Result<Reply<Mesh>, ApiError> {
        let out = self
            .client
            .delete_mesh()
            .mesh_name(name)
            .send()
            .await
            .map_err(error::from_sdk)?;
        mesh_reply(out.mesh(), &out)
    }

    pub async fn list_meshes_page(
        &self,
        next_token: Option<String>,
        limit: Option<i32>,
    ) -> Result<Reply<MeshPage>, ApiError> {
        let out = self
            .client
            .list_meshes()
            .set_next_token(next_token)
            .set_limit(limit)
            .send()
            .await
            .map_err(error::from_sdk)?;
        let request_id = out.request_id().map(str::to_string);
        let meshes = out.meshes().iter().map(summary_from_sdk).collect();
        Ok(Reply {
            value: MeshPage {
                meshes,
                next_token: out.next_token().map(str::to_string),
            },
            request_id,
        })
    }

    /// All tags of a resource, every page. A server that repeats a page token, or sends more
    /// than [`LIST_TAGS_MAX`] tags, ends the call with an error instead of paging forever.
    pub async fn list_tags(&self, arn: &str) -> Result<Reply<Vec<Tag>>, ApiError> {
        let mut tags = Vec::new();
        let mut next: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        let mut request_id = None;
        loop {
            if let Some(token) = &next
                && !seen.insert(token.clone())
            {
                return Err(paging_error(format!(
                    "ListTagsForResource sent the same page token twice (after {} tags); the server is not paging correctly.",
                    tags.len()
                )));
            }
            if tags.len() > LIST_TAGS_MAX {
                return Err(paging_error(format!(
                    "ListTagsForResource sent more than {LIST_TAGS_MAX} tags for one resource (a resource holds at most {}); the server is not answering as App Mesh does.",
                    crate::model::TAGS_MAX
                )));
            }
            let out = self
                .client
                .list_tags_for_resource()
                .resource_arn(arn)
                .set_next_token(next)
                .send()
                .await
                .map_err(error::from_sdk)?;
            request_id = out.request_id().map(str::to_string).or(request_id);
            tags.extend(out.tags().iter().map(|t| Tag::new(t.key(), t.value())));
            next = out.next_token().map(str::to_string);
            if next.is_none() {
                break;
            }
        }
        Ok(Reply {
            value: tags,
            request_id,
        })
    }

    pub async fn tag_resource(&self, arn: &str, tags: &[Tag]) -> Result<Reply<()>, ApiError> {
        let out = self
            .client
            .tag_resource()
            .resource_arn(arn)
            .set_tags(tags_to_sdk(tags).or(Some(Vec::new())))
            .send()
            .await
            .map_err(error::from_sdk)?;
        Ok(Reply {
            value: (),
            request_id: out.request_id().map(str::to_string),
        })
    }

    pub async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<Reply<()>, ApiError> {
        let out = self
            .client
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map_err(error::from_sdk)?;
        Ok(Reply {
            value: (),
            request_id: out.request_id().map(str::to_string),
        })
    }
}

/// Tags read for one resource at most (a resource holds at most 50).
pub const LIST_TAGS_MAX: usize = 1_000;

/// A list that a server answered in a way that would never end.
fn paging_error(message: String) -> ApiError {
    ApiError {
        kind: ErrorKind::BadResponse,
        code: None,
        message,
        http_status: None,
        request_id: None,
    }
}

/// The `spec` member of a request: `None` when nothing is set, so the service fills in
/// its defaults exactly as it would for the AWS CLI without `--spec`.
pub fn spec_to_sdk(spec: &MeshSpec) -> Option<sdk::MeshSpec> {
    if spec.egress_filter.is_none() && spec.ip_preference.is_none() {
        return None;
    }
    let egress = spec.egress_filter.map(|e| {
        sdk::EgressFilter::builder()
            .r#type(match e {
                EgressFilter::DropAll => sdk::EgressFilterType::DropAll,
                EgressFilter::AllowAll => sdk::EgressFilterType::AllowAll,
            })
            .build()
            .expect("type is set")
    });
    let discovery = spec.ip_preference.map(|p| {
        sdk::MeshServiceDiscovery::builder()
            .ip_preference(sdk::IpPreference::from(p.as_str()))
            .build()
    });
    Some(
        sdk::MeshSpec::builder()
            .set_egress_filter(egress)
            .set_service_discovery(discovery)
            .build(),
    )
}

fn tags_to_sdk(tags: &[Tag]) -> Option<Vec<sdk::TagRef>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|t| {
                sdk::TagRef::builder()
                    .key(&t.key)
                    .value(&t.value)
                    .build()
                    .expect("key and value are set")
            })
            .collect(),
    )
}

fn time_from_sdk(t: &DateTime) -> SystemTime {
    SystemTime::try_from(*t).unwrap_or(SystemTime::UNIX_EPOCH)
}

fn spec_from_sdk(spec: Option<&sdk::MeshSpec>) -> MeshSpec {
    let Some(spec) = spec else {
        return MeshSpec::default();
    };
    MeshSpec {
        egress_filter: spec
            .egress_filter()
            .and_then(|e| EgressFilter::parse(e.r#type().as_str())),
        ip_preference: spec
            .service_discovery()
            .and_then(|d| d.ip_preference())
            .and_then(|p| IpPreference::parse(p.as_str())),
    }
}

fn mesh_from_sdk(mesh: Option<&sdk::MeshData>) -> Result<Mesh, ApiError> {
    let bad = |what: &str| ApiError {
        kind: ErrorKind::BadResponse,
        code: None,
        message: format!("The answer has no {what}."),
        http_status: None,
        request_id: None,
    };
    let mesh = mesh.ok_or_else(|| bad("mesh"))?;
    let md = mesh.metadata().ok_or_else(|| bad("mesh metadata"))?;
    Ok(Mesh {
        name: mesh.mesh_name().to_string(),
        spec: spec_from_sdk(mesh.spec()),
        status: mesh
            .status()
            .and_then(|s| s.status())
            .map(|s| MeshStatus::parse(s.as_str()))
            .unwrap_or(MeshStatus::Unknown("(none)".into())),
        metadata: Metadata {
            arn: md.arn().to_string(),
            uid: md.uid().to_string(),
            version: md.version(),
            created_at: time_from_sdk(md.created_at()),
            last_updated_at: time_from_sdk(md.last_updated_at()),
            mesh_owner: md.mesh_owner().to_string(),
            resource_owner: md.resource_owner().to_string(),
        },
    })
}

/// The mesh of a CreateMesh / DescribeMesh / UpdateMesh / DeleteMesh answer, with its
/// request ID.
fn mesh_reply(mesh: Option<&sdk::MeshData>, out: &impl RequestId) -> Result<Reply<Mesh>, ApiError> {
    Ok(Reply {
        value: mesh_from_sdk(mesh)?,
        request_id: out.request_id().map(str::to_string),
    })
}

fn summary_from_sdk(m: &sdk::MeshRef) -> MeshSummary {
    MeshSummary {
        name: m.mesh_name().to_string(),
        arn: m.arn().to_string(),
        version: m.version(),
        created_at: time_from_sdk(m.created_at()),
        last_updated_at: time_from_sdk(m.last_updated_at()),
        mesh_owner: m.mesh_owner().to_string(),
        resource_owner: m.resource_owner().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_that_may_prompt_are_recognised() {
        let config = "[default]\nregion = us-east-1\n\n[profile tty]\ncredential_process = /bin/get-creds --mfa\n\n[profile  sso]\nsso_session = corp\n[profile plain]\naws_access_key_id = x\n";
        assert_eq!(
            profile_section_needs_terminal(config, "tty").as_deref(),
            Some("credential_process")
        );
        assert_eq!(
            profile_section_needs_terminal(config, "sso").as_deref(),
            Some("SSO")
        );
        assert_eq!(profile_section_needs_terminal(config, "plain"), None);
        assert_eq!(profile_section_needs_terminal(config, "default"), None);
        assert_eq!(profile_section_needs_terminal(config, "missing"), None);
    }

    #[test]
    fn endpoint_urls_are_checked_and_passwords_never_echoed() {
        assert_eq!(endpoint_url_problem("http://127.0.0.1:4566"), None);
        assert_eq!(
            endpoint_url_problem("https://appmesh.us-east-1.amazonaws.com"),
            None
        );
        assert_eq!(endpoint_url_problem("http://user:pass@host:1/"), None);
        let p = endpoint_url_problem("notaurl").unwrap();
        assert!(
            p.contains("\"notaurl\" is not a URL") && p.contains("http://127.0.0.1:4566"),
            "{p}"
        );
        let p = endpoint_url_problem("ftp://host").unwrap();
        assert!(p.contains("scheme \"ftp\""), "{p}");
        assert!(endpoint_url_problem("http://").is_some());
        assert!(endpoint_url_problem("").is_some());
        let p = endpoint_url_problem("gopher://admin:hunter2@host").unwrap();
        assert!(!p.contains("hunter2") && p.contains("***@host"), "{p}");
    }

    #[test]
    fn empty_spec_is_left_out_of_the_request() {
        assert!(spec_to_sdk(&MeshSpec::default()).is_none());
        assert!(tags_to_sdk(&[]).is_none());
    }

    #[test]
    fn spec_round_trips_through_sdk_types() {
        for e in EgressFilter::ALL {
            for p in IpPreference::ALL.map(Some).into_iter().chain([None]) {
                let spec = MeshSpec {
                    egress_filter: Some(e),
                    ip_preference: p,
                };
                let sdk_spec = spec_to_sdk(&spec).unwrap();
                assert_eq!(sdk_spec.service_discovery().is_some(), p.is_some());
                assert_eq!(spec_from_sdk(Some(&sdk_spec)), spec);
            }
        }
    }
}
