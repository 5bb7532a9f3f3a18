//! Log lines, rendered only for sessions whose page logs (`Pusher.log` or `Pusher.logToConsole`).

use alloc::string::String;

use crate::protocol::{push_json_string as push_string, push_u64, LogLine};

/// One part of a log line: text (written as a JSON string) or JSON written as it is.
pub enum Part<'a> {
    /// A string.
    Text(&'a str),
    /// A JSON value's text.
    Json(&'a str),
}

/// A log line's text: the JSON array of its parts (the facade writes `Pusher :  : ` before it).
pub fn render(line: &LogLine) -> String {
    let mut out = String::new();
    render_into(line, &mut out);
    out
}

/// A line made of parts, as [`render`] writes one.
pub fn render_parts(parts: &[Part]) -> String {
    let mut out = String::new();
    write_parts(&mut out, parts);
    out
}

/// pusher-js 8.6.0's Logger writes `Pusher :  : ` and then its arguments as a JSON array
/// (`Pusher :  : ["State changed","connecting -> connected"]`); the line is built the same way.
fn write_parts(out: &mut String, parts: &[Part]) {
    out.push('[');
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match part {
            Part::Text(text) => push_string(out, text),
            Part::Json(json) => out.push_str(json),
        }
    }
    out.push(']');
}

fn render_into(line: &LogLine, out: &mut String) {
    let mut detail = String::new();
    let label = match line {
        LogLine::Connecting { url } => {
            detail.push_str(r#"{"transport":"ws","url":"#);
            push_string(&mut detail, url);
            detail.push('}');
            return write_parts(out, &[Part::Text("Connecting"), Part::Json(&detail)]);
        }
        LogLine::Sent(json) => {
            return write_parts(out, &[Part::Text("Event sent"), Part::Json(json)])
        }
        LogLine::Reconnecting { delay_ms } => {
            detail.push_str("in ");
            push_u64(&mut detail, *delay_ms);
            detail.push_str(" ms");
            "Reconnecting"
        }
        LogLine::PongTimedOut => "No answer to a ping within the pong timeout: reconnecting",
        LogLine::AttemptTimedOut => "Connection attempt timed out: retrying",
        LogLine::Refused { code } => {
            detail.push_str("code ");
            match code {
                Some(code) => push_u64(&mut detail, u64::from(*code)),
                None => detail.push_str("none"),
            }
            detail.push_str(": not reconnecting");
            "Connection refused by the server"
        }
        LogLine::ClientEventBeforeSubscribed { channel } => {
            detail.push_str(channel);
            "Client event triggered before channel 'subscription_succeeded' event"
        }
        LogLine::DuplicateSubscription { channel } => {
            detail.push_str(channel);
            "Ignored a second subscription_succeeded"
        }
        LogLine::UnusualChannelName { channel } => {
            detail.push_str(channel);
            "Channel name has characters outside A-Za-z0-9_-=@,.; and may be refused"
        }
        LogLine::LivenessCheck => "Checking the connection after a wake-up or network change",
        LogLine::AuthFailed { channel, message } => {
            detail.push_str(channel);
            detail.push_str(": ");
            detail.push_str(message);
            "Authorization failed"
        }
        LogLine::SigninFailed { message } => {
            detail.push_str(message);
            "Error during signin"
        }
        LogLine::DroppedEncrypted { channel, reason } => {
            detail.push_str(channel);
            detail.push_str(": ");
            detail.push_str(reason);
            "Dropped an encrypted event"
        }
        LogLine::RateLimited { channel, event } => {
            detail.push_str(event);
            detail.push_str(" on ");
            detail.push_str(channel);
            "Client event not sent: over the rate limit"
        }
        LogLine::RecoveryProtocolRefused => {
            "The server refused protocol 2: connecting with protocol 7, without connection recovery"
        }
        LogLine::NotRecovered { channel, reason } => {
            detail.push_str(channel);
            detail.push_str(": ");
            detail.push_str(reason);
            "Not recovered: the channel goes on from its new subscription"
        }
    };
    if detail.is_empty() {
        write_parts(out, &[Part::Text(label)]);
    } else {
        write_parts(out, &[Part::Text(label), Part::Text(&detail)]);
    }
}
