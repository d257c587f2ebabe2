//! Sessions and links inside the connection state machine: begin/end, attach/detach and flow (session
//! windows and link credit both ways); transfers and dispositions are in `delivery.rs`. Links are keyed by
//! handle, never by name, so a sender and a receiver link with the same name coexist.

use super::connection::Connection;
use super::types::{Event, LinkRef};
use crate::codec::{
    condition, AmqpError, Attach, Begin, DeliveryState, Detach, Flow, Performative, Source, Target,
};
use bytes::{Bytes, BytesMut};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Our incoming window, in frames; re-announced with every link flow we send.
const INCOMING_WINDOW: u32 = 1 << 20;

pub(super) struct SessionState {
    pub(super) next_incoming_id: u32,
    pub(super) next_outgoing_id: u32,
    pub(super) remote_incoming_window: u32,
    pub(super) next_delivery_id: u32,
    pub(super) links: BTreeMap<u32, LinkState>,
    pub(super) by_remote: HashMap<u32, u32>,
    pub(super) unsettled_out: BTreeMap<u32, (u32, u64)>,
    /// Encoded transfer frames waiting for the peer's incoming window.
    pub(super) blocked: VecDeque<Bytes>,
}

pub(super) struct LinkState {
    pub(super) we_send: bool,
    pub(super) delivery_count: u32,
    pub(super) credit: u32,
    pub(super) drain: bool,
    pub(super) send_settled: bool,
    pub(super) detach_sent: bool,
    pub(super) max_message_size: u64,
    pub(super) partial: Option<Partial>,
}

pub(super) struct Partial {
    pub(super) delivery_id: u32,
    pub(super) settled: bool,
    pub(super) state: Option<DeliveryState>,
    pub(super) buf: BytesMut,
}

impl Connection {
    pub(super) fn on_session_frame(&mut self, channel: u16, p: Performative) {
        if let Performative::Begin(b) = p {
            return self.on_begin(channel, b);
        }
        if !self.sessions.contains_key(&channel) {
            return self.close_with(
                condition::FRAMING_ERROR,
                "frame on a channel with no session",
            );
        }
        match p {
            Performative::Attach(a) => self.on_attach(channel, *a),
            Performative::Flow(f) => self.on_flow(channel, f),
            Performative::Transfer(t, payload) => self.on_transfer(channel, t, payload),
            Performative::Disposition(d) => self.on_disposition(channel, d),
            Performative::Detach(d) => self.on_detach(channel, d),
            Performative::End(_) => {
                self.send_performative(channel, &Performative::End(None), &[]);
                self.drop_session(channel);
            }
            _ => {}
        }
    }

    fn on_begin(&mut self, channel: u16, b: Begin) {
        if channel > self.config.channel_max || self.sessions.contains_key(&channel) {
            return self.close_with(
                condition::FRAMING_ERROR,
                "channel in use or above channel-max",
            );
        }
        self.sessions.insert(
            channel,
            SessionState {
                next_incoming_id: b.next_outgoing_id,
                next_outgoing_id: 0,
                remote_incoming_window: b.incoming_window,
                next_delivery_id: 0,
                links: BTreeMap::new(),
                by_remote: HashMap::new(),
                unsettled_out: BTreeMap::new(),
                blocked: VecDeque::new(),
            },
        );
        let reply = Begin {
            remote_channel: Some(channel),
            next_outgoing_id: 0,
            incoming_window: INCOMING_WINDOW,
            outgoing_window: u32::MAX,
            handle_max: self.config.handle_max,
        };
        self.send_performative(channel, &Performative::Begin(reply), &[]);
    }

    /// Ends a session locally, reporting its links as detached.
    pub(super) fn drop_session(&mut self, channel: u16) {
        let Some(mut s) = self.sessions.remove(&channel) else {
            return;
        };
        let links: Vec<u32> = s.links.keys().copied().collect();
        for handle in links {
            let unsettled = take_unsettled(&mut s, handle);
            self.events.push_back(Event::Detached {
                link: LinkRef { channel, handle },
                closed: false,
                unsettled,
            });
        }
    }

    fn on_attach(&mut self, channel: u16, a: Attach) {
        let handle_max = self.config.handle_max;
        let Some(s) = self.sessions.get_mut(&channel) else {
            return;
        };
        if a.handle > handle_max {
            return self.close_with(
                condition::RESOURCE_LIMIT_EXCEEDED,
                "handle above handle-max",
            );
        }
        if s.by_remote.contains_key(&a.handle) {
            return self.close_with(condition::HANDLE_IN_USE, "handle already attached");
        }
        let ours = (0..=handle_max)
            .find(|h| !s.links.contains_key(h))
            .unwrap_or(0);
        s.by_remote.insert(a.handle, ours);
        s.links.insert(
            ours,
            LinkState {
                we_send: a.role,
                delivery_count: 0,
                credit: 0,
                drain: false,
                send_settled: a.snd_settle_mode == 1,
                detach_sent: false,
                max_message_size: self.config.max_message_size,
                partial: None,
            },
        );
        let link = LinkRef {
            channel,
            handle: ours,
        };
        self.events.push_back(Event::Attach {
            link,
            attach: Box::new(a),
        });
    }

    /// Answers a peer's attach with our terminus; with `error`, the link is refused (attach, then detach
    /// with the error, as the spec asks). `peer` is the attach from [`Event::Attach`].
    pub fn answer_attach(
        &mut self,
        link: LinkRef,
        peer: &Attach,
        source: Option<Source>,
        target: Option<Target>,
        error: Option<AmqpError>,
        offered_capabilities: Vec<String>,
    ) {
        let (credit, max_size) = (self.config.incoming_credit, self.config.max_message_size);
        let Some(l) = self.link_mut(link) else { return };
        let we_send = l.we_send;
        let reply = Attach {
            name: peer.name.clone(),
            handle: link.handle,
            role: !peer.role,
            snd_settle_mode: peer.snd_settle_mode,
            rcv_settle_mode: peer.rcv_settle_mode,
            source,
            target,
            initial_delivery_count: we_send.then_some(0),
            max_message_size: (!we_send).then_some(max_size),
            offered_capabilities,
            desired_capabilities: Vec::new(),
        };
        self.send_performative(link.channel, &Performative::Attach(Box::new(reply)), &[]);
        if let Some(error) = error {
            self.detach(link, Some(error));
        } else if !we_send {
            if let Some(l) = self.link_mut(link) {
                l.credit = credit;
            }
            self.send_link_flow(link);
        }
    }

    pub(super) fn link_mut(&mut self, link: LinkRef) -> Option<&mut LinkState> {
        self.sessions
            .get_mut(&link.channel)?
            .links
            .get_mut(&link.handle)
    }

    pub(super) fn send_link_flow(&mut self, link: LinkRef) {
        let Some(s) = self.sessions.get(&link.channel) else {
            return;
        };
        let Some(l) = s.links.get(&link.handle) else {
            return;
        };
        let flow = Flow {
            next_incoming_id: Some(s.next_incoming_id),
            incoming_window: INCOMING_WINDOW,
            next_outgoing_id: s.next_outgoing_id,
            outgoing_window: u32::MAX,
            handle: Some(link.handle),
            delivery_count: Some(l.delivery_count),
            link_credit: Some(l.credit),
            available: None,
            drain: l.drain,
            echo: false,
        };
        self.send_performative(link.channel, &Performative::Flow(flow), &[]);
    }

    fn on_flow(&mut self, channel: u16, f: Flow) {
        let Some(s) = self.sessions.get_mut(&channel) else {
            return;
        };
        let their_next_in = f.next_incoming_id.unwrap_or(0);
        s.remote_incoming_window = their_next_in
            .wrapping_add(f.incoming_window)
            .wrapping_sub(s.next_outgoing_id);
        let Some(remote) = f.handle else {
            self.flush_blocked(channel);
            return;
        };
        let Some(&ours) = s.by_remote.get(&remote) else {
            return self.close_with(
                condition::UNATTACHED_HANDLE,
                "flow for an unattached handle",
            );
        };
        let link = LinkRef {
            channel,
            handle: ours,
        };
        let mut credit_event = None;
        if let Some(l) = s.links.get_mut(&ours) {
            if l.we_send {
                let base = f.delivery_count.unwrap_or(0);
                l.credit = base
                    .wrapping_add(f.link_credit.unwrap_or(0))
                    .wrapping_sub(l.delivery_count);
                l.drain = f.drain;
                credit_event = Some(Event::Credit {
                    link,
                    credit: l.credit,
                    drain: f.drain,
                });
            }
        }
        if let Some(e) = credit_event {
            self.events.push_back(e);
        }
        if f.echo {
            self.send_link_flow(link);
        }
        self.flush_blocked(channel);
    }

    fn on_detach(&mut self, channel: u16, d: Detach) {
        let Some(s) = self.sessions.get_mut(&channel) else {
            return;
        };
        let Some(ours) = s.by_remote.remove(&d.handle) else {
            return self.close_with(
                condition::UNATTACHED_HANDLE,
                "detach of an unattached handle",
            );
        };
        let detach_sent = s.links.get(&ours).is_some_and(|l| l.detach_sent);
        let unsettled = take_unsettled(s, ours);
        s.links.remove(&ours);
        if !detach_sent {
            let reply = Detach {
                handle: ours,
                closed: d.closed,
                error: None,
            };
            self.send_performative(channel, &Performative::Detach(reply), &[]);
        }
        self.events.push_back(Event::Detached {
            link: LinkRef {
                channel,
                handle: ours,
            },
            closed: d.closed,
            unsettled,
        });
    }

    /// Detaches (closes) a link from our side, with an optional error.
    pub fn detach(&mut self, link: LinkRef, error: Option<AmqpError>) {
        let Some(l) = self.link_mut(link) else { return };
        if l.detach_sent {
            return;
        }
        l.detach_sent = true;
        let d = Detach {
            handle: link.handle,
            closed: true,
            error,
        };
        self.send_performative(link.channel, &Performative::Detach(d), &[]);
    }

    /// Credit the peer gave us on a link where we send.
    pub fn credit(&self, link: LinkRef) -> u32 {
        self.sessions
            .get(&link.channel)
            .and_then(|s| s.links.get(&link.handle))
            .filter(|l| l.we_send && !l.detach_sent)
            .map_or(0, |l| l.credit)
    }

    /// After a drain request: we have nothing more, so the remaining credit is used up.
    pub fn drained(&mut self, link: LinkRef) {
        let Some(l) = self.link_mut(link) else { return };
        if !l.drain {
            return;
        }
        l.delivery_count = l.delivery_count.wrapping_add(l.credit);
        l.credit = 0;
        self.send_link_flow(link);
        if let Some(l) = self.link_mut(link) {
            l.drain = false;
        }
    }
}

pub(super) fn take_unsettled(s: &mut SessionState, handle: u32) -> Vec<u64> {
    let ids: Vec<u32> = s
        .unsettled_out
        .iter()
        .filter(|(_, (h, _))| *h == handle)
        .map(|(id, _)| *id)
        .collect();
    ids.into_iter()
        .filter_map(|id| s.unsettled_out.remove(&id).map(|(_, t)| t))
        .collect()
}
