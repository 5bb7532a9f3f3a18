//! Connection options: pusher-js's option names and defaults, resolved into plain values.

use alloc::string::String;

use super::json::push_u64;

/// The Pusher protocol version this client speaks.
pub const PROTOCOL_VERSION: u32 = 7;

/// The protocol version asked for with `connectionRecovery`: sockudo's own, with the positions a
/// resume needs (a server that does not know it answers in protocol 7, or refuses it).
pub const RECOVERY_PROTOCOL_VERSION: u32 = 2;

/// The `version` the client reports in the URL: that of the pusher-js API it implements, so a
/// server that looks at it treats both clients alike.
pub const COMPATIBLE_PUSHER_JS_VERSION: &str = "8.6.0";

/// The options the user passed, as far as the connection is concerned, before defaults.
///
/// Each field is `None` when the option was absent or, following pusher-js's `option || default`,
/// falsy (`0`, `''`, `null`). The host converts the JavaScript values; the rules live here.
#[derive(Clone, Debug, Default)]
pub struct UserOptions {
    /// `cluster`. Required by the constructor, but `''` is accepted (Laravel Reverb passes it).
    pub cluster: String,
    /// `wsHost`.
    pub ws_host: Option<String>,
    /// `wsPort`.
    pub ws_port: Option<u16>,
    /// `wssPort`.
    pub wss_port: Option<u16>,
    /// `wsPath`.
    pub ws_path: Option<String>,
    /// `forceTLS`, when it is a boolean.
    pub force_tls: Option<bool>,
    /// `activityTimeout` in ms.
    pub activity_timeout_ms: Option<u64>,
    /// `pongTimeout` in ms.
    pub pong_timeout_ms: Option<u64>,
    /// `unavailableTimeout` in ms.
    pub unavailable_timeout_ms: Option<u64>,
    /// `maxClientEventsPerSecond` (ours): the client-event rate guard; 0 turns it off.
    pub max_client_events_per_second: Option<u32>,
    /// `connectionRecovery` (ours): resume channels after a reconnect where the server can.
    pub connection_recovery: bool,
}

/// Everything the connection needs, with every default applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionOptions {
    /// The app key, the last segment of the URL path.
    pub key: String,
    /// Host name of the WebSocket endpoint.
    pub ws_host: String,
    /// Port for `ws:`.
    pub ws_port: u16,
    /// Port for `wss:`.
    pub wss_port: u16,
    /// A prefix for the `/app/{key}` path.
    pub ws_path: String,
    /// Whether to start with `wss:`.
    pub use_tls: bool,
    /// Silence after which the client pings (`activityTimeout`, capped by the server's value).
    pub activity_timeout_ms: u64,
    /// How long to wait for any frame after a ping (`pongTimeout`).
    pub pong_timeout_ms: u64,
    /// How long `connecting` lasts before the state becomes `unavailable`.
    pub unavailable_timeout_ms: u64,
    /// How long one attempt (socket open plus handshake) may take before it is given up.
    pub attempt_timeout_ms: u64,
    /// The short pong deadline of a liveness check, run when the page comes back or the
    /// network changes.
    pub liveness_timeout_ms: u64,
    /// The first reconnect delay.
    pub backoff_base_ms: u64,
    /// The longest reconnect delay.
    pub backoff_cap_ms: u64,
    /// A connection that stayed up this long resets the backoff when it drops.
    pub stable_after_ms: u64,
    /// At most this many client events per second (the protocol's limit); 0: no guard.
    pub max_client_events_per_second: u32,
    /// `connectionRecovery`: ask for sockudo's protocol 2, and resume channels after a reconnect
    /// (part of the connection's identity: a shared connection is shared only with equal options).
    pub connection_recovery: bool,
}

impl ConnectionOptions {
    /// pusher-js's `activityTimeout` default.
    pub const DEFAULT_ACTIVITY_TIMEOUT_MS: u64 = 120_000;
    /// pusher-js's `pongTimeout` default.
    pub const DEFAULT_PONG_TIMEOUT_MS: u64 = 30_000;
    /// pusher-js's `unavailableTimeout` default.
    pub const DEFAULT_UNAVAILABLE_TIMEOUT_MS: u64 = 10_000;
    /// pusher-js gives a WebSocket attempt 15 s before trying again.
    pub const DEFAULT_ATTEMPT_TIMEOUT_MS: u64 = 15_000;
    /// Liveness checks on wake-up expect an answer within 3 s.
    pub const DEFAULT_LIVENESS_TIMEOUT_MS: u64 = 3_000;
    /// pusher-js retries a dropped connection after 1 s; so does our first retry.
    pub const DEFAULT_BACKOFF_BASE_MS: u64 = 1_000;
    /// Never wait more than 10 s between attempts.
    pub const DEFAULT_BACKOFF_CAP_MS: u64 = 10_000;
    /// A connection that lived 30 s was a real one: its drop restarts the backoff.
    pub const DEFAULT_STABLE_AFTER_MS: u64 = 30_000;
    /// The protocol allows 10 client events per second per connection.
    pub const DEFAULT_MAX_CLIENT_EVENTS_PER_SECOND: u32 = 10;

    /// Resolves the user's options the way pusher-js's `getConfig` does. `page_is_https` is
    /// whether the page itself was loaded over TLS, which forces TLS whatever `forceTLS` says.
    pub fn resolve(key: &str, user: &UserOptions, page_is_https: bool) -> ConnectionOptions {
        let ws_host = match &user.ws_host {
            Some(host) => host.clone(),
            None => {
                let mut host = String::from("ws-");
                host.push_str(&user.cluster);
                host.push_str(".pusher.com");
                host
            }
        };
        ConnectionOptions {
            key: String::from(key),
            ws_host,
            ws_port: user.ws_port.unwrap_or(80),
            wss_port: user.wss_port.unwrap_or(443),
            ws_path: user.ws_path.clone().unwrap_or_default(),
            use_tls: page_is_https || user.force_tls != Some(false),
            activity_timeout_ms: user
                .activity_timeout_ms
                .unwrap_or(Self::DEFAULT_ACTIVITY_TIMEOUT_MS),
            pong_timeout_ms: user
                .pong_timeout_ms
                .unwrap_or(Self::DEFAULT_PONG_TIMEOUT_MS),
            unavailable_timeout_ms: user
                .unavailable_timeout_ms
                .unwrap_or(Self::DEFAULT_UNAVAILABLE_TIMEOUT_MS),
            attempt_timeout_ms: Self::DEFAULT_ATTEMPT_TIMEOUT_MS,
            liveness_timeout_ms: Self::DEFAULT_LIVENESS_TIMEOUT_MS,
            backoff_base_ms: Self::DEFAULT_BACKOFF_BASE_MS,
            backoff_cap_ms: Self::DEFAULT_BACKOFF_CAP_MS,
            stable_after_ms: Self::DEFAULT_STABLE_AFTER_MS,
            max_client_events_per_second: user
                .max_client_events_per_second
                .unwrap_or(Self::DEFAULT_MAX_CLIENT_EVENTS_PER_SECOND),
            connection_recovery: user.connection_recovery,
        }
    }

    /// The WebSocket URL: `ws[s]://{host}:{port}{wsPath}/app/{key}?protocol=7&client=js&
    /// version=8.6.0&flash=false`. The port is always written, as pusher-js does. With
    /// `recovery`, `protocol=2` and `echo_messages=false` (sockudo's protocol 2 would echo the
    /// client's own client events, which protocol 7 never does).
    pub fn url(&self, tls: bool, recovery: bool) -> String {
        let mut url = String::with_capacity(96 + self.ws_host.len() + self.key.len());
        url.push_str(if tls { "wss://" } else { "ws://" });
        url.push_str(&self.ws_host);
        url.push(':');
        push_u64(
            &mut url,
            u64::from(if tls { self.wss_port } else { self.ws_port }),
        );
        url.push_str(&self.ws_path);
        url.push_str("/app/");
        url.push_str(&self.key);
        url.push_str("?protocol=");
        let protocol = if recovery {
            RECOVERY_PROTOCOL_VERSION
        } else {
            PROTOCOL_VERSION
        };
        push_u64(&mut url, u64::from(protocol));
        url.push_str("&client=js&version=");
        url.push_str(COMPATIBLE_PUSHER_JS_VERSION);
        url.push_str("&flash=false");
        if recovery {
            url.push_str("&echo_messages=false");
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(cluster: &str) -> UserOptions {
        UserOptions {
            cluster: cluster.into(),
            ..UserOptions::default()
        }
    }

    #[test]
    fn defaults_are_pusher_js_defaults() {
        let o = ConnectionOptions::resolve("app-key", &user("eu"), false);
        assert_eq!(o.ws_host, "ws-eu.pusher.com");
        assert_eq!((o.ws_port, o.wss_port), (80, 443));
        assert!(o.use_tls, "TLS unless forceTLS is false");
        assert_eq!(o.activity_timeout_ms, 120_000);
        assert_eq!(o.pong_timeout_ms, 30_000);
        assert_eq!(o.unavailable_timeout_ms, 10_000);
        assert_eq!(
            o.url(true, false),
            "wss://ws-eu.pusher.com:443/app/app-key?protocol=7&client=js&version=8.6.0&flash=false"
        );
    }

    #[test]
    fn an_empty_cluster_is_kept_as_pusher_js_keeps_it() {
        let o = ConnectionOptions::resolve("k", &user(""), false);
        assert_eq!(o.ws_host, "ws-.pusher.com");
    }

    #[test]
    fn a_reverb_style_config() {
        let u = UserOptions {
            cluster: String::new(),
            ws_host: Some("127.0.0.1".into()),
            ws_port: Some(8080),
            wss_port: Some(8443),
            ws_path: Some("/ws".into()),
            force_tls: Some(false),
            activity_timeout_ms: Some(5000),
            pong_timeout_ms: Some(1000),
            unavailable_timeout_ms: Some(2000),
            max_client_events_per_second: Some(5),
            connection_recovery: true,
        };
        let o = ConnectionOptions::resolve("reverb-key", &u, false);
        assert!(!o.use_tls);
        assert_eq!(
            o.url(false, false),
            "ws://127.0.0.1:8080/ws/app/reverb-key?protocol=7&client=js&version=8.6.0&flash=false"
        );
        assert_eq!(
            o.url(false, true),
            "ws://127.0.0.1:8080/ws/app/reverb-key?protocol=2&client=js&version=8.6.0&flash=false&echo_messages=false"
        );
        assert_eq!(
            o.url(true, false),
            "wss://127.0.0.1:8443/ws/app/reverb-key?protocol=7&client=js&version=8.6.0&flash=false"
        );
        assert_eq!(
            (
                o.activity_timeout_ms,
                o.pong_timeout_ms,
                o.unavailable_timeout_ms
            ),
            (5000, 1000, 2000)
        );
    }

    #[test]
    fn an_https_page_forces_tls() {
        let u = UserOptions {
            force_tls: Some(false),
            ..user("mt1")
        };
        assert!(ConnectionOptions::resolve("k", &u, true).use_tls);
        assert!(!ConnectionOptions::resolve("k", &u, false).use_tls);
        let forced = UserOptions {
            force_tls: Some(true),
            ..user("mt1")
        };
        assert!(ConnectionOptions::resolve("k", &forced, false).use_tls);
    }
}
