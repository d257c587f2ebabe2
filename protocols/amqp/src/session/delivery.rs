//! Deliveries inside the connection state machine: transfers in (multi-frame reassembly, credit and size
//! checks), transfers out (split under the peer's max-frame-size, held back by its session window),
//! dispositions both ways. Never panics on peer input.

use super::connection::Connection;
use super::endpoint::Partial;
use super::types::{Event, LinkRef};
use crate::codec::{condition, AmqpError, DeliveryState, Disposition, Performative, Transfer};
use bytes::{Bytes, BytesMut};

/// Room reserved in each outgoing frame for the frame header and the transfer performative.
const TRANSFER_OVERHEAD: usize = 64;

impl Connection {
    pub(super) fn on_transfer(&mut self, channel: u16, t: Transfer, payload: Bytes) {
        let Some(s) = self.sessions.get_mut(&channel) else {
            return;
        };
        s.next_incoming_id = s.next_incoming_id.wrapping_add(1);
        let Some(&ours) = s.by_remote.get(&t.handle) else {
            return self.close_with(
                condition::UNATTACHED_HANDLE,
                "transfer on an unattached handle",
            );
        };
        let link = LinkRef {
            channel,
            handle: ours,
        };
        let Some(l) = s.links.get_mut(&ours) else {
            return;
        };
        if l.we_send {
            return self.close_with(
                condition::NOT_ALLOWED,
                "transfer on a link where the peer receives",
            );
        }
        let partial = match l.partial.take() {
            Some(p) => p,
            None => {
                let Some(delivery_id) = t.delivery_id else {
                    return self.close_with(
                        condition::INVALID_FIELD,
                        "first transfer without delivery-id",
                    );
                };
                if l.credit == 0 {
                    return self.close_with(
                        condition::TRANSFER_LIMIT_EXCEEDED,
                        "transfer without link credit",
                    );
                }
                Partial {
                    delivery_id,
                    settled: t.settled.unwrap_or(false),
                    state: t.state.clone(),
                    buf: BytesMut::new(),
                }
            }
        };
        if t.aborted {
            return;
        }
        let mut p = partial;
        p.settled |= t.settled.unwrap_or(false);
        if t.state.is_some() {
            p.state = t.state;
        }
        if (p.buf.len() + payload.len()) as u64 > l.max_message_size {
            l.partial = None;
            let error = AmqpError::new("amqp:link:message-size-exceeded", "message too large");
            return self.detach(link, Some(error));
        }
        if t.more {
            p.buf.extend_from_slice(&payload);
            l.partial = Some(p);
            return;
        }
        let payload = if p.buf.is_empty() {
            payload
        } else {
            p.buf.extend_from_slice(&payload);
            p.buf.freeze()
        };
        l.credit = l.credit.saturating_sub(1);
        l.delivery_count = l.delivery_count.wrapping_add(1);
        self.events.push_back(Event::Message {
            link,
            delivery_id: p.delivery_id,
            settled: p.settled,
            state: p.state,
            payload,
        });
    }

    pub(super) fn on_disposition(&mut self, channel: u16, d: Disposition) {
        if !d.role {
            return; // the peer settling its own deliveries to us: nothing to do
        }
        let Some(s) = self.sessions.get_mut(&channel) else {
            return;
        };
        let last = d.last.unwrap_or(d.first);
        if last < d.first {
            return;
        }
        let ids: Vec<u32> = s
            .unsettled_out
            .range(d.first..=last)
            .map(|(k, _)| *k)
            .collect();
        let mut events = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((handle, token)) = s.unsettled_out.remove(&id) {
                events.push(Event::Outcome {
                    link: LinkRef { channel, handle },
                    token,
                    state: d.state.clone(),
                });
            }
        }
        self.events.extend(events);
        if !d.settled {
            let reply = Disposition {
                role: false,
                first: d.first,
                last: d.last,
                settled: true,
                state: d.state,
            };
            self.send_performative(channel, &Performative::Disposition(reply), &[]);
        }
    }

    /// Sends one message on a link where we send. `prefix` and `body` together are the encoded message.
    /// Returns false (nothing sent) without credit. Unsettled deliveries come back as [`Event::Outcome`]
    /// with `token`.
    pub fn send_delivery(
        &mut self,
        link: LinkRef,
        prefix: &[u8],
        body: &[u8],
        token: u64,
        settled: bool,
    ) -> bool {
        let max_frame = self.peer_max_frame.min(self.config.max_frame_size) as usize;
        let Some(s) = self.sessions.get_mut(&link.channel) else {
            return false;
        };
        let Some(l) = s.links.get_mut(&link.handle) else {
            return false;
        };
        if !l.we_send || l.credit == 0 || l.detach_sent {
            return false;
        }
        l.credit -= 1;
        l.delivery_count = l.delivery_count.wrapping_add(1);
        let settled = settled || l.send_settled;
        let delivery_id = s.next_delivery_id;
        s.next_delivery_id = s.next_delivery_id.wrapping_add(1);
        if !settled {
            s.unsettled_out.insert(delivery_id, (link.handle, token));
        }
        let chunk = max_frame.saturating_sub(TRANSFER_OVERHEAD).max(64);
        let total = prefix.len() + body.len();
        let mut at = 0;
        let mut first = true;
        loop {
            let end = (at + chunk).min(total);
            let more = end < total;
            let t = Transfer {
                handle: link.handle,
                delivery_id: first.then_some(delivery_id),
                delivery_tag: first.then(|| Bytes::copy_from_slice(&token.to_be_bytes())),
                message_format: first.then_some(0),
                settled: first.then_some(settled),
                more,
                ..Default::default()
            };
            let mut perf = BytesMut::with_capacity(48);
            Performative::Transfer(t, Bytes::new()).encode(&mut perf);
            let mut frame = BytesMut::with_capacity(8 + perf.len() + end - at);
            let (a, b) = slice_pair(prefix, body, at, end);
            crate::codec::frame::encode_frame(0, link.channel, &[&perf, a, b], &mut frame);
            s.blocked.push_back(frame.freeze());
            at = end;
            first = false;
            if !more {
                break;
            }
        }
        self.flush_blocked(link.channel);
        true
    }

    pub(super) fn flush_blocked(&mut self, channel: u16) {
        let Some(s) = self.sessions.get_mut(&channel) else {
            return;
        };
        while s.remote_incoming_window > 0 {
            let Some(f) = s.blocked.pop_front() else {
                break;
            };
            self.output.extend_from_slice(&f);
            s.remote_incoming_window -= 1;
            s.next_outgoing_id = s.next_outgoing_id.wrapping_add(1);
        }
    }

    /// Settles a message the peer sent us, with an outcome (none for pre-settled ones), and tops up the
    /// link's credit.
    pub fn settle_incoming(
        &mut self,
        link: LinkRef,
        delivery_id: u32,
        state: Option<DeliveryState>,
    ) {
        if let Some(state) = state {
            let d = Disposition {
                role: true,
                first: delivery_id,
                last: None,
                settled: true,
                state: Some(state),
            };
            self.send_performative(link.channel, &Performative::Disposition(d), &[]);
        }
        let target = self.config.incoming_credit;
        let Some(l) = self.link_mut(link) else { return };
        if l.we_send || l.detach_sent || l.credit > target / 2 {
            return;
        }
        l.credit = target;
        self.send_link_flow(link);
    }
}

/// The part of `prefix ++ body` between `from` and `to`, as two slices.
fn slice_pair<'a>(
    prefix: &'a [u8],
    body: &'a [u8],
    from: usize,
    to: usize,
) -> (&'a [u8], &'a [u8]) {
    let p = prefix.len();
    let a = &prefix[from.min(p)..to.min(p)];
    let b = &body[from.saturating_sub(p).min(body.len())..to.saturating_sub(p).min(body.len())];
    (a, b)
}
