//! The close-code policy: what a WebSocket close code (or a `pusher:error` code) asks the client
//! to do next. The ranges are those of the Pusher protocol and of pusher-js 8.6.0.

/// What to do after the server closed the connection (or refused it with `pusher:error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseAction {
    /// 1000–3999 (but 1002–1004): an ordinary close. Reconnect after the usual backoff.
    Reconnect,
    /// 1002–1004 (protocol errors) and 4100–4199 (over capacity): reconnect, but wait at least
    /// a second.
    Backoff,
    /// 4200–4299: the server asks for a reconnect. Do it at once (then back off if it repeats).
    RetryNow,
    /// 4000: the app only accepts TLS. Switch to `wss:` and reconnect at once.
    UseTls,
    /// 4001–4099 (app missing or disabled, over quota, bad path or version, unauthorized) and
    /// any code from 4300 up: go `disconnected` and do not retry.
    Refuse,
}

/// The action for a close or error code. `None` (no code at all) counts as an ordinary close.
pub fn close_action(code: Option<u16>) -> CloseAction {
    match code {
        None => CloseAction::Reconnect,
        Some(1002..=1004) => CloseAction::Backoff,
        Some(0..=3999) => CloseAction::Reconnect,
        Some(4000) => CloseAction::UseTls,
        Some(4001..=4099) => CloseAction::Refuse,
        Some(4100..=4199) => CloseAction::Backoff,
        Some(4200..=4299) => CloseAction::RetryNow,
        Some(_) => CloseAction::Refuse,
    }
}

/// The action for a close (or `pusher:error`) that ends a handshake: as [`close_action`], but an
/// ordinary close backs off, since a server that drops a handshake is not ready (pusher-js's
/// `getCloseAction(…) || 'backoff'`).
pub fn handshake_close_action(code: Option<u16>) -> CloseAction {
    match close_action(code) {
        CloseAction::Reconnect => CloseAction::Backoff,
        action => action,
    }
}

/// Whether a close with this code is reported as an `error` event. Like pusher-js, every code
/// but 1000 (normal) and 1001 (going away) is.
pub fn close_is_error(code: Option<u16>) -> bool {
    !matches!(code, Some(1000) | Some(1001))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_range_of_the_protocol_table() {
        let table: &[(u16, CloseAction)] = &[
            (1000, CloseAction::Reconnect),
            (1001, CloseAction::Reconnect),
            (1002, CloseAction::Backoff),
            (1003, CloseAction::Backoff),
            (1004, CloseAction::Backoff),
            (1005, CloseAction::Reconnect),
            (1006, CloseAction::Reconnect),
            (1011, CloseAction::Reconnect),
            (3999, CloseAction::Reconnect),
            (4000, CloseAction::UseTls),
            (4001, CloseAction::Refuse),
            (4003, CloseAction::Refuse),
            (4004, CloseAction::Refuse),
            (4005, CloseAction::Refuse),
            (4009, CloseAction::Refuse),
            (4099, CloseAction::Refuse),
            (4100, CloseAction::Backoff),
            (4199, CloseAction::Backoff),
            (4200, CloseAction::RetryNow),
            (4201, CloseAction::RetryNow),
            (4202, CloseAction::RetryNow),
            (4299, CloseAction::RetryNow),
            (4300, CloseAction::Refuse),
            (4301, CloseAction::Refuse),
            (4302, CloseAction::Refuse),
            (4999, CloseAction::Refuse),
        ];
        for &(code, action) in table {
            assert_eq!(close_action(Some(code)), action, "code {code}");
        }
        assert_eq!(close_action(None), CloseAction::Reconnect);
    }

    #[test]
    fn a_handshake_that_ends_normally_backs_off() {
        assert_eq!(handshake_close_action(Some(1006)), CloseAction::Backoff);
        assert_eq!(handshake_close_action(None), CloseAction::Backoff);
        assert_eq!(handshake_close_action(Some(4001)), CloseAction::Refuse);
        assert_eq!(handshake_close_action(Some(4200)), CloseAction::RetryNow);
    }

    #[test]
    fn normal_and_going_away_are_not_errors() {
        assert!(!close_is_error(Some(1000)));
        assert!(!close_is_error(Some(1001)));
        for code in [1002, 1005, 1006, 4000, 4001, 4200, 4301] {
            assert!(close_is_error(Some(code)), "code {code}");
        }
        assert!(close_is_error(None));
    }
}
