//! The codes of the boundary between the package's JavaScript (the facade, and the hosts that run
//! the engine in a page or a SharedWorker) and the wasm engine, in one place.
//!
//! The shim uses them as Rust constants; `src/package/codes.js` holds the same values for the
//! JavaScript, and is generated from here: `cargo test` fails when it differs from what
//! [`javascript`] renders (run `BLESS=1 cargo test interface` to rewrite it).

/// A group of named codes.
pub struct Group {
    /// What the codes are for, as a comment in the JavaScript.
    pub doc: &'static str,
    /// `(NAME, value)`.
    pub codes: &'static [(&'static str, i64)],
}

macro_rules! groups {
    ($($(#[doc = $doc:literal])* mod $group:ident { $($name:ident = $value:expr;)* })*) => {
        $(
            $(#[doc = $doc])*
            #[allow(missing_docs)]
            pub mod $group {
                $(pub const $name: u8 = $value;)*
            }
        )*
        /// Every group, for the JavaScript.
        pub const GROUPS: &[Group] = &[
            $(Group {
                doc: concat!($($doc),*),
                codes: &[$((stringify!($name), $group::$name as i64)),*],
            }),*
        ];
    };
}

groups! {
    /// Calls from a facade to the engine: `[CALL, session, ...arguments]` (`HELLO`: a tab
    /// introduces itself to a SharedWorker).
    mod call {
        OPEN = 0;
        CLOSE = 1;
        COMMAND = 2;
        SEND = 3;
        AUTH_DONE = 4;
        PAGE = 5;
        LOGGING = 6;
        PANIC_FOR_TESTING = 7;
        HELLO = 8;
    }
    /// The user's commands (`COMMAND`).
    mod op {
        CONNECT = 0;
        DISCONNECT = 1;
        SIGNIN = 2;
        SUBSCRIBE = 3;
        UNSUBSCRIBE = 4;
    }
    /// Page and network events (`PAGE`).
    mod page {
        ONLINE = 0;
        OFFLINE = 1;
        VISIBLE = 2;
        RESUMED = 3;
    }
    /// What the engine tells a facade: `(session, OUTPUT, ...arguments)` (`READY`: a
    /// SharedWorker's engine is up).
    mod output {
        STATE = 0;
        EMIT = 1;
        MEMBERS = 2;
        DELIVER = 3;
        AUTHORIZE = 4;
        SIGNED_IN = 5;
        LOG = 6;
        INTERNAL_ERROR = 7;
        READY = 8;
    }
    /// Whose callbacks an `EMIT` is for.
    mod target {
        CONNECTION = 0;
        CHANNEL = 1;
        USER = 2;
        WATCHLIST = 3;
        GLOBAL = 4;
    }
    /// The flags of a `DELIVER`.
    mod deliver {
        TO_CHANNEL = 1;
        TO_GLOBAL = 2;
        TO_USER = 4;
        WITH_USER_ID = 8;
    }
    /// How loud a `LOG` line is, as pusher-js's Logger: `console.log`, `warn`, `error`.
    mod level {
        DEBUG = 0;
        WARN = 1;
        ERROR = 2;
    }
    /// The protocol's limit on a channel name, in bytes.
    mod channel_name {
        MAX_BYTES = crate::protocol::MAX_CHANNEL_NAME_LENGTH as u8;
    }
    /// The `protocol` of the WebSocket URL, without and with connection recovery (a page opens
    /// its first socket itself, to the URL its engine will ask for: `ConnectionOptions::url`).
    mod url {
        PROTOCOL = crate::protocol::PROTOCOL_VERSION as u8;
        RECOVERY_PROTOCOL = crate::protocol::RECOVERY_PROTOCOL_VERSION as u8;
    }
}

/// `src/package/codes.js`: every group as exported JavaScript constants.
pub fn javascript() -> alloc::string::String {
    use alloc::string::String;
    let mut out = String::from(
        "// Generated from src/interface.rs by `BLESS=1 cargo test interface`; do not edit.\n\
         // The codes of the boundary between this package's JavaScript and the wasm engine.\n",
    );
    for group in GROUPS {
        out.push_str("\n// ");
        out.push_str(group.doc.trim());
        out.push('\n');
        for (name, value) in group.codes {
            out.push_str("export const ");
            out.push_str(name);
            out.push_str(" = ");
            crate::protocol::push_u64(&mut out, *value as u64);
            out.push_str(";\n");
        }
    }
    out.push_str(
        "\n// The `version` of the WebSocket URL: the pusher-js release this client speaks as.\n",
    );
    out.push_str("export const PUSHER_JS_VERSION = '");
    out.push_str(crate::protocol::COMPATIBLE_PUSHER_JS_VERSION);
    out.push_str("';\n");
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::string::String;

    /// The package's copy of the codes is what the Rust says (or, with `BLESS=1`, becomes it).
    #[test]
    fn interface_codes_in_the_package_match() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/package/codes.js");
        let expected = super::javascript();
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(path).unwrap_or_else(|_| String::new());
        assert!(
            actual == expected,
            "src/package/codes.js is out of date: run `BLESS=1 cargo test interface`"
        );
    }

    #[test]
    fn codes_are_unique_within_a_group() {
        for group in super::GROUPS {
            for (i, (name, value)) in group.codes.iter().enumerate() {
                assert!(
                    group.codes[..i].iter().all(|(_, v)| v != value),
                    "{name} repeats a value"
                );
            }
        }
    }
}
