//! AckMessage, ChangeInvisibleDuration (a new handle; the first one stays ackable) and
//! ForwardMessageToDeadLetterQueue. Each ends auto-renewal of the delivery it names.

use super::CallContext;
use crate::codec::resource;
use crate::codec::time::duration_from_pb;
use crate::error::{status, RpcError, RpcResult};
use crate::pb::*;
use crate::state::Shared;

/// The top-level status of per-entry results: their common code, or MULTIPLE_RESULTS when they differ.
pub fn overall(entries: &[Status]) -> Status {
    match entries.first() {
        None => crate::error::ok(),
        Some(first) if entries.iter().all(|s| s.code == first.code) => first.clone(),
        Some(_) => status(Code::MultipleResults, "entries have different results"),
    }
}

/// AckMessage.
pub async fn ack_message(
    shared: &Shared,
    _ctx: &CallContext,
    req: AckMessageRequest,
) -> RpcResult<AckMessageResponse> {
    let group = resource::group(req.group.as_ref())?;
    resource::topic(req.topic.as_ref())?;
    if req.entries.is_empty() {
        return Err(RpcError::bad_request("no entry to acknowledge"));
    }
    let entries: Vec<AckMessageResultEntry> = req
        .entries
        .into_iter()
        .map(|e| {
            shared.renewals.forget(&e.receipt_handle);
            let s = match shared.engine.ack(&group, &e.receipt_handle) {
                Ok(()) => crate::error::ok(),
                Err(err) => RpcError::from(err).to_status(),
            };
            AckMessageResultEntry {
                message_id: e.message_id,
                receipt_handle: e.receipt_handle,
                status: Some(s),
            }
        })
        .collect();
    let statuses: Vec<Status> = entries.iter().filter_map(|e| e.status.clone()).collect();
    Ok(AckMessageResponse {
        status: Some(overall(&statuses)),
        entries,
    })
}

/// ChangeInvisibleDuration: the delivery becomes visible after the given time (a "nack" with back-off).
pub async fn change_invisible_duration(
    shared: &Shared,
    _ctx: &CallContext,
    req: ChangeInvisibleDurationRequest,
) -> RpcResult<ChangeInvisibleDurationResponse> {
    let group = resource::group(req.group.as_ref())?;
    resource::topic(req.topic.as_ref())?;
    let max = shared.settings.max_invisible;
    let invisible = req
        .invisible_duration
        .as_ref()
        .and_then(duration_from_pb)
        .filter(|d| *d <= max)
        .ok_or_else(|| {
            RpcError::new(
                Code::IllegalInvisibleTime,
                format!("invisible duration must lie within 0 and {max:?}"),
            )
        })?;
    if req.receipt_handle.is_empty() {
        return Err(RpcError::new(
            Code::InvalidReceiptHandle,
            "receipt handle is empty",
        ));
    }
    shared.renewals.forget(&req.receipt_handle);
    let handle = shared.engine.change_invisible(
        &group,
        &req.receipt_handle,
        invisible.as_millis() as i64,
    )?;
    Ok(ChangeInvisibleDurationResponse {
        status: None,
        receipt_handle: handle,
    })
}

/// ForwardMessageToDeadLetterQueue: moves the delivery to `%DLQ%<group>` now and acknowledges it.
pub async fn forward_to_dead_letter(
    shared: &Shared,
    _ctx: &CallContext,
    req: ForwardMessageToDeadLetterQueueRequest,
) -> RpcResult<ForwardMessageToDeadLetterQueueResponse> {
    let group = resource::group(req.group.as_ref())?;
    resource::topic(req.topic.as_ref())?;
    shared.renewals.forget(&req.receipt_handle);
    shared
        .engine
        .forward_to_dead_letter(&group, &req.receipt_handle)
        .await?;
    Ok(ForwardMessageToDeadLetterQueueResponse::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_entry_results_are_multiple_results() {
        let ok = crate::error::ok();
        let bad = status(Code::InvalidReceiptHandle, "x");
        assert_eq!(overall(&[ok.clone(), ok.clone()]).code, Code::Ok as i32);
        assert_eq!(
            overall(&[bad.clone(), bad.clone()]).code,
            Code::InvalidReceiptHandle as i32
        );
        assert_eq!(overall(&[ok, bad]).code, Code::MultipleResults as i32);
    }
}
