//! A cap on response bodies: no answer is read past [`MAX_RESPONSE_BYTES`].
//!
//! The SDK reads a whole response body into memory before it parses it (the orchestrator's
//! `read_body`, after the `modify_before_deserialization` interceptor hook). [`BodyLimit`] sits
//! in that hook: an answer whose `Content-Length` is over the cap is refused before a byte of
//! its body is read, and any other body is wrapped in `http_body_util::Limited`, which fails
//! the read as soon as more than the cap has arrived (chunked answers, or a server that sends
//! more than it announced). Either way the call fails with a message that names the cap, and
//! [`NoRetryWhenTooLarge`] keeps the SDK from trying again (a read error would otherwise count
//! as transient and be retried).
//!
//! The largest real App Mesh answers are a ListMeshes page (100 meshes, about 40 KB) and a
//! virtual node with a large spec (tens of KB); 8 MiB is far above any of them.

use std::error::Error as StdError;
use std::fmt;

use aws_sdk_appmesh::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_appmesh::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_appmesh::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_appmesh::error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::RetryClassifierPriority;
use aws_smithy_types::body::SdkBody;
use http_body_util::{LengthLimitError, Limited};

/// The most bytes read of one response body.
pub const MAX_RESPONSE_BYTES: u64 = 8 << 20;

/// An answer whose body is over the cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyTooLarge {
    pub limit: u64,
    /// The `Content-Length` the server announced, when it did.
    pub announced: Option<u64>,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.announced {
            Some(n) => write!(
                f,
                "the answer's body is {} ({} bytes), over the {} any App Mesh answer stays far below; it was not read",
                crate::fileio::human_size(n),
                crate::fileio::thousands(n),
                crate::fileio::human_size(self.limit)
            ),
            None => write!(
                f,
                "the answer's body went past {}, which any App Mesh answer stays far below; reading stopped there",
                crate::fileio::human_size(self.limit)
            ),
        }
    }
}

impl StdError for BodyTooLarge {}

/// The cap found anywhere in an error's chain (our refusal, or `Limited` stopping a read).
pub fn too_large_in(err: &(dyn StdError + 'static)) -> Option<BodyTooLarge> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<BodyTooLarge>() {
            return Some(t.clone());
        }
        if e.downcast_ref::<LengthLimitError>().is_some() {
            return Some(BodyTooLarge {
                limit: MAX_RESPONSE_BYTES,
                announced: None,
            });
        }
        cur = e.source();
    }
    None
}

/// The interceptor that caps response bodies at `limit` bytes (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub limit: u64,
}

impl Default for BodyLimit {
    fn default() -> Self {
        BodyLimit {
            limit: MAX_RESPONSE_BYTES,
        }
    }
}

impl Intercept for BodyLimit {
    fn name(&self) -> &'static str {
        "appmesh-tui response body limit"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let announced = response
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(n) = announced
            && n > self.limit
        {
            return Err(Box::new(BodyTooLarge {
                limit: self.limit,
                announced: Some(n),
            }));
        }
        let body = std::mem::replace(response.body_mut(), SdkBody::taken());
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        *response.body_mut() = SdkBody::from_body_1_x(Limited::new(body, limit));
        Ok(())
    }
}

/// Forbids retrying a call whose answer was over the cap: the next attempt would get the same.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRetryWhenTooLarge;

impl ClassifyRetry for NoRetryWhenTooLarge {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) if too_large_in(e).is_some() => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "appmesh-tui: no retry after an over-large answer"
    }

    fn priority(&self) -> RetryClassifierPriority {
        // After the transient-error classifier, which calls any read error retryable.
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_size_and_the_cap() {
        let e = BodyTooLarge {
            limit: MAX_RESPONSE_BYTES,
            announced: Some(200 << 20),
        };
        let msg = e.to_string();
        assert!(
            msg.contains("200 MiB (209,715,200 bytes)") && msg.contains("8 MiB"),
            "{msg}"
        );
        let e = BodyTooLarge {
            limit: MAX_RESPONSE_BYTES,
            announced: None,
        };
        assert!(e.to_string().contains("went past 8 MiB"), "{e}");
    }

    #[test]
    fn the_cap_is_found_through_boxes() {
        let boxed: BoxError = Box::new(BodyTooLarge {
            limit: 5,
            announced: Some(9),
        });
        assert_eq!(too_large_in(&*boxed).unwrap().announced, Some(9));
        let io = std::io::Error::other("unrelated");
        assert!(too_large_in(&io).is_none());
    }
}
