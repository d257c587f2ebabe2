//! Errors as RFC 9457 problem objects (`application/problem+json`): `type`, `title`, `status`, `detail`, the
//! stable `code`, and `position` (1-based line and column) for filter errors or `failures` for refused
//! receipt handles. Pure.

use crate::error::ApiError;
use serde_json::{json, Value};

/// Media type of error answers.
pub const CONTENT_TYPE: &str = "application/problem+json";

/// Short human title of a status.
fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        503 => "Service Unavailable",
        507 => "Insufficient Storage",
        _ => "Internal Server Error",
    }
}

/// The problem object for `err`. Internal errors carry no internal detail.
pub fn problem_json(err: &ApiError) -> Value {
    let status = err.status();
    let detail = if err.is_internal() {
        "internal error; see the server log".to_string()
    } else {
        err.to_string()
    };
    let mut p = json!({
        "type": format!("urn:mqgate:problem:{}", err.code()),
        "title": title(status),
        "status": status,
        "detail": detail,
        "code": err.code(),
    });
    match err {
        ApiError::InvalidFilter(f) => {
            if let Some(at) = f.position() {
                p["position"] = json!({"line": at.line, "column": at.column});
            }
        }
        ApiError::HandlesRefused { failures, total } => {
            p["failures"] = json!(failures);
            p["applied"] = json!(total - failures.len());
        }
        _ => {}
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_errors_carry_their_position() {
        let err = mqgate_filter::compile(mqgate_filter::Dialect::Sql92, "a >", &Default::default())
            .unwrap_err();
        let p = problem_json(&ApiError::InvalidFilter(err));
        assert_eq!(p["status"], 400);
        assert_eq!(p["code"], "invalid-filter");
        assert!(p["position"]["column"].as_u64().is_some(), "{p}");
    }

    #[test]
    fn internal_errors_hide_their_detail() {
        let e = ApiError::Engine(mqgate_engine::EngineError::Io(std::io::Error::other(
            "disk",
        )));
        let p = problem_json(&e);
        assert_eq!(p["status"], 500);
        assert!(!p["detail"].as_str().unwrap().contains("disk"));
    }
}
