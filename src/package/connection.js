// `pusher.connection`: the connection's state, socket id and events.
import {
  CONNECT,
  CONNECTION,
  DISCONNECT,
  EventsDispatcher,
  SLOT,
  SOCKET_ID,
  STATE,
  USES_TLS,
  command,
  read,
  sendEvent,
} from './dispatcher.js';

export class ConnectionManager extends EventsDispatcher {
  constructor(client) {
    super(client, CONNECTION);
  }

  /** `initialized`, `connecting`, `connected`, `unavailable`, `failed` or `disconnected`. */
  get state() {
    return read(this[SLOT].client, STATE);
  }

  /** The id the server gave the last connection; undefined before the first. */
  get socket_id() {
    return read(this[SLOT].client, SOCKET_ID);
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
  isUsingTLS() {
    return read(this[SLOT].client, USES_TLS);
  }
}
