//! Protocol frames: what the server sends (already parsed by the host) and what the client
//! writes (JSON text built here).

use alloc::string::String;

use super::json::{push_string, push_u64};
use super::recovery::Position;

/// A frame received from the server, decoded by the host.
///
/// The host parses the text with `JSON.parse`, then parses `data` again when it is a string that
/// holds JSON (the protocol double-encodes it), exactly as pusher-js does. A frame that is not
/// JSON, or has no string `event`, never becomes a `Frame`: it is reported as undecodable.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame<V> {
    /// The event name, e.g. `pusher:connection_established` or `my-event`.
    pub event: String,
    /// The channel the event belongs to, when it has one.
    pub channel: Option<String>,
    /// The payload: parsed JSON when it parsed, else the string itself, or undefined when absent.
    pub data: V,
    /// The sender of a client event on a presence channel, when the server says who it was.
    pub user_id: Option<String>,
    /// The frame as the host decoded it (in the browser, the parsed object, whose `event`,
    /// `channel` and `user_id` the page reads there instead of copies made through wasm
    /// memory), or undefined for a frame the engine made itself (another session's client event).
    pub raw: V,
}

/// A frame the client sends, as JSON text.
///
/// Field order and shape follow pusher-js's `JSON.stringify({event, data, channel})`, so a server
/// sees the same bytes from either client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientFrame(pub String);

impl ClientFrame {
    /// `pusher:ping`, sent when the connection has been quiet for the activity timeout.
    pub fn ping() -> ClientFrame {
        ClientFrame(String::from(r#"{"event":"pusher:ping","data":{}}"#))
    }

    /// `pusher:pong`, the answer to the server's `pusher:ping`.
    pub fn pong() -> ClientFrame {
        ClientFrame(String::from(r#"{"event":"pusher:pong","data":{}}"#))
    }

    /// `pusher:subscribe {auth, channel_data?, channel}`. Public channels send `auth: ""`.
    pub fn subscribe(channel: &str, auth: &str, channel_data: Option<&str>) -> ClientFrame {
        let mut text = String::with_capacity(64 + channel.len() + auth.len());
        text.push_str(r#"{"event":"pusher:subscribe","data":{"auth":"#);
        push_string(&mut text, auth);
        if let Some(channel_data) = channel_data {
            text.push_str(r#","channel_data":"#);
            push_string(&mut text, channel_data);
        }
        text.push_str(r#","channel":"#);
        push_string(&mut text, channel);
        text.push_str("}}");
        ClientFrame(text)
    }

    /// `pusher:signin {auth, user_data}`.
    pub fn signin(auth: &str, user_data: &str) -> ClientFrame {
        let mut text = String::with_capacity(64 + auth.len() + user_data.len());
        text.push_str(r#"{"event":"pusher:signin","data":{"auth":"#);
        push_string(&mut text, auth);
        text.push_str(r#","user_data":"#);
        push_string(&mut text, user_data);
        text.push_str("}}");
        ClientFrame(text)
    }

    /// `pusher:unsubscribe {channel}`.
    pub fn unsubscribe(channel: &str) -> ClientFrame {
        let mut text = String::with_capacity(48 + channel.len());
        text.push_str(r#"{"event":"pusher:unsubscribe","data":{"channel":"#);
        push_string(&mut text, channel);
        text.push_str("}}");
        ClientFrame(text)
    }

    /// `pusher:resume {channel_positions: {name: {stream_id?, serial, last_message_id?}}}`: sockudo's
    /// connection recovery, asking for what each channel missed after its position.
    pub fn resume<'a>(positions: impl Iterator<Item = (&'a str, &'a Position)>) -> ClientFrame {
        let mut text = String::from(r#"{"event":"pusher:resume","data":{"channel_positions":{"#);
        for (i, (channel, position)) in positions.enumerate() {
            if i > 0 {
                text.push(',');
            }
            push_string(&mut text, channel);
            text.push_str(":{");
            if let Some(stream_id) = &position.stream_id {
                text.push_str(r#""stream_id":"#);
                push_string(&mut text, stream_id);
                text.push(',');
            }
            text.push_str(r#""serial":"#);
            push_u64(&mut text, position.serial);
            if let Some(message_id) = &position.message_id {
                text.push_str(r#","last_message_id":"#);
                push_string(&mut text, message_id);
            }
            text.push('}');
        }
        text.push_str("}}}");
        ClientFrame(text)
    }

    /// Any event: `{event, data?, channel?}`. `data_json` is the payload already serialised by
    /// the host's `JSON.stringify`; `None` (undefined, a function) leaves `data` out, as
    /// `JSON.stringify` does.
    pub fn event(event: &str, data_json: Option<&str>, channel: Option<&str>) -> ClientFrame {
        let data_len = data_json.map_or(0, str::len);
        let mut text = String::with_capacity(32 + event.len() + data_len);
        text.push_str(r#"{"event":"#);
        push_string(&mut text, event);
        if let Some(data_json) = data_json {
            text.push_str(r#","data":"#);
            text.push_str(data_json);
        }
        if let Some(channel) = channel {
            text.push_str(r#","channel":"#);
            push_string(&mut text, channel);
        }
        text.push('}');
        ClientFrame(text)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_frames_are_those_pusher_js_sends() {
        assert_eq!(
            ClientFrame::subscribe("my-channel", "", None).as_str(),
            r#"{"event":"pusher:subscribe","data":{"auth":"","channel":"my-channel"}}"#
        );
        assert_eq!(
            ClientFrame::subscribe("presence-room", "key:sig", Some(r#"{"user_id":"1"}"#)).as_str(),
            r#"{"event":"pusher:subscribe","data":{"auth":"key:sig","channel_data":"{\"user_id\":\"1\"}","channel":"presence-room"}}"#
        );
    }

    #[test]
    fn signin_frame() {
        assert_eq!(
            ClientFrame::signin("k:sig", r#"{"id":"1"}"#).as_str(),
            r#"{"event":"pusher:signin","data":{"auth":"k:sig","user_data":"{\"id\":\"1\"}"}}"#
        );
    }

    #[test]
    fn unsubscribe_ping_and_pong() {
        assert_eq!(
            ClientFrame::unsubscribe("a").as_str(),
            r#"{"event":"pusher:unsubscribe","data":{"channel":"a"}}"#
        );
        assert_eq!(
            ClientFrame::ping().as_str(),
            r#"{"event":"pusher:ping","data":{}}"#
        );
        assert_eq!(
            ClientFrame::pong().as_str(),
            r#"{"event":"pusher:pong","data":{}}"#
        );
    }

    #[test]
    fn events_with_and_without_data_and_channel() {
        assert_eq!(
            ClientFrame::event("client-typing", Some(r#"{"a":1}"#), Some("private-c")).as_str(),
            r#"{"event":"client-typing","data":{"a":1},"channel":"private-c"}"#
        );
        assert_eq!(
            ClientFrame::event("x", None, None).as_str(),
            r#"{"event":"x"}"#
        );
    }

    #[test]
    fn resume_frame() {
        let full = Position {
            stream_id: Some("s-1".into()),
            serial: 42,
            message_id: Some("m\"1".into()),
        };
        let bare = Position {
            stream_id: None,
            serial: 0,
            message_id: None,
        };
        let frame = ClientFrame::resume([("a", &full), ("b\\", &bare)].into_iter());
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(frame.as_str()).unwrap(),
            serde_json::json!({"event": "pusher:resume", "data": {"channel_positions": {
                "a": {"stream_id": "s-1", "serial": 42, "last_message_id": "m\"1"},
                "b\\": {"serial": 0},
            }}})
        );
    }

    #[test]
    fn every_frame_is_valid_json() {
        let frames = [
            ClientFrame::subscribe("we\"ird\\name", "a\nb", Some("{}")),
            ClientFrame::unsubscribe("é"),
            ClientFrame::event("e\u{1}", Some("[1,2]"), Some("c")),
        ];
        for frame in frames {
            serde_json::from_str::<serde_json::Value>(frame.as_str())
                .unwrap_or_else(|e| panic!("{}: {e}", frame.as_str()));
        }
    }
}
