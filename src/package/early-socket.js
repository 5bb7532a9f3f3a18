// The first WebSocket of a page's engine, opened by `new Pusher()` while the engine is still
// loading, as pusher-js opens its socket in its constructor: the handshake overlaps the engine's
// start instead of following it. The engine takes the socket when it opens one to the same URL
// (its `open_socket`), and what the socket said meanwhile is replayed to the engine's handlers.
// A socket the engine did not take once it is up (it was told to disconnect first, or works out
// another URL) is closed.
import { PROTOCOL, PUSHER_JS_VERSION, RECOVERY_PROTOCOL } from './codes.js';

/**
 * The URL the engine opens first, from `clientArguments`' values, as `ConnectionOptions::url`
 * writes it: `ws[s]://{host}:{port}{wsPath}/app/{key}?protocol=7&client=js&version=…&flash=false`.
 * @param {any[]} args
 * @param {boolean} tls
 */
export function socketUrl(args, tls) {
  const [key, cluster, wsHost, wsPort, wssPort, wsPath] = args;
  const recovery = args[11];
  const host = wsHost ?? `ws-${cluster}.pusher.com`;
  const port = tls ? (wssPort ?? 443) : (wsPort ?? 80);
  const query = `protocol=${recovery ? RECOVERY_PROTOCOL : PROTOCOL}&client=js&version=${PUSHER_JS_VERSION}&flash=false`;
  return `${tls ? 'wss' : 'ws'}://${host}:${port}${wsPath ?? ''}/app/${key}?${query}${recovery ? '&echo_messages=false' : ''}`;
}

/** Sockets opened before the engine was up, waiting for it. */
export class EarlySockets {
  /** @type {{ url: string, socket: WebSocket, events: Event[] }[]} */
  #waiting = [];

  /** Opens a socket to `url` and keeps what it says until the engine takes it. */
  open(url) {
    try {
      const socket = new WebSocket(url);
      /** @type {Event[]} */
      const events = [];
      /** @param {Event} event */
      const keep = (event) => events.push(event);
      // Handler properties: the engine's own replace them when it takes the socket.
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = keep;
      this.#waiting.push({ url, socket, events });
    } catch {
      // the engine will try, and report it
    }
  }

  /** The engine's `open_socket(url)`: the early socket to `url`, if there is one. */
  take = (/** @type {string} */ url) => {
    const i = this.#waiting.findIndex((entry) => entry.url === url);
    if (i < 0) return undefined;
    const [{ socket, events }] = this.#waiting.splice(i, 1);
    // The engine sets its handlers as soon as this returns; they hear what they missed in a
    // microtask, before any later event of the socket (each of which is a task of its own). An
    // event whose dispatch is over can be dispatched again.
    queueMicrotask(() => events.forEach((event) => socket.dispatchEvent(event)));
    return socket;
  };

  /** The engine is up (or could not start): a socket it did not take is not wanted. */
  closeRest() {
    for (const { socket } of this.#waiting.splice(0)) socket.close();
  }
}
