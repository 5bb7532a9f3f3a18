// `pusher.connection`: the connection's state, socket id and events. `state` and `socket_id` are
// plain properties, as in pusher-js, kept by the Pusher instance from what the engine says.
import { EventsDispatcher } from './dispatcher.js';

export class ConnectionManager extends EventsDispatcher {
  #pusher;

  constructor(pusher) {
    super();
    this.#pusher = pusher;
    /**
     * `initialized`, `connecting`, `connected`, `unavailable`, `failed` or `disconnected`.
     * @type {import('./index.js').ConnectionState}
     */
    this.state = 'initialized';
    /** The id the server gave the last connection; undefined before the first. */
    this.socket_id = undefined;
  }

  connect() {
    this.#pusher.connect();
  }

  disconnect() {
    this.#pusher.disconnect();
  }

  /** Whether it was sent (false when not connected). */
  send_event(name, data, channel) {
    return this.#pusher.send_event(name, data, channel);
  }

  /** Whether the connection uses `wss:`. */
  isUsingTLS() {
    return this.#pusher.shouldUseTLS();
  }
}
