//! Connection recovery (`connectionRecovery`), through the fake host with fake time: sockudo's
//! protocol 2 as the probe of `docs/recovery.md` recorded it, and the servers that do not speak it.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use serde_json::{json, Value};

use super::*;
use crate::protocol::testing::*;

/// A client with recovery on, connected to a server that speaks protocol 2.
fn v2_connected() -> Harness {
    let mut h = Harness::recovering();
    h.connect();
    h.v2_establish();
    assert!(h.client.speaks_recovery_protocol());
    h
}

/// The `pusher:resume` frames sent, in order.
fn resumes(h: &Harness) -> Vec<Value> {
    h.all_sent()
        .into_iter()
        .filter(|f| f["event"] == "pusher:resume")
        .collect()
}

/// `pusher:resume_success` naming `recovered` and `failed`.
fn resume_success(h: &mut Harness, recovered: &[&str], failed: &[&str]) {
    let recovered: Vec<Value> = recovered
        .iter()
        .map(|c| json!({"channel": c, "source": "hot", "replayed": 1}))
        .collect();
    let failed: Vec<Value> = failed
        .iter()
        .map(|c| json!({"channel": c, "code": "position_expired"}))
        .collect();
    let data = json!({"recovered": recovered, "failed": failed}).to_string();
    h.server(json!({"event": "sockudo:resume_success", "data": data, "message_id": "r"}));
}

/// `pusher:resume_failed` for `channel`.
fn resume_failed(h: &mut Harness, channel: &str) {
    let data =
        json!({"code": "position_expired", "reason": "recovery_window_exceeded"}).to_string();
    h.server(json!({"event": "sockudo:resume_failed", "channel": channel, "data": data}));
}

/// What `pusher-wasm:resumed` said on `channel`: `(recovered, replayed)`, in order.
fn resumed(h: &Harness, channel: &str) -> Vec<(bool, u32)> {
    channel_events(h, channel)
        .into_iter()
        .filter_map(|(event, payload)| match (event.as_str(), payload) {
            (
                "pusher-wasm:resumed",
                Payload::Resumed {
                    recovered,
                    replayed,
                    ..
                },
            ) => Some((recovered, replayed)),
            _ => None,
        })
        .collect()
}

/// The connection drops (1006) and comes back, on protocol 2, once `down_ms` passed and the
/// client tried again.
fn drop_and_reconnect(h: &mut Harness, down_ms: u64) {
    h.server_close(Some(1006), "");
    h.advance(down_ms);
    while h.client.current_socket().is_none() {
        h.advance(100);
    }
    h.v2_establish();
}

/// `news` subscribed with events 1 and 2 delivered, then a drop, a reconnect, and the new
/// subscription confirmed at `head` (events 3..=head published while away).
fn news_resubscribed_at(head: u64) -> Harness {
    let mut h = v2_connected();
    h.subscribe("news");
    h.v2_succeed("news", 0);
    h.v2_event("news", 1);
    h.v2_event("news", 2);
    drop_and_reconnect(&mut h, 2_000);
    h.clear_records();
    h.v2_succeed("news", head);
    h
}

// ----- protocol 2, and what the page sees of it -----

#[test]
fn the_option_asks_for_protocol_2_without_echo() {
    let mut h = Harness::recovering();
    h.connect();
    assert_eq!(
        h.last_socket().url,
        "ws://127.0.0.1:6001/app/app-key?protocol=2&client=js&version=8.6.0&flash=false&echo_messages=false"
    );
    let mut plain = Harness::new();
    plain.connect();
    assert!(plain.last_socket().url.contains("?protocol=7&"));
}

#[test]
fn protocol_2_frames_reach_the_page_as_protocol_7_frames() {
    let mut h = v2_connected();
    assert_eq!(h.client.state(), ConnectionState::Connected);
    h.subscribe("news");
    h.server(json!({
        "event": "sockudo_internal:subscription_succeeded", "channel": "news",
        "data": "{\"attach_serial\":4}", "stream_id": STREAM, "serial": 0, "message_id": "x",
    }));
    assert_eq!(
        channel_events(&h, "news"),
        [(
            "pusher:subscription_succeeded".to_string(),
            Payload::Value(json!({}))
        )]
    );
    h.v2_event("news", 1);
    h.server(json!({"event": "sockudo:cache_miss", "channel": "news", "message_id": "y"}));
    h.server(json!({"event": "sockudo:ping", "data": {}, "message_id": "z"}));
    let pages: Vec<(&str, &Value)> = h
        .delivered
        .iter()
        .map(|d| (d.event.as_str(), &d.raw))
        .collect();
    assert_eq!(
        pages[1..],
        [
            (
                "ev",
                &json!({"event": "ev", "channel": "news", "data": "{\"n\":1}"})
            ),
            (
                "pusher:cache_miss",
                &json!({"event": "pusher:cache_miss", "channel": "news"})
            ),
            ("pusher:ping", &json!({"event": "pusher:ping", "data": {}})),
        ]
    );
    assert_eq!(
        h.last_socket().sent.last(),
        Some(&json!({"event": "pusher:pong", "data": {}}))
    );
}

#[test]
fn a_copy_of_an_event_already_delivered_is_dropped() {
    let mut h = v2_connected();
    h.subscribe("news");
    h.v2_succeed("news", 0);
    for serial in [1, 2, 2, 1, 3] {
        h.v2_event("news", serial);
    }
    assert_eq!(h.serials("news"), [1, 2, 3]);
}

#[test]
fn frames_of_a_channel_not_subscribed_are_dropped() {
    let mut h = v2_connected();
    h.subscribe("news");
    h.v2_succeed("news", 0);
    // sockudo replays channels a socket never subscribed.
    h.v2_event("private-theirs", 7);
    assert!(h
        .delivered
        .iter()
        .all(|d| d.channel.as_deref() != Some("private-theirs")));
    // A frame without a position is none of recovery's business: as on protocol 7.
    h.server(json!({"event": "other", "channel": "elsewhere", "data": "{}"}));
    assert_eq!(h.delivered.last().unwrap().event, "other");
}

// ----- resuming after a reconnect -----

#[test]
fn a_reconnect_replays_what_was_missed_in_order_once_before_newer_events() {
    let mut h = news_resubscribed_at(5);
    // One resume, from the last event delivered.
    assert_eq!(
        resumes(&h),
        [
            json!({"event": "pusher:resume", "data": {"channel_positions": {"news": {
                "stream_id": STREAM, "serial": 2, "last_message_id": "m-news-2"
            }}}})
        ]
    );
    // A live event (6) comes before the replay, and again after it (the server's gate).
    h.v2_event("news", 6);
    for serial in [3, 4, 5, 6] {
        h.v2_event("news", serial);
    }
    assert!(h.serials("news").is_empty(), "held until the answer");
    resume_success(&mut h, &["news"], &[]);
    h.v2_event("news", 6);
    h.v2_event("news", 7);
    assert_eq!(h.serials("news"), [3, 4, 5, 6, 7]);
    let names: Vec<String> = channel_events(&h, "news")
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    assert_eq!(
        names,
        ["pusher:subscription_succeeded", "pusher-wasm:resumed"]
    );
    assert_eq!(resumed(&h, "news"), [(true, 3)]);
    // The signal first, then the replayed events; the server's answer is not the page's.
    assert_eq!(
        h.page_order,
        [
            "pusher:subscription_succeeded",
            "pusher_internal:subscription_succeeded",
            "pusher-wasm:resumed",
            "ev",
            "ev",
            "ev",
            "ev",
            "ev"
        ]
    );
}

#[test]
fn the_gap_is_measured_to_the_new_subscription() {
    let mut h = v2_connected();
    h.subscribe("news");
    h.v2_succeed("news", 0);
    let last_frame = h.now;
    h.server_close(Some(1006), "");
    h.advance(3_000);
    h.v2_establish();
    h.v2_succeed("news", 4);
    let subscribed_at = h.now;
    h.advance(500);
    resume_success(&mut h, &["news"], &[]);
    let gap = channel_events(&h, "news")
        .into_iter()
        .find_map(|(_, p)| match p {
            Payload::Resumed { gap_ms, .. } => Some(gap_ms),
            _ => None,
        });
    assert_eq!(gap, Some(subscribed_at - last_frame));
}

#[test]
fn an_idle_channel_is_recovered_without_asking() {
    let mut h = news_resubscribed_at(2);
    assert!(resumes(&h).is_empty());
    assert_eq!(resumed(&h, "news"), [(true, 0)]);
    h.v2_event("news", 3);
    assert_eq!(h.serials("news"), [3]);
}

#[test]
fn one_resume_for_every_channel_confirmed() {
    let mut h = v2_connected();
    for name in ["a", "b", "private-c"] {
        h.subscribe(name);
    }
    h.authorize("private-c");
    for name in ["a", "b", "private-c"] {
        h.v2_succeed(name, 1);
    }
    drop_and_reconnect(&mut h, 2_000);
    h.authorize("private-c");
    h.clear_records();
    h.v2_succeed("a", 4);
    h.v2_succeed("b", 9);
    assert!(resumes(&h).is_empty(), "private-c is still on its way");
    h.v2_succeed("private-c", 3);
    let sent = resumes(&h);
    assert_eq!(sent.len(), 1);
    let positions = &sent[0]["data"]["channel_positions"];
    for name in ["a", "b", "private-c"] {
        assert_eq!(positions[name]["serial"], 1, "{name}");
    }
    resume_success(&mut h, &["a", "b", "private-c"], &[]);
    for name in ["a", "b", "private-c"] {
        assert_eq!(resumed(&h, name), [(true, 0)], "{name}");
    }
}

#[test]
fn a_thousand_channels_resume_with_one_frame() {
    let mut h = v2_connected();
    let names: Vec<String> = (0..1_000).map(|i| format!("c-{i}")).collect();
    for name in &names {
        h.subscribe(name);
        h.v2_succeed(name, 1);
    }
    drop_and_reconnect(&mut h, 2_000);
    for name in &names {
        h.v2_succeed(name, 2);
    }
    let sent = resumes(&h);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["data"]["channel_positions"]
            .as_object()
            .unwrap()
            .len(),
        1_000
    );
    for name in &names {
        h.v2_event(name, 2);
    }
    let recovered: Vec<&str> = names.iter().map(String::as_str).collect();
    resume_success(&mut h, &recovered, &[]);
    let resumed = h
        .emitted
        .iter()
        .filter(|e| {
            matches!(
                e.payload,
                Payload::Resumed {
                    recovered: true,
                    replayed: 1,
                    ..
                }
            )
        })
        .count();
    assert_eq!(resumed, 1_000);
}

#[test]
fn a_slow_authorization_does_not_hold_the_other_channels_back_for_long() {
    let mut h = v2_connected();
    h.subscribe("news");
    h.subscribe("private-slow");
    h.authorize("private-slow");
    h.v2_succeed("news", 0);
    h.v2_succeed("private-slow", 0);
    drop_and_reconnect(&mut h, 2_000);
    let asked = h.authorize.clone();
    h.clear_records();
    h.authorize = asked;
    h.v2_succeed("news", 3);
    h.v2_event("news", 4);
    h.advance(1_999);
    assert!(resumes(&h).is_empty());
    h.advance(1);
    assert_eq!(resumes(&h).len(), 1, "sent without the slow one");
    assert!(resumes(&h)[0]["data"]["channel_positions"]["private-slow"].is_null());
    for serial in 1..=3 {
        h.v2_event("news", serial);
    }
    resume_success(&mut h, &["news"], &[]);
    assert_eq!(h.serials("news"), [1, 2, 3, 4]);
    // The slow one, confirmed at last, has a resume of its own.
    h.authorize("private-slow");
    h.v2_succeed("private-slow", 2);
    assert_eq!(resumes(&h).len(), 2);
    resume_success(&mut h, &["private-slow"], &[]);
    assert_eq!(resumed(&h, "private-slow"), [(true, 0)]);
}

#[test]
fn past_the_buffer_the_channel_goes_on_from_its_new_subscription() {
    let mut h = news_resubscribed_at(2_000);
    h.v2_event("news", 2_001);
    // A partial replay, then the failure.
    h.v2_event("news", 1_500);
    resume_failed(&mut h, "news");
    assert_eq!(resumed(&h, "news"), [(false, 0)]);
    assert_eq!(h.serials("news"), [2_001]);
    resume_success(&mut h, &[], &["news"]);
    assert_eq!(resumed(&h, "news").len(), 1, "once");
    assert!(h
        .delivered
        .iter()
        .all(|d| !d.event.starts_with("pusher:resume")));
    h.v2_event("news", 2_002);
    assert_eq!(h.serials("news"), [2_001, 2_002]);
    // And the next reconnect resumes from there.
    drop_and_reconnect(&mut h, 2_000);
    h.v2_succeed("news", 2_003);
    assert_eq!(
        resumes(&h).last().unwrap()["data"]["channel_positions"]["news"]["serial"],
        2_002
    );
}

#[test]
fn a_channel_missing_from_the_answer_is_not_recovered() {
    let mut h = news_resubscribed_at(4);
    resume_success(&mut h, &[], &[]);
    assert_eq!(resumed(&h, "news"), [(false, 0)]);
}

#[test]
fn no_answer_to_the_resume_gives_up_after_the_pong_timeout() {
    let mut h = news_resubscribed_at(4);
    h.v2_event("news", 5);
    h.advance(ConnectionOptions::DEFAULT_PONG_TIMEOUT_MS - 1);
    assert!(resumed(&h, "news").is_empty());
    h.advance(1);
    assert_eq!(resumed(&h, "news"), [(false, 0)]);
    assert_eq!(h.serials("news"), [5]);
    assert!(!h.client.timers().is_armed(TimerKind::Resume));
}

#[test]
fn recovery_off_at_the_server_falls_back_quietly() {
    // The subscription carries no position: nothing to resume from.
    let mut h = v2_connected();
    h.subscribe("news");
    h.server(json!({"event": "sockudo_internal:subscription_succeeded", "channel": "news", "data": "{}"}));
    drop_and_reconnect(&mut h, 2_000);
    h.server(json!({"event": "sockudo_internal:subscription_succeeded", "channel": "news", "data": "{}"}));
    assert!(resumes(&h).is_empty());
    assert_eq!(resumed(&h, "news"), [(false, 0)]);

    // A resume answered with error 4301: the page hears of no error.
    let mut h = news_resubscribed_at(4);
    h.server(json!({"event": "sockudo:error", "data": {"code": 4301, "message": "Connection recovery is not enabled"}}));
    assert_eq!(resumed(&h, "news"), [(false, 0)]);
    assert!(h.errors().is_empty());
    assert!(h.delivered.iter().all(|d| d.event != "pusher:error"));
}

#[test]
fn a_drop_during_the_resume_asks_again_from_the_same_position() {
    let mut h = news_resubscribed_at(6);
    for serial in [3, 4] {
        h.v2_event("news", serial);
    }
    drop_and_reconnect(&mut h, 2_000);
    assert!(h.serials("news").is_empty(), "what was held is dropped");
    h.v2_succeed("news", 6);
    let last = resumes(&h).last().cloned().unwrap();
    assert_eq!(last["data"]["channel_positions"]["news"]["serial"], 2);
    for serial in 3..=6 {
        h.v2_event("news", serial);
    }
    resume_success(&mut h, &["news"], &[]);
    assert_eq!(h.serials("news"), [3, 4, 5, 6]);
    assert_eq!(resumed(&h, "news"), [(true, 4)]);
}

#[test]
fn a_channel_unsubscribed_during_its_resume_hears_nothing_more() {
    let mut h = news_resubscribed_at(4);
    h.unsubscribe("news");
    h.v2_event("news", 3);
    resume_success(&mut h, &["news"], &[]);
    assert!(resumed(&h, "news").is_empty());
    assert!(h.serials("news").is_empty());
}

#[test]
fn presence_members_are_not_held() {
    let mut h = v2_connected();
    h.subscribe("presence-room");
    h.authorize_with("presence-room", presence_auth(json!("1")));
    let members = json!({"presence": {"ids": ["1"], "hash": {"1": {}}, "count": 1}}).to_string();
    let succeed = |h: &mut Harness, serial: u64| {
        h.server(
            json!({"event": "sockudo_internal:subscription_succeeded", "channel": "presence-room",
            "data": members, "stream_id": STREAM, "serial": serial}),
        );
    };
    succeed(&mut h, 0);
    h.v2_event("presence-room", 1);
    drop_and_reconnect(&mut h, 2_000);
    h.authorize_with("presence-room", presence_auth(json!("1")));
    succeed(&mut h, 3);
    h.server(
        json!({"event": "sockudo_internal:member_added", "channel": "presence-room",
        "data": json!({"user_id": "2", "user_info": {}}).to_string(), "message_id": "j"}),
    );
    assert!(channel_events(&h, "presence-room")
        .iter()
        .any(|(e, _)| e == "pusher:member_added"));
    for serial in [2, 3] {
        h.v2_event("presence-room", serial);
    }
    resume_success(&mut h, &["presence-room"], &[]);
    assert_eq!(h.serials("presence-room"), [1, 2, 3]);
    assert_eq!(resumed(&h, "presence-room"), [(true, 2)]);
}

#[test]
fn a_replayed_copy_of_the_clients_own_client_event_is_dropped() {
    let mut h = v2_connected();
    h.subscribe("private-chat");
    h.authorize("private-chat");
    h.v2_succeed("private-chat", 0);
    h.v2_event("private-chat", 1);
    // Ours (never sent back live), then someone else's with the same name.
    let sent = h.client.trigger(
        h.now,
        "private-chat",
        "client-typing",
        Some(r#"{"who":"me"}"#),
    );
    assert_eq!(sent, Ok(true));
    h.pump();
    drop_and_reconnect(&mut h, 2_000);
    h.authorize("private-chat");
    h.v2_succeed("private-chat", 3);
    h.clear_records();
    let client_event = |h: &mut Harness, serial: u64, who: &str| {
        h.server(
            json!({"event": "client-typing", "channel": "private-chat", "data": {"who": who},
            "stream_id": STREAM, "serial": serial, "message_id": format!("c{serial}")}),
        );
    };
    client_event(&mut h, 2, "me");
    client_event(&mut h, 3, "them");
    resume_success(&mut h, &["private-chat"], &[]);
    let delivered: Vec<&Value> = h
        .delivered
        .iter()
        .filter(|d| d.event == "client-typing")
        .map(|d| &d.data)
        .collect();
    assert_eq!(delivered, [&json!({"who": "them"})]);
    assert_eq!(resumed(&h, "private-chat"), [(true, 2)]);
}

// ----- servers that do not speak protocol 2 -----

#[test]
fn a_server_that_refuses_protocol_2_is_asked_for_protocol_7_at_once() {
    // Pusher: `pusher:error` 4007, then a close.
    let mut h = Harness::recovering();
    h.connect();
    h.open();
    h.server(json!({"event": "pusher:error", "data": {"code": 4007, "message": "Unsupported protocol version"}}));
    assert_eq!(h.sockets.len(), 2, "a new attempt at once");
    assert!(h.last_socket().url.contains("?protocol=7&"));
    assert!(!h.last_socket().url.contains("echo_messages"));
    h.establish();
    assert_eq!(h.client.state(), ConnectionState::Connected);
    assert!(h.errors().is_empty(), "the page hears nothing of it");
    assert_eq!(h.states(), ["connecting", "connected"]);
    // Remembered: the next connection asks for protocol 7 too.
    h.server_close(Some(1006), "");
    h.advance(2_000);
    assert!(h.last_socket().url.contains("?protocol=7&"));

    // The same refusal as a close during the handshake.
    let mut h = Harness::recovering();
    h.connect();
    h.open();
    h.server_close(Some(4007), "unsupported protocol");
    assert!(h.last_socket().url.contains("?protocol=7&"));
    h.establish();
    assert_eq!(h.states(), ["connecting", "connected"]);
    assert!(h.errors().is_empty());
}

#[test]
fn a_protocol_7_refusal_after_the_fallback_is_a_refusal() {
    let mut h = Harness::recovering();
    h.connect();
    h.open();
    h.server_close(Some(4007), "");
    h.open();
    h.server_close(Some(4007), "");
    assert_eq!(h.client.state(), ConnectionState::Disconnected);
    assert_eq!(h.errors().len(), 1);
}

#[test]
fn a_server_answering_in_protocol_7_works_without_recovery() {
    let mut h = Harness::recovering();
    h.connect();
    h.establish();
    assert_eq!(h.client.state(), ConnectionState::Connected);
    assert!(!h.client.speaks_recovery_protocol());
    h.subscribe("news");
    h.succeed("news");
    h.server(json!({"event": "ev", "channel": "news", "data": "{\"n\":1}"}));
    h.server_close(Some(1006), "");
    h.advance(2_000);
    h.establish();
    h.succeed("news");
    assert!(resumes(&h).is_empty());
    assert_eq!(resumed(&h, "news"), [(false, 0)]);
    h.server(json!({"event": "ev", "channel": "news", "data": "{\"n\":1}"}));
    assert_eq!(
        h.serials("news"),
        [1, 1],
        "no positions: nothing is deduplicated"
    );
}

#[test]
fn positions_from_a_protocol_7_connection_are_not_trusted() {
    // A position, then a connection that answers in protocol 7 (a mixed cluster), then protocol
    // 2 again: what came on protocol 7 moved the channel on without positions.
    let mut h = v2_connected();
    h.subscribe("news");
    h.v2_succeed("news", 0);
    h.server_close(Some(1006), "");
    h.advance(2_000);
    h.establish();
    h.succeed("news");
    h.server(json!({"event": "ev", "channel": "news", "data": "{\"n\":1}"}));
    drop_and_reconnect(&mut h, 2_000);
    h.v2_succeed("news", 1);
    assert!(resumes(&h).is_empty());
    assert_eq!(resumed(&h, "news").last(), Some(&(false, 0)));
}

// ----- bad frames -----

#[test]
fn bad_recovery_fields_never_break_a_subscription() {
    let mut h = news_resubscribed_at(4);
    for bad in [
        json!({"event": "ev", "channel": "news", "data": "{\"n\":90}", "serial": "3"}),
        json!({"event": "ev", "channel": "news", "data": "{\"n\":91}", "serial": -1, "stream_id": 5}),
        json!({"event": "ev", "channel": "news", "data": "{\"n\":92}", "serial": 1e300}),
        json!({"event": "sockudo:resume_success", "data": "{\"recovered\":\"all\"}"}),
        json!({"event": "sockudo:resume_failed", "data": "[]"}),
        json!({"event": "sockudo:resume_success", "data": 7}),
    ] {
        h.server(bad);
    }
    // Frames with a serial that is no serial are delivered as protocol 7 would.
    assert_eq!(h.serials("news"), [90, 91, 92]);
    assert_eq!(resumed(&h, "news"), [(false, 0)]);
    assert!(h.client.channel("news").unwrap().is_subscribed());
    h.v2_event("news", 5);
    assert_eq!(h.serials("news"), [90, 91, 92, 5]);
    // A resume answer nobody asked for is ignored.
    resume_success(&mut h, &["news"], &[]);
    assert_eq!(resumed(&h, "news").len(), 1);
}

#[test]
fn without_the_option_nothing_changes() {
    let mut h = Harness::connected();
    h.subscribe("news");
    h.succeed("news");
    h.server(json!({"event": "ev", "channel": "news", "data": "{\"n\":1}", "serial": 1, "message_id": "a"}));
    h.server(json!({"event": "ev", "channel": "news", "data": "{\"n\":1}", "serial": 1, "message_id": "a"}));
    assert_eq!(h.serials("news"), [1, 1]);
    assert_eq!(h.delivered[1].raw["serial"], 1);
    h.server_close(Some(1006), "");
    h.advance(2_000);
    h.establish();
    h.succeed("news");
    assert!(resumes(&h).is_empty());
    assert_eq!(resumed(&h, "news"), [(false, 0)]);
}
