//! Resource names: a v2 `Resource{resource_namespace, name}` becomes the engine's topic or group name
//! (`namespace%name`, as RocketMQ's proxy combines them), checked against RocketMQ's naming rules.

use crate::error::{RpcError, RpcResult};
use crate::pb::{Code, Resource};
use mqgate_engine::metadata;

/// The engine name of a resource.
pub fn full_name(r: &Resource) -> String {
    if r.resource_namespace.is_empty() {
        r.name.clone()
    } else {
        format!("{}%{}", r.resource_namespace, r.name)
    }
}

/// A resource naming `name` within the namespace of `like` (the request's own resource).
pub fn resource(like: &Resource, engine_name: &str) -> Resource {
    let name = if like.resource_namespace.is_empty() {
        engine_name
    } else {
        engine_name
            .strip_prefix(&format!("{}%", like.resource_namespace))
            .unwrap_or(engine_name)
    };
    Resource {
        resource_namespace: like.resource_namespace.clone(),
        name: name.to_string(),
    }
}

/// A topic a client may use: valid name, not one of the engine's system topics. `ILLEGAL_TOPIC` otherwise.
pub fn topic(r: Option<&Resource>) -> RpcResult<String> {
    let r = r.ok_or_else(|| RpcError::new(Code::IllegalTopic, "topic is required"))?;
    let name = full_name(r);
    metadata::validate_topic_name(&name)
        .map_err(|e| RpcError::new(Code::IllegalTopic, e.to_string()))?;
    if metadata::is_system_topic(&name) || name == metadata::TEMPLATE_TOPIC {
        return Err(RpcError::new(
            Code::IllegalTopic,
            format!("topic {name} is reserved for the broker"),
        ));
    }
    Ok(name)
}

/// A valid consumer group name; `ILLEGAL_CONSUMER_GROUP` otherwise.
pub fn group(r: Option<&Resource>) -> RpcResult<String> {
    let r = r.ok_or_else(|| RpcError::new(Code::IllegalConsumerGroup, "group is required"))?;
    let name = full_name(r);
    metadata::validate_group_name(&name)
        .map_err(|e| RpcError::new(Code::IllegalConsumerGroup, e.to_string()))?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(ns: &str, name: &str) -> Resource {
        Resource {
            resource_namespace: ns.into(),
            name: name.into(),
        }
    }

    #[test]
    fn namespaces_prefix_names_and_are_stripped_on_the_way_out() {
        assert_eq!(full_name(&res("", "T")), "T");
        assert_eq!(full_name(&res("ns1", "T")), "ns1%T");
        assert_eq!(resource(&res("ns1", "x"), "ns1%T").name, "T");
    }

    #[test]
    fn bad_and_system_topics_are_illegal() {
        assert_eq!(
            topic(Some(&res("", "a/b"))).unwrap_err().code,
            Code::IllegalTopic
        );
        assert_eq!(
            topic(Some(&res("", ""))).unwrap_err().code,
            Code::IllegalTopic
        );
        assert_eq!(
            topic(Some(&res("", "RMQ_SYS_TRANS_HALF_TOPIC")))
                .unwrap_err()
                .code,
            Code::IllegalTopic
        );
        assert_eq!(topic(None).unwrap_err().code, Code::IllegalTopic);
        assert_eq!(topic(Some(&res("", "Orders_1"))).unwrap(), "Orders_1");
    }

    #[test]
    fn bad_groups_are_illegal() {
        assert_eq!(
            group(Some(&res("", "g g"))).unwrap_err().code,
            Code::IllegalConsumerGroup
        );
        assert_eq!(
            group(Some(&res("", &"g".repeat(121)))).unwrap_err().code,
            Code::IllegalConsumerGroup
        );
        assert_eq!(group(Some(&res("", "G1"))).unwrap(), "G1");
    }
}
