// A TCP proxy (node:net) between the browser and a real server, to break the network on purpose.
//
//   const proxy = await startTcpProxy({ targetPort: sockudo.port });
//   proxy.port                    // point the client at 127.0.0.1:proxy.port
//   proxy.cutAll()                // destroy every connection, both sides (the browser sees 1006)
//   proxy.blackhole()             // stop forwarding both ways on every open connection; the
//                                 // sockets stay open (a half-open connection: nothing arrives,
//                                 // nothing fails). New connections still work.
//   proxy.blackhole({ newConnections: true })  // ... and new connections too, until heal()
//   proxy.refuse()                // every connection is destroyed, and new ones at once, until
//                                 // heal(): the network is gone (the browser's attempts fail)
//   proxy.heal()                  // new connections forward again (black-holed ones stay dead:
//                                 // their byte streams have holes, as after a lost NAT mapping)
//   proxy.setLatency(ms)          // every chunk is delayed that long, each way
//   proxy.setThrottle(bytesPerS)  // at most that many bytes per second, each way, per connection
//   proxy.setConnectDelay(ms)     // a new connection's first bytes from the client wait that much
//                                 // longer: the round trips of TCP's (and TLS's) handshake, which
//                                 // the proxy's own accept on loopback does not cost
//   proxy.connections             // the open ones: { id, blackholed, bytesUp, bytesDown }
//   proxy.accepted                // how many connections were ever accepted
//   await proxy.close()
//
// Data is forwarded in order: each direction has a queue of chunks, drained one at a time once a
// chunk is `latency` old, in slices small enough to honour the throttle. While black-holed, the
// proxy keeps reading (so the sender's TCP stack sees its data acknowledged) and discards.

import net from 'node:net';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many bytes a direction may buffer before the proxy stops reading from its source. */
const HIGH_WATER = 1 << 20;

class Direction {
  /** `up`: from the client to the server (the direction a handshake's cost is charged to). */
  constructor(link, from, to, counter, up = false) {
    this.link = link;
    this.first = up;
    this.from = from;
    this.to = to;
    this.counter = counter;
    this.queue = [];
    this.queued = 0;
    this.pumping = false;
    this.ended = false;
    from.on('data', (chunk) => this.#onData(chunk));
    // A FIN is passed on once everything before it was (a black-holed link just goes away).
    from.on('end', () => {
      this.ended = true;
      if (this.link.blackholed) this.link.destroy();
      else this.#pump();
    });
  }

  #onData(chunk) {
    if (this.link.blackholed) return; // read and discard: the sender sees no trouble
    this.queue.push({ chunk, at: Date.now() + (this.first ? this.link.proxy.connectDelayMs : 0) });
    this.first = false;
    this.queued += chunk.length;
    if (this.queued > HIGH_WATER) this.from.pause();
    this.#pump();
  }

  async #pump() {
    if (this.pumping) return;
    this.pumping = true;
    const proxy = this.link.proxy;
    while (this.queue.length > 0 && !this.link.closed) {
      const item = this.queue[0];
      const wait = item.at + proxy.latencyMs - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.link.blackholed || this.link.closed) break;
      let piece = item.chunk;
      const rate = proxy.bytesPerSecond;
      if (rate > 0) {
        // 20 slices a second at most: small enough to be smooth, big enough to be cheap.
        piece = item.chunk.subarray(0, Math.max(1, Math.floor(rate / 20)));
      }
      this.to.write(piece);
      this.counter(piece.length);
      this.queued -= piece.length;
      if (piece.length === item.chunk.length) this.queue.shift();
      else item.chunk = item.chunk.subarray(piece.length);
      if (this.queued <= HIGH_WATER / 2 && this.from.isPaused()) this.from.resume();
      if (rate > 0) await sleep((piece.length / rate) * 1000);
    }
    if (this.link.blackholed) {
      this.queue = [];
      this.queued = 0;
      if (this.from.isPaused()) this.from.resume();
    } else if (this.ended && this.queue.length === 0 && !this.link.closed) {
      this.to.end();
    }
    this.pumping = false;
  }
}

export async function startTcpProxy({ targetHost = '127.0.0.1', targetPort, host = '127.0.0.1', port = 0 } = {}) {
  if (!targetPort) throw new Error('startTcpProxy: targetPort is required');
  const links = new Set();
  let nextId = 0;
  let blackholeNew = false;
  let refuseNew = false;

  const proxy = {
    host,
    port: 0,
    latencyMs: 0,
    connectDelayMs: 0,
    bytesPerSecond: 0,
    accepted: 0,
    get connections() {
      return [...links].map((l) => ({
        id: l.id,
        blackholed: l.blackholed,
        bytesUp: l.bytesUp,
        bytesDown: l.bytesDown,
      }));
    },
    setLatency(ms) {
      this.latencyMs = ms;
    },
    setConnectDelay(ms) {
      this.connectDelayMs = ms;
    },
    setThrottle(bytesPerSecond) {
      this.bytesPerSecond = bytesPerSecond;
    },
    /** Destroys every connection, on both sides, without a close frame. */
    cutAll() {
      for (const l of links) l.destroy();
    },
    blackhole({ newConnections = false } = {}) {
      for (const l of links) l.blackholed = true;
      blackholeNew = newConnections;
    },
    /** Destroys every connection, and each new one as it comes, until `heal()`. */
    refuse() {
      refuseNew = true;
      this.cutAll();
    },
    heal() {
      blackholeNew = false;
      refuseNew = false;
    },
    close() {
      this.cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    proxy.accepted++;
    if (refuseNew) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: targetHost, port: targetPort, allowHalfOpen: true });
    const link = {
      id: nextId++,
      proxy,
      blackholed: blackholeNew,
      closed: false,
      bytesUp: 0,
      bytesDown: 0,
      destroy() {
        if (this.closed) return;
        this.closed = true;
        links.delete(this);
        client.destroy();
        upstream.destroy();
      },
    };
    links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    new Direction(link, client, upstream, (n) => (link.bytesUp += n), true);
    new Direction(link, upstream, client, (n) => (link.bytesDown += n));
    // An error on either side takes both down; so does a close once both sides are closed.
    let closedSides = 0;
    for (const s of [client, upstream]) {
      s.on('error', () => link.destroy());
      s.on('close', () => {
        if (++closedSides === 2) link.destroy();
      });
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  proxy.port = server.address().port;
  proxy.url = `ws://${host}:${proxy.port}`;
  return proxy;
}
