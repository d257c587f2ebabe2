//! The codec layer: pure mappings between HTTP requests and responses and engine values — OMS headers,
//! the JSON envelope, CloudEvents, query strings, answers and problem objects. No I/O, no engine calls.

pub mod cloudevents;
pub mod envelope;
pub mod headers;
pub mod ids;
pub mod messages;
pub mod problem;
pub mod query;
pub mod time;

use crate::error::ApiError;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;
use headers::ProduceContext;
use http::HeaderMap;
use mqgate_engine::Message;

/// Standard base64 with padding written and optional when read.
pub(crate) fn base64_engine() -> GeneralPurpose {
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// Which form a produce request uses, decided by its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProduceForm {
    /// The body is the payload; `x-oms-h-*` / `x-oms-p-*` headers describe it.
    Single,
    /// A CloudEvent in binary mode (`ce-*` headers, body = data).
    CloudEventBinary,
    /// One structured CloudEvent (`application/cloudevents+json`).
    CloudEventStructured,
    /// A CloudEvents batch (`application/cloudevents-batch+json`).
    CloudEventBatch,
    /// The JSON envelope list (`application/json`).
    Envelope,
}

impl ProduceForm {
    /// True when the answer lists one result per message.
    pub fn is_batch(self) -> bool {
        matches!(self, ProduceForm::CloudEventBatch | ProduceForm::Envelope)
    }
}

/// The media type essence of a request (`type/subtype`, lower case, no parameters).
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// The form of a produce request. Binary-mode CloudEvents win over the media type, since their body is
/// the event's data whatever its type.
pub fn produce_form(headers: &HeaderMap) -> ProduceForm {
    if cloudevents::is_binary(headers) {
        return ProduceForm::CloudEventBinary;
    }
    match media_type(headers).as_deref() {
        Some(cloudevents::STRUCTURED) => ProduceForm::CloudEventStructured,
        Some(cloudevents::BATCH) => ProduceForm::CloudEventBatch,
        Some("application/json") => ProduceForm::Envelope,
        _ => ProduceForm::Single,
    }
}

/// Decodes a produce request into the messages to store, in order. Request-level `x-oms-h-*` / `x-oms-p-*`
/// headers apply to every message (an envelope's own headers override them).
pub fn decode_produce(
    topic: &str,
    headers: &HeaderMap,
    body: Bytes,
    ctx: &ProduceContext,
    max_batch: usize,
) -> Result<(ProduceForm, Vec<Message>), ApiError> {
    let form = produce_form(headers);
    let mut msgs = match form {
        ProduceForm::Single => vec![Message::new(topic, body)],
        ProduceForm::CloudEventBinary => {
            vec![cloudevents::from_binary(headers, body)?.into_message(topic)?]
        }
        ProduceForm::CloudEventStructured => {
            vec![cloudevents::from_structured(&body)?.into_message(topic)?]
        }
        ProduceForm::CloudEventBatch => {
            let events = cloudevents::from_batch(&body)?;
            if events.is_empty() || events.len() > max_batch {
                return Err(ApiError::bad_request(format!(
                    "a batch holds 1 to {max_batch} events; this one has {}",
                    events.len()
                )));
            }
            events
                .into_iter()
                .map(|e| e.into_message(topic))
                .collect::<Result<_, _>>()?
        }
        ProduceForm::Envelope => envelope::decode_batch(topic, &body, max_batch, ctx)?,
    };
    for m in &mut msgs {
        let own = std::mem::take(&mut m.properties);
        headers::apply_oms_headers(m, headers, ctx)?;
        for (k, v) in own.0 {
            m.properties.set(k, v);
        }
    }
    Ok((form, msgs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqgate_engine::keys;

    const CTX: ProduceContext = ProduceContext {
        now_ms: 0,
        max_delay_ms: 1_000,
    };

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), http::HeaderValue::from_static(v)))
            .collect()
    }

    #[test]
    fn the_form_follows_ce_headers_then_the_media_type() {
        assert_eq!(produce_form(&h(&[])), ProduceForm::Single);
        assert_eq!(
            produce_form(&h(&[("content-type", "text/plain")])),
            ProduceForm::Single
        );
        assert_eq!(
            produce_form(&h(&[("content-type", "application/json; charset=utf-8")])),
            ProduceForm::Envelope
        );
        assert_eq!(
            produce_form(&h(&[
                ("content-type", "application/json"),
                ("ce-specversion", "1.0")
            ])),
            ProduceForm::CloudEventBinary
        );
        assert_eq!(
            produce_form(&h(&[(
                "content-type",
                "application/cloudevents-batch+json"
            )])),
            ProduceForm::CloudEventBatch
        );
    }

    #[test]
    fn request_headers_apply_to_each_message_and_envelope_headers_win() {
        let headers = h(&[("content-type", "application/json"), ("x-oms-h-tag", "Req")]);
        let body = Bytes::from_static(br#"[{"headers":{"tag":"Own"}},{}]"#);
        let (form, msgs) = decode_produce("T", &headers, body, &CTX, 10).unwrap();
        assert!(form.is_batch());
        assert_eq!(msgs[0].properties.get(keys::TAGS), Some("Own"));
        assert_eq!(msgs[1].properties.get(keys::TAGS), Some("Req"));
    }
}
