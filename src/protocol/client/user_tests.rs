//! Sign-in and the signed-in user's channel, through the fake host.
//! sign-in and server-to-user events, the watchlist, and the client-event rate guard.

use std::string::ToString;
use std::vec;

use serde_json::json;

use super::*;
use crate::protocol::events::AuthFailure;
use crate::protocol::testing::*;

// ----- sign-in -----

#[test]
fn signin_sends_the_signature_then_subscribes_the_users_channel() {
    let h = signed_in("7");
    let sent = h.all_sent();
    assert_eq!(sent[0]["event"], "pusher:signin");
    assert_eq!(sent[0]["data"]["auth"], "k:sig");
    assert_eq!(
        sent[1],
        json!({"event": "pusher:subscribe", "data": {"auth": "", "channel": "#server-to-user-7"}})
    );
    assert_eq!(h.client.user_id(), Some("7"));
    assert!(h
        .client
        .channel("#server-to-user-7")
        .unwrap()
        .is_subscribed());
    assert!(h.forgotten.is_empty());
    assert!(channel_events(&h, "#server-to-user-7").is_empty());
}

#[test]
fn events_for_the_user_go_to_pusher_user() {
    let mut h = signed_in("7");
    h.clear_records();
    h.server(json!({"event": "notice", "channel": "#server-to-user-7", "data": "{\"n\":1}"}));
    h.server(json!({"event": "pusher:whatever", "channel": "#server-to-user-7", "data": "{}"}));
    let d = &h.delivered;
    assert!(d[0].to_user && d[0].to_global && !d[0].to_channel);
    assert!(!d[1].to_user);
}

#[test]
fn signin_waits_for_a_connection_and_happens_on_every_one() {
    let mut h = Harness::new();
    h.client.signin();
    h.pump();
    assert!(h.authenticate_user.is_empty());
    h.connect();
    let first = h.establish();
    assert_eq!(h.authenticate_user, std::slice::from_ref(&first));
    h.client.signin();
    h.pump();
    assert_eq!(h.authenticate_user.len(), 1, "a second signin() is a no-op");
    h.server_close(Some(1006), "");
    assert_eq!(h.client.user_id(), None);
    h.advance(h.client.timers().deadline(TimerKind::Retry).unwrap() - h.now);
    let second = h.establish();
    assert_eq!(h.authenticate_user, [first, second]);
}

#[test]
fn a_failed_signin_is_a_signin_error_on_the_user() {
    let mut h = Harness::connected();
    h.client.signin();
    h.pump();
    let socket_id = h.authenticate_user[0].clone();
    let failure = AuthFailure {
        message: "Unable to retrieve auth string".into(),
        status: Some(500),
    };
    h.client
        .user_authenticated(&socket_id, Err(failure.clone()));
    h.pump();
    assert_eq!(
        h.events_for(&Target::User),
        vec![(
            "pusher:signin_error".to_string(),
            Payload::AuthError(failure)
        )]
    );
    assert!(h.all_sent().iter().all(|f| f["event"] != "pusher:signin"));
}

#[test]
fn a_signin_success_without_an_id_signs_nobody_in() {
    let mut h = Harness::connected();
    h.server(json!({"event": "pusher:signin_success", "data": {"user_data": "{\"name\":\"x\"}"}}));
    assert_eq!(h.client.user_id(), None);
    assert!(h.all_sent().is_empty());
}

#[test]
fn the_users_channel_is_gone_after_a_drop_and_back_after_the_next_signin() {
    let mut h = signed_in("7");
    h.server_close(Some(1006), "");
    assert!(h.client.channel("#server-to-user-7").is_none());
    h.clear_records();
    h.advance(h.client.timers().deadline(TimerKind::Retry).unwrap() - h.now);
    h.establish();
    assert!(
        h.all_sent()
            .iter()
            .all(|f| f["data"]["channel"] != "#server-to-user-7"),
        "not before the new sign-in succeeded"
    );
}

#[test]
fn watchlist_events_go_to_the_watchlist_by_name() {
    let mut h = Harness::connected();
    let data = json!({"events": [{"name": "online", "user_ids": ["1", "2"]}, {"name": "offline", "user_ids": ["3"]}]});
    h.server(json!({"event": "pusher_internal:watchlist_events", "data": data.to_string()}));
    assert_eq!(
        h.events_for(&Target::Watchlist),
        vec![
            (
                "online".to_string(),
                Payload::Value(json!({"name": "online", "user_ids": ["1", "2"]}))
            ),
            (
                "offline".to_string(),
                Payload::Value(json!({"name": "offline", "user_ids": ["3"]}))
            ),
        ]
    );
}
