//! Property tests: any sequence of user calls, socket events, timer firings, page events and
//! passing time keeps the state machine's invariants (checked by the fake host after every step):
//! at most one live socket, and it is the client's; the host's timers are the core's, one per
//! kind; `connecting`/`unavailable` have a socket or a retry timer, never both; no channel is
//! subscribed unless connected; nothing panics. With connection recovery on too, and its frames
//! (protocol 2's names, serials good and bad, resume answers, refusals) among them; and any
//! interleaving of the replayed and the live events of a resumed channel is delivered in order,
//! each once.

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
    Open {
        old: bool,
    },
    Handshake {
        old: bool,
        activity: u8,
    },
    Frame {
        old: bool,
        kind: u8,
        channel: usize,
        serial: u8,
    },
    Garbage {
        old: bool,
    },
    SocketError {
        old: bool,
    },
    Close {
        old: bool,
        code: usize,
    },
    Timer(usize),
    Page(usize),
    Advance(u32),
}

/// How many kinds of frame `frame` makes: protocol 7's, then protocol 2's.
const PROTOCOL_7_FRAMES: u8 = 12;
const ALL_FRAMES: u8 = 21;

/// A step, with frames of the first `frames` kinds.
fn step(frames: u8) -> impl Strategy<Value = Step> {
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
        (old, 0..frames, channel.clone(), 0u8..8).prop_map(|(old, kind, channel, serial)| {
            Step::Frame {
                old,
                kind,
                channel,
                serial,
            }
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

fn frame(kind: u8, channel: &str, serial: u8) -> serde_json::Value {
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
        11 => json!({"event": "my-event", "channel": channel, "data": "not json"}),
        // Protocol 2.
        12 => {
            json!({"event": "sockudo:connection_established", "data": data_for(json!({"socket_id": "1.1", "activity_timeout": 9}))})
        }
        13 => {
            json!({"event": "sockudo_internal:subscription_succeeded", "channel": channel, "data": "{}", "stream_id": "s", "serial": serial})
        }
        14 => {
            json!({"event": "ev", "channel": channel, "data": "{}", "stream_id": "s", "serial": serial, "message_id": serial.to_string()})
        }
        15 => {
            // Another stream, and serials that are no serials.
            let bad = [
                json!(-1),
                json!(0.5),
                json!("2"),
                json!(1e300),
                json!(null),
                json!(1u64 << 60),
                json!(2),
                json!({}),
            ];
            json!({"event": "ev", "channel": channel, "data": "{}", "stream_id": "t", "serial": bad[usize::from(serial)], "message_id": 4})
        }
        16 => {
            let recovered = if serial.is_multiple_of(2) {
                json!([{"channel": channel}])
            } else {
                json!(serial)
            };
            json!({"event": "sockudo:resume_success", "data": data_for(json!({"recovered": recovered, "failed": []}))})
        }
        17 => {
            json!({"event": "sockudo:resume_failed", "channel": channel, "data": "{\"code\":\"stream_reset\"}"})
        }
        18 => {
            json!({"event": "sockudo:error", "data": {"code": 4301 + u16::from(serial % 2), "message": "x"}})
        }
        19 => {
            json!({"event": "pusher:error", "data": {"code": 4007, "message": "Unsupported protocol version"}})
        }
        _ => json!({"event": "sockudo:ping", "data": {}, "message_id": "p"}),
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
        Step::Frame {
            old,
            kind,
            channel,
            serial,
        } => {
            let id = socket(h, old);
            h.server_on(id, frame(kind, CHANNELS[channel], serial));
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

/// Runs `steps`, then checks that the client still works: it can always get (back) to
/// connected, with no public channel left waiting.
fn still_works(mut h: Harness, steps: &[Step]) -> Result<(), TestCaseError> {
    for step in steps {
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
    prop_assert!(
        pending.is_empty(),
        "public channels left waiting: {:?}",
        pending
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_keeps_the_invariants(steps in proptest::collection::vec(step(PROTOCOL_7_FRAMES), 1..60)) {
        still_works(Harness::new(), &steps)?;
    }

    #[test]
    fn any_sequence_with_recovery_keeps_the_invariants(steps in proptest::collection::vec(step(ALL_FRAMES), 1..60)) {
        still_works(Harness::recovering(), &steps)?;
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

    /// A channel had `before` events delivered, missed `missed` while away, and `live` more are
    /// published after its new subscription. The server replays from its position up to some
    /// of the live ones; the live events arrive in order, each at least once, in any interleaving
    /// with the replay, and copies of them again later; the answer comes at any point after the
    /// replay. Every event after the position is delivered once, in order, after the signal.
    /// When the resume fails (after a partial replay), the channel goes on from its new
    /// subscription instead: only the live events, in order, once.
    #[test]
    fn any_interleaving_of_replayed_and_live_events_is_delivered_in_order_once(
        before in 0u64..4,
        missed in 0u64..14,
        live in 0u64..8,
        replay_beyond in 0u64..8,
        order in proptest::collection::vec(any::<bool>(), 40),
        copies in proptest::collection::vec(0usize..8, 0..6),
        answer_after in 0usize..10,
        fails in any::<bool>(),
        partial in 0u64..14,
    ) {
        // With nothing missed there is nothing to ask for, and nothing to fail.
        let fails = fails && missed > 0;
        let mut h = Harness::recovering();
        h.connect();
        h.v2_establish();
        h.subscribe("news");
        h.v2_succeed("news", 0);
        for serial in 1..=before {
            h.v2_event("news", serial);
        }
        h.server_close(Some(1006), "");
        while h.client.current_socket().is_none() {
            h.advance(100);
        }
        h.v2_establish();
        h.clear_records();
        let head = before + missed;
        h.v2_succeed("news", head);
        // What the server replays: up to the head, or beyond into the live events; a failed
        // resume may replay part of it first.
        let replay_end = if fails {
            (before + partial).min(head)
        } else {
            head + replay_beyond.min(live)
        };
        let mut replay: Vec<u64> = (before + 1..=replay_end).collect();
        let mut lives: Vec<u64> = (head + 1..=head + live).collect();
        replay.reverse();
        lives.reverse();
        let mut arrivals = Vec::new();
        let mut choices = order.iter().cycle();
        while !replay.is_empty() || !lives.is_empty() {
            let from_replay = !replay.is_empty() && (lives.is_empty() || *choices.next().unwrap());
            let serial = if from_replay { replay.pop() } else { lives.pop() };
            arrivals.push((serial.unwrap(), from_replay));
        }
        // The answer comes after the last replayed event, then `answer_after` more arrivals.
        let last_replayed = arrivals.iter().rposition(|(_, replayed)| *replayed).map_or(0, |i| i + 1);
        let answer_at = (last_replayed + answer_after).min(arrivals.len());
        for (i, &(serial, _)) in arrivals.iter().enumerate() {
            if i == answer_at {
                answer(&mut h, fails);
            }
            h.v2_event("news", serial);
        }
        if answer_at == arrivals.len() {
            answer(&mut h, fails);
        }
        let from_live: Vec<u64> = (head + 1..=head + live).collect();
        for copy in copies {
            if let Some(&serial) = from_live.get(copy) {
                h.v2_event("news", serial);
            }
        }
        let expected: Vec<u64> = if fails {
            from_live
        } else {
            (before + 1..=head + live).collect()
        };
        prop_assert_eq!(h.serials("news"), expected);
        let resumed: Vec<Payload<serde_json::Value>> = h
            .events_for(&Target::Channel("news".into()))
            .into_iter()
            .filter(|(e, _)| e == "pusher-wasm:resumed")
            .map(|(_, p)| p)
            .collect();
        prop_assert_eq!(resumed.len(), 1);
        let Payload::Resumed { recovered, replayed, .. } = resumed[0] else {
            unreachable!()
        };
        prop_assert_eq!((recovered, u64::from(replayed)), (!fails, if fails { 0 } else { missed }));
        // The signal before any event.
        let first_event = h.page_order.iter().position(|e| e == "ev");
        let signal = h.page_order.iter().position(|e| e == "pusher-wasm:resumed");
        prop_assert!(first_event.is_none() || signal < first_event);
    }
}

/// The server's answer to the resume of `news`.
fn answer(h: &mut Harness, fails: bool) {
    let data = if fails {
        h.server(json!({"event": "sockudo:resume_failed", "channel": "news", "data": "{\"code\":\"position_expired\"}"}));
        json!({"recovered": [], "failed": [{"channel": "news"}]})
    } else {
        json!({"recovered": [{"channel": "news"}], "failed": []})
    };
    h.server(json!({"event": "sockudo:resume_success", "data": data.to_string()}));
}
