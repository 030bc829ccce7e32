//! aws-sdk-appmesh clients for the sandbox, and the listing the sandbox tests check against.

use aws_sdk_appmesh::Client;
use aws_sdk_appmesh::config::http::HttpResponse;
use aws_sdk_appmesh::config::retry::RetryConfig;
use aws_sdk_appmesh::config::{Credentials, Region};
use aws_sdk_appmesh::error::SdkError;
use aws_sdk_appmesh::operation::list_meshes::ListMeshesError;

use appmesh_tui::sandbox::{ACCESS_KEY_ID, SECRET_ACCESS_KEY};

/// A client for a sandbox at `endpoint`, with the sandbox's fixed credentials and `region`.
/// Without `retries` every error is seen as the server sent it (a 500 is not retried, a
/// request to a server that died is not retried into the next one).
pub fn sandbox_client(endpoint: &str, region: &str, retries: bool) -> Client {
    let mut b = aws_sdk_appmesh::config::Builder::new()
        .behavior_version_latest()
        .credentials_provider(Credentials::new(
            ACCESS_KEY_ID,
            SECRET_ACCESS_KEY,
            None,
            None,
            "sandbox",
        ))
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint);
    if !retries {
        b = b.retry_config(RetryConfig::disabled());
    }
    Client::from_conf(b.build())
}

/// Every mesh name the service lists, all pages, in ListMeshes order.
pub async fn mesh_names(
    c: &Client,
) -> Result<Vec<String>, SdkError<ListMeshesError, HttpResponse>> {
    Ok(c.list_meshes()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await?
        .into_iter()
        .map(|m| m.mesh_name().to_string())
        .collect())
}
