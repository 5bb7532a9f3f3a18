//! Property tests: any sequence of user calls, socket events, timer firings, page events and
//! passing time keeps the state machine's invariants (checked by the fake host after every step):
//! at most one live socket, and it is the client's; the host's timers are the core's, one per
//! kind; `connecting`/`unavailable` have a socket or a retry timer, never both; no channel is
//! subscribed unless connected; nothing panics.

use std::string::{String, ToString};
use std::vec::Vec;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::protocol::events::AuthFailure;
use crate::protocol::testing::*;
use crate::protocol::*;

const CHANNELS: [&str; 5] = [
    "news",
    "private-a",
    "presence-room",
    "private-encrypted-x",
    "#bad",
];
const CODES: [Option<u16>; 12] = [
    None,
    Some(1000),
    Some(1002),
    Some(1006),
    Some(3000),
    Some(4000),
    Some(4001),
    Some(4100),
    Some(4200),
    Some(4201),
    Some(4301),
    Some(4999),
];

#[derive(Clone, Debug)]
enum Step {
    Connect,
    Disconnect,
    Subscribe(usize),
    Unsubscribe(usize),
    Trigger(usize),
    SendEvent,
    Signin,
    AuthorizeOk(usize),
    AuthorizeErr(usize),
    Open { old: bool },
    Handshake { old: bool, activity: u8 },
    Frame { old: bool, kind: u8, channel: usize },
    Garbage { old: bool },
    SocketError { old: bool },
    Close { old: bool, code: usize },
    Timer(usize),
    Page(usize),
    Advance(u32),
}

fn step() -> impl Strategy<Value = Step> {
    let old = any::<bool>();
    let channel = 0..CHANNELS.len();
    prop_oneof![
        Just(Step::Connect),
        Just(Step::Disconnect),
        channel.clone().prop_map(Step::Subscribe),
        channel.clone().prop_map(Step::Unsubscribe),
        channel.clone().prop_map(Step::Trigger),
        Just(Step::SendEvent),
        Just(Step::Signin),
        channel.clone().prop_map(Step::AuthorizeOk),
        channel.clone().prop_map(Step::AuthorizeErr),
        old.prop_map(|old| Step::Open { old }),
        (old, 0u8..3).prop_map(|(old, activity)| Step::Handshake { old, activity }),
        (old, 0u8..12, channel.clone()).prop_map(|(old, kind, channel)| Step::Frame {
            old,
            kind,
            channel
        }),
        old.prop_map(|old| Step::Garbage { old }),
        old.prop_map(|old| Step::SocketError { old }),
        (old, 0..CODES.len()).prop_map(|(old, code)| Step::Close { old, code }),
        (0..TimerKind::ALL.len()).prop_map(Step::Timer),
        (0usize..4).prop_map(Step::Page),
        (0u32..200_000).prop_map(Step::Advance),
    ]
}

/// The socket an event comes from: the current one, or (when `old` or there is none) an id
/// the client has abandoned or never had.
fn socket(h: &Harness, old: bool) -> SocketId {
    match (old, h.client.current_socket()) {
        (false, Some(id)) => id,
        (_, current) => SocketId(current.map_or(0, |c| c.0.saturating_sub(1))),
    }
}

fn frame(kind: u8, channel: &str) -> serde_json::Value {
    let data_for = |v: serde_json::Value| v.to_string();
    match kind {
        0 => json!({"event": "pusher:ping", "data": "{}"}),
        1 => json!({"event": "pusher:pong", "data": "{}"}),
        2 => {
            json!({"event": "pusher_internal:subscription_succeeded", "channel": channel, "data": data_for(json!({"presence": {"hash": {"1": {}}, "count": 1}}))})
        }
        3 => {
            json!({"event": "pusher_internal:member_added", "channel": channel, "data": data_for(json!({"user_id": "2", "user_info": {}}))})
        }
        4 => {
            json!({"event": "pusher_internal:member_removed", "channel": channel, "data": data_for(json!({"user_id": "2"}))})
        }
        5 => {
            json!({"event": "pusher_internal:subscription_count", "channel": channel, "data": data_for(json!({"subscription_count": 3}))})
        }
        6 => json!({"event": "pusher:error", "data": {"code": 4301, "message": "x"}}),
        7 => json!({"event": "pusher:signin_success", "data": {"user_data": "{\"id\":\"7\"}"}}),
        8 => {
            json!({"event": "pusher_internal:watchlist_events", "data": data_for(json!({"events": [{"name": "online", "user_ids": ["1"]}]}))})
        }
        9 => {
            json!({"event": "secret", "channel": channel, "data": data_for(json!({"nonce": "AAAA", "ciphertext": "BBBB"}))})
        }
        10 => {
            json!({"event": "pusher:connection_established", "data": data_for(json!({"socket_id": "1.1", "activity_timeout": 1}))})
        }
        _ => json!({"event": "my-event", "channel": channel, "data": "not json"}),
    }
}

fn run(h: &mut Harness, step: &Step) {
    match *step {
        Step::Connect => h.connect(),
        Step::Disconnect => {
            h.client.disconnect(h.now);
            h.pump();
        }
        Step::Subscribe(c) => {
            let _ = h.client.subscribe(CHANNELS[c]);
            h.pump();
        }
        Step::Unsubscribe(c) => h.unsubscribe(CHANNELS[c]),
        Step::Trigger(c) => {
            let _ = h.client.trigger(h.now, CHANNELS[c], "client-x", Some("{}"));
            h.pump();
        }
        Step::SendEvent => {
            h.client.send_event("x", None, None);
            h.pump();
        }
        Step::Signin => {
            h.client.signin();
            h.pump();
        }
        Step::AuthorizeOk(c) | Step::AuthorizeErr(c) => {
            let socket_id = h.client.socket_id().unwrap_or("0.0").to_string();
            let result = match step {
                Step::AuthorizeOk(_) => Ok(Authorization {
                    channel_data: Some("{\"user_id\":\"1\"}".into()),
                    user_id: Some(("1".into(), json!("1"))),
                    shared_secret: Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into()),
                    ..auth("k:sig")
                }),
                _ => Err(AuthFailure {
                    message: "no".into(),
                    status: Some(403),
                }),
            };
            h.client.authorization_done(CHANNELS[c], &socket_id, result);
            h.pump();
        }
        Step::Open { old } => {
            let id = socket(h, old);
            h.feed(Event::SocketOpened(id));
        }
        Step::Handshake { old, activity } => {
            let id = socket(h, old);
            let data = json!({"socket_id": "123.456", "activity_timeout": activity}).to_string();
            h.server_on(
                id,
                json!({"event": "pusher:connection_established", "data": data}),
            );
        }
        Step::Frame { old, kind, channel } => {
            let id = socket(h, old);
            h.server_on(id, frame(kind, CHANNELS[channel]));
        }
        Step::Garbage { old } => {
            let id = socket(h, old);
            h.feed(Event::Undecodable {
                socket: id,
                error: json!("SyntaxError"),
                data: json!("{oops"),
            });
        }
        Step::SocketError { old } => {
            let id = socket(h, old);
            h.feed(Event::SocketError(id, json!({})));
        }
        Step::Close { old, code } => {
            let id = socket(h, old);
            if let Some(s) = h.sockets.iter_mut().find(|s| s.id == id && s.is_live()) {
                s.closed_by_server = true;
            }
            h.feed(Event::SocketClosed {
                socket: id,
                code: CODES[code],
                reason: String::new(),
            });
        }
        Step::Timer(kind) => {
            // A stale or duplicate firing must be harmless, so fire even unarmed timers.
            let kind = TimerKind::ALL[kind];
            h.host_timers.remove(&kind);
            h.feed(Event::TimerFired(kind));
        }
        Step::Page(p) => {
            let event = [
                PageEvent::Online,
                PageEvent::Offline,
                PageEvent::Visible,
                PageEvent::Resumed,
            ][p];
            h.page(event);
        }
        Step::Advance(ms) => h.advance(u64::from(ms)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_keeps_the_invariants(steps in proptest::collection::vec(step(), 1..60)) {
        let mut h = Harness::new();
        for step in &steps {
            run(&mut h, step);
        }
        // And the client still works: it can always get (back) to connected.
        h.client.disconnect(h.now);
        h.pump();
        h.connect();
        h.establish();
        prop_assert_eq!(h.client.state(), ConnectionState::Connected);
        let pending: Vec<&str> = h
            .client
            .channels()
            .iter()
            .filter(|(_, e)| !e.is_pending() && !e.is_subscribed() && e.kind() == ChannelKind::Public)
            .map(|(name, _)| name)
            .collect();
        prop_assert!(pending.is_empty(), "public channels left waiting: {:?}", pending);
    }

    #[test]
    fn arbitrary_frames_never_panic(event in ".{0,40}", channel in proptest::option::of(".{0,20}"), data in ".{0,60}") {
        let mut h = Harness::connected();
        h.subscribe("news");
        let mut frame = json!({"event": event, "data": data});
        if let Some(channel) = channel {
            frame["channel"] = json!(channel);
        }
        h.server(frame);
        prop_assert_eq!(h.client.state(), ConnectionState::Connected);
    }
}
