//! Channel subscriptions and client events, through the fake host with fake time.

use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use serde_json::json;

use super::*;
use crate::protocol::events::ErrorEvent;
use crate::protocol::testing::*;
use crate::protocol::*;

// ----- channels -----

#[test]
fn subscribe_before_connected_waits_for_connected() {
    let mut h = Harness::new();
    h.connect();
    h.subscribe("news");
    assert!(h.all_sent().is_empty());
    assert!(!h.client.channel("news").unwrap().is_pending());
    h.establish();
    assert_eq!(
        h.all_sent(),
        [json!({"event": "pusher:subscribe", "data": {"auth": "", "channel": "news"}})]
    );
    assert!(h.client.channel("news").unwrap().is_pending());
}

#[test]
fn subscription_succeeded_is_emitted_once() {
    let mut h = Harness::connected();
    h.subscribe("news");
    h.succeed("news");
    h.succeed("news");
    let events = h.events_for(&Target::Channel("news".into()));
    assert_eq!(
        events,
        vec![(
            "pusher:subscription_succeeded".to_string(),
            Payload::Value(json!({}))
        )]
    );
    let entry = h.client.channel("news").unwrap();
    assert!(entry.is_subscribed());
    assert!(h.delivered.iter().all(|d| !d.to_channel && !d.to_global));
}

#[test]
fn subscribe_unsubscribe_subscribe_in_one_tick_ends_subscribed() {
    let mut h = Harness::connected();
    h.subscribe("news");
    h.unsubscribe("news");
    h.subscribe("news");
    h.succeed("news");
    assert!(h.client.channel("news").unwrap().is_subscribed());
    assert_eq!(h.sent_events(), ["pusher:subscribe"]);
    assert!(h.forgotten.is_empty());
}

#[test]
fn unsubscribe_while_pending_unsubscribes_once_confirmed() {
    let mut h = Harness::connected();
    h.subscribe("news");
    h.unsubscribe("news");
    assert!(h.client.channel("news").unwrap().is_cancelled());
    h.succeed("news");
    assert!(h.client.channel("news").is_none());
    assert_eq!(h.sent_events(), ["pusher:subscribe", "pusher:unsubscribe"]);
    assert_eq!(h.forgotten, ["news"]);
    assert!(h.events_for(&Target::Channel("news".into())).is_empty());
}

#[test]
fn unsubscribe_while_pending_then_a_reconnect_does_not_resubscribe() {
    let mut h = Harness::connected();
    h.subscribe("news");
    h.unsubscribe("news");
    h.server_close(Some(1006), "");
    h.advance(retry_delay(&h));
    h.establish();
    assert!(h.client.channel("news").is_none());
    assert_eq!(
        h.sent_events(),
        ["pusher:subscribe"],
        "pusher-js would subscribe again"
    );
}

#[test]
fn unsubscribe_sends_and_forgets() {
    let mut h = Harness::connected();
    h.subscribe("news");
    h.succeed("news");
    h.unsubscribe("news");
    assert_eq!(
        h.all_sent().last().unwrap(),
        &json!({"event": "pusher:unsubscribe", "data": {"channel": "news"}})
    );
    assert_eq!(h.forgotten, ["news"]);
    h.server(json!({"event": "late", "channel": "news", "data": "1"}));
    assert!(!h.delivered.last().unwrap().to_channel);
}

#[test]
fn an_older_subscription_of_the_same_name_reaches_no_entry() {
    let mut h = Harness::connected();
    let old = h.client.subscribe("news").unwrap();
    h.succeed("news");
    h.unsubscribe("news");
    let new = h.client.subscribe("news").unwrap();
    assert_ne!(old, new);
    assert!(h.client.subscription_mut("news", old).is_none());
    assert_eq!(
        h.client.subscription_mut("news", new).map(|e| e.id),
        Some(new)
    );
    assert!(h.client.subscription_mut("other", new).is_none());
}

#[test]
fn unsubscribe_of_an_unsubscribed_channel_only_forgets() {
    let mut h = Harness::new();
    h.subscribe("news");
    h.unsubscribe("news");
    assert_eq!(h.forgotten, ["news"]);
    h.unsubscribe("never");
    assert_eq!(h.forgotten, ["news"]);
}

#[test]
fn a_reconnect_resubscribes_every_channel_in_order() {
    let mut h = Harness::connected();
    for name in ["zeta", "alpha", "mid"] {
        h.subscribe(name);
        h.succeed(name);
    }
    h.server_close(Some(1006), "");
    for name in ["zeta", "alpha", "mid"] {
        assert!(!h.client.channel(name).unwrap().is_subscribed());
    }
    h.clear_records();
    h.advance(retry_delay(&h));
    h.establish();
    let channels: Vec<String> = h
        .all_sent()
        .iter()
        .map(|f| f["data"]["channel"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(channels, ["zeta", "alpha", "mid"]);
}

#[test]
fn resubscription_sends_happen_between_state_change_and_connected() {
    let mut h = Harness::new();
    h.subscribe("news");
    h.connect();
    h.open();
    h.clear_records();
    h.handshake_with(120);
    // The outbox order was: state_change, Send(subscribe), connected.
    assert_eq!(h.connection_events(), ["state_change", "connected"]);
    assert_eq!(h.sent_events(), ["pusher:subscribe"]);
}

#[test]
fn bad_channel_names_are_refused() {
    let mut h = Harness::connected();
    assert_eq!(h.client.subscribe(""), Err(ChannelNameError::Empty));
    assert_eq!(
        h.client.subscribe("#server-to-user-1"),
        Err(ChannelNameError::Reserved)
    );
    assert_eq!(
        h.client.subscribe(&"x".repeat(165)),
        Err(ChannelNameError::TooLong)
    );
    h.pump();
    assert!(h.client.channels().is_empty());
}

#[test]
fn unusual_names_are_subscribed_with_a_warning() {
    let mut h = Harness::connected();
    h.subscribe("room:1");
    assert_eq!(h.sent_events(), ["pusher:subscribe"]);
    assert!(h
        .logs
        .iter()
        .any(|l| matches!(l, LogLine::UnusualChannelName { .. })));
}

#[test]
fn deliveries_route_user_events_and_keep_internal_ones_private() {
    let mut h = Harness::connected();
    h.subscribe("a");
    h.succeed("a");
    h.clear_records();
    h.server(json!({"event": "my-event", "channel": "a", "data": "{\"x\":1}"}));
    h.server(json!({"event": "my-event", "channel": "b", "data": "plain text"}));
    h.server(json!({"event": "pusher_internal:whatever", "channel": "a", "data": "{}"}));
    h.server(json!({"event": "pusher:cache_miss", "channel": "a", "data": "{}"}));
    let d = &h.delivered;
    assert_eq!(d.len(), 4);
    assert!(d[0].to_channel && d[0].to_global && d[0].data == json!({"x": 1}));
    assert!(!d[1].to_channel && d[1].to_global && d[1].data == json!("plain text"));
    assert!(!d[2].to_channel && !d[2].to_global);
    assert!(d[3].to_channel && d[3].to_global);
    assert!(d.iter().all(|x| x.metadata == Metadata::Empty));
}

#[test]
fn presence_events_carry_the_user_id_flag() {
    let mut h = Harness::connected();
    h.subscribe("presence-room");
    h.authorize_with("presence-room", presence_auth(json!("1")));
    h.succeed("presence-room");
    h.server(
        json!({"event": "client-x", "channel": "presence-room", "data": "{}", "user_id": "7"}),
    );
    let last = h.delivered.last().unwrap();
    assert!(last.to_channel && last.metadata == Metadata::UserId);
}

#[test]
fn subscription_count_updates_the_channel() {
    let mut h = Harness::connected();
    h.subscribe("a");
    h.succeed("a");
    h.server(json!({"event": "pusher_internal:subscription_count", "channel": "a", "data": "{\"subscription_count\":3}"}));
    assert_eq!(h.client.channel("a").unwrap().subscription_count, 3.0);
    let events = h.events_for(&Target::Channel("a".into()));
    assert_eq!(
        events.last().unwrap(),
        &(
            "pusher:subscription_count".to_string(),
            Payload::Value(json!({"subscription_count": 3}))
        )
    );
}

// ----- sending -----

#[test]
fn send_event_only_when_connected() {
    let mut h = Harness::new();
    assert!(!h.client.send_event("x", Some("1"), None));
    h.connect();
    assert!(!h.client.send_event("x", Some("1"), None));
    h.establish();
    h.clear_records();
    assert!(h
        .client
        .send_event("client-x", Some("{\"a\":1}"), Some("private-a")));
    h.pump();
    assert_eq!(
        h.all_sent(),
        [json!({"event": "client-x", "data": {"a": 1}, "channel": "private-a"})]
    );
}

#[test]
fn trigger_needs_a_client_prefix() {
    let mut h = Harness::connected();
    assert_eq!(
        h.client.trigger(h.now, "private-a", "typing", None),
        Err(TriggerError::NotClientEvent)
    );
    assert_eq!(
        h.client.trigger(h.now, "private-a", "client-typing", None),
        Ok(true)
    );
    h.pump();
    assert!(h
        .logs
        .iter()
        .any(|l| matches!(l, LogLine::ClientEventBeforeSubscribed { .. })));
}

// ----- client events -----

#[test]
fn the_rate_guard_refuses_the_eleventh_client_event_in_a_second_and_says_so() {
    let mut h = Harness::connected();
    h.subscribe("private-a");
    h.authorize("private-a");
    h.succeed("private-a");
    h.clear_records();
    let mut sent = Vec::new();
    for _ in 0..11 {
        sent.push(
            h.client
                .trigger(h.now, "private-a", "client-x", Some("1"))
                .unwrap(),
        );
        h.now += 10;
    }
    h.pump();
    assert_eq!(sent.iter().filter(|s| **s).count(), 10);
    assert!(!sent[10]);
    assert_eq!(h.sent_events().len(), 10);
    assert_eq!(
        h.errors(),
        [Payload::Error(ErrorEvent::RateLimited {
            event: "client-x".into(),
            channel: "private-a".into(),
            limit: 10
        })]
    );
    h.now += 1000;
    assert_eq!(
        h.client.trigger(h.now, "private-a", "client-x", None),
        Ok(true)
    );
}

#[test]
fn a_client_event_while_disconnected_is_not_sent_and_not_counted() {
    let mut h = Harness::new();
    h.connect();
    for _ in 0..20 {
        assert_eq!(
            h.client.trigger(h.now, "private-a", "client-x", None),
            Ok(false)
        );
    }
    h.establish();
    assert_eq!(
        h.client.trigger(h.now, "private-a", "client-x", None),
        Ok(true)
    );
}

// ----- the gap signal (pusher-wasm:resumed) -----

/// The channel's events after a drop and a reconnect `down_ms` later; the old connection's last
/// frame came `quiet_ms` before the drop.
fn resumed_after(h: &mut Harness, quiet_ms: u64, down_ms: u64, channel: &str) {
    h.advance(quiet_ms);
    h.server_close(Some(1006), "");
    h.advance(down_ms);
    h.establish();
    h.succeed(channel);
}

#[test]
fn a_resubscription_says_how_long_the_channel_was_deaf() {
    let mut h = Harness::connected();
    h.subscribe("news");
    h.succeed("news");
    assert!(
        channel_events(&h, "news")
            .iter()
            .all(|(e, _)| e != "pusher-wasm:resumed"),
        "nothing on a first subscription"
    );
    h.clear_records();
    let last_frame = h.now;
    resumed_after(&mut h, 400, 2_500, "news");
    let events = channel_events(&h, "news");
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        names,
        ["pusher:subscription_succeeded", "pusher-wasm:resumed"]
    );
    let Payload::Resumed {
        gap_ms,
        recovered,
        replayed,
    } = events[1].1
    else {
        panic!("not a Resumed payload: {:?}", events[1].1);
    };
    assert_eq!(gap_ms, h.now - last_frame);
    assert!(gap_ms >= 2_900);
    assert!(!recovered);
    assert_eq!(replayed, 0);
}

#[test]
fn a_channel_unsubscribed_during_the_outage_is_not_resumed() {
    let mut h = Harness::connected();
    h.subscribe("news");
    h.succeed("news");
    h.server_close(Some(1006), "");
    h.unsubscribe("news");
    h.advance(2_000);
    h.establish();
    h.subscribe("news");
    h.succeed("news");
    assert!(channel_events(&h, "news")
        .iter()
        .all(|(e, _)| e != "pusher-wasm:resumed"));
}

#[test]
fn every_channel_is_resumed_once_after_a_reconnect() {
    let mut h = Harness::connected();
    let names: Vec<String> = (0..1_000).map(|i| format!("c-{i}")).collect();
    for name in &names {
        h.subscribe(name);
        h.succeed(name);
    }
    h.clear_records();
    h.server_close(Some(1006), "");
    h.advance(2_000);
    h.establish();
    for name in &names {
        h.succeed(name);
    }
    let resumed = h
        .emitted
        .iter()
        .filter(|e| e.event == "pusher-wasm:resumed")
        .count();
    assert_eq!(resumed, 1_000);
    // A second success on the same connection is a duplicate: no second signal.
    h.succeed("c-0");
    assert_eq!(
        h.emitted
            .iter()
            .filter(|e| e.event == "pusher-wasm:resumed")
            .count(),
        1_000
    );
}
