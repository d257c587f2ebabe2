//! Query strings of the consume endpoints to typed, range-checked parameters. Unknown parameters are
//! ignored; a repeated one takes its first value. Pure.

use crate::error::ApiError;
use crate::settings::HttpSettings;

/// How a consume answer is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"messages": [...]}` (the default).
    Oms,
    /// A CloudEvents batch (`application/cloudevents-batch+json`).
    CloudEvents,
}

/// Parameters of `GET /oms/v1/topics/{topic}/messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumeQuery {
    /// Consumer group (required).
    pub group: String,
    /// Most messages returned (default 16).
    pub max: usize,
    /// Long-poll wait in ms (default 0: answer at once).
    pub wait_ms: u64,
    /// SQL92 filter.
    pub filter: Option<String>,
    /// Tag expression (`A || B`).
    pub tag: Option<String>,
    /// Invisible time of received messages, ms.
    pub invisible_ms: i64,
    /// Answer shape.
    pub format: Format,
}

/// Parameters of `GET /oms/v1/topics/{topic}/queues/{queueId}/messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetQuery {
    /// First queue offset to read (default 0).
    pub offset: i64,
    /// Most messages returned (default 16).
    pub max: usize,
    /// Long-poll wait in ms when nothing is new (default 0).
    pub wait_ms: u64,
    /// SQL92 filter.
    pub filter: Option<String>,
    /// Tag expression.
    pub tag: Option<String>,
}

/// The decoded pairs of a query string.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: Option<&str>) -> Self {
        Params(
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
        &self,
        name: &str,
        default: T,
        min: T,
        max: T,
    ) -> Result<T, ApiError> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        match text.trim().parse::<T>() {
            Ok(v) if v >= min && v <= max => Ok(v),
            _ => Err(ApiError::bad_request(format!(
                "query parameter {name} must be an integer within {min}..={max}"
            ))),
        }
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .filter(|v| !v.trim().is_empty())
            .map(str::to_string)
    }
}

/// Parses a consume query; `accept` is the request's `Accept` header, which may ask for CloudEvents.
pub fn consume_query(
    query: Option<&str>,
    accept: Option<&str>,
    s: &HttpSettings,
) -> Result<ConsumeQuery, ApiError> {
    let p = Params::parse(query);
    let group = p
        .text("group")
        .ok_or_else(|| ApiError::bad_request("query parameter group is required"))?;
    let format = match p.get("format") {
        None => match accept {
            Some(a) if a.contains(crate::codec::cloudevents::BATCH) => Format::CloudEvents,
            _ => Format::Oms,
        },
        Some("oms") => Format::Oms,
        Some("cloudevents") => Format::CloudEvents,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format {other:?} is unknown; use oms or cloudevents"
            )))
        }
    };
    Ok(ConsumeQuery {
        group,
        max: p.number("max", 16, 1, s.max_messages.max(1))?,
        wait_ms: p.number("wait", 0, 0, s.max_wait_ms)?,
        filter: p.text("filter"),
        tag: p.text("tag"),
        invisible_ms: p.number(
            "invisible",
            s.default_invisible_ms,
            1_000,
            s.max_invisible_ms.max(1_000),
        )?,
        format,
    })
}

/// Parses an offset-read query.
pub fn offset_query(query: Option<&str>, s: &HttpSettings) -> Result<OffsetQuery, ApiError> {
    let p = Params::parse(query);
    Ok(OffsetQuery {
        offset: p.number("offset", 0, 0, i64::MAX)?,
        max: p.number("max", 16, 1, s.max_messages.max(1))?,
        wait_ms: p.number("wait", 0, 0, s.max_wait_ms)?,
        filter: p.text("filter"),
        tag: p.text("tag"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consume_query_has_defaults_and_bounds() {
        let s = HttpSettings::default();
        let q = consume_query(Some("group=G&filter=a%20%3E%201"), None, &s).unwrap();
        assert_eq!(q.group, "G");
        assert_eq!((q.max, q.wait_ms, q.invisible_ms), (16, 0, 30_000));
        assert_eq!(q.filter.as_deref(), Some("a > 1"));
        assert_eq!(q.format, Format::Oms);
        assert!(consume_query(Some("max=2"), None, &s).is_err());
        assert!(consume_query(Some("group=G&max=0"), None, &s).is_err());
        assert!(consume_query(Some("group=G&wait=99999999"), None, &s).is_err());
        assert!(consume_query(Some("group=G&wait=-1"), None, &s).is_err());
        assert!(consume_query(Some("group=G&format=xml"), None, &s).is_err());
        let ce =
            consume_query(Some("group=G"), Some(crate::codec::cloudevents::BATCH), &s).unwrap();
        assert_eq!(ce.format, Format::CloudEvents);
    }

    #[test]
    fn offset_query_reads_offset_and_limits() {
        let s = HttpSettings::default();
        let q = offset_query(Some("offset=5&max=3&wait=100&tag=A"), &s).unwrap();
        assert_eq!((q.offset, q.max, q.wait_ms), (5, 3, 100));
        assert_eq!(q.tag.as_deref(), Some("A"));
        assert!(offset_query(Some("offset=-1"), &s).is_err());
    }
}
