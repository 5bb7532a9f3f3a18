// The bind family every pusher-js emitter has. The callbacks themselves live in the wasm
// client, which applies pusher-js's binding and calling rules (src/core/emitter.rs); this class
// only checks arguments and forwards.

/** Which emitter: the connection, the Pusher instance, or a channel. */
export const CONNECTION = 0;
export const GLOBAL = 1;
export const CHANNEL = 2;

/** Where an object's state lives: its wasm client and which of its emitters is the object's. */
export const SLOT = Symbol('pusher-wasm');

/** What `read` reads (src/web/api.rs, `Client::read`). */
export const STATE = 0;
export const SOCKET_ID = 1;
export const USES_TLS = 2;
export const USER_ID = 3;
export const USER_DATA = 4;
export const CHANNEL_FLAGS = 5;
export const SUBSCRIPTION_COUNT = 6;

/** One of the client's state, or of subscription `id` of `channel`, as `Client::read` says. */
export const read = (client, what, channel = '', id = 0) => client.read(what, channel, id);

/** The user's commands (src/web/api.rs, `Client::command`). */
export const CONNECT = 0;
export const DISCONNECT = 1;
export const SIGNIN = 2;
export const SUBSCRIBE = 3;
export const UNSUBSCRIBE = 4;

/** Runs a command; `subscribe` answers the subscription id, or a negative refusal. */
export const command = (client, op, name = '') => client.command(op, name);

function callback(value, method) {
  if (typeof value !== 'function') {
    throw new TypeError(`${method}: the callback must be a function`);
  }
  return value;
}

const text = (value) => (typeof value === 'string' ? value : String(value));

export class EventsDispatcher {
  constructor(client, kind, channel = '', id = 0) {
    Object.defineProperty(this, SLOT, { value: { client, kind, channel, id } });
  }

  /** `bind(event, callback, context?)`. Returns this. */
  bind(event, fn, context) {
    const s = this[SLOT];
    s.client.emitter(0, s.kind, s.channel, s.id, text(event), callback(fn, 'bind'), context);
    return this;
  }

  /** `unbind(event?, callback?, context?)`: each absent argument matches everything. */
  unbind(event, fn, context) {
    const s = this[SLOT];
    s.client.emitter(1, s.kind, s.channel, s.id, event ? text(event) : undefined, fn, context);
    return this;
  }

  /** `bind_global(callback)`: `callback(eventName, data)` for every event. */
  bind_global(fn) {
    const s = this[SLOT];
    s.client.emitter(2, s.kind, s.channel, s.id, undefined, callback(fn, 'bind_global'));
    return this;
  }

  /** `unbind_global(callback?)`. */
  unbind_global(fn) {
    const s = this[SLOT];
    s.client.emitter(3, s.kind, s.channel, s.id, undefined, fn);
    return this;
  }

  /** `unbind_all()`: every binding, global ones included. */
  unbind_all() {
    const s = this[SLOT];
    s.client.emitter(4, s.kind, s.channel, s.id);
    return this;
  }
}

/** `send_event(name, data, channel?)`, shared by the Pusher instance and its connection. */
export function sendEvent(client, name, data, channel) {
  return client.send(false, text(name), JSON.stringify(data), channel ? text(channel) : undefined) === 1;
}
