// A scriptable fake Pusher Channels server (protocol 7) on `ws`, for faults a real server can't
// be made to produce: withheld handshakes, silent pings, invalid JSON, binary frames, any close
// code, TCP drops.
//
//   const fake = await startFakeServer();          // fake.url = 'ws://127.0.0.1:PORT'
//   fake.defaults.answerPings = false;              // applies to connections made from now on
//   const conn = await fake.nextConnection();       // FakeConnection
//   await conn.nextFrame({ event: 'pusher:subscribe' });
//   conn.sendEvent('my-event', { a: 1 }, 'my-channel');
//   conn.close(4001, 'nope');  conn.drop();  conn.sendRaw('{not json');  conn.sendBinary(buf);
//   fake.reset();  await fake.close();
//
// By default every connection to /app/:key gets `pusher:connection_established` at once (data is a
// JSON *string*, as real servers send it), `pusher:ping` is answered with `pusher:pong` and
// `pusher:subscribe` to a public channel with `pusher_internal:subscription_succeeded`. Every
// default can be switched off per server (`fake.defaults`) or per connection (`conn.options`).

import http from 'node:http';
import { WebSocketServer } from 'ws';

export const DEFAULTS = Object.freeze({
  /** send pusher:connection_established on connect */
  handshake: true,
  /** delay before the handshake, ms */
  handshakeDelayMs: 0,
  /** activity_timeout (seconds) announced in the handshake */
  activityTimeout: 120,
  /** answer pusher:ping with pusher:pong */
  answerPings: true,
  /** answer pusher:subscribe for public channels with pusher_internal:subscription_succeeded */
  answerSubscribe: true,
  /** only keys accepted at /app/:key (null: any key). Others get pusher:error 4001 + close 4001 */
  appKeys: null,
  /**
   * refuse the connection instead of the handshake: null (don't), 'drop' (TCP drop at once, the
   * browser sees 1006), { code, message } (pusher:error, then close with that code), or
   * { code, message, afterHandshake: true } (handshake first, then the close). May be a
   * function(conn) returning one of these (e.g. per conn.key).
   */
  refuse: null,
});

const WAIT_TIMEOUT = 5000;

/** `pred` may be a function(frame), an event name, or a partial object matched against frame.json. */
function toPredicate(pred) {
  if (typeof pred === 'function') return pred;
  if (typeof pred === 'string') return (f) => f.json?.event === pred;
  if (pred && typeof pred === 'object') {
    return (f) => f.json != null && Object.entries(pred).every(([k, v]) => deepEqual(f.json[k], v));
  }
  return () => true;
}

function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A promise resolved by `check()` returning non-undefined, re-evaluated on each `poke()`. */
class Waiters {
  #list = new Set();
  wait(check, what, timeout = WAIT_TIMEOUT) {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const w = { check, resolve };
      w.timer = setTimeout(() => {
        this.#list.delete(w);
        reject(new Error(`fake server: timed out after ${timeout} ms waiting for ${what}`));
      }, timeout);
      this.#list.add(w);
    });
  }
  poke() {
    for (const w of [...this.#list]) {
      const v = w.check();
      if (v !== undefined) {
        clearTimeout(w.timer);
        this.#list.delete(w);
        w.resolve(v);
      }
    }
  }
}

export class FakeConnection {
  constructor(server, ws, req, index) {
    this.server = server;
    this.ws = ws;
    this.index = index;
    this.url = req.url;
    const u = new URL(req.url, 'http://fake');
    this.path = u.pathname;
    this.query = Object.fromEntries(u.searchParams);
    this.key = this.path.startsWith('/app/') ? decodeURIComponent(this.path.slice(5)) : null;
    this.headers = req.headers;
    this.openedAt = Date.now();
    this.options = { ...server.defaults };
    this.socketId = `${1000 + index}.${424242 + index}`;
    /** every frame received from the client: { raw, json, binary, at } */
    this.frames = [];
    /** every text frame sent to the client: { raw, at } */
    this.sent = [];
    this.established = false;
    /** { code, reason, at } once closed */
    this.closed = null;
    this._waiters = new Waiters();

    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason), at: Date.now() };
      this._waiters.poke();
      server._waiters.poke();
    });
    ws.on('error', () => {});
  }

  #onMessage(data, isBinary) {
    const raw = isBinary ? null : String(data);
    let json;
    if (raw !== null) {
      try {
        json = JSON.parse(raw);
      } catch {}
    }
    const frame = { raw, json, binary: isBinary, bytes: isBinary ? Buffer.from(data) : null, at: Date.now() };
    this.frames.push(frame);
    this.#autoReply(frame);
    this._waiters.poke();
  }

  #autoReply(frame) {
    const msg = frame.json;
    if (!msg || typeof msg !== 'object') return;
    if (msg.event === 'pusher:ping' && this.options.answerPings) {
      this.sendEvent('pusher:pong', {});
    } else if (msg.event === 'pusher:subscribe' && this.options.answerSubscribe) {
      const channel = msg.data?.channel;
      if (typeof channel === 'string' && !/^(private-|presence-)/.test(channel)) {
        this.sendEvent('pusher_internal:subscription_succeeded', {}, channel);
      }
    }
  }

  _start() {
    const { appKeys, handshake, handshakeDelayMs } = this.options;
    if (appKeys && !appKeys.includes(this.key)) {
      this.sendError(4001, `App key ${this.key} not in this cluster. Did you forget to specify the cluster?`);
      this.close(4001, 'App key not found');
      return;
    }
    const refuse = typeof this.options.refuse === 'function' ? this.options.refuse(this) : this.options.refuse;
    if (refuse === 'drop') {
      this.drop();
      return;
    }
    if (refuse) {
      if (refuse.afterHandshake) this.establish();
      this.sendError(refuse.code, refuse.message ?? '');
      this.close(refuse.code, refuse.message ?? '');
      return;
    }
    if (!handshake) return;
    if (handshakeDelayMs > 0) setTimeout(() => this.isOpen && this.establish(), handshakeDelayMs);
    else this.establish();
  }

  get isOpen() {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Sends pusher:connection_established (the data is a JSON string, as Pusher sends it). */
  establish({ socketId = this.socketId, activityTimeout = this.options.activityTimeout } = {}) {
    this.socketId = socketId;
    this.established = true;
    this.send({
      event: 'pusher:connection_established',
      data: JSON.stringify({ socket_id: socketId, activity_timeout: activityTimeout }),
    });
  }

  /** Sends one JSON frame as is. */
  send(obj) {
    return this.sendRaw(JSON.stringify(obj));
  }

  /** Sends an event the way Pusher does: a non-string `data` is JSON-encoded into a string. */
  sendEvent(event, data, channel, extra = {}) {
    const msg = { event };
    if (channel !== undefined) msg.channel = channel;
    if (data !== undefined) msg.data = typeof data === 'string' ? data : JSON.stringify(data);
    return this.send({ ...msg, ...extra });
  }

  /** `pusher:error` with `{ code, message }` (data as an object, as Pusher sends it). */
  sendError(code, message) {
    return this.send({ event: 'pusher:error', data: { code, message } });
  }

  /** Any text frame, e.g. invalid JSON. */
  sendRaw(text) {
    this.sent.push({ raw: text, at: Date.now() });
    this.ws.send(text, { binary: false });
    return this;
  }

  sendBinary(bytes) {
    this.ws.send(Buffer.from(bytes), { binary: true });
    return this;
  }

  /** Close handshake with `code` (1000, 3000–4999) and `reason`. */
  close(code = 1000, reason = '') {
    this.ws.close(code, reason);
    return this;
  }

  /** Destroys the TCP socket without a close frame (the browser reports 1006). */
  drop() {
    this.ws.terminate();
    return this;
  }

  /** Resolves with the first frame received at index >= `from` (default: from now on) matching. */
  nextFrame(pred, { timeout, from = this.frames.length } = {}) {
    const match = toPredicate(pred);
    return this._waiters.wait(
      () => this.frames.slice(from).find(match),
      `frame ${typeof pred === 'function' ? pred : JSON.stringify(pred)} on connection ${this.index}`,
      timeout,
    );
  }

  /** Like nextFrame, but also looks at frames already received. */
  frame(pred, opts = {}) {
    return this.nextFrame(pred, { ...opts, from: 0 });
  }

  framesMatching(pred) {
    return this.frames.filter(toPredicate(pred));
  }

  /** Resolves with `{ code, reason }` once the connection is closed (by either side). */
  waitClosed({ timeout } = {}) {
    return this._waiters.wait(() => this.closed ?? undefined, `close of connection ${this.index}`, timeout);
  }
}

export class FakeServer {
  constructor() {
    this.defaults = { ...DEFAULTS };
    /** @type {FakeConnection[]} every connection, in arrival order */
    this.connections = [];
    /** upgrade requests refused because the path was not /app/:key */
    this.rejected = [];
    this._waiters = new Waiters();
  }

  async _listen(host, port) {
    this.http = http.createServer((req, res) => {
      res.writeHead(404);
      res.end();
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url, 'http://fake').pathname;
      if (!/^\/app\/[^/]+$/.test(path)) {
        this.rejected.push(req.url);
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new FakeConnection(this, ws, req, this.connections.length);
        this.connections.push(conn);
        conn._start();
        this._waiters.poke();
      });
    });
    await new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, resolve);
    });
    this.host = host;
    this.port = this.http.address().port;
    this.url = `ws://${host}:${this.port}`;
    return this;
  }

  /** The most recent connection (or undefined). */
  get latest() {
    return this.connections[this.connections.length - 1];
  }

  /** Resolves with connections[index] once it exists. */
  connection(index, { timeout } = {}) {
    return this._waiters.wait(() => this.connections[index], `connection #${index}`, timeout);
  }

  /** Resolves with the next connection to arrive after this call. */
  nextConnection(opts) {
    return this.connection(this.connections.length, opts);
  }

  /** Closes every connection (TCP drop), forgets them and restores the defaults. */
  reset(defaults = {}) {
    for (const c of this.connections) if (!c.closed) c.ws.terminate();
    this.connections = [];
    this.rejected = [];
    this.defaults = { ...DEFAULTS, ...defaults };
  }

  /** Plain-JSON record of every connection so far (for assertions after a page closed). */
  snapshot() {
    return this.connections.map((c) => ({
      index: c.index,
      url: c.url,
      path: c.path,
      query: c.query,
      socketId: c.socketId,
      openedAt: c.openedAt,
      closed: c.closed,
      frames: c.frames.map(({ raw, json, binary, at }) => ({ raw, json, binary, at })),
      sent: c.sent.slice(),
    }));
  }

  async close() {
    for (const c of this.connections) c.ws.terminate();
    await new Promise((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections?.();
    await new Promise((resolve) => this.http.close(() => resolve()));
  }
}

/**
 * Node-side handlers for a page scenario (`await node('fake.close', 4001, 'bye')`), all acting on
 * the latest connection unless noted. Returned values are plain JSON.
 */
export function pageHandlers(fake) {
  const conn = () => {
    const c = fake.latest;
    if (!c) throw new Error('fake server: no connection yet');
    return c;
  };
  const frameJSON = (f) => ({ raw: f.raw, json: f.json ?? null, binary: f.binary });
  return {
    'fake.connectionCount': () => fake.connections.length,
    'fake.connectionInfo': async (index) => {
      const c = await fake.connection(index ?? fake.connections.length - 1);
      return { index: c.index, url: c.url, path: c.path, query: c.query, socketId: c.socketId };
    },
    'fake.frames': (index) => (index == null ? conn() : fake.connections[index]).frames.map(frameJSON),
    'fake.nextFrame': async (pred, opts) => frameJSON(await conn().nextFrame(pred, opts)),
    'fake.frame': async (pred, opts) => frameJSON(await conn().frame(pred, opts)),
    'fake.send': (obj) => void conn().send(obj),
    'fake.sendEvent': (event, data, channel) => void conn().sendEvent(event, data, channel),
    'fake.sendRaw': (text) => void conn().sendRaw(text),
    'fake.sendBinary': (bytes) => void conn().sendBinary(bytes),
    'fake.sendError': (code, message) => void conn().sendError(code, message),
    'fake.establish': (opts) => void conn().establish(opts),
    'fake.close': (code, reason) => void conn().close(code, reason),
    'fake.drop': () => void conn().drop(),
    'fake.waitClosed': (index, opts) => (index == null ? conn() : fake.connections[index]).waitClosed(opts),
    /** fake.snapshot(): [{ index, url, openedAt, closed, frames, sent }] (times: Date.now()) */
    'fake.connections': () => fake.snapshot(),
    'fake.setOptions': (opts) => void Object.assign(conn().options, opts),
    'fake.setDefaults': (opts) => void Object.assign(fake.defaults, opts),
  };
}

/** @param {{ host?: string, port?: number, defaults?: object }} [opts] */
export async function startFakeServer(opts = {}) {
  const server = new FakeServer();
  Object.assign(server.defaults, opts.defaults ?? {});
  return server._listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
}
