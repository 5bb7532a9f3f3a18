/* global Vue, axios, jQuery, Turbo -- the libraries whose requests Echo adds X-Socket-Id to, when the page has them */
// `Echo`: Laravel Echo 2.x's API (the `pusher`, `reverb`, `ably` and `null` broadcasters) on top of
// pusher-wasm's own `Pusher`, so a page needs this one package and no laravel-echo:
//
//   import { Echo } from 'pusher-wasm';
//   window.Echo = new Echo({ broadcaster: 'reverb', key, wsHost, wsPort, forceTLS: false });
//   window.Echo.channel('orders').listen('OrderShipped', (e) => ...);
//
// The same options, classes, method names, defaults and callback arguments as laravel-echo
// 2.5.0, written against the public pusher-js API only (so it also runs over a pusher-js client
// passed as `client` or `Pusher`). tests/e2e/echo.test.mjs runs every scenario on laravel-echo
// and on this and requires the same observations, except where this does better on purpose:
//   E1 `leave()`/`leaveChannel()` unbind exactly the callbacks the channel object bound, so
//      rejoining a channel whose subscription was still pending does not call the old callbacks
//      too (laravel-echo #286: they stay on the client's reinstated channel object)
//   E2 `here`/`joining`/`leaving` callbacks can be removed: `stopListening('here', cb)` (and
//      `'joining'`, `'leaving'`; without `cb`, all of them), the names Livewire reserves too;
//      `stopListening('.pusher:…', cb)` and `stopListeningToAll(cb)` find the wrappers that
//      `subscribed`/`error`/`here`/`listenToAll` bound (laravel-echo #312)
//   E3 `socketIdAsync({ timeout })` resolves with the socket id once connected, where
//      `socketId()` is still undefined (laravel-echo #104); `socketId()` is unchanged
//   E4 `onConnectionChange` reports each status once (laravel-echo calls back twice per change:
//      on `state_change` and on `connected`/`disconnected`)
//   E5 the X-Socket-Id interceptors (axios, jQuery, Vue.http, Turbo) skip cross-origin requests
//      (the header there costs a CORS preflight the other server may refuse), keep a header the
//      request already has, and set nothing before the connection (laravel-echo sets Turbo's to
//      `undefined`, which goes out as the string "undefined")
//   E6 option objects are copied, never mutated (laravel-echo writes the CSRF and bearer headers
//      into its shared defaults, so they leak into the next Echo, and into the caller's `auth`);
//      `auth`/`userAuthentication` given without `headers`/`endpoint` keep the defaults
//   E7 `stopListening(event)` and `stopListeningToAll()` without a callback remove what this
//      Echo bound, not every binding of the event on the client's channel object
//   E8 `listenToAll` with `namespace: ''` reports `.Name` (laravel-echo cuts the first character)
//   E9 with no `client`, no `Pusher` option and no `window.Pusher`, it creates pusher-wasm's
//      `Pusher` (laravel-echo throws); `socket.io` is refused with a clear error

import Pusher from './pusher.js';
import { hasHeaderNamed, isSameOrigin, jqueryUrl, socketIdInterceptor, socketIdOf } from './socket-id.js';

const NOTIFICATION_EVENT = '.Illuminate\\Notifications\\Events\\BroadcastNotificationCreated';
const PRESENCE_HOOKS = { here: 1, joining: 1, leaving: 1 };
const BINDINGS = Symbol('echo-bindings');

/** Turns `OrderShipped` into `App\Events\OrderShipped`; a leading `.` or `\` means "as is". */
export class EventFormatter {
  constructor(namespace) {
    this.namespace = namespace;
  }

  format(event) {
    const first = event.charAt(0);
    if (first === '.' || first === '\\') return event.substring(1);
    if (this.namespace) event = this.namespace + '.' + event;
    return event.replace(/\./g, '\\');
  }

  setNamespace(value) {
    this.namespace = value;
  }
}

// ----- channels -----

/**
 * Binds `bound` for `event` (null: every event) on the channel's subscription and remembers it,
 * with the app's `callback` and what kind of binding it is.
 */
function remember(channel, event, callback, bound, kind) {
  if (event === null) channel.subscription.bind_global(bound);
  else channel.subscription.bind(event, bound);
  channel[BINDINGS].push({ event, callback, bound, kind });
  return channel;
}

/** Unbinds (and forgets) every remembered binding that `matches`. */
function forget(channel, matches) {
  const keep = [];
  for (const b of channel[BINDINGS]) {
    if (!matches(b)) {
      keep.push(b);
      continue;
    }
    if (b.event === null) channel.subscription.unbind_global(b.bound);
    else channel.subscription.unbind(b.event, b.bound);
  }
  channel[BINDINGS] = keep;
}

/** A public channel: `echo.channel(name)`. */
export class PusherChannel {
  constructor(pusher, name, options) {
    Object.defineProperty(this, BINDINGS, { value: [], writable: true });
    /** The name for Broadcast Notification Created events. */
    this.notificationCreatedEvent = NOTIFICATION_EVENT;
    this.name = name;
    this.pusher = pusher;
    this.options = options;
    this.eventFormatter = new EventFormatter(options.namespace);
    this.subscribe();
  }

  /** Subscribes (the client's channel object becomes `subscription`). */
  subscribe() {
    this.subscription = this.pusher.subscribe(this.name);
  }

  /** Unbinds every callback this object bound, then unsubscribes. */
  unsubscribe() {
    forget(this, () => true);
    this.pusher.unsubscribe(this.name);
  }

  /** `callback(data, metadata)` for `event`, namespaced unless it starts with `.`. */
  listen(event, callback) {
    return this.on(this.eventFormatter.format(event), callback);
  }

  /** `callback(eventName, data)` for every event but `pusher:` ones, names as `listen` takes them. */
  listenToAll(callback) {
    const bound = (event, data) => {
      if (event.startsWith('pusher:')) return;
      callback(shortName(this.options.namespace, event), data);
    };
    return remember(this, null, callback, bound, 'all');
  }

  /** Removes `callback` (or every callback this object bound) for `event`. */
  stopListening(event, callback) {
    const name = this.eventFormatter.format(event);
    forget(this, (b) => b.event === name && (!callback || b.callback === callback));
    // A callback bound on the subscription directly, as laravel-echo would remove it.
    if (callback) this.subscription.unbind(name, callback);
    return this;
  }

  /** Removes a `listenToAll` callback, or all of them. */
  stopListeningToAll(callback) {
    forget(this, (b) => b.event === null && (!callback || b.callback === callback));
    if (callback) this.subscription.unbind_global(callback);
    return this;
  }

  /** `callback()` every time the subscription succeeds (again after each reconnect). */
  subscribed(callback) {
    return remember(this, 'pusher:subscription_succeeded', callback, () => callback(), 'subscribed');
  }

  /**
   * `callback({gapMs, recovered, replayed})` each time the channel is subscribed again after a
   * connection was lost: `gapMs` is how long it could miss events; when `recovered` is false,
   * fetch what the page shows again (pusher-wasm's `pusher-wasm:resumed`).
   */
  resumed(callback) {
    return remember(this, 'pusher-wasm:resumed', callback, (gap) => callback(gap), 'resumed');
  }

  /** `callback(error)` when the subscription fails (`{type: 'AuthError', error, status}`). */
  error(callback) {
    return remember(this, 'pusher:subscription_error', callback, (error) => callback(error), 'error');
  }

  /** Binds `callback` for the raw event name. */
  on(event, callback) {
    return remember(this, event, callback, callback, 'on');
  }

  listenForWhisper(event, callback) {
    return this.listen('.client-' + event, callback);
  }

  stopListeningForWhisper(event, callback) {
    return this.stopListening('.client-' + event, callback);
  }

  notification(callback) {
    return this.listen(this.notificationCreatedEvent, callback);
  }

  stopListeningForNotification(callback) {
    return this.stopListening(this.notificationCreatedEvent, callback);
  }
}

/** `App\Events\OrderShipped` → `OrderShipped`; outside the namespace → `.name`. */
function shortName(namespace, event) {
  const prefix = namespace ? String(namespace).replace(/\./g, '\\') + '\\' : '';
  return prefix && event.startsWith(prefix) ? event.substring(prefix.length) : '.' + event;
}

function whisper(channel, event, data) {
  (channel.pusher.channel(channel.name) ?? channel.subscription).trigger('client-' + event, data);
  return channel;
}

/** A private channel: `echo.private(name)` (`private-name`). */
export class PusherPrivateChannel extends PusherChannel {
  /** A client event (`client-event`) to the other subscribers. */
  whisper(event, data) {
    return whisper(this, event, data);
  }
}

/** An encrypted private channel: `echo.encryptedPrivate(name)` (`private-encrypted-name`). */
export class PusherEncryptedPrivateChannel extends PusherChannel {
  whisper(event, data) {
    return whisper(this, event, data);
  }
}

/** A presence channel: `echo.join(name)` (`presence-name`). */
export class PusherPresenceChannel extends PusherPrivateChannel {
  /** `callback(users)` with every member's `user_info`, each time the subscription succeeds. */
  here(callback) {
    const bound = (members) => callback(Object.keys(members.members).map((id) => members.members[id]));
    return remember(this, 'pusher:subscription_succeeded', callback, bound, 'here');
  }

  /** `callback(user_info)` when a member joins. */
  joining(callback) {
    return remember(this, 'pusher:member_added', callback, (member) => callback(member.info), 'joining');
  }

  /** `callback(user_info)` when a member leaves. */
  leaving(callback) {
    return remember(this, 'pusher:member_removed', callback, (member) => callback(member.info), 'leaving');
  }

  /** Also takes `'here'`, `'joining'` and `'leaving'`: removes those callbacks (or all of them). */
  stopListening(event, callback) {
    if (Object.prototype.hasOwnProperty.call(PRESENCE_HOOKS, event)) {
      forget(this, (b) => b.kind === event && (!callback || b.callback === callback));
      return this;
    }
    return super.stopListening(event, callback);
  }
}

// ----- connectors -----

/** @returns {typeof import('./index.js').PusherConnector._defaultOptions} */
function defaultOptions() {
  return {
    auth: { headers: {} },
    authEndpoint: '/broadcasting/auth',
    userAuthentication: { endpoint: '/broadcasting/user-auth', headers: {} },
    csrfToken: null,
    bearerToken: null,
    host: null,
    key: null,
    namespace: 'App.Events',
  };
}

/** laravel-echo's option merge, with copies instead of shared, mutated objects. */
function withDefaults(options) {
  const defaults = defaultOptions();
  const merged = { ...defaults, ...options, broadcaster: options.broadcaster };
  merged.auth = { ...defaults.auth, ...options.auth };
  merged.auth.headers = { ...merged.auth.headers };
  merged.userAuthentication = { ...defaults.userAuthentication, ...options.userAuthentication };
  merged.userAuthentication.headers = { ...merged.userAuthentication.headers };
  let token = csrfToken(merged);
  if (token) {
    merged.auth.headers['X-CSRF-TOKEN'] = token;
    merged.userAuthentication.headers['X-CSRF-TOKEN'] = token;
  }
  token = merged.bearerToken;
  if (token) {
    merged.auth.headers.Authorization = 'Bearer ' + token;
    merged.userAuthentication.headers.Authorization = 'Bearer ' + token;
  }
  return merged;
}

/** `window.Laravel.csrfToken`, the `csrfToken` option, or `<meta name="csrf-token">`. */
function csrfToken(options) {
  if (typeof window !== 'undefined' && window.Laravel?.csrfToken) return window.Laravel.csrfToken;
  if (options.csrfToken) return options.csrfToken;
  if (typeof document !== 'undefined' && typeof document.querySelector === 'function') {
    return document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? null;
  }
  return null;
}

/**
 * laravel-echo's connection status for a pusher-js connection state.
 * @returns {import('./index.js').EchoConnectionStatus}
 */
function statusOf(state) {
  switch (state) {
    case 'connected':
    case 'connecting':
      return state;
    case 'failed':
    case 'unavailable':
      return 'failed';
    default:
      return 'disconnected';
  }
}

/** The connector of the `pusher`, `reverb` and `ably` broadcasters: `echo.connector`. */
export class PusherConnector {
  constructor(options) {
    /** The Echo channel objects, by full name (`private-…`, `presence-…`). */
    this.channels = {};
    this.setOptions(options);
    this.connect();
  }

  /** The defaults every option falls back to (a fresh copy on each read). */
  static get _defaultOptions() {
    return defaultOptions();
  }

  setOptions(options) {
    this.options = withDefaults(options);
  }

  csrfToken() {
    return csrfToken(this.options);
  }

  /** `client`, else `new Pusher(key, options)` with the `Pusher` option, `window.Pusher` or ours. */
  connect() {
    const o = this.options;
    if (o.client !== undefined) this.pusher = o.client;
    else if (o.Pusher) this.pusher = new o.Pusher(o.key, o);
    else if (typeof window !== 'undefined' && window.Pusher !== undefined) this.pusher = new window.Pusher(o.key, o);
    else this.pusher = new Pusher(o.key, o);
  }

  /** Signs the user in (`userAuthentication`, default `/broadcasting/user-auth`). */
  signin() {
    this.pusher.signin();
  }

  listen(name, event, callback) {
    return this.channel(name).listen(event, callback);
  }

  channel(name) {
    return this.#get(name, PusherChannel);
  }

  privateChannel(name) {
    return this.#get('private-' + name, PusherPrivateChannel);
  }

  encryptedPrivateChannel(name) {
    return this.#get('private-encrypted-' + name, PusherEncryptedPrivateChannel);
  }

  presenceChannel(name) {
    return this.#get('presence-' + name, PusherPresenceChannel);
  }

  #get(fullName, Kind) {
    return this.channels[fullName] || (this.channels[fullName] = new Kind(this.pusher, fullName, this.options));
  }

  /** Leaves `name`, `private-name`, `private-encrypted-name` and `presence-name`. */
  leave(name) {
    for (const fullName of [name, 'private-' + name, 'private-encrypted-' + name, 'presence-' + name]) {
      this.leaveChannel(fullName);
    }
  }

  /** Unbinds what the channel object bound, unsubscribes, and forgets the object. */
  leaveChannel(name) {
    const channel = this.channels[name];
    if (!channel) return;
    channel.unsubscribe();
    delete this.channels[name];
  }

  /** The connection's socket id; undefined before the first connection. */
  socketId() {
    return this.pusher.connection.socket_id;
  }

  /**
   * Resolves with the socket id once connected (at once when connected). With `timeout` (ms),
   * rejects when no connection came in time.
   * @param {{ timeout?: number }} [options]
   */
  socketIdAsync({ timeout } = {}) {
    const connection = this.pusher.connection;
    if (connection.state === 'connected' && connection.socket_id) return Promise.resolve(connection.socket_id);
    return new Promise((resolve, reject) => {
      let timer;
      const connected = (data) => {
        connection.unbind('connected', connected);
        clearTimeout(timer);
        resolve(data?.socket_id ?? connection.socket_id);
      };
      connection.bind('connected', connected);
      if (timeout != null) {
        timer = setTimeout(() => {
          connection.unbind('connected', connected);
          reject(new Error(`Echo: not connected within ${timeout} ms`));
        }, timeout);
      }
    });
  }

  /** `connected`, `connecting`, `failed` (unavailable too) or `disconnected`. */
  connectionStatus() {
    return statusOf(this.pusher.connection.state);
  }

  /** `callback(status)` each time the status changes; returns a function that stops it. */
  onConnectionChange(callback) {
    let last;
    const changed = () => {
      const status = this.connectionStatus();
      if (status === last) return;
      last = status;
      callback(status);
    };
    this.pusher.connection.bind('state_change', changed);
    return () => this.pusher.connection.unbind('state_change', changed);
  }

  disconnect() {
    this.pusher.disconnect();
  }
}

/** Channels of the `null` broadcaster: every method does nothing and chains. */
export class NullChannel {
  constructor() {
    this.notificationCreatedEvent = NOTIFICATION_EVENT;
  }
  subscribe() {}
  unsubscribe() {}
  listen() {
    return this;
  }
  listenToAll() {
    return this;
  }
  stopListening() {
    return this;
  }
  stopListeningToAll() {
    return this;
  }
  subscribed() {
    return this;
  }
  resumed() {
    return this;
  }
  error() {
    return this;
  }
  on() {
    return this;
  }
  listenForWhisper() {
    return this;
  }
  stopListeningForWhisper() {
    return this;
  }
  notification() {
    return this;
  }
  stopListeningForNotification() {
    return this;
  }
  whisper() {
    return this;
  }
  here() {
    return this;
  }
  joining() {
    return this;
  }
  leaving() {
    return this;
  }
}

/** The `null` broadcaster's connector (for tests of pages that use Echo): connects nowhere. */
export class NullConnector {
  constructor(options) {
    this.channels = {};
    this.options = withDefaults(options);
  }
  connect() {}
  listen() {
    return new NullChannel();
  }
  channel() {
    return new NullChannel();
  }
  privateChannel() {
    return new NullChannel();
  }
  encryptedPrivateChannel() {
    return new NullChannel();
  }
  presenceChannel() {
    return new NullChannel();
  }
  leave() {}
  leaveChannel() {}
  socketId() {
    return 'fake-socket-id';
  }
  socketIdAsync() {
    return Promise.resolve('fake-socket-id');
  }
  /** @returns {import('./index.js').EchoConnectionStatus} */
  connectionStatus() {
    return 'connected';
  }
  onConnectionChange() {
    return () => {};
  }
  disconnect() {}
}

function isConstructor(value) {
  try {
    Reflect.construct(String, [], value);
    return true;
  } catch {
    return false;
  }
}

// ----- Echo -----

/** Laravel Echo over pusher-wasm: `new Echo({ broadcaster: 'reverb', key, wsHost, ... })`. */
export class Echo {
  constructor(options) {
    this.options = options;
    this.connect();
    if (!this.options.withoutInterceptors) this.registerInterceptors();
  }

  /** Creates the connector (`echo.connector`) for the broadcaster. */
  connect() {
    const o = this.options;
    const b = o.broadcaster;
    if (b === 'reverb') this.connector = new PusherConnector({ ...o, cluster: '' });
    else if (b === 'pusher') this.connector = new PusherConnector(o);
    else if (b === 'ably') this.connector = new PusherConnector({ ...o, cluster: '', broadcaster: 'pusher' });
    else if (b === 'null') this.connector = new NullConnector(o);
    else if (b === 'socket.io') {
      throw new Error(
        "pusher-wasm's Echo speaks the Pusher protocol: for socket.io, use laravel-echo with socket.io-client.",
      );
    } else if (typeof b === 'function' && isConstructor(b)) this.connector = new b(o);
    else throw new Error(`Broadcaster ${typeof b} ${String(b)} is not supported.`);
  }

  channel(name) {
    return this.connector.channel(name);
  }

  private(name) {
    return this.connector.privateChannel(name);
  }

  encryptedPrivate(name) {
    if (typeof this.connector.encryptedPrivateChannel !== 'function') {
      const b = this.options.broadcaster;
      throw new Error(`Broadcaster ${typeof b} ${String(b)} does not support encrypted private channels.`);
    }
    return this.connector.encryptedPrivateChannel(name);
  }

  join(name) {
    return this.connector.presenceChannel(name);
  }

  listen(name, event, callback) {
    return this.connector.listen(name, event, callback);
  }

  leave(name) {
    this.connector.leave(name);
  }

  leaveChannel(name) {
    this.connector.leaveChannel(name);
  }

  leaveAllChannels() {
    for (const name in this.connector.channels) this.leaveChannel(name);
  }

  /** The socket id, or undefined before the first connection. */
  socketId() {
    return this.connector.socketId();
  }

  /** Resolves with the socket id once connected (`{ timeout }` in ms rejects after that). */
  socketIdAsync(options) {
    return this.connector.socketIdAsync(options);
  }

  connectionStatus() {
    return this.connector.connectionStatus();
  }

  disconnect() {
    this.connector.disconnect();
  }

  /**
   * Adds `X-Socket-Id` to same-origin requests of window.axios, jQuery, Vue.http and Turbo, while
   * connected (socket-id.js's rule: a kept id names no connection while reconnecting).
   */
  registerInterceptors() {
    if (typeof Vue !== 'undefined' && Vue?.http) this.registerVueRequestInterceptor();
    if (typeof axios === 'function') this.registerAxiosRequestInterceptor();
    if (typeof jQuery === 'function') this.registerjQueryAjaxSetup();
    if (typeof Turbo === 'object') this.registerTurboRequestInterceptor();
  }

  registerVueRequestInterceptor() {
    Vue.http.interceptors.push((request, next) => {
      const id = socketIdOf(this);
      if (id && isSameOrigin(request.url ?? '') && !request.headers.has('X-Socket-ID')) {
        request.headers.set('X-Socket-ID', id);
      }
      next();
    });
  }

  registerAxiosRequestInterceptor() {
    // The package's own interceptor, with laravel-echo's header name.
    axios.interceptors.request.use(socketIdInterceptor(this, { header: 'X-Socket-Id' }));
  }

  registerjQueryAjaxSetup() {
    if (jQuery.ajax === undefined) return;
    jQuery.ajaxPrefilter((options, originalOptions, xhr) => {
      const id = socketIdOf(this);
      const headers = { ...originalOptions?.headers, ...options?.headers };
      if (id && isSameOrigin(jqueryUrl(options)) && !hasHeaderNamed(headers, 'X-Socket-Id')) {
        xhr.setRequestHeader('X-Socket-Id', id);
      }
    });
  }

  registerTurboRequestInterceptor() {
    document.addEventListener('turbo:before-fetch-request', (event) => {
      const id = socketIdOf(this);
      const detail = /** @type {CustomEvent} */ (event).detail;
      if (!id || !isSameOrigin(String(detail.url ?? ''))) return;
      const headers = detail.fetchOptions.headers ?? (detail.fetchOptions.headers = {});
      if (typeof headers.set === 'function') {
        if (!headers.has('X-Socket-Id')) headers.set('X-Socket-Id', id);
      } else if (!hasHeaderNamed(headers, 'X-Socket-Id')) headers['X-Socket-Id'] = id;
    });
  }
}
