// `Pusher`: the client class, with pusher-js 8.6.0's API.
import { Client } from 'pusher-wasm:glue';
import { Channel } from './channel.js';
import { Channels } from './channels.js';
import { ConnectionManager } from './connection.js';
import {
  CONNECT,
  DISCONNECT,
  EventsDispatcher,
  GLOBAL,
  SLOT,
  SUBSCRIBE,
  UNSUBSCRIBE,
  USES_TLS,
  command,
  read,
  sendEvent,
} from './dispatcher.js';
import { BadChannelName } from './errors.js';
import { channelAuthorizer, failure, userAuthenticator } from './auth.js';
import { clientArguments } from './options.js';
import { PresenceChannel } from './presence.js';
import { UserFacade } from './user.js';

export default class Pusher extends EventsDispatcher {
  /** Every Pusher created, as pusher-js's `Pusher.instances`. */
  static instances = [];
  /** Always true: the client connects as soon as it is created. */
  static isReady = true;
  /** Log to the console (`Pusher.log`, when set, wins). */
  static logToConsole = false;
  /** Receives every log line when set. */
  static log = undefined;
  /** How many internal errors (Rust panics) happened; 0 unless something is badly wrong. */
  static internalErrors = 0;

  constructor(key, options) {
    const channels = new Channels();
    // The wasm client keeps these hooks, so they hold this Pusher only weakly: a strong reference
    // from them would keep a dropped Pusher (and its client) alive for ever.
    let self;
    const live = () => self?.deref();
    const hooks = {
      forget: (name, id) => {
        const all = live()?.channels.channels;
        if (all?.[name]?.[SLOT].id === id) delete all[name];
      },
      authorize: (channelName, socketId) => live()?.#authorize(channelName, socketId),
      authenticateUser: (socketId) => live()?.#authenticate(socketId),
    };
    // Validates like pusher-js (throwing its strings), then connects. The auth hooks run only
    // once a subscription needs them, after this constructor returned.
    const client = new Client(...clientArguments(key, options), hooks);
    super(client, GLOBAL);
    self = new WeakRef(this);
    this.#authorizeChannel = channelAuthorizer(options, this);
    this.#authenticateUser = userAuthenticator(options);
    /** The app key, as given. */
    this.key = key;
    /** The options, as given. */
    this.options = options;
    /** The channel objects (`channels.channels[name]`). */
    this.channels = channels;
    /** The connection. */
    this.connection = new ConnectionManager(client);
    /** The signed-in user: `pusher.user.bind(event, callback)` for events sent to them. */
    this.user = new UserFacade(this, client);
    Pusher.instances.push(this);
  }

  #authorizeChannel;
  #authenticateUser;

  #authorize(channelName, socketId) {
    this.#authorizeChannel({ socketId, channelName }, (error, data) => {
      this[SLOT].client.authDone(channelName, socketId, data, ...failure(error));
    });
  }

  #authenticate(socketId) {
    this.#authenticateUser({ socketId }, (error, data) => {
      this[SLOT].client.authDone(undefined, socketId, data, ...failure(error));
    });
  }

  /** Signs the user in (`userAuthentication`), now and after every reconnect. */
  signin() {
    this.user.signin();
  }

  /** The channel object for `name`, the same one for every call while subscribed. */
  subscribe(name) {
    const client = this[SLOT].client;
    const id = command(client, SUBSCRIBE, channelName(name));
    if (id < 0) throw nameError(id, name);
    let channel = this.channels.channels[name];
    if (!channel || channel[SLOT].id !== id) {
      const Kind = name.startsWith('presence-') ? PresenceChannel : Channel;
      channel = new Kind(this, client, name, id);
      this.channels.channels[name] = channel;
    }
    return channel;
  }

  /** Cancels a pending subscription, or unsubscribes. */
  unsubscribe(name) {
    command(this[SLOT].client, UNSUBSCRIBE, channelName(name));
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
    command(this[SLOT].client, CONNECT);
  }

  disconnect() {
    command(this[SLOT].client, DISCONNECT);
  }

  /** Whether it was sent (false when not connected). */
  send_event(name, data, channel) {
    return sendEvent(this[SLOT].client, name, data, channel);
  }

  /** Whether the connection uses `wss:`. */
  shouldUseTLS() {
    return read(this[SLOT].client, USES_TLS);
  }
}

function channelName(name) {
  if (typeof name !== 'string') {
    throw new TypeError(`A channel name must be a string, got ${String(name)}`);
  }
  return name;
}

function nameError(code, name) {
  if (code === -2) return new BadChannelName(`Cannot create a channel with name "${name}".`);
  if (code === -1) return new Error('A channel name must not be empty');
  return new Error(`Channel name "${name}" is longer than 164 characters`);
}
