// `Pusher`: the client class, with pusher-js 8.6.0's API, in plain JavaScript.
//
// The instance is a *session* of the engine (the wasm client, in this page or in a SharedWorker).
// It keeps what pusher-js's getters read synchronously (the connection's state and socket id,
// each channel's flags, the members, the user) and applies pusher-js's rules for one instance:
// which channels it has, pending, cancelled. The engine keeps the protocol: the socket, the
// subscriptions at the server (while any session holds them), authorization, presence,
// encryption, sign-in. Nothing here waits for the engine: calls made before it is up are queued.
import {
  AUTHORIZE,
  AUTH_DONE,
  CHANNEL,
  COMMAND,
  CONNECT,
  CONNECTION,
  DEBUG,
  DELIVER,
  DISCONNECT,
  EMIT,
  INTERNAL_ERROR,
  LOG,
  LOGGING,
  MEMBERS,
  PANIC_FOR_TESTING,
  SEND,
  SIGNED_IN,
  SIGNIN,
  STATE,
  SUBSCRIBE,
  TO_CHANNEL,
  TO_GLOBAL,
  TO_USER,
  UNSUBSCRIBE,
  USER,
  WARN,
  WATCHLIST,
  WITH_USER_ID,
} from './codes.js';
import { Channel } from './channel.js';
import { Channels, PRESENCE, channelName as checkName } from './channels.js';
import { ConnectionManager } from './connection.js';
import { EventsDispatcher, emitOnChannel, text } from './dispatcher.js';
import { channelAuthorizer, failure, userAuthenticator } from './auth.js';
import { RECEIVE, links, pageEngine, sharedEngine } from './link.js';
import { log, logOwner, logging, writeLog } from './log.js';
import { clientArguments } from './options.js';
import { PresenceChannel } from './presence.js';
import { RateGuard } from './rate-guard.js';
import { UserFacade } from './user.js';

const SUBSCRIPTION_SUCCEEDED = 'pusher:subscription_succeeded';
const SUBSCRIPTION_ERROR = 'pusher:subscription_error';
const SUBSCRIPTION_COUNT = 'pusher:subscription_count';
const RESUMED = 'pusher-wasm:resumed';
/** A channel was subscribed when its connection went: its next subscription resumes it. */
const RESUMABLE = Symbol('resumable');

let logToConsole = false;
let logFunction;

export default class Pusher extends EventsDispatcher {
  /** Every Pusher created, as pusher-js's `Pusher.instances`. */
  static instances = [];
  /** Always true: the client connects as soon as it is created. */
  static isReady = true;
  /** How many internal errors (Rust panics) happened; 0 unless something is badly wrong. */
  static internalErrors = 0;

  /** Log to the console (`Pusher.log`, when set, wins). */
  static get logToConsole() {
    return logToConsole;
  }

  static set logToConsole(value) {
    logToConsole = value;
    Pusher.#loggingChanged();
  }

  /** Receives every log line when set. */
  static get log() {
    return logFunction;
  }

  static set log(value) {
    logFunction = value;
    Pusher.#loggingChanged();
  }

  /** Tells every session whether its page logs, so the engine renders lines only when it does. */
  static #loggingChanged() {
    const on = logging();
    for (const link of links()) {
      for (const pusher of link.pushers()) pusher.#tellLogging(on);
    }
  }

  #link;
  #session;
  /** Not after `disconnect()`, until `connect()`: then the connection's state is not ours. */
  #attached = true;
  /** The socket id of a handshake shown from the early socket that the engine has not repeated yet. */
  #previewed;
  /** The `Connecting` line written for the early socket, which the engine's first line repeats. */
  #loggedConnecting;
  #tls;
  #clientEvents;
  #authorizeChannel;
  #authenticateUser;

  constructor(key, options) {
    // pusher-js's checks, throwing its strings, and ours (a TypeError naming a bad option).
    const args = clientArguments(key, options);
    super();
    /** The app key, as given. */
    this.key = key;
    /** The options, as given. */
    this.options = options;
    /** The channel objects (`channels.channels[name]`). */
    this.channels = new Channels();
    /** The connection. */
    this.connection = new ConnectionManager(this);
    /** The signed-in user: `pusher.user.bind(event, callback)` for events sent to them. */
    this.user = new UserFacade(this);
    this.#authorizeChannel = channelAuthorizer(options, this);
    this.#authenticateUser = userAuthenticator(options);
    this.#clientEvents = new RateGuard(args[10] ?? 10);
    // As the engine resolves it: TLS on an https: page, or unless `forceTLS` is false.
    this.#tls = globalThis.location?.protocol === 'https:' || options.forceTLS !== false;
    this.#link = options.shared ? sharedEngine(options.worker) : pageEngine();
    this.#session = this.#link.open(this, args, !!options.shared, logging());
    // pusher-js opens its socket here; a page whose engine is still loading does too, and shows
    // its handshake as it comes (for a connection of this instance's own: a shared one may join
    // another's; and on protocol 7).
    const preview = options.shared || args[11] ? undefined : (socketId) => this.#preview(socketId);
    const early = this.#link.openEarly(this.#session, args, this.#tls, preview);
    // pusher-js's line for its socket, written as the socket is made.
    if (early !== undefined && logging()) {
      this.#loggedConnecting = JSON.stringify(['Connecting', { transport: 'ws', url: early }]);
      writeLog(DEBUG, this.#loggedConnecting);
    }
    Pusher.instances.push(this);
    // pusher-js starts connecting here: `initialized -> connecting`, before anyone can bind.
    this.connection.state = 'connecting';
  }

  #call(...message) {
    this.#link.call(message);
  }

  #tellLogging(on) {
    this.#call(LOGGING, this.#session, on);
  }

  /** Signs the user in (`userAuthentication`), now and after every reconnect. */
  signin() {
    if (this.user.signin_requested) return;
    this.user.signin_requested = true;
    this.#call(COMMAND, this.#session, SIGNIN);
  }

  /** The channel object for `name`, the same one for every call while subscribed. */
  subscribe(name) {
    checkName(name);
    let channel = this.channels.channels[name];
    if (!channel) {
      channel = new (name.startsWith(PRESENCE) ? PresenceChannel : Channel)(name, this);
      this.channels.channels[name] = channel;
      this.#subscribeOnce(channel);
    } else if (channel.subscriptionPending && channel.subscriptionCancelled) {
      channel.subscriptionCancelled = false;
    } else {
      this.#subscribeOnce(channel);
    }
    return channel;
  }

  /** Asks the engine for the channel: it holds it, and subscribes it when connected. */
  #subscribeOnce(channel) {
    if (channel.subscribed || channel.subscriptionPending) return;
    if (this.connection.state === 'connected') {
      channel.subscriptionPending = true;
      channel.subscriptionCancelled = false;
    }
    this.#call(COMMAND, this.#session, SUBSCRIBE, channel.name);
  }

  /** Cancels a pending subscription, or unsubscribes. */
  unsubscribe(name) {
    if (typeof name !== 'string') checkName(name);
    const channel = this.channels.channels[name];
    if (channel?.subscriptionPending) {
      channel.subscriptionCancelled = true;
    } else if (channel) {
      this.#forget(channel);
    }
  }

  /** The channel leaves this instance: the engine lets go of it (and unsubscribes if no other page holds it). */
  #forget(channel) {
    delete this.channels.channels[channel.name];
    channel.subscribed = false;
    channel.subscriptionPending = false;
    channel.subscriptionCancelled = false;
    this.#call(COMMAND, this.#session, UNSUBSCRIBE, channel.name);
  }

  /** The channel object for `name`, or undefined. */
  channel(name) {
    return this.channels.find(name);
  }

  /** Every channel object. */
  allChannels() {
    return this.channels.all();
  }

  connect() {
    if (!this.#attached) {
      this.#attached = true;
      this.#showState('connecting');
    }
    this.#call(COMMAND, this.#session, CONNECT);
  }

  /** Disconnects this instance; in a shared engine, the other tabs stay connected. */
  disconnect() {
    this.#attached = false;
    this.#endPreview();
    this.#link.withdrawEarly(this.#session);
    this.#showState('disconnected');
    this.#call(COMMAND, this.#session, DISCONNECT);
  }

  /** Whether it was sent (false when not connected). */
  send_event(name, data, channel) {
    if (this.connection.state !== 'connected') return false;
    const json = JSON.stringify(data);
    this.#call(SEND, this.#session, false, text(name), json, channel ? text(channel) : undefined);
    return true;
  }

  /** `channel.trigger`'s sending: not when disconnected, nor over `maxClientEventsPerSecond`. */
  sendClientEvent(event, data, channel) {
    if (this.connection.state !== 'connected') return false;
    if (!this.#clientEvents.admit(Date.now())) {
      const limit = this.#clientEvents.limit;
      log(WARN, 'Client event not sent: over the rate limit', `${event} on ${channel}`);
      this.#emit(CONNECTION, undefined, 'error', {
        type: 'ClientEventRateLimited',
        error: `Client event ${event} on ${channel} was not sent: over ${limit} client events per second`,
        data: { event, channel },
      });
      return false;
    }
    this.#call(SEND, this.#session, true, event, JSON.stringify(data), channel);
    return true;
  }

  /** Whether the connection uses `wss:`. */
  shouldUseTLS() {
    return this.#tls;
  }

  /**
   * For the test suite only: makes the engine panic, to prove a panic is reported. Only the test
   * build's engine (`cargo build --features testing`) has the call; the release engine ignores it.
   */
  [Symbol.for('pusher-wasm.panicForTesting')]() {
    this.#call(PANIC_FOR_TESTING, this.#session);
  }

  // ----- what the engine says -----

  [RECEIVE](kind, a, b, c, d, e) {
    switch (kind) {
      case STATE:
        this.#tls = c;
        if (this.#previewed !== undefined && this.#repeatsPreview(a, b)) return;
        if (this.#attached) {
          if (a === 'connected') this.connection.socket_id = b;
          this.#showState(a);
        }
        return;
      case EMIT:
        return this.#emit(a, b, c, d, e);
      case MEMBERS: {
        const members = this.channels.channels[a]?.members;
        if (members) {
          // In a page, `b` is the engine's own object, which it keeps up to date in place, as
          // pusher-js does. From a SharedWorker it is a copy (as JSON text, worker.js): the
          // subscription's first members become the object, as pusher-js makes `presence.hash`
          // it, and later changes are applied to it in place.
          if (!this.#link.shared) members.members = b;
          else {
            if (typeof b === 'string') b = JSON.parse(b);
            if (members.count === 0) members.members = b;
            else updateInPlace(members.members, b);
          }
          members.count = c;
          members.myID = d;
          members.me = e;
        }
        return;
      }
      case DELIVER:
        // From a SharedWorker, data comes as it came (`d`): parsed here, as pusher-js parses it.
        if (d) {
          try {
            b = JSON.parse(b);
          } catch {}
        }
        return this.#deliver(a, b, c);
      case AUTHORIZE:
        return a === undefined ? this.#authenticate(b) : this.#authorize(a, b);
      case SIGNED_IN:
        return this.user.signedIn(a, b);
      case LOG:
        if (this.#loggedConnecting !== undefined) {
          const repeated = b === this.#loggedConnecting;
          this.#loggedConnecting = undefined;
          if (repeated) return;
        }
        return writeLog(a, b);
      case INTERNAL_ERROR:
        // A Rust panic stopped the engine (or it could not start): said loudly, once per instance.
        // A handshake shown from the early socket is not a connection any more: it is closed.
        if (this.#previewed !== undefined) {
          this.#endPreview();
          this.#showState('connecting');
        }
        Pusher.internalErrors++;
        Pusher.log?.('Pusher : ' + a);
        this.connection.emit('error', { type: 'InternalError', error: a });
        setTimeout(() => {
          throw new Error(a);
        });
        return;
    }
  }

  /**
   * The early socket's handshake, before the engine has it: shown now, as pusher-js shows it.
   * The engine's own account of that connection follows (`#repeatsPreview`).
   */
  #preview(socketId) {
    if (!this.#attached || this.connection.state !== 'connecting') return;
    this.#previewed = socketId;
    this.connection.socket_id = socketId;
    // What the page's callbacks ask for here reaches the engine when it repeats this `connected`,
    // where the same callbacks run without a preview (before the resubscriptions it starts).
    this.#link.holdCalls(this.#session, () => this.#showState('connected'));
  }

  /** The engine has had its say on the preview (or the session let go of it): its calls go on. */
  #endPreview() {
    this.#previewed = undefined;
    this.#link.releaseCalls(this.#session);
  }

  /**
   * Whether the engine's `state` only repeats what the preview showed: its start (`connecting`),
   * then `connected` with the same socket id. Anything else ends the preview and is shown; a
   * `connected` on another socket comes after a `connecting`, as a new connection's would.
   */
  #repeatsPreview(state, socketId) {
    if (state === 'connecting') return true;
    const previewed = this.#previewed;
    this.#endPreview();
    if (state !== 'connected') return false;
    if (socketId === previewed) return true;
    if (this.#attached) this.#showState('connecting');
    return false;
  }

  /** The state this instance shows: `state_change`, then pusher-js's own handling, then the state's event. */
  #showState(state) {
    const connection = this.connection;
    const previous = connection.state;
    if (state === previous) return;
    connection.state = state;
    if (previous === 'connected') this.user.signedIn();
    const id = state === 'connected' ? ` with new socket ID ${connection.socket_id}` : '';
    log(DEBUG, 'State changed', `${previous} -> ${state}${id}`);
    connection.emit('state_change', { previous, current: state });
    if (state === 'connected') {
      // pusher-js's subscribeAll, bound before any of the page's callbacks.
      for (const channel of this.channels.all()) {
        if (!channel.subscribed) {
          channel.subscriptionPending = true;
          channel.subscriptionCancelled = false;
        }
      }
      connection.emit('connected', { socket_id: connection.socket_id });
      return;
    }
    if (state === 'connecting' || state === 'disconnected') {
      // pusher-js's channels.disconnect(). A channel unsubscribed while pending is gone with
      // the connection (pusher-js would subscribe it again: README, difference 8).
      for (const channel of this.channels.all()) {
        if (channel.subscriptionCancelled) this.#forget(channel);
        if (channel.subscribed) channel[RESUMABLE] = true;
        channel.subscribed = false;
        channel.subscriptionPending = false;
        channel.members?.reset();
      }
    }
    connection.emit(state);
  }

  #emit(target, channelName, event, payload, revive) {
    switch (target) {
      case CONNECTION:
        if (event === 'error') {
          // A socket's error event could not cross from the worker: it came as its type.
          if (revive) payload = { ...payload, error: new Event(payload.error.type) };
          log(WARN, payload);
        }
        this.connection.emit(event, payload);
        return;
      case CHANNEL:
        return this.#channelEvent(this.channels.channels[channelName], event, payload);
      case USER:
        return this.user.emit(event, payload);
      case WATCHLIST:
        return this.user.watchlist.emit(event, payload);
      default:
        this.emit(event, payload);
    }
  }

  /** A channel event, with pusher-js's handling of the subscription's own. */
  #channelEvent(channel, event, payload) {
    if (!channel) return;
    if (event === SUBSCRIPTION_SUCCEEDED) {
      channel.subscriptionPending = false;
      channel.subscribed = true;
      if (channel.subscriptionCancelled) {
        this.unsubscribe(channel.name);
        return;
      }
      if (channel.members) payload = channel.members;
    } else if (event === SUBSCRIPTION_ERROR) {
      channel.subscriptionPending = false;
      if (channel.subscriptionCancelled) {
        this.#forget(channel);
        return;
      }
    } else if (event === SUBSCRIPTION_COUNT && payload?.subscription_count) {
      channel.subscriptionCount = payload.subscription_count;
    } else if (event === RESUMED) {
      // Only for a channel this instance had subscribed before the connection went (in a shared
      // engine another tab's resumption is this tab's first subscription).
      if (channel[RESUMABLE]) {
        channel[RESUMABLE] = false;
        channel.emitBound(event, payload);
      }
      return;
    }
    emitOnChannel(channel, event, payload);
  }

  /** A frame: to the channel's callbacks, the user's, the instance's, and as `message`. */
  #deliver(frame, data, flags) {
    const event = frame.event;
    const channelName = frame.channel;
    const userId = typeof frame.user_id === 'string' && frame.user_id !== '' ? frame.user_id : undefined;
    if (flags & TO_CHANNEL) {
      const channel = this.channels.channels[channelName];
      if (channel) {
        const metadata = flags & WITH_USER_ID && userId !== undefined ? { user_id: userId } : {};
        emitOnChannel(channel, event, data, metadata);
      }
    }
    // pusher-js's user facade re-emits its channel's events as `callback(data)`, and the
    // instance's global emitter gets every event the same way.
    if (flags & TO_USER) this.user.emit(event, data);
    if (flags & TO_GLOBAL) this.emit(event, data);
    if (this.connection.listens('message')) {
      const message = { event, channel: channelName, data };
      if (userId !== undefined) message.user_id = userId;
      this.connection.emit('message', message);
    }
  }

  #authorize(channelName, socketId) {
    this.#authorizeChannel({ socketId, channelName }, (error, data) => {
      this.#call(AUTH_DONE, this.#session, channelName, socketId, data, ...failure(error));
    });
  }

  #authenticate(socketId) {
    this.#authenticateUser({ socketId }, (error, data) => {
      this.#call(AUTH_DONE, this.#session, undefined, socketId, data, ...failure(error));
    });
  }
}

logOwner.class = Pusher;

/** Makes `target` hold what `source` holds, keeping its identity. */
function updateInPlace(target, source) {
  for (const key of Object.keys(target)) if (!Object.hasOwn(source, key)) delete target[key];
  Object.assign(target, source);
}
