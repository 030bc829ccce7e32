//! The verbs of every kind through aws-sdk-appmesh: describe, list a page, create, update,
//! delete.
//!
//! Nothing here names a kind's fields. The key becomes the input's name members (from
//! [`crate::kind`]), the spec and tags are wire-form JSON already, the model checks the whole
//! input ([`shape::validate`]) before anything is sent, the generated [`operations::call`] sends
//! it through the SDK's fluent builder and converts the output back to wire-form JSON, and
//! [`Resource::from_wire`] / [`Summary::from_wire`] read that.

use serde_json::{Map, Value};

use super::error::{ApiError, ErrorKind};
use super::{Api, Reply, operations};
use crate::kind::{Key, Kind, Verb};
use crate::model::Tag;
use crate::resource::{Resource, Summary};
use crate::shape;

/// One page of a List.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<Summary>,
    /// `None` on the last page.
    pub next_token: Option<String>,
}

impl Api {
    /// Sends any operation of the model by name (`"CreateVirtualNode"`), with its input as one
    /// wire-form object of the input shape's members (`{"meshName": …, "spec": …}`), and
    /// returns the output in the wire form. An input the model rejects is not sent: the error
    /// ([`ErrorKind::Invalid`]) lists the problems with their JSON paths.
    pub async fn call(&self, operation: &str, input: &Value) -> Result<Reply<Value>, ApiError> {
        let model = shape::model();
        let Some(op) = model.operation(operation) else {
            return Err(ApiError::invalid(format!(
                "{operation} is not an App Mesh operation"
            )));
        };
        if let Some(shape_name) = &op.input {
            let problems = shape::validate(model, shape_name, input, "");
            if !problems.is_empty() {
                return Err(ApiError::invalid(shape::problems_message(&problems)));
            }
        }
        operations::call(&self.client, operation, input).await
    }

    /// Describe: the resource as the service holds it.
    pub async fn describe(&self, key: &Key) -> Result<Reply<Resource>, ApiError> {
        let input = Value::Object(key_input(key));
        let reply = self
            .call(&key.kind.operation(Verb::Describe), &input)
            .await?;
        resource_reply(key.kind, reply)
    }

    /// One page of List: the `kind` resources of `mesh` (of the router or gateway `parent`, for
    /// routes and gateway routes; ignored otherwise). `mesh` is ignored for meshes.
    pub async fn list_page(
        &self,
        kind: Kind,
        mesh: &str,
        parent: &str,
        next_token: Option<String>,
        limit: Option<i32>,
    ) -> Result<Reply<Page>, ApiError> {
        let info = kind.info();
        let mut input = Map::new();
        if kind != Kind::Mesh {
            input.insert("meshName".into(), mesh.into());
        }
        if let Some(p) = info.parent {
            input.insert(p.info().name_member.into(), parent.into());
        }
        if let Some(t) = next_token {
            input.insert("nextToken".into(), t.into());
        }
        if let Some(l) = limit {
            input.insert("limit".into(), l.into());
        }
        let reply = self
            .call(&kind.operation(Verb::List), &Value::Object(input))
            .await?;
        let bad = |what: String| bad_response(what, &reply.request_id);
        let items = match reply.value.get(info.list_member) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    Summary::from_wire(kind, item).map_err(|e| {
                        bad(format!(
                            "An item of {} cannot be read: {e}.",
                            info.list_member
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => return Err(bad(format!("The answer has no {}.", info.list_member))),
        };
        let next_token = reply
            .value
            .get("nextToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Reply {
            value: Page { items, next_token },
            request_id: reply.request_id,
        })
    }

    /// Create: `spec` in the wire form (`Value::Null` leaves it out, which only a mesh allows),
    /// `tags` (left out when empty), and the idempotency token.
    pub async fn create(
        &self,
        key: &Key,
        spec: &Value,
        tags: &[Tag],
        client_token: &str,
    ) -> Result<Reply<Resource>, ApiError> {
        let mut input = key_input(key);
        if !spec.is_null() {
            input.insert("spec".into(), spec.clone());
        }
        if !tags.is_empty() {
            let tags = tags
                .iter()
                .map(|t| serde_json::json!({"key": t.key, "value": t.value}))
                .collect();
            input.insert("tags".into(), Value::Array(tags));
        }
        input.insert("clientToken".into(), client_token.into());
        let reply = self
            .call(&key.kind.operation(Verb::Create), &Value::Object(input))
            .await?;
        resource_reply(key.kind, reply)
    }

    /// Update: the whole new spec in the wire form (`Value::Null` leaves it out, which only a
    /// mesh allows).
    pub async fn update(
        &self,
        key: &Key,
        spec: &Value,
        client_token: &str,
    ) -> Result<Reply<Resource>, ApiError> {
        let mut input = key_input(key);
        if !spec.is_null() {
            input.insert("spec".into(), spec.clone());
        }
        input.insert("clientToken".into(), client_token.into());
        let reply = self
            .call(&key.kind.operation(Verb::Update), &Value::Object(input))
            .await?;
        resource_reply(key.kind, reply)
    }

    /// Delete: the resource as it was, with status `DELETED`.
    pub async fn delete(&self, key: &Key) -> Result<Reply<Resource>, ApiError> {
        let input = Value::Object(key_input(key));
        let reply = self.call(&key.kind.operation(Verb::Delete), &input).await?;
        resource_reply(key.kind, reply)
    }
}

/// The input members that name `key`: `meshName`, the parent's name member, the kind's.
fn key_input(key: &Key) -> Map<String, Value> {
    let info = key.kind.info();
    let mut input = Map::new();
    input.insert("meshName".into(), key.mesh.as_str().into());
    if let Some(p) = info.parent {
        input.insert(p.info().name_member.into(), key.parent.as_str().into());
    }
    input.insert(info.name_member.into(), key.name.as_str().into());
    input
}

fn bad_response(message: String, request_id: &Option<String>) -> ApiError {
    ApiError {
        kind: ErrorKind::BadResponse,
        code: None,
        message,
        http_status: None,
        request_id: request_id.clone(),
    }
}

/// The resource of a Create/Describe/Update/Delete output (`{"virtualNode": {…}}`).
fn resource_reply(kind: Kind, reply: Reply<Value>) -> Result<Reply<Resource>, ApiError> {
    let member = kind.info().output_member;
    let Some(data) = reply.value.get(member) else {
        return Err(bad_response(
            format!("The answer has no {member}."),
            &reply.request_id,
        ));
    };
    let value = Resource::from_wire(kind, data).map_err(|e| {
        bad_response(
            format!("The {member} in the answer cannot be read: {e}."),
            &reply.request_id,
        )
    })?;
    Ok(Reply {
        value,
        request_id: reply.request_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_the_input_name_members() {
        let k = Key::new(Kind::Route, "m", "r", "x");
        assert_eq!(
            Value::Object(key_input(&k)),
            serde_json::json!({"meshName": "m", "virtualRouterName": "r", "routeName": "x"})
        );
        assert_eq!(
            Value::Object(key_input(&Key::mesh("m"))),
            serde_json::json!({"meshName": "m"})
        );
        // Every kind's describe input fits the model with just the key.
        for kind in Kind::ALL {
            let k = Key::new(kind, "m", "p", "n");
            let op = shape::model()
                .operation(&kind.operation(Verb::Describe))
                .unwrap();
            let problems = shape::validate(
                shape::model(),
                op.input.as_deref().unwrap(),
                &Value::Object(key_input(&k)),
                "",
            );
            assert!(problems.is_empty(), "{kind}: {problems:?}");
        }
    }

    #[test]
    fn answers_without_the_resource_are_bad_responses() {
        let reply = Reply {
            value: serde_json::json!({}),
            request_id: Some("r-1".into()),
        };
        let e = resource_reply(Kind::VirtualNode, reply).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
        assert_eq!(e.message, "The answer has no virtualNode.");
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
        let reply = Reply {
            value: serde_json::json!({"virtualNode": {"meshName": "m"}}),
            request_id: None,
        };
        let e = resource_reply(Kind::VirtualNode, reply).unwrap_err();
        assert_eq!(
            e.message,
            "The virtualNode in the answer cannot be read: virtualNodeName is missing."
        );
    }
}
