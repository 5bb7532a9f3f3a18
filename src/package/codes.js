// Generated from src/interface.rs by `BLESS=1 cargo test interface`; do not edit.
// The codes of the boundary between this package's JavaScript and the wasm engine.

// Calls from a facade to the engine: `[CALL, session, ...arguments]` (`HELLO`: a tab introduces itself to a SharedWorker).
export const OPEN = 0;
export const CLOSE = 1;
export const COMMAND = 2;
export const SEND = 3;
export const AUTH_DONE = 4;
export const PAGE = 5;
export const LOGGING = 6;
export const PANIC_FOR_TESTING = 7;
export const HELLO = 8;

// The user's commands (`COMMAND`).
export const CONNECT = 0;
export const DISCONNECT = 1;
export const SIGNIN = 2;
export const SUBSCRIBE = 3;
export const UNSUBSCRIBE = 4;

// Page and network events (`PAGE`).
export const ONLINE = 0;
export const OFFLINE = 1;
export const VISIBLE = 2;
export const RESUMED = 3;

// What the engine tells a facade: `(session, OUTPUT, ...arguments)` (`READY`: a SharedWorker's engine is up).
export const STATE = 0;
export const EMIT = 1;
export const MEMBERS = 2;
export const DELIVER = 3;
export const AUTHORIZE = 4;
export const SIGNED_IN = 5;
export const LOG = 6;
export const INTERNAL_ERROR = 7;
export const READY = 8;

// Whose callbacks an `EMIT` is for.
export const CONNECTION = 0;
export const CHANNEL = 1;
export const USER = 2;
export const WATCHLIST = 3;
export const GLOBAL = 4;

// The flags of a `DELIVER`.
export const TO_CHANNEL = 1;
export const TO_GLOBAL = 2;
export const TO_USER = 4;
export const WITH_USER_ID = 8;

// How loud a `LOG` line is, as pusher-js's Logger: `console.log`, `warn`, `error`.
export const DEBUG = 0;
export const WARN = 1;
export const ERROR = 2;

// The protocol's limit on a channel name, in bytes.
export const MAX_BYTES = 164;

// The `protocol` of the WebSocket URL, without and with connection recovery (a page opens its first socket itself, to the URL its engine will ask for: `ConnectionOptions::url`).
export const PROTOCOL = 7;
export const RECOVERY_PROTOCOL = 2;

// The `version` of the WebSocket URL: the pusher-js release this client speaks as.
export const PUSHER_JS_VERSION = '8.6.0';
