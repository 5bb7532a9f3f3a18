//! Log lines, rendered only when `Pusher.log` or `Pusher.logToConsole` is set.

use alloc::string::String;

use crate::core::{push_u64, LogLevel, LogLine};

use super::js::{log_enabled, write_log};

/// Writes a log line if logging is on.
pub fn log(level: LogLevel, line: &LogLine) {
    if log_enabled() {
        write_log(level_number(level), &render(line));
    }
}

/// Writes a line made of parts if logging is on; the parts are only joined then.
pub fn log_parts(level: LogLevel, parts: &[&str]) {
    if log_enabled() {
        let mut line = String::new();
        for part in parts {
            line.push_str(part);
        }
        write_log(level_number(level), &line);
    }
}

fn level_number(level: LogLevel) -> u8 {
    match level {
        LogLevel::Debug => 0,
        LogLevel::Warn => 1,
        LogLevel::Error => 2,
    }
}

fn render(line: &LogLine) -> String {
    let mut out = String::new();
    match line {
        LogLine::StateChanged {
            previous,
            current,
            socket_id,
        } => {
            out.push_str("State changed : ");
            out.push_str(previous.as_str());
            out.push_str(" -> ");
            out.push_str(current.as_str());
            if let Some(socket_id) = socket_id {
                out.push_str(" with new socket ID ");
                out.push_str(socket_id);
            }
        }
        LogLine::Sent(json) => {
            out.push_str("Event sent : ");
            out.push_str(json);
        }
        LogLine::Reconnecting { delay_ms } => {
            out.push_str("Reconnecting in ");
            push_u64(&mut out, *delay_ms);
            out.push_str(" ms");
        }
        LogLine::PongTimedOut => {
            out.push_str("No answer to a ping within the pong timeout : reconnecting")
        }
        LogLine::AttemptTimedOut => out.push_str("Connection attempt timed out : retrying"),
        LogLine::Refused { code } => {
            out.push_str("Connection refused by the server");
            if let Some(code) = code {
                out.push_str(" with code ");
                push_u64(&mut out, u64::from(*code));
            }
            out.push_str(" : not reconnecting");
        }
        LogLine::ClientEventBeforeSubscribed { channel } => {
            out.push_str("Client event triggered before channel 'subscription_succeeded' event : ");
            out.push_str(channel);
        }
        LogLine::DuplicateSubscription { channel } => {
            out.push_str("Ignored a second subscription_succeeded for ");
            out.push_str(channel);
        }
        LogLine::UnusualChannelName { channel } => {
            out.push_str("Channel name '");
            out.push_str(channel);
            out.push_str("' has characters outside A-Za-z0-9_-=@,.; and may be refused");
        }
        LogLine::LivenessCheck => {
            out.push_str("Checking the connection after a wake-up or network change")
        }
    }
    out
}
