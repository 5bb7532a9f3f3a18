// The blaster: a minimal Pusher-protocol (7) server on `ws`, made to be cheap, so that the client
// is what gets measured. It does the handshake, public/private/presence subscriptions (no auth
// check: any `auth` is accepted; presence channels get `members` fake members plus the
// subscriber's own user_id), ping/pong and unsubscribe, and then sends events as fast as asked.
//
//   const b = await startBlaster({ members: 100 });
//   b.url / b.port
//   await b.blast({ channel, n, size })          // n events of `size`-byte data, back to back
//   await b.trickle({ channel, n, size, intervalMs })  // one every intervalMs, data.t = send time
//   const { upAt } = await b.restart(downMs)     // drop every socket, stop listening, listen again
//   await b.close()
//
// Event data is a JSON string (as Pusher sends it) of {"i":seq,"t":sendTimeMs,"p":"xxx…"}, padded
// so that the data string is exactly `size` bytes. Times are wall-clock ms with sub-ms precision
// (performance.timeOrigin + performance.now()), the clock the page converts its own times to.
import { WebSocketServer } from 'ws';
import { performance } from 'node:perf_hooks';

export const EVENT = 'bench';
export const SOCKET_ID = '1.2';
const ESTABLISHED = JSON.stringify({
  event: 'pusher:connection_established',
  data: JSON.stringify({ socket_id: SOCKET_ID, activity_timeout: 120 }),
});
const PONG = JSON.stringify({ event: 'pusher:pong', data: '{}' });

export const wallNow = () => performance.timeOrigin + performance.now();

/** The data string of event `i`: JSON, exactly `size` bytes (at least the bytes of i and t). */
export function eventData(i, t, size) {
  const head = `{"i":${i},"t":${t},"p":"`;
  const pad = Math.max(0, size - head.length - 2);
  return `${head}${'x'.repeat(pad)}"}`;
}

function eventFrame(channel, i, t, size) {
  // JSON.stringify of the data string escapes its quotes, as a Pusher server does.
  return `{"event":"${EVENT}","channel":${JSON.stringify(channel)},"data":${JSON.stringify(eventData(i, t, size))}}`;
}

function presenceData(members, userId) {
  const ids = [];
  const hash = {};
  for (let k = 1; k <= members; k++) {
    const id = String(k);
    ids.push(id);
    hash[id] = { name: `user ${k}` };
  }
  if (!(userId in hash)) {
    ids.push(userId);
    hash[userId] = { name: 'me' };
  }
  return JSON.stringify({ presence: { ids, hash, count: ids.length } });
}

/**
 * @param {{ port?: number, host?: string, members?: number }} [opts]
 */
export async function startBlaster(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  let members = opts.members ?? 100;
  let port = opts.port ?? 0;
  let wss = null;
  /** @type {Set<import('ws').WebSocket>} */
  const sockets = new Set();
  /** per socket: Set of subscribed channel names */
  const subs = new Map();
  const stats = { connections: 0, subscribes: 0, unsubscribes: 0, pings: 0, badFrames: 0, lastSucceededAt: 0 };

  function onConnection(ws) {
    stats.connections++;
    sockets.add(ws);
    subs.set(ws, new Set());
    ws.send(ESTABLISHED);
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return;
      let frame;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        stats.badFrames++;
        return;
      }
      const data = typeof frame.data === 'string' ? safeParse(frame.data) : frame.data;
      switch (frame.event) {
        case 'pusher:ping':
          stats.pings++;
          ws.send(PONG);
          break;
        case 'pusher:subscribe': {
          const channel = data?.channel;
          if (typeof channel !== 'string') return;
          stats.subscribes++;
          subs.get(ws)?.add(channel);
          let payload = '{}';
          if (channel.startsWith('presence-')) {
            const cd = safeParse(data.channel_data) ?? {};
            payload = presenceData(members, String(cd.user_id ?? '1'));
          }
          ws.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: payload }));
          stats.lastSucceededAt = wallNow();
          break;
        }
        case 'pusher:unsubscribe':
          stats.unsubscribes++;
          subs.get(ws)?.delete(data?.channel);
          break;
        default:
          break;
      }
    });
    ws.on('close', () => {
      sockets.delete(ws);
      subs.delete(ws);
    });
    ws.on('error', () => {});
  }

  async function listen() {
    wss = new WebSocketServer({ host, port, perMessageDeflate: false, clientTracking: false });
    wss.on('connection', onConnection);
    await new Promise((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    port = wss.address().port;
  }

  async function stopListening() {
    if (!wss) return;
    const w = wss;
    wss = null;
    for (const ws of sockets) ws.terminate();
    await new Promise((resolve) => w.close(() => resolve()));
  }

  function subscribersOf(channel) {
    return [...sockets].filter((ws) => subs.get(ws)?.has(channel));
  }

  /** Sends without ever letting ws buffer more than `highWater` bytes: yields to the event loop. */
  async function sendAll(targets, frames) {
    const highWater = 4 << 20;
    for (let k = 0; k < frames.length; k++) {
      for (const ws of targets) ws.send(frames[k]);
      if (k % 256 === 255) {
        while (targets.some((ws) => ws.readyState === ws.OPEN && ws.bufferedAmount > highWater)) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  await listen();

  return {
    get port() {
      return port;
    },
    get url() {
      return `ws://${host}:${port}`;
    },
    stats,
    setMembers(n) {
      members = n;
    },
    subscriberCount(channel) {
      return subscribersOf(channel).length;
    },
    /**
     * n events back to back. The WebSocket frames are encoded first, into one buffer, and
     * written to each socket in a single write: the kernel takes megabytes at once on loopback,
     * so the blaster needs almost no CPU while the client works (sending frame by frame through
     * ws.send cost the server a core's worth of time on a busy 2-core machine, and made it the
     * bottleneck whenever it was descheduled).
     */
    async blast({ channel, n, size }) {
      const targets = subscribersOf(channel);
      if (targets.length === 0) throw new Error(`nobody subscribed to ${channel}`);
      const t = Math.round(wallNow());
      const frames = new Array(n);
      for (let i = 0; i < n; i++) frames[i] = eventFrame(channel, i, t, size);
      const wire = encodeTextFrames(frames);
      const sentAt = wallNow();
      const raw = targets.every(rawSocket);
      if (raw)
        await Promise.all(targets.map((ws) => new Promise((resolve) => rawSocket(ws).write(wire, () => resolve()))));
      else await sendAll(targets, frames);
      return { sentAt, writtenAt: wallNow(), targets: targets.length, rawWrite: raw };
    },
    /** n events, one every intervalMs, each stamped with its send time. */
    async trickle({ channel, n, size, intervalMs }) {
      const targets = subscribersOf(channel);
      if (targets.length === 0) throw new Error(`nobody subscribed to ${channel}`);
      const start = wallNow();
      for (let i = 0; i < n; i++) {
        const due = start + i * intervalMs;
        const wait = due - wallNow();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const frame = eventFrame(channel, i, wallNow(), size);
        for (const ws of targets) ws.send(frame);
      }
      return { targets: targets.length };
    },
    /** A server restart: every socket dropped (no close frame), port closed for downMs. */
    async restart(downMs) {
      const downAt = wallNow();
      await stopListening();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await listen();
      return { downAt, upAt: wallNow() };
    },
    async close() {
      await stopListening();
    },
  };
}

/** Unmasked server-to-client text frames (RFC 6455 §5.2), concatenated. */
export function encodeTextFrames(texts) {
  const payloads = texts.map((t) => Buffer.from(t, 'utf8'));
  let total = 0;
  for (const p of payloads) total += p.length + (p.length < 126 ? 2 : p.length < 65536 ? 4 : 10);
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  for (const p of payloads) {
    out[o++] = 0x81; // FIN, text
    if (p.length < 126) out[o++] = p.length;
    else if (p.length < 65536) {
      out[o++] = 126;
      out.writeUInt16BE(p.length, o);
      o += 2;
    } else {
      out[o++] = 127;
      out.writeBigUInt64BE(BigInt(p.length), o);
      o += 8;
    }
    p.copy(out, o);
    o += p.length;
  }
  return out;
}

/** The net.Socket under a ws WebSocket when it is open with nothing queued (no extension is
 *  negotiated: perMessageDeflate is off), else null. ws 8 keeps it as `_socket`. */
function rawSocket(ws) {
  const socket = ws._socket;
  if (!socket || ws.readyState !== ws.OPEN || ws.bufferedAmount > 0 || Object.keys(ws.extensions ?? {}).length)
    return null;
  return socket;
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
