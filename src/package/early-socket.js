// The first WebSocket of a page's engine, opened by `new Pusher()` while the engine is still
// loading, as pusher-js opens its socket in its constructor: the handshake overlaps the engine's
// start instead of following it. The engine takes the socket when the session that opened it
// opens its connection (the engine's `open_socket` during that session's OPEN), and what the
// socket said meanwhile is replayed to the engine's handlers at once, before the engine hears the
// session's next call. A socket the engine did not take once it is up (it was told to disconnect
// first, the session joined another's connection, or the engine works out another URL) is closed.
//
// The socket's first message, when it is the handshake that the engine will accept, is shown to
// the session as soon as it comes (`connected`, with its socket id), as pusher-js shows it: the
// page does not wait for the engine to learn what the server already said. The engine stays the
// judge: what it says of that connection later either repeats it or corrects it.
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

/**
 * The socket id of a protocol-7 handshake the engine accepts (`decode_frame`, then the core's
 * `handshake_frame`): a JSON object whose `event` is `pusher:connection_established` and whose
 * `data` (JSON in a string, or an object) holds a non-empty string `socket_id`. Undefined for
 * anything else (an error, another event, a binary frame), which only the engine judges.
 * @param {unknown} message a `MessageEvent`'s `data`
 */
export function handshakeSocketId(message) {
  if (typeof message !== 'string') return undefined;
  try {
    const frame = JSON.parse(message);
    if (frame?.event !== 'pusher:connection_established') return undefined;
    let data = frame.data;
    if (typeof data === 'string') data = JSON.parse(data);
    const id = typeof data === 'object' ? data?.socket_id : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Sockets opened before the engine was up, one per session, waiting for it. */
export class EarlySockets {
  /** @type {Map<number, { url: string, socket: WebSocket, events: Event[] }>} */
  #waiting = new Map();
  /** The session whose OPEN the engine is handling. */
  #opening = 0;
  /** @type {{ socket: WebSocket, events: Event[] } | null} */
  #taken = null;

  /**
   * Opens `session`'s socket to `url` and keeps what it says until the engine takes it.
   * `established(socketId)`, when given, hears of a first message that is a handshake the
   * engine will accept (`handshakeSocketId`). Returns whether the socket was made.
   * @param {number} session
   * @param {string} url
   * @param {((socketId: string) => void) | undefined} established
   */
  open(session, url, established) {
    try {
      const socket = new WebSocket(url);
      /** @type {Event[]} */
      const events = [];
      let first = true;
      /** @param {Event} event */
      const keep = (event) => {
        events.push(event);
        if (event.type !== 'message' || !first) return;
        first = false;
        const socketId = handshakeSocketId(/** @type {MessageEvent} */ (event).data);
        if (socketId !== undefined) established?.(socketId);
      };
      // Handler properties: the engine's own replace them when it takes the socket.
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = keep;
      this.#waiting.set(session, { url, socket, events });
      return true;
    } catch {
      // the engine will try, and report it
      return false;
    }
  }

  /**
   * `open()` hands `session`'s OPEN to the engine: the engine may take the session's socket
   * meanwhile (`take`), and then hears what the socket said before anything else.
   * @param {number} session
   * @param {() => void} open
   */
  handOver(session, open) {
    this.#opening = session;
    /** @type {{ socket: WebSocket, events: Event[] } | null} */
    let taken;
    try {
      open();
    } finally {
      // read and cleared even when `open()` throws, so no later OPEN replays a stale socket
      this.#opening = 0;
      taken = this.#taken;
      this.#taken = null;
    }
    // The engine set its handlers when `take` returned. An event whose dispatch is over can be
    // dispatched again; the engine's handlers hear it at once, as the socket's next events would.
    if (taken) for (const event of taken.events) taken.socket.dispatchEvent(event);
  }

  /** The engine's `open_socket(url)`: the early socket of the session being opened, if to `url`. */
  take = (/** @type {string} */ url) => {
    const entry = this.#waiting.get(this.#opening);
    if (entry?.url !== url) return undefined;
    this.#waiting.delete(this.#opening);
    this.#taken = entry;
    return entry.socket;
  };

  /** `session` disconnected before the engine was up: its socket is not wanted. */
  withdraw(/** @type {number} */ session) {
    this.#waiting.get(session)?.socket.close();
    this.#waiting.delete(session);
  }

  /** The engine is up (or could not start): a socket it did not take is not wanted. */
  closeRest() {
    for (const { socket } of this.#waiting.values()) socket.close();
    this.#waiting.clear();
  }
}
