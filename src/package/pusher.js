// `Pusher`: the client class, with pusher-js 8.6.0's API.
import { Client } from 'pusher-wasm:glue';
import { Channel } from './channel.js';
import { Channels } from './channels.js';
import { ConnectionManager } from './connection.js';
import { EventsDispatcher, GLOBAL, SLOT, sendEvent } from './dispatcher.js';
import { BadChannelName } from './errors.js';

export default class Pusher extends EventsDispatcher {
  /** Every Pusher created, as pusher-js's `Pusher.instances`. */
  static instances = [];
  /** Always true: the client connects as soon as it is created. */
  static isReady = true;
  /** Log to the console (`Pusher.log`, when set, wins). */
  static logToConsole = false;
  /** Receives every log line when set. */
  static log = undefined;

  constructor(key, options) {
    const channels = new Channels();
    // Validates like pusher-js (throwing its strings), then connects.
    const client = new Client(key, options, (name) => delete channels.channels[name]);
    super(client, GLOBAL);
    /** The app key, as given. */
    this.key = key;
    /** The options, as given. */
    this.options = options;
    /** The channel objects (`channels.channels[name]`). */
    this.channels = channels;
    /** The connection. */
    this.connection = new ConnectionManager(client);
    Pusher.instances.push(this);
  }

  /** The channel object for `name`, the same one for every call while subscribed. */
  subscribe(name) {
    const client = this[SLOT].client;
    const id = client.subscribe(channelName(name));
    if (id < 0) throw nameError(id, name);
    let channel = this.channels.channels[name];
    if (!channel || channel[SLOT].id !== id) {
      channel = new Channel(this, client, name, id);
      this.channels.channels[name] = channel;
    }
    return channel;
  }

  /** Cancels a pending subscription, or unsubscribes. */
  unsubscribe(name) {
    this[SLOT].client.unsubscribe(channelName(name));
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
    this[SLOT].client.connect();
  }

  disconnect() {
    this[SLOT].client.disconnect();
  }

  /** Whether it was sent (false when not connected). */
  send_event(name, data, channel) {
    return sendEvent(this[SLOT].client, name, data, channel);
  }

  /** Whether the connection uses `wss:`. */
  shouldUseTLS() {
    return this[SLOT].client.usesTls();
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
