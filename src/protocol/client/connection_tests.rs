//! The state machine, driven through the fake host with fake time.

use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use serde_json::json;

use super::*;
use crate::protocol::events::ErrorEvent;
use crate::protocol::testing::*;

// ----- connecting -----

#[test]
fn connect_goes_connecting_then_connected_with_the_socket_id() {
    let mut h = Harness::new();
    assert_eq!(h.client.state(), ConnectionState::Initialized);
    h.connect();
    assert_eq!(h.client.state(), ConnectionState::Connecting);
    assert_eq!(
        h.last_socket().url,
        "ws://127.0.0.1:6001/app/app-key?protocol=7&client=js&version=8.6.0&flash=false"
    );
    let socket_id = h.establish();
    assert_eq!(h.client.state(), ConnectionState::Connected);
    assert_eq!(h.client.socket_id(), Some(socket_id.as_str()));
    assert_eq!(h.states(), ["connecting", "connected"]);
    assert_eq!(
        h.connection_events(),
        ["state_change", "connecting", "state_change", "connected"]
    );
    let connected = h.events_for(&Target::Connection).pop().unwrap().1;
    assert_eq!(connected, Payload::Connected { socket_id });
    assert!(!h.client.timers().is_armed(TimerKind::Unavailable));
    assert!(!h.client.timers().is_armed(TimerKind::Attempt));
    assert!(h.client.timers().is_armed(TimerKind::Liveness));
}

#[test]
fn state_change_carries_previous_and_current() {
    let h = Harness::connected();
    let changes: Vec<_> = h
        .events_for(&Target::Connection)
        .into_iter()
        .filter(|(e, _)| e == "state_change")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(
        changes,
        vec![
            Payload::StateChange {
                previous: ConnectionState::Initialized,
                current: ConnectionState::Connecting
            },
            Payload::StateChange {
                previous: ConnectionState::Connecting,
                current: ConnectionState::Connected
            },
        ]
    );
}

#[test]
fn connect_twice_opens_one_socket() {
    let mut h = Harness::new();
    h.connect();
    h.connect();
    h.establish();
    h.connect();
    assert_eq!(h.sockets.len(), 1);
}

#[test]
fn without_websocket_support_connect_fails() {
    let mut h = Harness::new();
    h.client = Client::new(options(), 1, false);
    h.connect();
    assert_eq!(h.client.state(), ConnectionState::Failed);
    assert!(h.sockets.is_empty());
    assert_eq!(h.states(), ["failed"]);
}

#[test]
fn tls_urls_use_the_wss_port() {
    let mut o = options();
    o.use_tls = true;
    o.wss_port = 6002;
    let mut h = Harness::with_options(o);
    h.connect();
    assert!(h
        .last_socket()
        .url
        .starts_with("wss://127.0.0.1:6002/app/app-key?"));
}

#[test]
fn unavailable_after_the_unavailable_timeout_and_never_failed() {
    let mut h = Harness::new();
    h.connect();
    h.advance(9_999);
    assert_eq!(h.client.state(), ConnectionState::Connecting);
    h.advance(1);
    assert_eq!(h.client.state(), ConnectionState::Unavailable);
    h.advance(600_000);
    assert_eq!(h.client.state(), ConnectionState::Unavailable);
    assert!(!h.states().contains(&"failed"));
}

#[test]
fn ten_minutes_unreachable_follow_the_capped_backoff() {
    let mut h = Harness::new();
    h.connect();
    let mut delays = Vec::new();
    let end = h.now + 600_000;
    while h.now < end {
        // The socket never opens: the browser reports a close (1006) at once.
        h.server_close(Some(1006), "");
        delays.push(retry_delay(&h));
        h.advance(retry_delay(&h));
        assert!(
            h.host_timers.len() <= 2,
            "timers pile up: {:?}",
            h.host_timers
        );
    }
    // Delays: [0.1,1.5) s, then [1.5,3] s, [3,6] s, then [5,10] s for good.
    assert!((100..1500).contains(&delays[0]), "{}", delays[0]);
    let bounds = [3000, 6000];
    for (delay, bound) in delays[1..].iter().zip(bounds) {
        assert!(*delay >= bound / 2 && *delay <= bound, "{delay} vs {bound}");
    }
    for delay in &delays[3..] {
        assert!((5000..=10_000).contains(delay), "{delay}");
    }
    let attempts = h.sockets.len();
    println!("10 min unreachable: {attempts} attempts, delays {delays:?}");
    assert!((60..=130).contains(&attempts), "{attempts} attempts");
    assert_eq!(h.client.state(), ConnectionState::Unavailable);
    assert!(
        !h.errors().iter().any(|_| true),
        "no error events for refused attempts"
    );
    let in_flight = h.sockets.iter().filter(|s| s.is_live()).count();
    assert_eq!(in_flight, 1);
}

#[test]
fn an_attempt_that_never_completes_is_given_up() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    h.advance(14_999);
    assert_eq!(h.sockets.len(), 1);
    h.advance(1);
    assert!(h.sockets[0].closed_by_client);
    assert!(h.client.timers().is_armed(TimerKind::Retry));
    h.advance(retry_delay(&h));
    assert_eq!(h.sockets.len(), 2);
}

// ----- liveness -----

#[test]
fn activity_timeout_is_the_smaller_of_option_and_server() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    h.handshake_with(30);
    assert_eq!(h.client.activity_timeout_ms(), 30_000);

    let mut o = options();
    o.activity_timeout_ms = 5_000;
    let mut h = Harness::with_options(o);
    h.connect();
    h.open();
    h.handshake_with(120);
    assert_eq!(h.client.activity_timeout_ms(), 5_000);
}

#[test]
fn silence_sends_a_ping_and_any_frame_ends_the_wait() {
    let mut h = Harness::connected();
    h.clear_records();
    h.advance(119_999);
    assert!(h.sent_events().is_empty());
    h.advance(1);
    assert_eq!(h.sent_events(), ["pusher:ping"]);
    h.advance(29_000);
    h.server(json!({"event": "pusher:pong", "data": {}}));
    h.advance(30_000);
    assert_eq!(h.client.state(), ConnectionState::Connected);
    assert_eq!(h.sockets.len(), 1);
}

#[test]
fn frames_postpone_the_ping() {
    let mut h = Harness::connected();
    h.clear_records();
    h.subscribe("news");
    for _ in 0..10 {
        h.advance(100_000);
        h.succeed("news");
    }
    assert_eq!(h.sent_events(), ["pusher:subscribe"]);
    h.advance(120_000);
    assert_eq!(h.sent_events(), ["pusher:subscribe", "pusher:ping"]);
}

#[test]
fn no_pong_drops_the_socket_and_reconnects_at_once() {
    let mut h = Harness::connected();
    h.advance(120_000 + 30_000);
    assert!(h.sockets[0].closed_by_client);
    assert_eq!(h.sockets.len(), 2, "reconnects immediately");
    assert_eq!(h.client.state(), ConnectionState::Connecting);
    assert!(
        h.errors().is_empty(),
        "pusher-js emits no error for a pong timeout"
    );
    h.establish();
    assert_eq!(h.client.state(), ConnectionState::Connected);
}

#[test]
fn a_server_ping_is_answered_with_a_pong() {
    let mut h = Harness::connected();
    h.clear_records();
    h.server(json!({"event": "pusher:ping", "data": {}}));
    assert_eq!(h.all_sent(), [json!({"event": "pusher:pong", "data": {}})]);
}

#[test]
fn coming_back_to_the_page_checks_liveness_with_a_short_deadline() {
    for event in [
        PageEvent::Visible,
        PageEvent::Resumed,
        PageEvent::Online,
        PageEvent::Offline,
    ] {
        let mut h = Harness::connected();
        h.clear_records();
        h.page(event);
        assert_eq!(h.sent_events(), ["pusher:ping"], "{event:?}");
        h.advance(2_999);
        assert_eq!(h.sockets.len(), 1);
        h.advance(1);
        assert_eq!(
            h.sockets.len(),
            2,
            "{event:?}: reconnects 3 s after an unanswered check"
        );
    }
}

#[test]
fn an_answered_liveness_check_keeps_the_connection() {
    let mut h = Harness::connected();
    h.page(PageEvent::Visible);
    h.advance(500);
    h.server(json!({"event": "pusher:pong", "data": {}}));
    h.advance(10_000);
    assert_eq!(h.sockets.len(), 1);
    assert_eq!(h.client.state(), ConnectionState::Connected);
}

#[test]
fn a_liveness_check_shortens_a_pending_pong_wait() {
    let mut h = Harness::connected();
    h.advance(120_000);
    h.clear_records();
    h.page(PageEvent::Visible);
    assert!(h.sent_events().is_empty(), "a ping is already out");
    h.advance(3_000);
    assert_eq!(h.sockets.len(), 2);
}

#[test]
fn a_timer_that_fires_far_too_late_means_the_page_slept() {
    let mut h = Harness::connected();
    h.clear_records();
    // The machine sleeps: no timer runs for 10 minutes, then the liveness timer fires late.
    h.sleep(600_000);
    assert_eq!(h.sent_events(), ["pusher:ping"]);
    h.advance(3_000);
    assert_eq!(
        h.sockets.len(),
        2,
        "a dead socket is noticed 3 s after waking"
    );
}

// ----- close codes -----

fn connected_then_closed(code: u16, reason: &str) -> Harness {
    let mut h = Harness::connected();
    h.clear_records();
    h.server_close(Some(code), reason);
    h
}

#[test]
fn a_dropped_connection_reports_the_error_and_retries_after_about_a_second() {
    let h = connected_then_closed(1006, "");
    assert_eq!(
        h.errors(),
        [Payload::Error(ErrorEvent::Closed {
            code: Some(1006),
            reason: None
        })]
    );
    assert_eq!(h.client.state(), ConnectionState::Connecting);
    assert_eq!(h.states(), ["connecting"]);
    let delay = retry_delay(&h);
    assert!((100..1500).contains(&delay), "{delay}");
    let connecting_in = h.events_for(&Target::Connection);
    let (_, s) = connecting_in
        .iter()
        .find(|(e, _)| e == "connecting_in")
        .unwrap();
    assert_eq!(seconds(s), 1);
}

#[test]
fn connecting_in_comes_before_the_state_change_as_in_pusher_js() {
    let h = connected_then_closed(3000, "");
    assert_eq!(
        h.connection_events(),
        ["error", "connecting_in", "state_change", "connecting"]
    );
}

#[test]
fn closes_that_ask_for_an_action_are_reported_twice() {
    for (code, errors) in [
        (4200, 2),
        (4100, 2),
        (1002, 2),
        (4000, 2),
        (3000, 1),
        (1006, 1),
    ] {
        let h = connected_then_closed(code, "");
        assert_eq!(h.errors().len(), errors, "{code}");
    }
}

#[test]
fn normal_closes_are_not_errors() {
    for code in [1000, 1001] {
        let h = connected_then_closed(code, "bye");
        assert!(h.errors().is_empty(), "{code}");
        assert_eq!(h.client.state(), ConnectionState::Connecting);
    }
}

#[test]
fn refusals_end_disconnected_without_retry() {
    for code in [4001, 4003, 4004, 4009, 4099, 4301] {
        let mut h = connected_then_closed(code, "refused");
        assert_eq!(h.client.state(), ConnectionState::Disconnected, "{code}");
        assert_eq!(
            h.errors(),
            [
                Payload::Error(ErrorEvent::Closed {
                    code: Some(code),
                    reason: Some("refused".into())
                }),
                Payload::Error(ErrorEvent::Wrapped {
                    code: Some(code),
                    message: Some("refused".into())
                })
            ]
        );
        assert_eq!(h.client.timers().armed_count(), 0);
        h.advance(3_600_000);
        assert_eq!(h.sockets.len(), 1, "{code}: no retry");
    }
}

#[test]
fn code_4000_switches_to_tls_and_reconnects_at_once() {
    let h = connected_then_closed(4000, "TLS only");
    assert_eq!(h.sockets.len(), 2);
    assert!(h.last_socket().url.starts_with("wss://127.0.0.1:443/"));
    assert!(h.client.uses_tls());
}

#[test]
fn codes_42xx_reconnect_at_once() {
    for code in [4200, 4201, 4202] {
        let h = connected_then_closed(code, "");
        assert_eq!(h.sockets.len(), 2, "{code}");
        assert_eq!(h.client.state(), ConnectionState::Connecting);
    }
}

#[test]
fn over_capacity_and_protocol_errors_wait_at_least_a_second_with_jitter() {
    let mut delays = std::collections::BTreeSet::new();
    for code in [4100, 4199, 1002, 1003, 1004] {
        for seed in 1..20 {
            let mut h = Harness::new();
            h.client = Client::new(options(), seed, true);
            h.connect();
            h.establish();
            h.server_close(Some(code), "");
            let delay = retry_delay(&h);
            assert!((1250..=1500).contains(&delay), "{code}: {delay}");
            delays.insert(delay);
        }
    }
    assert!(
        delays.len() > 10,
        "the first retry is jittered too: {delays:?}"
    );
}

#[test]
fn a_server_that_keeps_asking_for_reconnects_gets_backoff_not_a_storm() {
    let mut h = Harness::connected();
    for _ in 0..8 {
        h.server_close(Some(4200), "");
        if let Some(deadline) = h.client.timers().deadline(TimerKind::Retry) {
            h.advance(deadline - h.now);
        }
        h.establish();
    }
    let last_delay = {
        h.server_close(Some(4200), "");
        retry_delay(&h)
    };
    assert!(last_delay >= 5_000, "backoff grew: {last_delay}");
}

#[test]
fn a_stable_connection_resets_the_backoff() {
    let mut h = Harness::new();
    h.connect();
    for _ in 0..5 {
        h.server_close(Some(1006), "");
        h.advance(retry_delay(&h));
    }
    assert_eq!(h.client.consecutive_failures(), 5);
    h.establish();
    h.advance(31_000);
    h.server_close(Some(1006), "");
    assert_eq!(
        h.client.consecutive_failures(),
        1,
        "counted from zero again"
    );
    assert!(retry_delay(&h) < 1500);
}

#[test]
fn refused_during_the_handshake_wraps_the_error_like_pusher_js() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    h.server(json!({"event": "pusher:error", "data": {"code": 4001, "message": "App key app-key does not exist"}}));
    assert_eq!(
        h.errors(),
        [Payload::Error(ErrorEvent::Wrapped {
            code: Some(4001),
            message: Some("App key app-key does not exist".into())
        })]
    );
    assert_eq!(h.client.state(), ConnectionState::Disconnected);
    assert_eq!(h.states(), ["connecting", "disconnected"]);
    assert!(h.sockets[0].closed_by_client);
    h.advance(600_000);
    assert_eq!(h.sockets.len(), 1);
}

#[test]
fn a_close_during_the_handshake_backs_off() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    h.server_close(Some(1006), "");
    assert_eq!(
        h.errors(),
        [Payload::Error(ErrorEvent::Wrapped {
            code: Some(1006),
            message: None
        })]
    );
    assert!(retry_delay(&h) >= 1000);
}

#[test]
fn an_invalid_handshake_is_an_error_and_is_retried() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    h.server(json!({"event": "something-else", "data": {}}));
    assert_eq!(
        h.errors(),
        [Payload::Error(ErrorEvent::Handshake("Invalid handshake"))]
    );
    h.advance(retry_delay(&h));
    assert_eq!(h.sockets.len(), 2, "pusher-js gives up here; we retry");
    h.establish();
    assert_eq!(h.client.state(), ConnectionState::Connected);
}

#[test]
fn a_handshake_without_socket_id_is_refused_and_retried() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    h.server(
        json!({"event": "pusher:connection_established", "data": "{\"activity_timeout\":120}"}),
    );
    assert_eq!(h.client.state(), ConnectionState::Connecting);
    assert_eq!(h.errors().len(), 1);
    assert!(h.client.timers().is_armed(TimerKind::Retry));
}

#[test]
fn a_handshake_without_activity_timeout_uses_the_option() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    h.server(json!({"event": "pusher:connection_established", "data": "{\"socket_id\":\"1.2\"}"}));
    assert_eq!(h.client.state(), ConnectionState::Connected);
    assert_eq!(h.client.activity_timeout_ms(), 120_000);
}

#[test]
fn undecodable_frames_are_reported_and_the_connection_stays() {
    let mut h = Harness::connected();
    h.subscribe("a");
    h.succeed("a");
    h.clear_records();
    let id = h.current();
    h.feed(Event::Undecodable {
        socket: id,
        error: json!("SyntaxError"),
        data: json!("{not json"),
    });
    assert_eq!(
        h.errors(),
        [Payload::Error(ErrorEvent::Parse {
            error: json!("SyntaxError"),
            data: json!("{not json")
        })]
    );
    assert_eq!(h.client.state(), ConnectionState::Connected);
    h.server(json!({"event": "e", "channel": "a", "data": "1"}));
    assert_eq!(h.delivered.len(), 1);
}

#[test]
fn an_undecodable_handshake_is_retried() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    let id = h.current();
    h.feed(Event::Undecodable {
        socket: id,
        error: json!("SyntaxError"),
        data: json!("garbage"),
    });
    assert!(matches!(
        h.errors()[..],
        [Payload::Error(ErrorEvent::HandshakeParse { .. })]
    ));
    assert!(h.client.timers().is_armed(TimerKind::Retry));
}

#[test]
fn a_server_error_frame_on_an_open_connection_is_emitted_as_is() {
    let mut h = Harness::connected();
    h.clear_records();
    h.server(json!({"event": "pusher:error", "data": {"code": 4301, "message": "rate"}}));
    assert_eq!(
        h.errors(),
        [Payload::Error(ErrorEvent::Server(
            json!({"code": 4301, "message": "rate"})
        ))]
    );
    assert_eq!(h.client.state(), ConnectionState::Connected);
    assert_eq!(h.delivered[0].event, "pusher:error");
    assert!(h.delivered[0].to_global);
}

#[test]
fn socket_errors_are_emitted_only_once_connected() {
    let mut h = Harness::new();
    h.connect();
    let id = h.current();
    h.feed(Event::SocketError(id, json!({"type": "error"})));
    assert!(h.errors().is_empty());
    h.establish();
    let id = h.current();
    h.feed(Event::SocketError(id, json!({"type": "error"})));
    assert_eq!(
        h.errors(),
        [Payload::Error(ErrorEvent::Socket(json!({"type": "error"})))]
    );
}

#[test]
fn events_of_an_abandoned_socket_are_ignored() {
    let mut h = Harness::connected();
    let old = h.current();
    h.advance(150_000); // pong timeout: the old socket is abandoned
    h.establish();
    h.clear_records();
    h.feed(Event::SocketClosed {
        socket: old,
        code: Some(1006),
        reason: String::new(),
    });
    h.server_on(old, json!({"event": "x", "data": "1"}));
    assert!(h.emitted.is_empty() && h.delivered.is_empty());
    assert_eq!(h.client.state(), ConnectionState::Connected);
}

// ----- network and page -----

#[test]
fn online_retries_at_once_and_resets_the_backoff() {
    let mut h = Harness::new();
    h.connect();
    for _ in 0..6 {
        h.server_close(Some(1006), "");
        h.advance(retry_delay(&h));
    }
    h.server_close(Some(1006), "");
    assert_eq!(h.client.state(), ConnectionState::Unavailable);
    let before = h.sockets.len();
    h.page(PageEvent::Online);
    assert_eq!(h.sockets.len(), before + 1);
    assert_eq!(h.client.state(), ConnectionState::Connecting);
    assert_eq!(h.client.consecutive_failures(), 0);
    h.establish();
    assert_eq!(h.client.state(), ConnectionState::Connected);
}

#[test]
fn online_does_not_interrupt_a_handshake() {
    let mut h = Harness::new();
    h.connect();
    h.open();
    h.page(PageEvent::Online);
    assert_eq!(h.sockets.len(), 1);
}

#[test]
fn visible_while_waiting_to_retry_retries_now() {
    let mut h = Harness::new();
    h.connect();
    h.server_close(Some(1006), "");
    h.server_close_after_retry();
    assert!(h.client.timers().is_armed(TimerKind::Retry));
    let before = h.sockets.len();
    h.page(PageEvent::Visible);
    assert_eq!(h.sockets.len(), before + 1);
}

impl Harness {
    fn server_close_after_retry(&mut self) {
        self.advance(retry_delay(self));
        self.server_close(Some(1006), "");
    }
}

#[test]
fn page_events_while_disconnected_do_nothing() {
    let mut h = Harness::connected();
    h.client.disconnect(h.now);
    h.pump();
    for event in [
        PageEvent::Online,
        PageEvent::Visible,
        PageEvent::Resumed,
        PageEvent::Offline,
    ] {
        h.page(event);
    }
    assert_eq!(h.sockets.len(), 1);
    assert_eq!(h.client.state(), ConnectionState::Disconnected);
}

// ----- disconnect -----

#[test]
fn disconnect_closes_everything_and_keeps_the_socket_id() {
    let mut h = Harness::connected();
    let socket_id = h.client.socket_id().unwrap().to_string();
    h.subscribe("news");
    h.succeed("news");
    h.client.disconnect(h.now);
    h.pump();
    assert_eq!(h.client.state(), ConnectionState::Disconnected);
    assert!(h.sockets[0].closed_by_client);
    assert_eq!(h.client.timers().armed_count(), 0);
    assert_eq!(h.client.socket_id(), Some(socket_id.as_str()));
    assert!(!h.client.channel("news").unwrap().is_subscribed());
    assert!(!h.client.send_event("x", None, None));
    h.connect();
    let new_id = h.establish();
    assert_ne!(new_id, socket_id);
    assert!(
        h.client.channel("news").unwrap().is_pending(),
        "resubscribed"
    );
}

#[test]
fn disconnect_before_connect_emits_disconnected() {
    let mut h = Harness::new();
    h.client.disconnect(h.now);
    h.pump();
    assert_eq!(h.states(), ["disconnected"]);
}

#[test]
fn logs_say_what_happened() {
    let mut h = Harness::connected();
    h.advance(150_000);
    assert!(h.logs.contains(&LogLine::PongTimedOut));
    assert!(h
        .logs
        .iter()
        .any(|l| matches!(l, LogLine::Connecting { url } if url.starts_with("ws://"))));
    let _ = format!("{:?}", h.logs);
}
