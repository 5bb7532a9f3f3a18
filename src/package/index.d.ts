// TypeScript definitions of the `pusher-wasm` package: pusher-js 8.6.0's public API, so code
// typed against pusher-js compiles unchanged against these (tests/types/ checks that).
//
// Hand-written and self-contained. The rules they follow:
// - every signature accepts what pusher-js's accepts (`callback: Function`, `context?: any`);
// - more precise types are added where they can't reject such code: the protocol's own events
//   get typed callback parameters through extra overloads placed before pusher-js's `Function`
//   one (any callback pusher-js accepted still matches that one), and properties backed by
//   getters are `readonly`. The one kind of code this can newly reject is a non-strict
//   project's unannotated callback using a payload as another type than it has (pusher-js made
//   it `any`); the nested fields of `error` payloads stay `any` so Pusher's documented
//   `error.error.data.code` still compiles;
// - pusher-js's internals (timeline, strategies, `config`, `emit`, ...) are left out: pusher-wasm
//   has none of them at runtime.

// ----- events -----

/** The six states of a connection, in `pusher.connection.state` and `state_change` events. */
export type ConnectionState =
  | 'initialized'
  | 'connecting'
  | 'connected'
  | 'unavailable'
  | 'failed'
  | 'disconnected';

/** What a `state_change` callback gets: `pusher.connection.bind('state_change', ({ previous, current }) => ...)`. */
export interface StateChange {
  /** The state left. */
  previous: ConnectionState;
  /** The state entered (also `pusher.connection.state` by now). */
  current: ConnectionState;
}

/** What a `connected` callback gets. */
export interface Connected {
  /** The new connection's socket id (also `pusher.connection.socket_id`). */
  socket_id: string;
}

/**
 * The second argument of a channel event callback: `channel.bind('ev', (data, metadata) => ...)`.
 * `{}` on public and private channels; on presence channels `user_id` is the sender of a client
 * event.
 */
export interface Metadata {
  /** The user who sent the event, when the server says so (client events on presence channels). */
  user_id?: string;
}

/** A frame from the server as `pusher.connection.bind('message', (event) => ...)` gets it. */
export interface PusherEvent {
  /** The event name, `pusher:` and `pusher_internal:` ones included. */
  event: string;
  /** The channel, for channel events; `undefined` for connection-level frames. */
  channel?: string;
  /** The payload, already JSON-parsed when it was a JSON string. */
  data?: any;
  /** The sender of a client event on a presence channel. */
  user_id?: string;
}

/** What a `pusher:subscription_count` callback gets (when the server has subscription counting on). */
export interface SubscriptionCount {
  /** How many connections are subscribed to the channel. */
  subscription_count: number;
}

/**
 * What a `pusher-wasm:resumed` callback gets: the channel is subscribed again after the
 * connection it was subscribed on was lost. pusher-wasm only (pusher-js never says).
 */
export interface Resumed {
  /** Milliseconds from the last frame of the old connection to the new subscription: how long events could be missed. */
  gapMs: number;
  /**
   * Whether the server replayed everything missed (only with `connectionRecovery`, on a server that
   * can); when `false`, fetch what the page shows again.
   */
  recovered: boolean;
  /** How many missed events the server replayed: they follow this event, in order. */
  replayed: number;
}

/** A member of a presence channel, as `members.each`, `members.me` and `pusher:member_added` give it. */
export interface Member {
  /** The user id the app's authorization endpoint gave. */
  id: string;
  /** The `user_info` the app's authorization endpoint gave. */
  info: any;
}

/**
 * A connection `error` from the server or a close code: `pusher:error` frames pass their `data`
 * as it came (usually `{code, message}`); a close gives its code and reason (`message`).
 */
export interface PusherErrorEvent {
  /** The kind of error. */
  type: 'PusherError';
  /** The Pusher error code (4000-4299, or a close code) and its message. */
  data: { code?: number | null; message?: string };
  /** Never set here; declared so `error.error` reads as on the other kinds. */
  error?: undefined;
}

/**
 * A connection `error` about the socket: `error` is the WebSocket's `error` Event, or, when the
 * client reacts to a close or refusal (reconnects, backs off, gives up), a `PusherErrorEvent`
 * (`error.error.data.code` is then the close code, as in Pusher's documentation).
 */
export interface WebSocketErrorEvent {
  /** The kind of error. */
  type: 'WebSocketError';
  /** The socket's `error` Event, or a `{ type: 'PusherError', data: { code, message } }`. */
  error: any;
  /** Never set here; declared so `error.data` reads as on the other kinds. */
  data?: undefined;
}

/** A connection `error` for a frame that isn't a Pusher protocol frame (bad JSON, no `event`). */
export interface MessageParseErrorEvent {
  /** The kind of error. */
  type: 'MessageParseError';
  /**
   * Why. As in pusher-js it is nested: a `{ type: 'MessageParseError', error, data }` whose
   * `error` is the `SyntaxError` of `JSON.parse` or an `Error` saying what the frame lacks.
   */
  error: any;
  /** The message as received. */
  data: any;
}

/** A connection `error` during the handshake: the server's first frame was no valid `pusher:connection_established`. */
export interface HandshakeErrorEvent {
  /** The kind of error. */
  type: 'HandshakeError';
  /** A message saying what was wrong (`'Invalid handshake'`, ...), or a `{ type: 'MessageParseError', error, data }`. */
  error: any;
  /** Never set here; declared so `error.data` reads as on the other kinds. */
  data?: undefined;
}

/**
 * What a connection `error` callback gets: `pusher.connection.bind('error', (error: ConnectionError) => ...)`.
 * Switch on `type`. The nested fields of the socket kinds stay `any`, so Pusher's documented
 * `error.error.data.code === 4004` keeps compiling.
 */
export type ConnectionError =
  | PusherErrorEvent
  | WebSocketErrorEvent
  | MessageParseErrorEvent
  | HandshakeErrorEvent;

// ----- options -----

/** How pusher-js sends authorization requests: `ajax` (XMLHttpRequest POST) or `jsonp`. */
export type AuthTransport = 'ajax' | 'jsonp';

/**
 * pusher-js's transport names. pusher-wasm always uses a WebSocket (`ws:` or `wss:`), so
 * `enabledTransports` / `disabledTransports` are accepted and have no effect.
 */
export type Transport = 'ws' | 'wss' | 'xhr_streaming' | 'xhr_polling' | 'sockjs';

/** What a channel authorization handler is asked to sign. */
export interface ChannelAuthorizationRequestParams {
  /** `pusher.connection.socket_id`. */
  socketId: string;
  /** The private or presence channel being subscribed. */
  channelName: string;
}

/** The answer of a channel authorization: the JSON the app's auth endpoint returns. */
export interface ChannelAuthorizationData {
  /** `"<key>:<signature>"`. */
  auth: string;
  /** Presence channels: the JSON string of `{ user_id, user_info }`. */
  channel_data?: string;
  /** Encrypted channels: the base64 shared secret. */
  shared_secret?: string;
}

/** Called once by an authorization handler: `callback(null, data)` on success, `callback(error, null)` on failure. */
export type ChannelAuthorizationCallback = (
  /** `null` on success. */
  error: Error | null,
  /** The endpoint's answer on success, else `null`. */
  authData: ChannelAuthorizationData | null,
) => void;

/** A function that authorizes channel subscriptions itself (`channelAuthorization.customHandler`). */
export interface ChannelAuthorizationHandler {
  (params: ChannelAuthorizationRequestParams, callback: ChannelAuthorizationCallback): void;
}

/** What a user authentication handler is asked to sign. */
export interface UserAuthenticationRequestParams {
  /** `pusher.connection.socket_id`. */
  socketId: string;
}

/** The answer of a user authentication (sign-in). */
export interface UserAuthenticationData {
  /** `"<key>:<signature>"`. */
  auth: string;
  /** The JSON string of the user object (with at least `id`). */
  user_data: string;
}

/** Called once by a user authentication handler: `callback(null, data)` or `callback(error, null)`. */
export type UserAuthenticationCallback = (
  /** `null` on success. */
  error: Error | null,
  /** The endpoint's answer on success, else `null`. */
  authData: UserAuthenticationData | null,
) => void;

/** A function that authenticates the user itself (`userAuthentication.customHandler`). */
export interface UserAuthenticationHandler {
  (params: UserAuthenticationRequestParams, callback: UserAuthenticationCallback): void;
}

/** Authorization by HTTP request to the app's endpoint. */
export interface InternalAuthOptions {
  /** `ajax` (a POST with `socket_id` and `channel_name` form fields) or `jsonp`. */
  transport: AuthTransport;
  /** The URL of the app's endpoint, e.g. `/broadcasting/auth`. */
  endpoint: string;
  /** Extra form fields sent with each request. */
  params?: any;
  /** Extra HTTP headers sent with each request (e.g. `{ 'X-CSRF-Token': token }`). */
  headers?: any;
  /** Called before each request; its result is merged into `params`. */
  paramsProvider?: () => any;
  /** Called before each request; its result is merged into `headers`. */
  headersProvider?: () => any;
}

/** Authorization by a function of the app's own. */
export type CustomAuthOptions<AuthHandler> = {
  /** Called for each authorization instead of an HTTP request. */
  customHandler: AuthHandler;
};

/** pusher-js's authorization options: an endpoint, or a `customHandler`. */
export type AuthOptionsT<AuthHandler> = InternalAuthOptions | CustomAuthOptions<AuthHandler>;

/** `options.channelAuthorization`: how private and presence subscriptions are authorized. */
export type ChannelAuthorizationOptions = AuthOptionsT<ChannelAuthorizationHandler>;

/** `options.userAuthentication`: how `pusher.signin()` authenticates the user. */
export type UserAuthenticationOptions = AuthOptionsT<UserAuthenticationHandler>;

/** The deprecated `options.auth`: extra `params` and `headers` for `authEndpoint` requests. */
export interface DeprecatedAuthOptions {
  /** Extra form fields. */
  params?: any;
  /** Extra HTTP headers. */
  headers?: any;
}

/** What the deprecated `authorizer` function gets besides the channel. */
export interface DeprecatedAuthorizerOptions {
  /** `options.authTransport`, or `ajax`. */
  authTransport: 'ajax' | 'jsonp';
  /** `options.authEndpoint`, or `/pusher/auth`. */
  authEndpoint: string;
  /** `options.auth`. */
  auth?: DeprecatedAuthOptions;
}

/** What the deprecated `authorizer` function returns: an object whose `authorize` does the work. */
export interface DeprecatedChannelAuthorizer {
  /** Authorizes the channel for `socketId`, then calls `callback` once. */
  authorize(socketId: string, callback: ChannelAuthorizationCallback): void;
}

/**
 * The deprecated `options.authorizer`: `(channel, options) => ({ authorize(socketId, callback) {...} })`.
 * Prefer `channelAuthorization.customHandler`.
 */
export interface ChannelAuthorizerGenerator {
  (channel: Channel, options: DeprecatedAuthorizerOptions): DeprecatedChannelAuthorizer;
}

/**
 * The parts of a NaCl implementation (tweetnacl) that encrypted channels use. Any `tweetnacl`
 * import fits.
 */
export interface Nacl {
  /** `nacl.secretbox`. */
  secretbox: {
    /** Decrypts `box`; `null` when it doesn't authenticate. */
    open(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null;
    /** 24. */
    readonly nonceLength: number;
    /** 16. */
    readonly overheadLength: number;
  };
}

/**
 * The second argument of `new Pusher(key, options)`. Unknown keys are ignored, so Laravel Echo's
 * whole options object can be passed. A number option that is set must be positive (a port
 * 1-65535; numeric strings are accepted): anything else makes the constructor throw a
 * `TypeError`. Unset, `0` and `''` mean the default.
 */
export interface Options {
  /** Milliseconds without a frame before the client pings the server (default 120000; the server's own value wins when lower). */
  activityTimeout?: number;
  /** Deprecated: extra `params` and `headers` for `authEndpoint` requests. Prefer `channelAuthorization`. */
  auth?: DeprecatedAuthOptions;
  /** Deprecated: the channel authorization URL (default `/pusher/auth`). Prefer `channelAuthorization.endpoint`. */
  authEndpoint?: string;
  /** Deprecated: `ajax` (default) or `jsonp`. Prefer `channelAuthorization.transport`. */
  authTransport?: AuthTransport;
  /** Deprecated: a function building each channel's authorizer. Prefer `channelAuthorization.customHandler`. */
  authorizer?: ChannelAuthorizerGenerator;
  /** How private and presence subscriptions are authorized: an `endpoint` or a `customHandler`. */
  channelAuthorization?: ChannelAuthorizationOptions;
  /** How `pusher.signin()` authenticates the user: an `endpoint` or a `customHandler`. */
  userAuthentication?: UserAuthenticationOptions;
  /**
   * Required, as in pusher-js: without `wsHost` the client connects to `ws-<cluster>.pusher.com`.
   * With `wsHost` (Laravel Reverb, Soketi, sockudo) it is unused and may be `''`.
   */
  cluster: string;
  /** Accepted for compatibility; pusher-wasm sends no stats. */
  enableStats?: boolean;
  /** Accepted for compatibility; pusher-wasm sends no stats. */
  disableStats?: boolean;
  /** Accepted for compatibility; pusher-wasm always uses a WebSocket. */
  disabledTransports?: Transport[];
  /** Accepted for compatibility (Laravel Echo passes `['ws', 'wss']`); pusher-wasm always uses a WebSocket. */
  enabledTransports?: Transport[];
  /** `false` connects with `ws:` to `wsPort`; anything else with `wss:` to `wssPort`. A page served over `https:` always uses `wss:`. */
  forceTLS?: boolean;
  /** Accepted for compatibility; only pusher-js's HTTP fallback transports used it. */
  httpHost?: string;
  /** Accepted for compatibility; only pusher-js's HTTP fallback transports used it. */
  httpPath?: string;
  /** Accepted for compatibility; only pusher-js's HTTP fallback transports used it. */
  httpPort?: number;
  /** Accepted for compatibility; only pusher-js's HTTP fallback transports used it. */
  httpsPort?: number;
  /** Accepted for compatibility; no effect. */
  ignoreNullOrigin?: boolean;
  /**
   * Accepted for compatibility with pusher-js, whose encrypted channels need a NaCl
   * implementation; pusher-wasm opens `private-encrypted-` events with its own
   * XSalsa20-Poly1305 and ignores it.
   */
  nacl?: Nacl;
  /**
   * Connection recovery (default `false`), on a server that can replay what a connection missed:
   * sockudo 5.2 with `connection_recovery` enabled. After a reconnect each channel asks for the
   * events published while it was away; they arrive in order, once each, before any newer event,
   * and the channel's `pusher-wasm:resumed` says `recovered: true` and how many were `replayed`.
   * Where the server cannot (its buffer no longer covers the gap, or it has no such feature:
   * Pusher, Reverb, soketi) the channel subscribes again as without the option, with
   * `recovered: false`. The client connects with sockudo's protocol 2, whose frames it turns
   * back into protocol 7's, so events look the same; a server that refuses protocol 2 is asked
   * for protocol 7 from then on. Part of what a `shared` connection is shared by.
   */
  connectionRecovery?: boolean;
  /**
   * Client events (`channel.trigger`) allowed per second (default 10, the protocol's limit; `0`:
   * no guard). Over it, `trigger` returns `false` and the connection emits an `error` of type
   * `ClientEventRateLimited`, instead of the server closing the connection (4301).
   */
  maxClientEventsPerSecond?: number;
  /**
   * Runs the engine (the wasm client) in a SharedWorker that every tab of the origin shares:
   * one WebSocket per key and connection options for all tabs, one authorization request per
   * private channel. Where there is no SharedWorker (Chrome on Android) the engine runs in the
   * page, as without this option. Every tab then has the same `socket_id`, so
   * `broadcast(...)->toOthers()` skips every tab of the browser, not only the sender.
   */
  shared?: boolean;
  /**
   * With `shared`, the worker script to run when a bundler does not ship the package's own
   * `worker.js`: its URL, or a function that makes the `SharedWorker` (e.g. Vite's
   * `() => new PusherWorker()` from `import PusherWorker from 'pusher-wasm/worker.js?sharedworker'`).
   */
  worker?: string | URL | (() => SharedWorker);
  /** Milliseconds to wait for the server's answer to a ping before reconnecting (default 30000). */
  pongTimeout?: number;
  /** Accepted for compatibility; pusher-wasm sends no stats. */
  statsHost?: string;
  /** Accepted for compatibility; pusher-wasm sends no timeline. */
  timelineParams?: any;
  /** Milliseconds in `connecting` before the state becomes `unavailable` (default 10000). */
  unavailableTimeout?: number;
  /** The WebSocket host (default `ws-<cluster>.pusher.com`), e.g. your Reverb server's. */
  wsHost?: string;
  /** A path before `/app/<key>` in the WebSocket URL (default none). */
  wsPath?: string;
  /** The port of `ws:` connections (default 80). */
  wsPort?: number;
  /** The port of `wss:` connections (default 443). */
  wssPort?: number;
}

/** pusher-js's `switchCluster` argument. pusher-wasm has no `switchCluster`: create a new `Pusher` instead. */
export interface ClusterOptions {
  /** The app key. */
  appKey: string;
  /** The cluster. */
  cluster: string;
}

// Backward-compatible names, as pusher-js exports them.

/** The old name of `DeprecatedAuthOptions`. */
export type AuthOptions = DeprecatedAuthOptions;
/** The old name of `DeprecatedChannelAuthorizer`. */
export type Authorizer = DeprecatedChannelAuthorizer;
/** The old name of `ChannelAuthorizerGenerator`. */
export type AuthorizerGenerator = ChannelAuthorizerGenerator;
/** The old name of `ChannelAuthorizationCallback`. */
export type AuthorizerCallback = ChannelAuthorizationCallback;

// ----- the classes -----

/**
 * The client: `new Pusher(key, { cluster })` connects at once. The default export of
 * `pusher-wasm`, also a named export, and `window.Pusher` once the module is loaded.
 *
 * ```ts
 * import Pusher from 'pusher-wasm';
 * const pusher = new Pusher('app-key', { cluster: 'eu' });
 * pusher.subscribe('orders').bind('created', (order: Order) => render(order));
 * ```
 */
export default class Pusher {
  /**
   * Every `Pusher` created so far, oldest first. As in pusher-js, this array keeps every
   * instance alive: a page that drops a client for good should `disconnect()` it and remove it
   * from here; once it is collected, its engine session closes too.
   */
  static instances: Pusher[];
  /** Always `true`: a client connects as soon as it is constructed. */
  static isReady: boolean;
  /** Set to `true` to log what the clients do to the console (`Pusher.log` wins when set). */
  static logToConsole: boolean;
  /** Set to a function to receive every log line (a string starting `Pusher : `). `undefined` by default. */
  static log: ((message: any) => void) | undefined;

  /**
   * Creates a client and starts connecting. Throws (a string, as pusher-js does) when `app_key`,
   * `options` or `options.cluster` is missing, and a `TypeError` for an option of the wrong type.
   */
  constructor(app_key: string, options: Options);

  /** The app key, as given. */
  readonly key: string;
  /** The options object, as given. */
  readonly options: Options;
  /** The connection: its `state`, `socket_id` and events (`state_change`, `connected`, `error`, ...). */
  readonly connection: ConnectionManager;
  /** The channel objects of this client, by name. */
  readonly channels: Channels;
  /** The signed-in user (see `signin()`): the events the server sends to the user, and the watchlist. */
  readonly user: UserFacade;

  /** The channel object named `name`; `undefined` when not subscribed (typed `Channel`, as in pusher-js). */
  channel(name: string): Channel;
  /** Every channel object, in subscription order. */
  allChannels(): Channel[];
  /** Connects again after `disconnect()`, or after the server refused the connection. */
  connect(): void;
  /** Closes the connection: the state becomes `disconnected` and no reconnection follows. */
  disconnect(): void;

  /**
   * Calls `callback(data)` for every frame named `event_name` from the server, on any channel or
   * none, with `this` = `context` when given. Returns the client, for chaining.
   */
  bind(event_name: string, callback: (data: any) => void, context?: any): Pusher;
  /** pusher-js's signature: any function. Returns the client, for chaining. */
  bind(event_name: string, callback: Function, context?: any): Pusher;
  /** Removes bindings: all of them, or those matching `event_name`, `callback` and `context` (each optional). */
  unbind(event_name?: string, callback?: Function, context?: any): Pusher;
  /** Calls `callback(eventName, data)` for every frame from the server. Returns the client. */
  bind_global(callback: (event_name: string, data: any) => void): Pusher;
  /** pusher-js's signature: any function. Returns the client. */
  bind_global(callback: Function): Pusher;
  /** Removes `callback` from the global callbacks, or all of them. Returns the client. */
  unbind_global(callback?: Function): Pusher;
  /** Removes every binding and global callback of the client (the argument is ignored, as in pusher-js). */
  unbind_all(callback?: Function): Pusher;

  /**
   * Subscribes to `channel_name` (now if connected, else once connected) and returns its channel
   * object: the same object for every call while subscribed. Throws for an invalid name.
   * `presence-` channels are {@link PresenceChannel}s: `pusher.subscribe(name) as PresenceChannel`.
   */
  subscribe(channel_name: string): Channel;
  /** Unsubscribes from `channel_name`, or cancels its pending subscription. */
  unsubscribe(channel_name: string): void;
  /** Sends `{ event: event_name, data, channel }` on the connection. `false` (and nothing sent) when not connected. */
  send_event(event_name: string, data: any, channel?: string): boolean;
  /** Whether the connection uses `wss:` (`forceTLS` not `false`, or a page on `https:`). */
  shouldUseTLS(): boolean;
  /** Signs the user in with `options.userAuthentication`, now or once connected. */
  signin(): void;
}

/** The same class as the default export, for `import { Pusher } from 'pusher-wasm'`. */
export { Pusher };

/**
 * `pusher.connection`. Its events, with what their callbacks get: `state_change`
 * ({@link StateChange}); each state's own name (`connected` gets {@link Connected}, the others
 * nothing); `connecting_in` (seconds to the next attempt); `message` (every frame,
 * {@link PusherEvent}); `error` ({@link ConnectionError}).
 *
 * ```ts
 * pusher.connection.bind('state_change', ({ previous, current }) => render(current));
 * fetch('/messages', { headers: { 'X-Socket-ID': pusher.connection.socket_id } });
 * ```
 */
export class ConnectionManager {
  /** The instance comes from `pusher.connection`. */
  private constructor();

  /** The current state. */
  readonly state: ConnectionState;
  /**
   * The socket id of the current (or last) connection, for `X-Socket-ID` headers. `undefined`
   * until the first connection is established (typed `string`, as in pusher-js).
   */
  readonly socket_id: string;

  /** Calls `callback({ previous, current })` on every state change. */
  bind(event_name: 'state_change', callback: (change: StateChange) => void, context?: any): this;
  /** Calls `callback({ socket_id })` each time a connection is established. */
  bind(event_name: 'connected', callback: (info: Connected) => void, context?: any): this;
  /** Calls `callback(seconds)` when a reconnection is scheduled. */
  bind(event_name: 'connecting_in', callback: (seconds: number) => void, context?: any): this;
  /** Calls `callback(event)` for every frame from the server, after the channels' callbacks. */
  bind(event_name: 'message', callback: (event: PusherEvent) => void, context?: any): this;
  /**
   * Calls `callback` for each `event_name` event, with `this` = `context` when given: `error`
   * callbacks get a {@link ConnectionError}, the states' own events nothing.
   */
  bind(event_name: string, callback: (data: any) => void, context?: any): this;
  /** pusher-js's signature: any function. */
  bind(event_name: string, callback: Function, context?: any): this;
  /** Removes bindings: all of them, or those matching `event_name`, `callback` and `context` (each optional). */
  unbind(event_name?: string, callback?: Function, context?: any): this;
  /** Calls `callback(eventName, data)` for every connection event. */
  bind_global(callback: (event_name: string, data: any) => void): this;
  /** pusher-js's signature: any function. */
  bind_global(callback: Function): this;
  /** Removes `callback` from the global callbacks, or all of them. */
  unbind_global(callback?: Function): this;
  /** Removes every binding and global callback of the connection. */
  unbind_all(): this;

  /** The same as `pusher.connect()`. */
  connect(): void;
  /** The same as `pusher.disconnect()`. */
  disconnect(): void;
  /** The same as `pusher.send_event(...)`: `false` when not connected. */
  send_event(name: string, data: any, channel?: string): boolean;
  /** Whether the connection uses (or will use) `wss:`. */
  isUsingTLS(): boolean;
}

/** `pusher.channels`: the channel objects of one client. */
export class Channels {
  /** The instance comes from `pusher.channels`. */
  private constructor();

  /** The channel objects by name, a plain object (Laravel Echo reads it). */
  readonly channels: Record<string, Channel>;
  /** The channel object named `name`; `undefined` when not subscribed (typed `Channel`, as in pusher-js). */
  find(name: string): Channel;
  /** Every channel object, in subscription order. */
  all(): Channel[];
}

/**
 * A channel, as `pusher.subscribe(name)` returns it. Its events: the app's own (callbacks get
 * `(data, metadata)`), `pusher:subscription_succeeded`, `pusher:subscription_error` (e.g.
 * `{ type: 'AuthError', error, status }`) and `pusher:subscription_count`
 * ({@link SubscriptionCount}).
 *
 * ```ts
 * const channel = pusher.subscribe('orders');
 * channel.bind('created', (order, metadata) => console.log(order.id, metadata.user_id));
 * ```
 */
export class Channel {
  /** Channel objects come from `pusher.subscribe(name)`. */
  protected constructor();

  /** The channel name. */
  readonly name: string;
  /** The client the channel belongs to. */
  readonly pusher: Pusher;
  /** Whether the server confirmed the subscription on the current connection. */
  readonly subscribed: boolean;
  /** Whether a subscription (or its authorization) is on its way. */
  readonly subscriptionPending: boolean;
  /** Whether `unsubscribe` was called while the subscription was pending. */
  readonly subscriptionCancelled: boolean;
  /** The last `subscription_count` the server sent; `null` before any (pusher-js declares it `null`). */
  readonly subscriptionCount: number | null;

  /** Calls `callback({ subscription_count })` when the server sends the channel's subscription count. */
  bind(event_name: 'pusher:subscription_count', callback: (data: SubscriptionCount) => void, context?: any): this;
  /**
   * pusher-wasm: calls `callback({gapMs, recovered, replayed})` each time the channel is
   * subscribed again after its connection was lost (not on the first subscription, and not for
   * `bind_global` callbacks).
   */
  bind(event_name: 'pusher-wasm:resumed', callback: (resumed: Resumed) => void, context?: any): this;
  /**
   * Calls `callback(data, metadata)` for each `event_name` event on the channel, with `this` =
   * `context` when given. `data` is the event's payload, JSON-parsed.
   */
  bind(event_name: string, callback: (data: any, metadata: Metadata) => void, context?: any): this;
  /** pusher-js's signature: any function. */
  bind(event_name: string, callback: Function, context?: any): this;
  /** Removes bindings: all of them, or those matching `event_name`, `callback` and `context` (each optional). */
  unbind(event_name?: string, callback?: Function, context?: any): this;
  /** Calls `callback(eventName, data)` for every event on the channel. */
  bind_global(callback: (event_name: string, data: any) => void): this;
  /** pusher-js's signature: any function. */
  bind_global(callback: Function): this;
  /** Removes `callback` from the global callbacks, or all of them. */
  unbind_global(callback?: Function): this;
  /** Removes every binding and global callback of the channel. */
  unbind_all(): this;

  /**
   * Sends a client event (on private and presence channels, with client events enabled on the
   * server). Throws unless `event` starts with `client-`; returns `false` when not connected.
   */
  trigger(event: string, data: any): boolean;
  /** The same as `pusher.subscribe(channel.name)`. */
  subscribe(): void;
  /** The same as `pusher.unsubscribe(channel.name)`. */
  unsubscribe(): void;
}

/**
 * A `presence-` channel: a {@link Channel} with its {@link Members}. Extra events:
 * `pusher:subscription_succeeded` (gets the members), `pusher:member_added` and
 * `pusher:member_removed` (get the {@link Member}). A type, for `pusher.subscribe(name) as
 * PresenceChannel`: instances come from `subscribe`.
 */
export class PresenceChannel extends Channel {
  /** The members, filled once the subscription succeeded. */
  members: Members;

  /** Calls `callback(members)` once subscribed, when the member list is known. */
  bind(event_name: 'pusher:subscription_succeeded', callback: (members: Members) => void, context?: any): this;
  /** Calls `callback(member)` when a member joins or leaves. */
  bind(event_name: 'pusher:member_added' | 'pusher:member_removed', callback: (member: Member) => void, context?: any): this;
  /** Calls `callback({ subscription_count })` when the server sends the channel's subscription count. */
  bind(event_name: 'pusher:subscription_count', callback: (data: SubscriptionCount) => void, context?: any): this;
  /**
   * pusher-wasm: calls `callback({gapMs, recovered, replayed})` each time the channel is
   * subscribed again after its connection was lost (not on the first subscription, and not for
   * `bind_global` callbacks).
   */
  bind(event_name: 'pusher-wasm:resumed', callback: (resumed: Resumed) => void, context?: any): this;
  /** Calls `callback(data, metadata)` for each `event_name` event; `metadata.user_id` is the sender of a client event. */
  bind(event_name: string, callback: (data: any, metadata: Metadata) => void, context?: any): this;
  /** pusher-js's signature: any function. */
  bind(event_name: string, callback: Function, context?: any): this;
}

/** The members of a presence channel (`presenceChannel.members`). */
export class Members {
  /** The instance comes from `presenceChannel.members`. */
  private constructor();

  /** The `user_info` of each member, by user id. */
  members: Record<string, any>;
  /** How many members there are. */
  count: number;
  /** This connection's user id (a string once subscribed). */
  myID: any;
  /** This connection's {@link Member} once subscribed. */
  me: any;
  /** The {@link Member} with user id `id`, or `null`. */
  get(id: string): any;
  /** Calls `callback(member)` for each {@link Member}, in no particular order. */
  each(callback: (member: Member) => void): void;
  /** pusher-js's signature: any function. */
  each(callback: Function): void;
}

/** `pusher.user.watchlist`: `online` and `offline` events (`{ name, user_ids }`) about the users the signed-in user watches. */
export interface WatchlistFacade {
  /** Calls `callback(event)` for each `event_name` event (`online`, `offline`). */
  bind(event_name: string, callback: (event: any) => void, context?: any): this;
  /** pusher-js's signature: any function. */
  bind(event_name: string, callback: Function, context?: any): this;
  /** Removes bindings: all of them, or those matching `event_name`, `callback` and `context` (each optional). */
  unbind(event_name?: string, callback?: Function, context?: any): this;
  /** Calls `callback(eventName, data)` for every watchlist event. */
  bind_global(callback: Function): this;
  /** Removes `callback` from the global callbacks, or all of them. */
  unbind_global(callback?: Function): this;
  /** Removes every binding and global callback. */
  unbind_all(): this;
}

/** `pusher.user`: sign-in, and the events the server sends to the signed-in user. */
export interface UserFacade {
  /** Whether `signin()` was called. */
  signin_requested: boolean;
  /** The signed-in user's data (with `id`); `null` until signed in. */
  user_data: any;
  /** The watchlist of the signed-in user. */
  watchlist: WatchlistFacade;
  /** The same as `pusher.signin()`. */
  signin(): void;
  /** Calls `callback(data)` for each `event_name` event the server sends to the signed-in user. */
  bind(event_name: string, callback: (data: any) => void, context?: any): this;
  /** pusher-js's signature: any function. */
  bind(event_name: string, callback: Function, context?: any): this;
  /** Removes bindings: all of them, or those matching `event_name`, `callback` and `context` (each optional). */
  unbind(event_name?: string, callback?: Function, context?: any): this;
  /** Calls `callback(eventName, data)` for every event sent to the user. */
  bind_global(callback: Function): this;
  /** Removes `callback` from the global callbacks, or all of them. */
  unbind_global(callback?: Function): this;
  /** Removes every binding and global callback. */
  unbind_all(): this;
}

// ----- Laravel Echo: `import { Echo } from 'pusher-wasm'` (src/package/echo.js) -----
//
// laravel-echo 2.x's API (the Pusher-protocol broadcasters) on pusher-wasm's own client. Callback
// parameters are `CallableFunction` as in laravel-echo's declarations (a typed callback such as
// `(e: OrderShipped) => void` fits), with typed overloads first for the payloads Echo defines.

/** `pusher` (Pusher Channels), `reverb` (Laravel Reverb: `cluster` is set to `''`), `ably` (Ably's Pusher protocol), `null` (connects nowhere, for tests). */
export type EchoBroadcaster = 'pusher' | 'reverb' | 'ably' | 'null';

/** `echo.connectionStatus()`: `unavailable` and `failed` are `failed`; `initialized` and `disconnected` are `disconnected`. (`reconnecting` is laravel-echo's socket.io status; never reported here.) */
export type EchoConnectionStatus = 'connected' | 'disconnected' | 'connecting' | 'reconnecting' | 'failed';

/** The payload of `error()` callbacks: pusher-js's `pusher:subscription_error`, e.g. `{ type: 'AuthError', error, status: 403 }`. */
export interface EchoSubscriptionError {
  /** `AuthError` for a failed authorization. */
  type: string;
  /** What went wrong, in words. */
  error: any;
  /** The auth endpoint's HTTP status, when it answered. */
  status?: number;
}

/** Any client with pusher-js's API, for the `client` and `Pusher` options (pusher-wasm's, or pusher-js's). */
export interface EchoClient {
  subscribe(channel_name: string): any;
  unsubscribe(channel_name: string): void;
  channel(name: string): any;
  disconnect(): void;
  signin(): void;
  connection: {
    readonly state: string;
    readonly socket_id: string;
    bind(event: string, callback: Function): any;
    unbind(event?: string, callback?: Function): any;
  };
}

/** A connector class for the `broadcaster` option (as laravel-echo allows). */
export type EchoConnectorConstructor = new (options: any) => any;

/**
 * `new Echo(options)`: Echo's own options, and everything `new Pusher(key, options)` takes,
 * which Echo passes on (`wsHost`, `wsPort`, `wssPort`, `forceTLS`, `enabledTransports`, ...).
 */
export interface EchoOptions<B extends EchoBroadcaster = EchoBroadcaster>
  extends Omit<Options, 'cluster' | 'auth' | 'userAuthentication'> {
  /** Which server protocol, or a connector class. */
  broadcaster: B | EchoConnectorConstructor;
  /** The app key. */
  key?: string | null;
  /** The Pusher cluster (`reverb` and `ably` set `''`). */
  cluster?: string;
  /** The channel authorization endpoint (default `/broadcasting/auth`). */
  authEndpoint?: string;
  /** Headers (and params) of channel authorization requests; Echo adds `X-CSRF-TOKEN` and `Authorization`. */
  auth?: { headers?: Record<string, string>; params?: Record<string, any> };
  /** User authentication for `connector.signin()` (default endpoint `/broadcasting/user-auth`). */
  userAuthentication?: { endpoint?: string; headers?: Record<string, string>; [key: string]: any };
  /** Sent as `X-CSRF-TOKEN` (`window.Laravel.csrfToken` wins; else `<meta name="csrf-token">`). */
  csrfToken?: string | null;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken?: string | null;
  /** laravel-echo's socket.io host; unused. */
  host?: string | null;
  /** Prefix of event names given to `listen` (default `App.Events`); `false` for none. */
  namespace?: string | false;
  /** `true`: no X-Socket-Id interceptors on axios, jQuery, Vue.http or Turbo. */
  withoutInterceptors?: boolean;
  /** A client to use instead of creating one. */
  client?: EchoClient;
  /** The class to create the client with (else `window.Pusher`, else pusher-wasm's `Pusher`). */
  Pusher?: new (key: string, options: any) => EchoClient;
  [key: string]: any;
}

/** Echo's options after the defaults: what the connector keeps and passes to `new Pusher`. */
export interface EchoConnectorOptions extends EchoOptions {
  auth: { headers: Record<string, string>; params?: Record<string, any> };
  authEndpoint: string;
  userAuthentication: { endpoint: string; headers: Record<string, string>; [key: string]: any };
  csrfToken: string | null;
  bearerToken: string | null;
  host: string | null;
  key: string | null;
  namespace: string | false;
}

/** Turns `OrderShipped` into `App\Events\OrderShipped` (dots become backslashes); a leading `.` or `\` means "as is". */
export class EventFormatter {
  constructor(namespace: string | boolean | undefined);
  /** The namespace. */
  namespace: string | boolean | undefined;
  /** The raw event name for `event`. */
  format(event: string): string;
  /** Changes the namespace. */
  setNamespace(value: string | boolean): void;
}

/** A public channel: `echo.channel(name)`. Every method returns the channel, for chaining. */
export class PusherChannel {
  constructor(pusher: EchoClient, name: string, options: EchoConnectorOptions);
  /** `.Illuminate\Notifications\Events\BroadcastNotificationCreated`. */
  notificationCreatedEvent: string;
  /** The full channel name (`private-…`, `presence-…`). */
  name: string;
  /** The client. */
  pusher: Pusher;
  /** The connector's options. */
  options: EchoConnectorOptions;
  /** Formats the names given to `listen`. */
  eventFormatter: EventFormatter;
  /** The client's channel object. */
  subscription: Channel;
  /** Subscribes (again). */
  subscribe(): void;
  /** Unbinds every callback this channel object bound, then unsubscribes. */
  unsubscribe(): void;
  /** `callback(data, metadata)` for `event` (namespaced unless it starts with `.`). */
  listen(event: string, callback: (data: any, metadata: Metadata) => void): this;
  listen(event: string, callback: CallableFunction): this;
  /** `callback(eventName, data)` for every event but `pusher:` ones, with names as `listen` takes them. */
  listenToAll(callback: (event: string, data: any) => void): this;
  listenToAll(callback: CallableFunction): this;
  /** Removes `callback` for `event`, or every callback this channel object bound for it. */
  stopListening(event: string, callback?: CallableFunction): this;
  /** Removes a `listenToAll` callback, or all of them. */
  stopListeningToAll(callback?: CallableFunction): this;
  /** `callback()` each time the subscription succeeds (after every reconnect too). */
  subscribed(callback: () => void): this;
  subscribed(callback: CallableFunction): this;
  /** `callback(error)` when the subscription fails. */
  error(callback: (error: EchoSubscriptionError) => void): this;
  error(callback: CallableFunction): this;
  /**
   * `callback({gapMs, recovered, replayed})` each time the channel is subscribed again after a
   * lost connection: when `recovered` is false, refetch what the page shows.
   */
  resumed(callback: (resumed: Resumed) => void): this;
  /** Binds `callback` to the raw event name. */
  on(event: string, callback: CallableFunction): this;
  /** `callback(data, metadata)` for the whisper (`client-<event>`). */
  listenForWhisper(event: string, callback: (data: any, metadata: Metadata) => void): this;
  listenForWhisper(event: string, callback: CallableFunction): this;
  stopListeningForWhisper(event: string, callback?: CallableFunction): this;
  /** `callback(notification)` for Laravel's broadcast notifications. */
  notification(callback: (notification: any) => void): this;
  notification(callback: CallableFunction): this;
  stopListeningForNotification(callback: CallableFunction): this;
}

/** A private channel: `echo.private(name)`. */
export class PusherPrivateChannel extends PusherChannel {
  /** Sends the client event `client-<eventName>` to the other subscribers. */
  whisper(eventName: string, data: any): this;
}

/** An encrypted private channel: `echo.encryptedPrivate(name)`. */
export class PusherEncryptedPrivateChannel extends PusherChannel {
  /** Throws: client events are not supported on encrypted channels. */
  whisper(eventName: string, data: any): this;
}

/** A presence channel: `echo.join(name)`. */
export class PusherPresenceChannel extends PusherPrivateChannel {
  /** `callback(users)` with every member's info, each time the subscription succeeds. */
  here(callback: (users: any[]) => void): this;
  here(callback: CallableFunction): this;
  /** `callback(user)` when a member joins. */
  joining(callback: (user: any) => void): this;
  joining(callback: CallableFunction): this;
  /** `callback(user)` when a member leaves. */
  leaving(callback: (user: any) => void): this;
  leaving(callback: CallableFunction): this;
  /** Also takes `'here'`, `'joining'` and `'leaving'`: removes that callback, or all of them. */
  stopListening(event: 'here' | 'joining' | 'leaving' | (string & {}), callback?: CallableFunction): this;
}

/** `echo.connector` of the `pusher`, `reverb` and `ably` broadcasters. */
export class PusherConnector {
  constructor(options: EchoOptions);
  /** The defaults (a fresh copy on each read). */
  static readonly _defaultOptions: {
    readonly auth: { readonly headers: {} };
    readonly authEndpoint: '/broadcasting/auth';
    readonly userAuthentication: { readonly endpoint: '/broadcasting/user-auth'; readonly headers: {} };
    readonly csrfToken: null;
    readonly bearerToken: null;
    readonly host: null;
    readonly key: null;
    readonly namespace: 'App.Events';
  };
  /** The options with the defaults. */
  options: EchoConnectorOptions;
  /** The client. */
  pusher: Pusher;
  /** The channel objects, by full name. */
  channels: Record<string, PusherChannel>;
  setOptions(options: EchoOptions): void;
  csrfToken(): string | null;
  connect(): void;
  /** Signs the user in (`userAuthentication`). */
  signin(): void;
  listen(name: string, event: string, callback: CallableFunction): PusherChannel;
  channel(name: string): PusherChannel;
  privateChannel(name: string): PusherPrivateChannel;
  encryptedPrivateChannel(name: string): PusherEncryptedPrivateChannel;
  presenceChannel(name: string): PusherPresenceChannel;
  /** Leaves `name` and its `private-`, `private-encrypted-` and `presence-` variants. */
  leave(name: string): void;
  leaveChannel(name: string): void;
  /** The socket id; `undefined` before the first connection. */
  socketId(): string | undefined;
  /** Resolves with the socket id once connected; rejects after `timeout` ms when given. */
  socketIdAsync(options?: { timeout?: number }): Promise<string>;
  connectionStatus(): EchoConnectionStatus;
  /** `callback(status)` each time the status changes (once per change); returns a function that stops it. */
  onConnectionChange(callback: (status: EchoConnectionStatus) => void): () => void;
  disconnect(): void;
}

/** Channels of the `null` broadcaster: every method does nothing and returns the channel. */
export class NullChannel {
  notificationCreatedEvent: string;
  subscribe(): void;
  unsubscribe(): void;
  listen(event: string, callback: CallableFunction): this;
  listenToAll(callback: CallableFunction): this;
  stopListening(event: string, callback?: CallableFunction): this;
  stopListeningToAll(callback?: CallableFunction): this;
  subscribed(callback: CallableFunction): this;
  error(callback: CallableFunction): this;
  resumed(callback: CallableFunction): this;
  on(event: string, callback: CallableFunction): this;
  listenForWhisper(event: string, callback: CallableFunction): this;
  stopListeningForWhisper(event: string, callback?: CallableFunction): this;
  notification(callback: CallableFunction): this;
  stopListeningForNotification(callback: CallableFunction): this;
  whisper(eventName: string, data: any): this;
  here(callback: CallableFunction): this;
  joining(callback: CallableFunction): this;
  leaving(callback: CallableFunction): this;
}

/** `echo.connector` of the `null` broadcaster: connects nowhere (`socketId()` is `'fake-socket-id'`). */
export class NullConnector {
  constructor(options: EchoOptions);
  options: EchoConnectorOptions;
  channels: Record<string, NullChannel>;
  connect(): void;
  listen(name: string, event: string, callback: CallableFunction): NullChannel;
  channel(name: string): NullChannel;
  privateChannel(name: string): NullChannel;
  encryptedPrivateChannel(name: string): NullChannel;
  presenceChannel(name: string): NullChannel;
  leave(name: string): void;
  leaveChannel(name: string): void;
  socketId(): string;
  socketIdAsync(options?: { timeout?: number }): Promise<string>;
  connectionStatus(): EchoConnectionStatus;
  onConnectionChange(callback: (status: EchoConnectionStatus) => void): () => void;
  disconnect(): void;
}

/** The connector and channel types of a broadcaster. */
export type EchoTypes<B extends EchoBroadcaster> = [B] extends ['null']
  ? {
      connector: NullConnector;
      public: NullChannel;
      private: NullChannel;
      encrypted: NullChannel;
      presence: NullChannel;
    }
  : {
      connector: PusherConnector;
      public: PusherChannel;
      private: PusherPrivateChannel;
      encrypted: PusherEncryptedPrivateChannel;
      presence: PusherPresenceChannel;
    };

/**
 * Laravel Echo on pusher-wasm's client, with laravel-echo 2.x's options and API:
 *
 * ```ts
 * import { Echo } from 'pusher-wasm';
 * const echo = new Echo({ broadcaster: 'reverb', key, wsHost, wsPort, forceTLS: false });
 * echo.private(`App.Models.User.${id}`).notification((n: Notification) => show(n));
 * ```
 */
export class Echo<B extends EchoBroadcaster = EchoBroadcaster> {
  constructor(options: EchoOptions<B>);
  /** The connector: `echo.connector.pusher` is the client. */
  connector: EchoTypes<B>['connector'];
  /** The options, as given. */
  options: EchoOptions<B>;
  /** Creates the connector. */
  connect(): void;
  channel(name: string): EchoTypes<B>['public'];
  private(name: string): EchoTypes<B>['private'];
  encryptedPrivate(name: string): EchoTypes<B>['encrypted'];
  join(name: string): EchoTypes<B>['presence'];
  listen(name: string, event: string, callback: CallableFunction): EchoTypes<B>['public'];
  /** Leaves `name` and its `private-`, `private-encrypted-` and `presence-` variants. */
  leave(name: string): void;
  leaveChannel(name: string): void;
  leaveAllChannels(): void;
  /** The socket id for `X-Socket-ID`; `undefined` before the first connection. */
  socketId(): string | undefined;
  /** Resolves with the socket id once connected (at once when connected); rejects after `timeout` ms when given. */
  socketIdAsync(options?: { timeout?: number }): Promise<string>;
  connectionStatus(): EchoConnectionStatus;
  disconnect(): void;
  /** Adds `X-Socket-Id` to same-origin requests of `window.axios`, jQuery, `Vue.http` and Turbo, when present. */
  registerInterceptors(): void;
  registerVueRequestInterceptor(): void;
  registerAxiosRequestInterceptor(): void;
  registerjQueryAjaxSetup(): void;
  registerTurboRequestInterceptor(): void;
}

// ----- X-Socket-ID helpers (src/package/socket-id.js) -----

/** What the helpers read the socket id from: a client, an Echo (ours or laravel-echo's), or a function. */
export type SocketIdTarget =
  | { readonly connection: { readonly socket_id: string | undefined; readonly state?: string } }
  | { socketId(): string | undefined }
  | (() => string | undefined);

/** The parts of an axios request config the interceptor reads. */
export interface SocketIdRequestConfig {
  url?: string;
  baseURL?: string;
  headers?: any;
}

/**
 * Wraps `window.fetch` so that same-origin requests carry `X-Socket-ID` while `target` is
 * connected; a header of that name the request has is kept. Returns a function that removes the
 * wrapper. `waitMs`: a request made while not connected waits up to that long for the connection.
 */
export function installSocketIdFetch(
  target: SocketIdTarget,
  options?: { header?: string; waitMs?: number },
): () => void;

/** An axios request interceptor adding `X-Socket-ID` to same-origin requests: `api.interceptors.request.use(socketIdInterceptor(echo))`. */
export function socketIdInterceptor(
  target: SocketIdTarget,
  options?: { header?: string },
): <C extends SocketIdRequestConfig>(config: C) => C;
