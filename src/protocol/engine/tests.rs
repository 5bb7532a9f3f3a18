//! The engine, driven through a fake host with fake time: sessions of one page and of several
//! tabs, over connections they share.

use std::collections::BTreeMap;
use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use serde_json::{json, Value};

use super::*;
use crate::protocol::events::{AuthFailure, Payload, Target};
use crate::protocol::testing::options;
use crate::protocol::{ClientFrame, SocketId, UserOptions};

/// One socket the engine asked the fake host to open.
#[derive(Debug)]
struct Socket {
    connection: ConnectionId,
    id: SocketId,
    url: String,
    sent: Vec<Value>,
    live: bool,
}

/// A fake host: sockets and timers per connection, and every message per session.
struct Host {
    engine: Engine<Value>,
    now: u64,
    sockets: Vec<Socket>,
    timers: BTreeMap<(u32, TimerKind), u64>,
    messages: Vec<(SessionId, Message<Value>)>,
    closed: Vec<ConnectionId>,
}

const A: SessionId = SessionId(1);
const B: SessionId = SessionId(2);
const C: SessionId = SessionId(3);

impl Host {
    fn new() -> Host {
        Host {
            engine: Engine::default(),
            now: 1_000_000,
            sockets: Vec::new(),
            timers: BTreeMap::new(),
            messages: Vec::new(),
            closed: Vec::new(),
        }
    }

    fn pump(&mut self) {
        while let Some(output) = self.engine.poll() {
            match output {
                Output::Io { connection, action } => self.io(connection, action),
                Output::Message { session, message } => {
                    assert!(
                        self.engine.session_ids().any(|s| s == session),
                        "a message for a closed session: {message:?}"
                    );
                    self.messages.push((session, message));
                }
                Output::Closed { connection } => {
                    assert!(
                        !self
                            .sockets
                            .iter()
                            .any(|s| s.connection == connection && s.live),
                        "a closed connection keeps its socket"
                    );
                    assert!(!self.timers.keys().any(|(c, _)| *c == connection.0));
                    self.closed.push(connection);
                }
            }
        }
        self.check_invariants();
    }

    fn io(&mut self, connection: ConnectionId, action: Action<Value>) {
        match action {
            Action::OpenSocket { socket, url } => self.sockets.push(Socket {
                connection,
                id: socket,
                url,
                sent: Vec::new(),
                live: true,
            }),
            Action::Send { socket, frame } => {
                let s = self.socket_mut(connection, socket);
                assert!(s.live, "send on a closed socket");
                s.sent.push(serde_json::from_str(&frame.0).unwrap());
            }
            Action::CloseSocket { socket } => self.socket_mut(connection, socket).live = false,
            Action::SetTimer { kind, delay_ms } => {
                self.timers
                    .insert((connection.0, kind), self.now + delay_ms);
            }
            Action::ClearTimer { kind } => {
                self.timers.remove(&(connection.0, kind));
            }
            other => panic!("not I/O: {other:?}"),
        }
    }

    /// Every connection: at most one live socket; the host's timers are the client's (and the
    /// engine's linger timer); every channel is held by someone, or is on its way out.
    fn check_invariants(&self) {
        for s in &self.sockets {
            if s.live {
                assert!(
                    self.engine.connection(s.connection).is_some(),
                    "a live socket of a closed connection"
                );
            }
        }
        for (connection, _) in self.timers.keys() {
            assert!(self.engine.connection(ConnectionId(*connection)).is_some());
        }
        for c in 1..=8 {
            let id = ConnectionId(c);
            let Some(client) = self.engine.connection(id) else {
                continue;
            };
            let live = self
                .sockets
                .iter()
                .filter(|s| s.connection == id && s.live)
                .count();
            assert!(live <= 1, "{live} live sockets on {id:?}");
            for kind in TimerKind::ALL {
                if kind == TimerKind::Linger {
                    continue;
                }
                assert_eq!(
                    self.timers.get(&(c, kind)).copied(),
                    client.timers().deadline(kind),
                    "host and client disagree on {kind:?} of {id:?}"
                );
            }
            for (name, entry) in client.channels().iter() {
                let own = entry.kind() == ChannelKind::ServerToUser;
                assert!(
                    own || !entry.host.is_empty() || entry.is_cancelled(),
                    "{name} is held by nobody"
                );
            }
        }
    }

    fn socket_mut(&mut self, connection: ConnectionId, id: SocketId) -> &mut Socket {
        self.sockets
            .iter_mut()
            .find(|s| s.connection == connection && s.id == id)
            .expect("a socket the engine opened")
    }

    fn open(&mut self, session: SessionId, shared: bool) {
        self.open_with(session, options(), shared);
    }

    fn open_with(&mut self, session: SessionId, options: ConnectionOptions, shared: bool) {
        self.engine
            .open(self.now, session, options, shared, 7, true, false);
        self.pump();
    }

    /// The live socket of a connection.
    fn live(&self, connection: ConnectionId) -> (SocketId, usize) {
        let at = self
            .sockets
            .iter()
            .rposition(|s| s.connection == connection && s.live)
            .expect("a live socket");
        (self.sockets[at].id, at)
    }

    fn server(&mut self, connection: ConnectionId, frame: Value) {
        let (socket, _) = self.live(connection);
        let frame = Frame {
            event: frame["event"].as_str().unwrap().into(),
            channel: frame["channel"].as_str().map(String::from),
            data: frame.get("data").cloned().unwrap_or(Value::Null),
            user_id: frame["user_id"].as_str().map(String::from),
            raw: frame.clone(),
        };
        self.engine
            .handle(self.now, connection, Event::Frame(socket, frame));
        self.pump();
    }

    /// Opens the live socket of `connection` and completes the handshake.
    fn establish(&mut self, connection: ConnectionId, socket_id: &str) {
        self.handshake(connection, "pusher:connection_established", socket_id);
    }

    /// Opens the live socket of `connection` and answers with `event` (the handshake of
    /// protocol 7 or of sockudo's protocol 2).
    fn handshake(&mut self, connection: ConnectionId, event: &str, socket_id: &str) {
        let (socket, _) = self.live(connection);
        self.engine
            .handle(self.now, connection, Event::SocketOpened(socket));
        self.pump();
        self.server(
            connection,
            json!({"event": event, "data": {"socket_id": socket_id, "activity_timeout": 120}}),
        );
    }

    fn drop_socket(&mut self, connection: ConnectionId) {
        let (socket, at) = self.live(connection);
        self.sockets[at].live = false;
        self.engine.handle(
            self.now,
            connection,
            Event::SocketClosed {
                socket,
                code: Some(1006),
                reason: String::new(),
            },
        );
        self.pump();
    }

    fn advance(&mut self, ms: u64) {
        let until = self.now + ms;
        loop {
            let next = self
                .timers
                .iter()
                .filter(|(_, at)| **at <= until)
                .min_by_key(|(_, at)| **at)
                .map(|(key, at)| (*key, *at));
            let Some(((connection, kind), at)) = next else {
                break;
            };
            self.now = at;
            self.timers.remove(&(connection, kind));
            self.engine
                .handle(self.now, ConnectionId(connection), Event::TimerFired(kind));
            self.pump();
        }
        self.now = until;
    }

    fn subscribe(&mut self, session: SessionId, name: &str) {
        self.engine.subscribe(session, name).unwrap();
        self.pump();
    }

    fn unsubscribe(&mut self, session: SessionId, name: &str) {
        self.engine.unsubscribe(session, name);
        self.pump();
    }

    fn close(&mut self, session: SessionId) {
        self.engine.close(self.now, session);
        self.pump();
    }

    /// Every frame a connection sent, on all its sockets.
    fn sent(&self, connection: ConnectionId) -> Vec<Value> {
        self.sockets
            .iter()
            .filter(|s| s.connection == connection)
            .flat_map(|s| s.sent.iter().cloned())
            .collect()
    }

    fn sent_events(&self, connection: ConnectionId, event: &str) -> Vec<Value> {
        self.sent(connection)
            .into_iter()
            .filter(|f| f["event"] == event)
            .collect()
    }

    fn open_sockets(&self) -> usize {
        self.sockets.iter().filter(|s| s.live).count()
    }

    /// What `session` was told, and forgets it.
    fn take(&mut self, session: SessionId) -> Vec<Message<Value>> {
        let (mine, rest) = self.messages.drain(..).partition(|(s, _)| *s == session);
        self.messages = rest;
        mine.into_iter().map(|(_, m)| m).collect()
    }

    /// The states `session` was told, and the channel events, as short strings.
    fn told(&mut self, session: SessionId) -> Vec<String> {
        self.take(session)
            .into_iter()
            .map(|m| match m {
                Message::State { state, .. } => format!("state {}", state.as_str()),
                Message::Emit(emit) => match emit.target {
                    Target::Channel(name) => format!("{name} {}", emit.event),
                    Target::Connection => format!("connection {}", emit.event),
                    Target::User => format!("user {}", emit.event),
                    Target::Watchlist => format!("watchlist {}", emit.event),
                    Target::Global => format!("global {}", emit.event),
                },
                Message::Members { channel } => format!("{channel} members"),
                Message::Deliver { frame, .. } => format!(
                    "deliver {} {}",
                    frame.channel.unwrap_or_default(),
                    frame.event
                ),
                Message::Authorize { channel, .. } => format!("authorize {channel}"),
                Message::AuthenticateUser { .. } => "authenticate user".into(),
                Message::SignedIn => "signed in".into(),
                Message::Log { .. } => "log".into(),
            })
            .collect()
    }

    fn succeed(&mut self, connection: ConnectionId, channel: &str) {
        self.server(
            connection,
            json!({"event": "pusher_internal:subscription_succeeded", "channel": channel, "data": {}}),
        );
    }

    /// `session` authorizes presence `channel` on socket 1.1 with `channel_data`.
    fn authorize_presence(&mut self, session: SessionId, channel: &str, channel_data: Value) {
        let user_id = channel_data["user_id"].clone();
        let answer = Authorization {
            auth: Some("key:sig".into()),
            channel_data: Some(channel_data.to_string()),
            shared_secret: None,
            user_id: Some((user_id.as_str().unwrap_or_default().into(), user_id)),
        };
        self.engine
            .authorization_done(session, channel, "1.1", Ok(answer));
        self.pump();
    }

    /// `session`'s user authentication answers on socket 1.1 with `user_data`.
    fn authenticate_user(&mut self, session: SessionId, user_data: &str) {
        let answer = UserAuthentication {
            auth: Some("key:sig".into()),
            user_data: Some(user_data.into()),
        };
        self.engine.user_authenticated(session, "1.1", Ok(answer));
        self.pump();
    }

    fn authorize(&mut self, session: SessionId, channel: &str, socket_id: &str) {
        self.engine.authorization_done(
            session,
            channel,
            socket_id,
            Ok(crate::protocol::testing::auth("key:sig")),
        );
        self.pump();
    }
}

const ONE: ConnectionId = ConnectionId(1);
const TWO: ConnectionId = ConnectionId(2);

/// Three shared sessions (tabs) on one connected connection, with nothing told yet.
fn three_tabs() -> Host {
    let mut h = Host::new();
    for s in [A, B, C] {
        h.open(s, true);
    }
    h.establish(ONE, "1.1");
    for s in [A, B, C] {
        h.take(s);
    }
    h
}

// ----- connections -----

#[test]
fn a_pages_session_has_a_connection_of_its_own() {
    let mut h = Host::new();
    h.open(A, false);
    h.open(B, false);
    assert_eq!(h.engine.connection_count(), 2);
    assert_eq!(h.open_sockets(), 2);
    h.establish(ONE, "1.1");
    assert_eq!(h.told(A), ["state connecting", "state connected"]);
    assert_eq!(h.told(B), ["state connecting"]);
}

#[test]
fn shared_sessions_with_equal_options_share_one_socket() {
    let mut h = Host::new();
    h.open(A, true);
    h.open(B, true);
    h.open(C, true);
    assert_eq!(h.engine.connection_count(), 1);
    assert_eq!(h.open_sockets(), 1);
    h.establish(ONE, "1.1");
    for s in [A, B, C] {
        let told = h.take(s);
        assert!(told.contains(&Message::State {
            state: ConnectionState::Connected,
            socket_id: Some("1.1".into())
        }));
    }
}

#[test]
fn other_keys_or_hosts_get_connections_of_their_own() {
    let mut h = Host::new();
    h.open(A, true);
    let other_key = ConnectionOptions::resolve(
        "other-key",
        &UserOptions {
            ws_host: Some("127.0.0.1".into()),
            ws_port: Some(6001),
            force_tls: Some(false),
            ..UserOptions::default()
        },
        false,
    );
    h.open_with(B, other_key, true);
    let mut other_host = options();
    other_host.ws_host = "localhost".into();
    h.open_with(C, other_host, true);
    assert_eq!(h.engine.connection_count(), 3);
    let urls: Vec<&str> = h.sockets.iter().map(|s| s.url.as_str()).collect();
    assert!(urls[1].contains("/app/other-key?") && urls[2].starts_with("ws://localhost:"));
}

#[test]
fn a_session_that_joins_a_connected_connection_is_told_at_once() {
    let mut h = Host::new();
    h.open(A, true);
    h.establish(ONE, "1.1");
    h.open(B, true);
    assert_eq!(h.told(B), ["state connected"]);
    assert_eq!(h.open_sockets(), 1);
}

#[test]
fn every_session_sees_the_same_state_changes_and_errors() {
    let mut h = three_tabs();
    h.drop_socket(ONE);
    for s in [A, B, C] {
        assert_eq!(
            h.told(s),
            [
                "connection error",
                "connection connecting_in",
                "state connecting"
            ]
        );
    }
}

// ----- subscriptions, reference counted -----

#[test]
fn a_channel_is_subscribed_once_and_every_holder_is_told() {
    let mut h = three_tabs();
    h.subscribe(A, "news");
    h.subscribe(B, "news");
    assert_eq!(h.sent_events(ONE, "pusher:subscribe").len(), 1);
    h.succeed(ONE, "news");
    assert_eq!(
        h.told(A),
        [
            "news pusher:subscription_succeeded",
            "deliver news pusher_internal:subscription_succeeded"
        ]
    );
    assert_eq!(
        h.told(B),
        [
            "news pusher:subscription_succeeded",
            "deliver news pusher_internal:subscription_succeeded"
        ]
    );
    assert!(h.told(C).is_empty(), "C holds nothing");
    // C comes later: told at once, with what the server said, and nothing is sent.
    h.subscribe(C, "news");
    assert_eq!(h.told(C), ["news pusher:subscription_succeeded"]);
    assert_eq!(h.sent_events(ONE, "pusher:subscribe").len(), 1);
    // A holder asking again (its page subscribed in a `state_change` callback, before it saw the
    // answer it already had) is not told a second time.
    h.subscribe(A, "news");
    assert!(h.told(A).is_empty(), "{:?}", h.told(A));
    assert_eq!(h.sent_events(ONE, "pusher:subscribe").len(), 1);
}

#[test]
fn events_reach_each_holder_once_and_nobody_else() {
    let mut h = three_tabs();
    h.subscribe(A, "news");
    h.subscribe(B, "news");
    h.succeed(ONE, "news");
    h.take(A);
    h.take(B);
    h.server(
        ONE,
        json!({"event": "created", "channel": "news", "data": {"id": 1}}),
    );
    assert_eq!(h.told(A), ["deliver news created"]);
    assert_eq!(h.told(B), ["deliver news created"]);
    assert!(h.told(C).is_empty());
}

#[test]
fn the_connection_unsubscribes_when_the_last_holder_lets_go() {
    let mut h = three_tabs();
    h.subscribe(A, "news");
    h.subscribe(B, "news");
    h.succeed(ONE, "news");
    h.unsubscribe(A, "news");
    assert!(h.sent_events(ONE, "pusher:unsubscribe").is_empty());
    h.take(A);
    h.take(B);
    h.server(
        ONE,
        json!({"event": "created", "channel": "news", "data": {}}),
    );
    assert_eq!(h.told(B), ["deliver news created"]);
    assert!(h.take(A).is_empty(), "A let go");
    h.unsubscribe(B, "news");
    assert_eq!(
        h.sent_events(ONE, "pusher:unsubscribe"),
        [json!({"event": "pusher:unsubscribe", "data": {"channel": "news"}})]
    );
    assert!(h.engine.connection(ONE).unwrap().channel("news").is_none());
}

#[test]
fn letting_go_while_pending_leaves_it_to_the_core_to_undo() {
    let mut h = three_tabs();
    h.subscribe(A, "news");
    h.unsubscribe(A, "news");
    assert!(h
        .engine
        .connection(ONE)
        .unwrap()
        .channel("news")
        .unwrap()
        .is_cancelled());
    h.succeed(ONE, "news");
    assert_eq!(h.sent_events(ONE, "pusher:unsubscribe").len(), 1);
    // Nobody holds the channel: its frame is only a `message`, for every session.
    assert_eq!(
        h.told(A),
        ["deliver news pusher_internal:subscription_succeeded"]
    );
}

#[test]
fn a_reconnect_resubscribes_once_and_tells_every_holder_again() {
    let mut h = three_tabs();
    h.subscribe(A, "news");
    h.subscribe(B, "news");
    h.succeed(ONE, "news");
    h.drop_socket(ONE);
    h.advance(2_000);
    h.establish(ONE, "1.2");
    let subscribes: Vec<Value> = h.sent_events(ONE, "pusher:subscribe");
    assert_eq!(subscribes.len(), 2, "once per connection");
    h.take(A);
    h.take(B);
    h.succeed(ONE, "news");
    assert_eq!(h.told(A)[0], "news pusher:subscription_succeeded");
    assert_eq!(h.told(B)[0], "news pusher:subscription_succeeded");
}

// ----- attachment -----

#[test]
fn disconnect_detaches_one_session_and_the_others_stay_connected() {
    let mut h = three_tabs();
    h.subscribe(A, "news");
    h.succeed(ONE, "news");
    h.take(A);
    h.engine.disconnect(h.now, A);
    h.pump();
    assert_eq!(h.open_sockets(), 1, "B and C are still attached");
    h.server(
        ONE,
        json!({"event": "created", "channel": "news", "data": {}}),
    );
    assert!(h.take(A).is_empty(), "a detached session hears nothing");
    // The channel is still held: A gets it back with connect().
    h.engine.connect(h.now, A);
    h.pump();
    assert_eq!(
        h.told(A),
        ["state connected", "news pusher:subscription_succeeded"]
    );
    assert_eq!(h.sent_events(ONE, "pusher:subscribe").len(), 1);
}

#[test]
fn the_connection_closes_when_no_session_is_attached() {
    let mut h = three_tabs();
    for s in [A, B, C] {
        h.engine.disconnect(h.now, s);
        h.pump();
    }
    assert_eq!(h.open_sockets(), 0);
    assert_eq!(
        h.engine.connection(ONE).unwrap().state(),
        ConnectionState::Disconnected
    );
    h.engine.connect(h.now, B);
    h.pump();
    assert_eq!(h.open_sockets(), 1);
    assert_eq!(h.told(B), ["state connecting"]);
    assert!(h.take(A).is_empty());
}

// ----- tab lifetime -----

#[test]
fn a_closed_session_releases_what_it_held() {
    let mut h = three_tabs();
    h.subscribe(A, "news");
    h.subscribe(B, "news");
    h.subscribe(A, "sports");
    h.succeed(ONE, "news");
    h.succeed(ONE, "sports");
    h.close(A);
    assert_eq!(
        h.sent_events(ONE, "pusher:unsubscribe"),
        [json!({"event": "pusher:unsubscribe", "data": {"channel": "sports"}})]
    );
}

#[test]
fn the_last_session_leaving_a_shared_connection_leaves_it_open_for_a_while() {
    let mut h = Host::new();
    h.open(A, true);
    h.establish(ONE, "1.1");
    h.close(A);
    assert_eq!(h.open_sockets(), 1, "kept for a reload");
    // A reload: a new session within the linger finds the same connection, connected.
    h.advance(LINGER_MS - 1);
    h.open(B, true);
    assert_eq!(h.told(B), ["state connected"]);
    assert_eq!(h.sockets.len(), 1);
    assert!(!h.timers.contains_key(&(1, TimerKind::Linger)));
    // Gone for good: closed after the linger.
    h.close(B);
    h.advance(LINGER_MS);
    assert_eq!(h.open_sockets(), 0);
    assert_eq!(h.closed, [ONE]);
    assert_eq!(h.engine.connection_count(), 0);
}

#[test]
fn a_pages_own_connection_closes_with_its_session() {
    let mut h = Host::new();
    h.open(A, false);
    h.establish(ONE, "1.1");
    h.close(A);
    assert_eq!(h.open_sockets(), 0);
    assert_eq!(h.closed, [ONE]);
    assert!(h.timers.is_empty());
}

// ----- authorization -----

#[test]
fn one_authorization_per_channel_per_connection_in_a_holding_session() {
    let mut h = three_tabs();
    h.subscribe(B, "private-a");
    h.subscribe(C, "private-a");
    assert_eq!(h.told(B), ["authorize private-a"]);
    assert!(h.told(C).is_empty());
    h.authorize(B, "private-a", "1.1");
    assert_eq!(h.sent_events(ONE, "pusher:subscribe").len(), 1);
    h.succeed(ONE, "private-a");
    h.subscribe(A, "private-a");
    assert_eq!(h.told(A), ["private-a pusher:subscription_succeeded"]);
    assert!(h.told(B).iter().all(|m| !m.starts_with("authorize")));
}

#[test]
fn a_reconnect_reauthorizes_in_a_live_holder() {
    let mut h = three_tabs();
    h.subscribe(B, "private-a");
    h.authorize(B, "private-a", "1.1");
    h.succeed(ONE, "private-a");
    h.subscribe(C, "private-a");
    h.close(B);
    h.take(C);
    h.drop_socket(ONE);
    h.advance(2_000);
    h.establish(ONE, "1.2");
    assert!(h.told(C).contains(&"authorize private-a".to_string()));
}

#[test]
fn an_authorization_whose_session_closes_mid_request_is_asked_of_another() {
    let mut h = three_tabs();
    h.subscribe(A, "private-a");
    h.subscribe(B, "private-a");
    assert_eq!(h.told(A), ["authorize private-a"]);
    h.close(A);
    assert_eq!(h.told(B), ["authorize private-a"]);
    h.authorize(B, "private-a", "1.1");
    assert_eq!(h.sent_events(ONE, "pusher:subscribe").len(), 1);
}

#[test]
fn a_late_answer_from_a_closed_session_is_ignored() {
    let mut h = three_tabs();
    h.subscribe(A, "private-a");
    h.close(A);
    h.authorize(A, "private-a", "1.1");
    assert!(h.sent_events(ONE, "pusher:subscribe").is_empty());
}

// ----- client events -----

#[test]
fn client_events_reach_the_other_holders_with_the_senders_metadata() {
    let mut h = three_tabs();
    for s in [A, B] {
        h.subscribe(s, "presence-room");
    }
    h.authorize_presence(
        A,
        "presence-room",
        json!({"user_id": "u1", "user_info": {"name": "Ann"}}),
    );
    h.server(
        ONE,
        json!({"event": "pusher_internal:subscription_succeeded", "channel": "presence-room",
               "data": {"presence": {"ids": ["u1"], "hash": {"u1": {"name": "Ann"}}, "count": 1}}}),
    );
    for s in [A, B, C] {
        h.take(s);
    }
    let sent = h.engine.trigger(
        h.now,
        A,
        "presence-room",
        "client-typing",
        Some(r#"{"on":true}"#),
    );
    h.pump();
    assert_eq!(sent, Ok(true));
    assert_eq!(h.sent_events(ONE, "client-typing").len(), 1);
    assert!(h.take(A).is_empty(), "not echoed to the sender");
    assert!(h.take(C).is_empty(), "C does not hold the channel");
    let to_b = h.take(B);
    assert_eq!(
        to_b,
        [Message::Deliver {
            frame: Frame {
                event: "client-typing".into(),
                channel: Some("presence-room".into()),
                data: json!({"on": true}),
                user_id: Some("u1".into()),
                raw: Value::Null,
            },
            to_channel: true,
            metadata: Metadata::UserId,
            to_global: true,
            to_user: false,
        }]
    );
}

#[test]
fn a_client_event_that_was_not_sent_reaches_nobody() {
    let mut h = three_tabs();
    h.subscribe(A, "private-a");
    h.subscribe(B, "private-a");
    // Not subscribed yet at the server: sent (the server decides), but no other tab is told.
    h.engine
        .trigger(h.now, A, "private-a", "client-x", None)
        .unwrap();
    h.pump();
    assert!(h.told(B).iter().all(|m| !m.starts_with("deliver")));
    assert_eq!(
        h.engine.trigger(h.now, A, "private-a", "not-client", None),
        Err(TriggerError::NotClientEvent)
    );
}

// ----- presence -----

#[test]
fn a_late_holder_of_a_presence_channel_gets_the_members_first() {
    let mut h = three_tabs();
    h.subscribe(A, "presence-room");
    h.authorize_presence(A, "presence-room", json!({"user_id": "u1"}));
    h.server(
        ONE,
        json!({"event": "pusher_internal:subscription_succeeded", "channel": "presence-room",
               "data": {"presence": {"ids": ["u1", "u2"], "hash": {"u1": {}, "u2": {}}, "count": 2}}}),
    );
    h.subscribe(B, "presence-room");
    let told = h.take(B);
    assert_eq!(
        told,
        [
            Message::Members {
                channel: "presence-room".into()
            },
            Message::Emit(Emit {
                target: Target::Channel("presence-room".into()),
                event: crate::protocol::events::SUBSCRIPTION_SUCCEEDED.into(),
                payload: Payload::Members,
            })
        ]
    );
    let presence = h
        .engine
        .channel(B, "presence-room")
        .unwrap()
        .presence()
        .unwrap();
    assert_eq!(presence.count(), 2);
    h.server(
        ONE,
        json!({"event": "pusher_internal:member_added", "channel": "presence-room",
               "data": {"user_id": "u3", "user_info": {}}}),
    );
    for s in [A, B] {
        let told = h.told(s);
        assert!(
            told.contains(&"presence-room pusher:member_added".to_string()),
            "{told:?}"
        );
    }
}

// ----- liveness and sign-in -----

#[test]
fn a_page_event_checks_every_connection() {
    let mut h = Host::new();
    h.open(A, true);
    h.establish(ONE, "1.1");
    h.open(B, false);
    h.establish(TWO, "2.1");
    h.engine.page_event(h.now, PageEvent::Visible);
    h.pump();
    assert_eq!(h.sent_events(ONE, "pusher:ping").len(), 1);
    assert_eq!(h.sent_events(TWO, "pusher:ping").len(), 1);
}

#[test]
fn sign_in_happens_once_per_connection_and_every_asking_session_is_told() {
    let mut h = three_tabs();
    h.engine.signin(A);
    h.pump();
    h.engine.signin(B);
    h.pump();
    assert_eq!(h.told(A), ["authenticate user"]);
    assert!(h.told(B).is_empty());
    let user_data = json!({"id": "7"}).to_string();
    h.authenticate_user(A, &user_data);
    assert_eq!(h.sent_events(ONE, "pusher:signin").len(), 1);
    h.server(
        ONE,
        json!({"event": "pusher:signin_success", "data": {"user_data": user_data}}),
    );
    assert_eq!(h.told(A)[0], "signed in");
    assert_eq!(h.told(B)[0], "signed in");
    assert!(h.told(C).iter().all(|m| m != "signed in"));
    h.succeed(ONE, "#server-to-user-7");
    for s in [A, B, C] {
        h.take(s);
    }
    h.server(
        ONE,
        json!({"event": "hello", "channel": "#server-to-user-7", "data": {}}),
    );
    assert_eq!(h.told(A), ["deliver #server-to-user-7 hello"]);
    assert_eq!(h.told(B), ["deliver #server-to-user-7 hello"]);
    assert!(h.told(C).is_empty());
    // A session asking later is told at once.
    h.engine.signin(C);
    h.pump();
    assert_eq!(h.told(C), ["signed in"]);
}

#[test]
fn log_lines_go_only_to_sessions_that_log() {
    let mut h = Host::new();
    h.open(A, true);
    h.open(B, true);
    h.engine.set_logging(B, true);
    h.establish(ONE, "1.1");
    h.drop_socket(ONE);
    h.advance(2_000);
    assert!(h.told(A).iter().all(|m| m != "log"));
    assert!(h.told(B).iter().any(|m| m == "log"));
}

#[test]
fn frames_of_a_pages_own_connection_all_reach_its_session() {
    let mut h = Host::new();
    h.open(A, false);
    h.establish(ONE, "1.1");
    h.take(A);
    // A frame for a channel the page does not hold still makes a `message` event.
    h.server(ONE, json!({"event": "late", "channel": "gone", "data": {}}));
    assert_eq!(h.told(A), ["deliver gone late"]);
    let frames = h.sent(ONE);
    assert!(frames
        .iter()
        .all(|f| f != &serde_json::from_str::<Value>(&ClientFrame::ping().0).unwrap()));
    let _ = vec![0];
}

#[test]
fn a_failed_sign_in_is_the_asking_sessions_and_another_session_tries_its_own() {
    let mut h = three_tabs();
    h.engine.signin(A);
    h.pump();
    assert_eq!(h.told(A), ["authenticate user"]);
    let denied = AuthFailure {
        message: "403".into(),
        status: Some(403),
    };
    h.engine.user_authenticated(A, "1.1", Err(denied));
    h.pump();
    assert_eq!(h.told(A), ["user pusher:signin_error"]);
    // B asks after A's attempt failed: it tries with its own options, and its answer is its own.
    h.engine.signin(B);
    h.pump();
    assert_eq!(h.told(B), ["authenticate user"]);
    assert!(h.told(A).is_empty());
    let user_data = json!({"id": "7"}).to_string();
    h.authenticate_user(B, &user_data);
    h.server(
        ONE,
        json!({"event": "pusher:signin_success", "data": {"user_data": user_data}}),
    );
    assert_eq!(h.told(A), ["signed in", "deliver  pusher:signin_success"]);
}

#[test]
fn a_user_authentication_whose_session_closes_is_asked_of_another() {
    let mut h = three_tabs();
    h.engine.signin(A);
    h.pump();
    h.engine.signin(B);
    h.pump();
    assert_eq!(h.told(A), ["authenticate user"]);
    h.close(A);
    assert_eq!(h.told(B), ["authenticate user"]);
}

// ----- connection recovery -----

fn recovery_options() -> ConnectionOptions {
    ConnectionOptions {
        connection_recovery: true,
        ..options()
    }
}

impl Host {
    /// Event number `serial` of `channel`, as protocol 2 sends it.
    fn v2_event(&mut self, connection: ConnectionId, channel: &str, event: &str, serial: u64) {
        self.server(
            connection,
            json!({"event": event, "channel": channel, "data": {"n": serial},
                   "stream_id": "s", "serial": serial, "message_id": format!("m{serial}")}),
        );
    }
}

#[test]
fn the_recovery_option_is_part_of_a_shared_connections_identity() {
    let mut h = Host::new();
    h.open_with(A, recovery_options(), true);
    h.open(B, true);
    h.open_with(C, recovery_options(), true);
    assert_eq!(h.engine.connection_count(), 2);
    let urls: Vec<&str> = h.sockets.iter().map(|s| s.url.as_str()).collect();
    assert!(urls[0].contains("?protocol=2&"), "{}", urls[0]);
    assert!(urls[1].contains("?protocol=7&"), "{}", urls[1]);
}

#[test]
fn replayed_events_reach_every_holder_like_live_ones() {
    let mut h = Host::new();
    for s in [A, B, C] {
        h.open_with(s, recovery_options(), true);
    }
    h.handshake(ONE, "sockudo:connection_established", "1.1");
    h.subscribe(A, "news");
    h.subscribe(B, "news");
    let succeed = |h: &mut Host, serial: u64| {
        h.server(
            ONE,
            json!({"event": "sockudo_internal:subscription_succeeded", "channel": "news",
                   "data": {}, "stream_id": "s", "serial": serial}),
        );
    };
    succeed(&mut h, 0);
    h.v2_event(ONE, "news", "created", 1);
    h.drop_socket(ONE);
    h.advance(2_000);
    h.handshake(ONE, "sockudo:connection_established", "1.2");
    for s in [A, B, C] {
        h.take(s);
    }
    succeed(&mut h, 3);
    assert_eq!(
        h.sent_events(ONE, "pusher:resume")[0]["data"]["channel_positions"]["news"]["serial"],
        1
    );
    for serial in [2, 3] {
        h.v2_event(ONE, "news", "created", serial);
    }
    h.server(
        ONE,
        json!({"event": "sockudo:resume_success",
               "data": {"recovered": [{"channel": "news"}], "failed": []}}),
    );
    let expected = [
        "news pusher:subscription_succeeded",
        "deliver news pusher_internal:subscription_succeeded",
        "news pusher-wasm:resumed",
        "deliver news created",
        "deliver news created",
    ];
    assert_eq!(h.told(A), expected);
    assert_eq!(h.told(B), expected);
    assert!(h.told(C).is_empty(), "C holds nothing");
}
