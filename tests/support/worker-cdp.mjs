// Sees into SharedWorkers over the Chrome DevTools Protocol, which Playwright does not: the
// WebSockets a worker opens (with every frame sent and received), and the network emulation a
// test applies to a page (`context.setOffline`), applied to the worker of that page's context.
//
// With `shared: true` pusher-wasm's socket lives in a SharedWorker, so the tests that read
// `session.websockets` read these records instead. The browser is launched with a DevTools port
// (tests/support/browser.mjs); this module holds its own connection to it, auto-attaches to every
// shared worker as it starts, turns its Network domain on, and files each worker's sockets under
// the browser context the worker belongs to.
//
// A worker must not run before its Network domain is on, or its socket goes unseen. DevTools'
// pause on start does not ensure that here: Playwright auto-attaches to every target too and
// detaches from shared workers at once, and that sometimes lets the worker run before this
// observer's `Network.enable` (with a 500 ms delay before it, 6 of 10 workers ran unseen; with
// no Playwright in the browser, 0 of 20). So the static server holds a shared worker's script
// until its worker is observed: `observeSharedWorkers` (tests/support/browser.mjs) wires
// `workerObserved` into it.

import WebSocket from 'ws';

export class WorkerObserver {
  #ws;
  #nextId = 0;
  #pending = new Map();
  /** `sessionId → { contextId, targetId }` of each attached worker. */
  #workers = new Map();
  /** `contextId → [socket record]`. */
  #sockets = new Map();
  /** `requestId → record`, per worker session. */
  #byRequest = new Map();
  /** `contextId → offline`, applied to workers that start later too. */
  #offline = new Map();
  /** Every worker attachment, for diagnostics: `{ contextId, sessionId, waitingForDebugger, at }`. */
  #attachments = [];
  /** Workers whose network is observed and whose script was not asked for yet: `url → [sessionId]`. */
  #observed = new Map();
  /** Script requests waiting for their worker to be observed: `url → [resolve]`. */
  #awaiting = new Map();

  /** Milliseconds to wait before turning a new worker's network on (a slow machine, for a test). */
  #attachDelayMs = 0;

  /**
   * @param {number} port  the browser's DevTools port
   * @param {{ attachDelayMs?: number }} [opts]  `attachDelayMs`: only for the test of the gate
   *   (tests/e2e/worker-observer.test.mjs), which stands for a loaded machine with it
   */
  static async connect(port, { attachDelayMs = 0 } = {}) {
    const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
    const observer = new WorkerObserver();
    observer.#attachDelayMs = attachDelayMs;
    await observer.#open(version.webSocketDebuggerUrl);
    return observer;
  }

  async #open(url) {
    this.#ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise((resolve, reject) => {
      this.#ws.once('open', resolve);
      this.#ws.once('error', reject);
    });
    this.#ws.on('message', (data) => this.#message(JSON.parse(String(data))));
    await this.#send('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: true,
      flatten: true,
      filter: [{ type: 'shared_worker', exclude: false }, { exclude: true }],
    });
  }

  #send(method, params = {}, sessionId) {
    const id = ++this.#nextId;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    this.#ws.send(JSON.stringify(message));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject, method }));
  }

  #message(msg) {
    if (msg.id !== undefined) {
      const waiter = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (!waiter) return;
      if (msg.error) waiter.reject(new Error(`${waiter.method}: ${msg.error.message}`));
      else waiter.resolve(msg.result);
      return;
    }
    const { method, params, sessionId } = msg;
    if (method === 'Target.attachedToTarget') {
      this.#attached(params).catch(() => {});
    } else if (method === 'Target.detachedFromTarget') {
      this.#workers.delete(params.sessionId);
      for (const sessions of this.#observed.values()) {
        const at = sessions.indexOf(params.sessionId);
        if (at >= 0) sessions.splice(at, 1);
      }
    } else if (method?.startsWith('Network.webSocket')) {
      this.#network(sessionId, method, params);
    }
  }

  async #attached({ sessionId, targetInfo, waitingForDebugger }) {
    if (targetInfo.type !== 'shared_worker') return;
    const contextId = targetInfo.browserContextId;
    this.#workers.set(sessionId, { contextId, targetId: targetInfo.targetId });
    this.#attachments.push({ contextId, sessionId, waitingForDebugger, at: Date.now() });
    if (this.#attachDelayMs) await new Promise((resolve) => setTimeout(resolve, this.#attachDelayMs));
    const enabled = [this.#send('Network.enable', {}, sessionId)];
    if (this.#offline.get(contextId)) enabled.push(this.#emulate(sessionId, true));
    // Sent is enough: DevTools queues them for the worker and hands them over when the worker
    // starts, ahead of its script. (They are answered only then, so waiting for the answers
    // while its script is held would never end.)
    this.#isObserved(targetInfo.url, sessionId);
    await Promise.all(enabled);
    await this.#send('Runtime.runIfWaitingForDebugger', {}, sessionId);
  }

  #isObserved(url, sessionId) {
    const waiter = this.#awaiting.get(url)?.shift();
    if (waiter) return waiter();
    const sessions = this.#observed.get(url) ?? [];
    sessions.push(sessionId);
    this.#observed.set(url, sessions);
  }

  /**
   * Resolves once a shared worker whose script is `url` is attached and its `Network.enable` is
   * on its way to it, each such worker answering one request for its script (the static server sends scripts
   * with `no-store`, so every start of a worker asks once).
   */
  workerObserved(url) {
    if (this.#observed.get(url)?.shift()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#awaiting.get(url) ?? [];
      waiters.push(resolve);
      this.#awaiting.set(url, waiters);
    });
  }

  #network(sessionId, method, p) {
    const worker = this.#workers.get(sessionId);
    if (!worker) return;
    const key = `${sessionId}:${p.requestId}`;
    if (method === 'Network.webSocketCreated') {
      const record = { url: p.url, openedAt: Date.now(), sent: [], received: [], closed: false };
      this.#byRequest.set(key, record);
      this.socketsOf(worker.contextId).push(record);
      return;
    }
    const record = this.#byRequest.get(key);
    if (!record) return;
    const payload = (f) => (f.opcode === 1 ? f.payloadData : { binary: f.payloadData.length });
    if (method === 'Network.webSocketFrameSent') record.sent.push(payload(p.response));
    else if (method === 'Network.webSocketFrameReceived') record.received.push(payload(p.response));
    else if (method === 'Network.webSocketClosed') record.closed = true;
  }

  /** The sockets the shared workers of browser context `contextId` opened (a live array). */
  socketsOf(contextId) {
    let list = this.#sockets.get(contextId);
    if (!list) this.#sockets.set(contextId, (list = []));
    return list;
  }

  /**
   * Resolves once every event the shared workers of `contextId` emitted so far has been filed:
   * a command's answer comes after the events its worker sent before it. A test reads the
   * records right after its scenario, and the last frames may still be on their way. (The
   * sockets that went missing under load were another matter: see the top of this file.)
   */
  async settle(contextId) {
    const sessions = [...this.#workers].filter(([, w]) => w.contextId === contextId).map(([id]) => id);
    await Promise.all(sessions.map((id) => this.#send('Runtime.evaluate', { expression: '0' }, id).catch(() => {})));
  }

  /** What the observer saw of `contextId`'s workers, for a test's failure message. */
  describe(contextId) {
    const attached = this.#attachments.filter((a) => a.contextId === contextId);
    return JSON.stringify({ attached, sockets: this.socketsOf(contextId).length });
  }

  /** Takes the workers of `contextId` off the network (or back on), as `setOffline` does a page. */
  async setOffline(contextId, offline) {
    this.#offline.set(contextId, offline);
    for (const [sessionId, worker] of this.#workers) {
      if (worker.contextId === contextId) await this.#emulate(sessionId, offline);
    }
  }

  #emulate(sessionId, offline) {
    return this.#send(
      'Network.emulateNetworkConditions',
      { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
      sessionId,
    );
  }

  /** How many shared workers of `contextId` are attached. */
  workerCount(contextId) {
    return [...this.#workers.values()].filter((w) => w.contextId === contextId).length;
  }

  /**
   * The memory of the (one) shared worker of `contextId`, after a full garbage collection: its
   * JS heap in use, and the bytes of every WebAssembly memory in it (the engine's).
   */
  async memory(contextId) {
    const sessionId = [...this.#workers].find(([, w]) => w.contextId === contextId)?.[0];
    if (!sessionId) throw new Error('no shared worker in that context');
    await this.#send('HeapProfiler.collectGarbage', {}, sessionId);
    const { usedSize } = await this.#send('Runtime.getHeapUsage', {}, sessionId);
    const proto = await this.#send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' }, sessionId);
    const { objects } = await this.#send(
      'Runtime.queryObjects',
      { prototypeObjectId: proto.result.objectId },
      sessionId,
    );
    const { result } = await this.#send(
      'Runtime.callFunctionOn',
      {
        objectId: objects.objectId,
        functionDeclaration: 'function () { return this.reduce((sum, m) => sum + m.buffer.byteLength, 0); }',
        returnByValue: true,
      },
      sessionId,
    );
    return { jsHeap: usedSize, wasm: result.value };
  }

  close() {
    this.#ws?.close();
  }
}

/** The DevTools id of a Playwright context (via one of its pages). */
export async function contextIdOf(context, page) {
  const cdp = await context.newCDPSession(page);
  try {
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    return targetInfo.browserContextId;
  } finally {
    await cdp.detach().catch(() => {});
  }
}
