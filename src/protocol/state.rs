//! The connection states, with the names pusher-js gives them.

/// The state of the connection, as `pusher.connection.state` reports it.
///
/// - `Initialized`: created, never connected (only before the first `connect`).
/// - `Connecting`: a connection is being established (including waiting between attempts).
/// - `Connected`: the handshake is done; channels can be subscribed.
/// - `Unavailable`: still trying after `unavailableTimeout`; the network or server is down.
/// - `Failed`: the browser has no `WebSocket` at all. A network outage never leads here.
/// - `Disconnected`: after `disconnect()` or when the server refused the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    /// Created, never connected.
    Initialized,
    /// Establishing a connection.
    Connecting,
    /// Handshake done.
    Connected,
    /// Still trying after `unavailableTimeout`.
    Unavailable,
    /// No `WebSocket` support.
    Failed,
    /// Disconnected on request or after a refusal.
    Disconnected,
}

impl ConnectionState {
    /// Every state.
    pub const ALL: [ConnectionState; 6] = [
        ConnectionState::Initialized,
        ConnectionState::Connecting,
        ConnectionState::Connected,
        ConnectionState::Unavailable,
        ConnectionState::Failed,
        ConnectionState::Disconnected,
    ];

    /// The state's name, which is also the name of the event emitted on entering it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Initialized => "initialized",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Unavailable => "unavailable",
            ConnectionState::Failed => "failed",
            ConnectionState::Disconnected => "disconnected",
        }
    }

    /// Whether the client is trying to (re)connect in this state.
    pub fn is_trying(self) -> bool {
        matches!(
            self,
            ConnectionState::Connecting | ConnectionState::Unavailable
        )
    }
}

#[cfg(test)]
mod tests {
    use super::ConnectionState::*;

    #[test]
    fn names_match_pusher_js() {
        let names: [&str; 6] = [
            Initialized.as_str(),
            Connecting.as_str(),
            Connected.as_str(),
            Unavailable.as_str(),
            Failed.as_str(),
            Disconnected.as_str(),
        ];
        assert_eq!(
            names,
            [
                "initialized",
                "connecting",
                "connected",
                "unavailable",
                "failed",
                "disconnected"
            ]
        );
    }

    #[test]
    fn only_connecting_and_unavailable_are_trying() {
        assert!(Connecting.is_trying() && Unavailable.is_trying());
        assert!(![Initialized, Connected, Failed, Disconnected]
            .iter()
            .any(|s| s.is_trying()));
    }
}
