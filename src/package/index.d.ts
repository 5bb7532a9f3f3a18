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
  /** A NaCl implementation (`import nacl from 'tweetnacl'`), which `private-encrypted-` channels need to decrypt events. */
  nacl?: Nacl;
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
  /** Every `Pusher` created so far, oldest first. */
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
