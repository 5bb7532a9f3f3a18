//! The state machine's authorized channels: private, presence and encrypted channels.

use std::string::{String, ToString};
use std::vec;

use serde_json::{json, Value};

use super::*;
use crate::protocol::events::AuthFailure;
use crate::protocol::presence::Presence;
use crate::protocol::testing::*;

/// The members the client keeps for presence channel `channel`.
fn presence<'h>(h: &'h Harness, channel: &str) -> &'h Presence<Value> {
    h.client
        .channel(channel)
        .and_then(|entry| entry.presence.as_deref())
        .expect("a presence channel in the registry")
}

fn presence_succeeded(h: &mut Harness, channel: &str, hash: Value) {
    let count = hash.as_object().map_or(0, |m| m.len());
    let data = json!({"presence": {"ids": [], "hash": hash, "count": count}});
    h.server(json!({"event": "pusher_internal:subscription_succeeded", "channel": channel, "data": data.to_string()}));
}

// ----- private -----

#[test]
fn a_missing_auth_is_a_subscription_error() {
    let mut h = Harness::connected();
    h.subscribe("private-a");
    h.authorize_with(
        "private-a",
        Authorization {
            auth: None,
            ..auth("")
        },
    );
    let events = channel_events(&h, "private-a");
    let [(name, Payload::AuthError(failure))] = &events[..] else {
        panic!("{events:?}");
    };
    assert_eq!(name, "pusher:subscription_error");
    assert!(failure.message.contains("private-a") && failure.message.contains("'auth'"));
    assert!(h
        .all_sent()
        .iter()
        .all(|f| f["event"] != "pusher:subscribe"));
}

#[test]
fn a_failed_channel_does_not_disturb_the_others() {
    let mut h = Harness::connected();
    h.subscribe("private-bad");
    h.subscribe("private-good");
    let socket_id = h.authorize[0].1.clone();
    h.client.authorization_done(
        "private-bad",
        &socket_id,
        Err(AuthFailure {
            message: "403".into(),
            status: Some(403),
        }),
    );
    h.pump();
    h.authorize("private-good");
    h.succeed("private-good");
    assert!(h.client.channel("private-good").unwrap().is_subscribed());
    assert!(!h.client.channel("private-bad").unwrap().is_pending());
}

#[test]
fn every_reconnect_reauthorizes_with_the_new_socket_id() {
    let mut h = Harness::connected();
    h.subscribe("private-a");
    h.authorize("private-a");
    h.succeed("private-a");
    let first = h.authorize[0].1.clone();
    h.server_close(Some(1006), "");
    h.advance(h.client.timers().deadline(TimerKind::Retry).unwrap() - h.now);
    let second = h.establish();
    assert_eq!(h.authorize.len(), 2);
    assert_eq!(h.authorize[1], ("private-a".to_string(), second.clone()));
    assert_ne!(first, second);
}

// ----- presence -----

#[test]
fn presence_members_me_and_succeeded_with_the_members_object() {
    let mut h = Harness::connected();
    h.subscribe("presence-room");
    h.authorize_with("presence-room", presence_auth(json!(1)));
    let subscribe = h.all_sent().pop().unwrap();
    assert_eq!(
        subscribe["data"]["channel_data"],
        json!(r#"{"user_id":1,"user_info":{"name":"me"}}"#)
    );
    presence_succeeded(
        &mut h,
        "presence-room",
        json!({"1": {"name": "me"}, "2": {"name": "Bob"}}),
    );
    let presence = presence(&h, "presence-room");
    assert_eq!(presence.count(), 2);
    assert_eq!(presence.me(), Some((&json!(1), &json!({"name": "me"}))));
    assert_eq!(
        channel_events(&h, "presence-room"),
        vec![(
            "pusher:subscription_succeeded".to_string(),
            Payload::Members
        )]
    );
}

#[test]
fn members_join_and_leave_once_per_id() {
    let mut h = Harness::connected();
    h.subscribe("presence-room");
    h.authorize_with("presence-room", presence_auth(json!("1")));
    presence_succeeded(&mut h, "presence-room", json!({"1": {}}));
    h.clear_records();
    for _ in 0..2 {
        h.server(json!({"event": "pusher_internal:member_added", "channel": "presence-room", "data": "{\"user_id\":\"2\",\"user_info\":{\"n\":2}}"}));
    }
    h.server(json!({"event": "pusher_internal:member_added", "channel": "presence-room", "data": "{\"user_id\":3,\"user_info\":{}}"}));
    h.server(json!({"event": "pusher_internal:member_removed", "channel": "presence-room", "data": "{\"user_id\":\"2\"}"}));
    h.server(json!({"event": "pusher_internal:member_removed", "channel": "presence-room", "data": "{\"user_id\":\"2\"}"}));
    assert_eq!(
        channel_events(&h, "presence-room"),
        vec![
            (
                "pusher:member_added".to_string(),
                Payload::Member {
                    id: "2".into(),
                    info: json!({"n": 2})
                }
            ),
            (
                "pusher:member_added".to_string(),
                Payload::Member {
                    id: "3".into(),
                    info: json!({})
                }
            ),
            (
                "pusher:member_removed".to_string(),
                Payload::Member {
                    id: "2".into(),
                    info: json!({"n": 2})
                }
            ),
        ]
    );
    assert_eq!(presence(&h, "presence-room").count(), 2);
    assert!(h.delivered.iter().all(|d| !d.to_channel && !d.to_global));
}

#[test]
fn members_reset_when_the_connection_drops() {
    let mut h = Harness::connected();
    h.subscribe("presence-room");
    h.authorize_with("presence-room", presence_auth(json!("1")));
    presence_succeeded(&mut h, "presence-room", json!({"1": {}, "2": {}}));
    h.server_close(Some(1006), "");
    let presence = presence(&h, "presence-room");
    assert_eq!(presence.count(), 0);
    assert!(presence.members().is_empty());
}

#[test]
fn presence_without_channel_data_needs_a_signed_in_user() {
    let mut h = Harness::connected();
    h.subscribe("presence-room");
    h.authorize_with("presence-room", auth("k:sig"));
    let events = channel_events(&h, "presence-room");
    assert!(
        matches!(&events[..], [(_, Payload::AuthError(f))] if f.message.contains("channel_data"))
    );

    let mut h = signed_in("42");
    h.subscribe("presence-room");
    h.authorize_with("presence-room", auth("k:sig"));
    presence_succeeded(&mut h, "presence-room", json!({"42": {"me": true}}));
    let presence = presence(&h, "presence-room");
    assert_eq!(presence.me(), Some((&json!("42"), &json!({"me": true}))));
}

#[test]
fn channel_data_that_is_not_json_with_a_user_id_is_refused() {
    let mut h = Harness::connected();
    h.subscribe("presence-room");
    h.authorize_with(
        "presence-room",
        Authorization {
            channel_data: Some("not json".into()),
            ..auth("k:sig")
        },
    );
    let events = channel_events(&h, "presence-room");
    assert!(matches!(&events[..], [(_, Payload::AuthError(f))] if f.message.contains("user_id")));
}

// ----- encrypted -----

// tweetnacl box of {"message":"héllo wörld"} under key 0..32, nonce 100..124.
const SECRET: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const NONCE: &str = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7";
const BOX: &str = "iwlcDY14q0xyc4Fi3FT+0Hmb9KxJxa+O1d8Ztl9HCnRSxRjQJxA5d8IuPw==";
const OTHER_SECRET: &str = "AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn encrypted(secret: &str) -> Harness {
    let mut h = Harness::connected();
    h.subscribe("private-encrypted-a");
    h.authorize_with(
        "private-encrypted-a",
        Authorization {
            shared_secret: Some(secret.into()),
            ..auth("k:sig")
        },
    );
    h.succeed("private-encrypted-a");
    h.clear_records();
    h
}

fn encrypted_event(h: &mut Harness) {
    let data = json!({"nonce": NONCE, "ciphertext": BOX}).to_string();
    h.server(json!({"event": "secret", "channel": "private-encrypted-a", "data": data}));
}

#[test]
fn encrypted_events_are_opened_for_the_channel_only() {
    let mut h = encrypted(SECRET);
    assert!(h.all_sent().is_empty());
    encrypted_event(&mut h);
    assert_eq!(
        channel_events(&h, "private-encrypted-a"),
        vec![(
            "secret".to_string(),
            Payload::Value(json!({"message": "héllo wörld"}))
        )]
    );
    let d = h.delivered.last().unwrap();
    assert!(
        !d.to_channel && d.to_global,
        "the instance sees the frame as it came"
    );
    assert_eq!(d.data["nonce"], json!(NONCE));
}

#[test]
fn the_shared_secret_is_not_sent_to_the_server() {
    let mut h = Harness::connected();
    h.subscribe("private-encrypted-a");
    h.authorize_with(
        "private-encrypted-a",
        Authorization {
            shared_secret: Some(SECRET.into()),
            ..auth("k:sig")
        },
    );
    assert_eq!(
        h.all_sent().pop().unwrap(),
        json!({"event": "pusher:subscribe", "data": {"auth": "k:sig", "channel": "private-encrypted-a"}})
    );
}

#[test]
fn a_missing_or_bad_shared_secret_is_a_subscription_error() {
    for secret in [None, Some("AAAA")] {
        let mut h = Harness::connected();
        h.subscribe("private-encrypted-a");
        h.authorize_with(
            "private-encrypted-a",
            Authorization {
                shared_secret: secret.map(String::from),
                ..auth("k:sig")
            },
        );
        let events = channel_events(&h, "private-encrypted-a");
        assert!(
            matches!(&events[..], [(_, Payload::AuthError(_))]),
            "{secret:?}: {events:?}"
        );
    }
}

#[test]
fn a_box_that_does_not_open_fetches_a_new_key_once_then_opens() {
    let mut h = encrypted(OTHER_SECRET);
    encrypted_event(&mut h);
    encrypted_event(&mut h);
    assert!(channel_events(&h, "private-encrypted-a").is_empty());
    assert_eq!(h.authorize.len(), 1, "one re-authorization for both events");
    h.authorize_with(
        "private-encrypted-a",
        Authorization {
            shared_secret: Some(SECRET.into()),
            ..auth("k:sig")
        },
    );
    assert_eq!(channel_events(&h, "private-encrypted-a").len(), 2);
    assert!(
        h.all_sent().is_empty(),
        "a new key does not mean a new subscription"
    );
}

#[test]
fn a_box_that_holds_no_utf8_text_is_dropped_without_reauthorizing() {
    // Made with crypto_secretbox: key 0..32, nonce 100..124, plaintext bytes 7b ff fe 7d.
    const NOT_TEXT: &str = "oJtpP+9exS9KYyvKSrzkUnlGZ7Q=";
    let mut h = encrypted(SECRET);
    let data = json!({"nonce": NONCE, "ciphertext": NOT_TEXT}).to_string();
    h.server(json!({"event": "secret", "channel": "private-encrypted-a", "data": data}));
    assert!(channel_events(&h, "private-encrypted-a").is_empty());
    assert!(h.logs.iter().any(|l| matches!(
        l,
        LogLine::DroppedEncrypted { reason, .. } if reason.contains("UTF-8")
    )));
    assert!(
        h.authorize.is_empty(),
        "the key is right: no new authorization"
    );
    encrypted_event(&mut h);
    assert_eq!(
        channel_events(&h, "private-encrypted-a").len(),
        1,
        "the next event opens"
    );
}

#[test]
fn a_box_that_does_not_open_with_the_new_key_is_dropped() {
    let mut h = encrypted(OTHER_SECRET);
    encrypted_event(&mut h);
    h.authorize_with(
        "private-encrypted-a",
        Authorization {
            shared_secret: Some(OTHER_SECRET.into()),
            ..auth("k:sig")
        },
    );
    assert!(channel_events(&h, "private-encrypted-a").is_empty());
    assert!(h
        .logs
        .iter()
        .any(|l| matches!(l, LogLine::DroppedEncrypted { .. })));
    encrypted_event(&mut h);
    assert_eq!(h.authorize.len(), 2, "the next failure tries again");
}

#[test]
fn malformed_encrypted_payloads_are_dropped_with_a_log_line() {
    let mut h = encrypted(SECRET);
    h.server(
        json!({"event": "secret", "channel": "private-encrypted-a", "data": "{\"nonce\":\"x\"}"}),
    );
    h.server(json!({"event": "secret", "channel": "private-encrypted-a", "data": "plain"}));
    assert!(channel_events(&h, "private-encrypted-a").is_empty());
    assert_eq!(
        h.logs
            .iter()
            .filter(|l| matches!(l, LogLine::DroppedEncrypted { .. }))
            .count(),
        2
    );
    assert!(h.authorize.is_empty());
}

#[test]
fn no_client_events_on_encrypted_channels() {
    let mut h = encrypted(SECRET);
    assert_eq!(
        h.client
            .trigger(h.now, "private-encrypted-a", "client-x", None),
        Err(TriggerError::Encrypted)
    );
}

// ----- authorization -----

fn authorized_subscribe(h: &mut Harness, channel: &str) -> String {
    h.subscribe(channel);
    let (name, socket_id) = h.authorize.last().unwrap().clone();
    assert_eq!(name, channel);
    socket_id
}

#[test]
fn private_channels_ask_for_authorization_and_send_its_signature() {
    let mut h = Harness::connected();
    h.clear_records();
    let socket_id = authorized_subscribe(&mut h, "private-a");
    assert_eq!(Some(socket_id.as_str()), h.client.socket_id());
    assert!(h.all_sent().is_empty());
    h.client
        .authorization_done("private-a", &socket_id, Ok(auth("app-key:abc")));
    h.pump();
    assert_eq!(
        h.all_sent(),
        [
            json!({"event": "pusher:subscribe", "data": {"auth": "app-key:abc", "channel": "private-a"}})
        ]
    );
}

#[test]
fn a_failed_authorization_is_a_subscription_error() {
    let mut h = Harness::connected();
    let socket_id = authorized_subscribe(&mut h, "private-a");
    let error = AuthFailure {
        message: "nope".into(),
        status: Some(403),
    };
    h.client
        .authorization_done("private-a", &socket_id, Err(error.clone()));
    h.pump();
    let entry = h.client.channel("private-a").unwrap();
    assert!(!entry.is_pending() && !entry.is_subscribed());
    assert_eq!(
        h.events_for(&Target::Channel("private-a".into())),
        vec![(
            "pusher:subscription_error".to_string(),
            Payload::AuthError(error)
        )]
    );
    // A later subscribe tries again.
    h.subscribe("private-a");
    assert_eq!(h.authorize.len(), 2);
}

#[test]
fn a_stale_authorization_never_sends_a_subscribe() {
    let mut h = Harness::connected();
    let old_socket_id = authorized_subscribe(&mut h, "private-a");
    h.server_close(Some(1006), "");
    h.advance(retry_delay(&h));
    h.establish();
    h.clear_records();
    h.client
        .authorization_done("private-a", &old_socket_id, Ok(auth("k:old")));
    h.pump();
    assert!(h.all_sent().is_empty());
}

#[test]
fn an_authorization_for_an_unsubscribed_channel_is_dropped() {
    let mut h = Harness::connected();
    let socket_id = authorized_subscribe(&mut h, "private-a");
    h.unsubscribe("private-a");
    h.clear_records();
    h.client
        .authorization_done("private-a", &socket_id, Ok(auth("k:sig")));
    h.pump();
    assert!(h.all_sent().is_empty());
    assert!(h.client.channel("private-a").is_none());
    assert_eq!(h.forgotten, ["private-a"]);
}
