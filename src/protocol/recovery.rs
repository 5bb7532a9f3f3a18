//! sockudo's connection recovery (its protocol 2): where each channel's stream stands, and the
//! events held back while a resume is answered.
//!
//! On protocol 2 every event a channel broadcasts carries `stream_id` (which changes only when the
//! server lost the channel's history), `serial` (one more for each event of the channel) and
//! `message_id`. A client that remembers the last of them can ask, after a reconnect, for what
//! came after (`pusher:resume`): the server replays it from a bounded buffer while the live events
//! of the new subscription already flow, some of them twice. [`Held`] puts both back in order,
//! each once. The client's side of it (asking for protocol 2, the resume, the fallbacks) is
//! `client/recovery.rs`.

use alloc::string::String;
use alloc::vec::Vec;

use super::frame::Frame;
use super::value::HostValue;

/// The largest serial a JSON number holds exactly (2^53 − 1): a larger one cannot be compared.
const MAX_SERIAL: f64 = 9_007_199_254_740_991.0;

/// The fields protocol 2 adds to a frame, which protocol 7 does not have.
const RECOVERY_FIELDS: [&str; 3] = ["serial", "stream_id", "message_id"];

/// One event's place in its channel's stream, or where a subscription started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The channel's stream: serials continue only within one.
    pub stream_id: Option<String>,
    /// The event's number in the stream.
    pub serial: u64,
    /// The event's id (`last_message_id` in a resume).
    pub message_id: Option<String>,
}

impl Position {
    /// Takes the recovery fields out of a frame as the host decoded it (so that what is left is
    /// what protocol 7 would have sent), and returns its position: none without a `serial` that
    /// is a whole number from 0 to 2^53 − 1.
    pub fn take<V: HostValue>(raw: &mut V) -> Option<Position> {
        let serial = raw.number_field("serial");
        let stream_id = raw.string_field("stream_id");
        let message_id = raw.string_field("message_id");
        for field in RECOVERY_FIELDS {
            raw.remove_field(field);
        }
        let serial = serial.filter(|s| (0.0..=MAX_SERIAL).contains(s))?;
        let whole = serial as u64;
        (whole as f64 == serial).then_some(Position {
            stream_id,
            serial: whole,
            message_id,
        })
    }

    /// Whether `other` is the same place in the same stream (whatever the event there).
    pub fn is_at(&self, other: &Position) -> bool {
        self.serial == other.serial && self.stream_id == other.stream_id
    }

    /// Whether an event at this position comes after one at `last`, and so was not delivered
    /// yet: it is of another stream, or later in the same one and not the same event.
    pub fn is_after(&self, last: &Position) -> bool {
        if self.stream_id != last.stream_id {
            return true;
        }
        self.serial > last.serial
            && (self.message_id.is_none() || self.message_id != last.message_id)
    }
}

/// Turns a protocol-2 event name back into protocol 7's (`sockudo:x` → `pusher:x`,
/// `sockudo_internal:x` → `pusher_internal:x`), in the frame as the host decoded it too, where the
/// page reads the name. Returns whether it renamed anything.
pub fn normalise<V: HostValue>(frame: &mut Frame<V>) -> bool {
    let (prefix, rest) = if let Some(rest) = frame.event.strip_prefix("sockudo:") {
        ("pusher:", rest)
    } else if let Some(rest) = frame.event.strip_prefix("sockudo_internal:") {
        ("pusher_internal:", rest)
    } else {
        return false;
    };
    let mut name = String::with_capacity(prefix.len() + rest.len());
    name.push_str(prefix);
    name.push_str(rest);
    frame.raw.set_field("event", V::from_string(&name));
    frame.event = name;
    true
}

/// Events of one channel held back while its resume is answered, in serial order, each serial
/// once.
#[derive(Clone, Debug)]
pub struct Held<V> {
    events: Vec<(Position, Frame<V>)>,
}

impl<V> Default for Held<V> {
    fn default() -> Self {
        Held { events: Vec::new() }
    }
}

impl<V> Held<V> {
    /// Keeps `frame` in its place by serial. A second copy of an event (the serial of one already
    /// held) is dropped: returns whether it was kept.
    pub fn hold(&mut self, position: Position, frame: Frame<V>) -> bool {
        let at = self
            .events
            .partition_point(|(held, _)| held.serial < position.serial);
        if self
            .events
            .get(at)
            .is_some_and(|(held, _)| held.serial == position.serial)
        {
            return false;
        }
        self.events.insert(at, (position, frame));
        true
    }

    /// How many events are held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// The held events, in serial order.
    pub fn into_events(self) -> Vec<(Position, Frame<V>)> {
        self.events
    }
}

/// How far a channel's resume after a reconnect has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Subscribed again on the new connection, not confirmed yet.
    Subscribing,
    /// Confirmed, waiting to go in the next `pusher:resume`.
    Queued,
    /// Asked for in the `pusher:resume` in flight.
    Sent,
}

/// A channel's resume after a reconnect, until the server answers it.
#[derive(Clone, Debug)]
pub struct Resume<V> {
    /// How far it got.
    pub stage: Stage,
    /// Where the new subscription started (its `subscription_succeeded`): where the channel
    /// goes on from when the resume fails.
    pub start: Option<Position>,
    /// `pusher-wasm:resumed`'s `gapMs`, measured when the new subscription was confirmed.
    pub gap_ms: u64,
    /// The channel's events meanwhile, live and replayed.
    pub held: Held<V>,
}

impl<V> Resume<V> {
    /// A resume that starts with the channel's new subscription.
    pub fn new() -> Resume<V> {
        Resume {
            stage: Stage::Subscribing,
            start: None,
            gap_ms: 0,
            held: Held::default(),
        }
    }
}

/// How many of its own client events a channel remembers (see [`ChannelRecovery::sent`]).
const MAX_SENT: usize = 32;

/// How long a client event sent is remembered once the channel receives a newer event: longer
/// than any round trip, after which the event is behind the channel's position.
const SENT_MS: u64 = 10_000;

/// A client event this client sent: when, its name, and its data's JSON.
type Sent = (u64, String, Option<String>);

/// What a channel keeps for recovery (boxed in its registry entry: only with the option on).
#[derive(Clone, Debug)]
pub struct ChannelRecovery<V> {
    /// The last event delivered, or where the subscription started: where a resume asks from.
    pub position: Option<Position>,
    /// The resume under way after a reconnect.
    pub resume: Option<Resume<V>>,
    /// The client events this client sent lately (at most [`MAX_SENT`]). The server never sends
    /// a client's own client events back, but numbers them: a replay from a position before them
    /// would (sockudo does not remember whom an event excluded), so the replay's copies of them
    /// are dropped.
    pub sent: Vec<Sent>,
}

impl<V: HostValue> ChannelRecovery<V> {
    /// Remembers a client event this client sent at `now`.
    pub fn sent(&mut self, now: u64, event: &str, data_json: Option<&str>) {
        if self.sent.len() == MAX_SENT {
            self.sent.remove(0);
        }
        self.sent
            .push((now, String::from(event), data_json.map(String::from)));
    }

    /// A live event came at `now`: the client events sent well before it are behind it.
    pub fn received(&mut self, now: u64) {
        if !self.sent.is_empty() {
            self.sent
                .retain(|(at, _, _)| now.saturating_sub(*at) < SENT_MS);
        }
    }

    /// Whether `frame` is a replayed copy of a client event this client sent (forgotten then:
    /// each is dropped once).
    pub fn is_own(&mut self, frame: &Frame<V>) -> bool {
        if self.sent.is_empty() || !frame.event.starts_with("client-") {
            return false;
        }
        let data = frame.data.to_json();
        let own = self
            .sent
            .iter()
            .position(|(_, event, json)| *event == frame.event && *json == data);
        own.map(|at| self.sent.remove(at)).is_some()
    }

    /// Whether an event at `position` was not delivered yet: it comes after the channel's
    /// position, or the channel has none.
    pub fn is_new(&self, position: &Position) -> bool {
        self.position
            .as_ref()
            .is_none_or(|last| position.is_after(last))
    }

    /// Moves the channel's position on to an event at `position`, if it is new: returns whether
    /// it was (a copy of an event already delivered is not delivered again).
    pub fn advance(&mut self, position: Position) -> bool {
        let new = self.is_new(&position);
        if new {
            self.position = Some(position);
        }
        new
    }
}

impl<V> Default for ChannelRecovery<V> {
    fn default() -> Self {
        ChannelRecovery {
            position: None,
            resume: None,
            sent: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::string::ToString;

    fn at(serial: u64) -> Position {
        Position {
            stream_id: Some("s".into()),
            serial,
            message_id: Some(serial.to_string()),
        }
    }

    fn frame(serial: u64) -> Frame<Value> {
        Frame {
            event: "e".into(),
            channel: Some("c".into()),
            data: json!(serial),
            user_id: None,
            raw: Value::Null,
        }
    }

    #[test]
    fn take_reads_and_strips_the_fields() {
        let mut raw = json!({"event": "e", "channel": "c", "data": "{}", "serial": 7, "stream_id": "s", "message_id": "m"});
        let position = Position::take(&mut raw).unwrap();
        assert_eq!(position.serial, 7);
        assert_eq!(position.stream_id.as_deref(), Some("s"));
        assert_eq!(position.message_id.as_deref(), Some("m"));
        assert_eq!(raw, json!({"event": "e", "channel": "c", "data": "{}"}));
    }

    #[test]
    fn bad_serials_are_no_position() {
        for serial in [
            json!(-1),
            json!(1.5),
            json!(1e300),
            json!(9_007_199_254_740_992u64),
            json!("3"),
            json!(null),
            json!({}),
        ] {
            let mut raw = json!({"event": "e", "serial": serial, "message_id": 4});
            assert_eq!(Position::take(&mut raw), None, "{serial}");
            assert_eq!(raw, json!({"event": "e"}));
        }
        let mut raw = json!({"serial": 9_007_199_254_740_991u64});
        assert_eq!(
            Position::take(&mut raw).unwrap().serial,
            9_007_199_254_740_991
        );
    }

    #[test]
    fn protocol_2_names_become_protocol_7_names() {
        for (wire, page) in [
            (
                "sockudo:connection_established",
                "pusher:connection_established",
            ),
            (
                "sockudo_internal:subscription_succeeded",
                "pusher_internal:subscription_succeeded",
            ),
            ("sockudo:resume_success", "pusher:resume_success"),
        ] {
            let mut frame = Frame {
                event: wire.into(),
                channel: None,
                data: Value::Null,
                user_id: None,
                raw: json!({"event": wire}),
            };
            assert!(normalise(&mut frame));
            assert_eq!(frame.event, page);
            assert_eq!(frame.raw, json!({"event": page}));
        }
        let mut frame = frame(1);
        assert!(!normalise(&mut frame));
        assert_eq!(frame.event, "e");
    }

    #[test]
    fn after_means_another_stream_or_a_later_serial() {
        assert!(at(2).is_after(&at(1)));
        assert!(!at(1).is_after(&at(1)));
        assert!(!at(0).is_after(&at(1)));
        let other = Position {
            stream_id: Some("t".into()),
            ..at(0)
        };
        assert!(other.is_after(&at(5)));
        let same_id = Position {
            message_id: Some("1".into()),
            ..at(2)
        };
        assert!(!same_id.is_after(&at(1)));
    }

    #[test]
    fn held_events_come_out_in_order_once() {
        let mut held = Held::default();
        for serial in [5, 3, 4, 3, 6, 5, 1, 2] {
            held.hold(at(serial), frame(serial));
        }
        assert_eq!(held.len(), 6);
        let mut channel: ChannelRecovery<Value> = ChannelRecovery {
            position: Some(at(2)),
            ..ChannelRecovery::default()
        };
        let out: Vec<u64> = held
            .into_events()
            .into_iter()
            .filter(|(p, _)| channel.advance(p.clone()))
            .map(|(p, _)| p.serial)
            .collect();
        assert_eq!(out, [3, 4, 5, 6]);
    }

    #[test]
    fn a_copy_with_the_last_message_id_is_not_delivered_again() {
        let mut channel: ChannelRecovery<Value> = ChannelRecovery::default();
        assert!(channel.advance(at(3)));
        let renumbered = Position { serial: 9, ..at(3) };
        assert!(!channel.advance(renumbered));
        assert!(!channel.advance(at(2)));
        assert!(channel.advance(at(4)));
    }

    #[test]
    fn own_client_events_are_recognised_once_and_forgotten_when_old() {
        let mut channel: ChannelRecovery<Value> = ChannelRecovery::default();
        channel.sent(1_000, "client-typing", Some(r#"{"who":"me"}"#));
        channel.sent(1_000, "client-typing", Some(r#"{"who":"me"}"#));
        let own = Frame {
            event: "client-typing".into(),
            data: json!({"who": "me"}),
            ..frame(1)
        };
        let theirs = Frame {
            data: json!({"who": "them"}),
            ..own.clone()
        };
        assert!(!channel.is_own(&theirs));
        assert!(channel.is_own(&own));
        assert!(channel.is_own(&own));
        assert!(!channel.is_own(&own), "each once");
        channel.sent(2_000, "client-a", None);
        channel.received(11_999);
        assert_eq!(channel.sent.len(), 1);
        channel.received(12_000);
        assert!(channel.sent.is_empty());
        for i in 0..40 {
            channel.sent(i, "client-a", None);
        }
        assert_eq!(channel.sent.len(), MAX_SENT);
    }
}
