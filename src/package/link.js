// How a facade reaches an engine, through one message interface: `[CALL, session, ...]` in,
// `(session, OUTPUT, a, b, c, d, e)` out. The engine runs
// - in this page, loaded with a dynamic import on first use (the wasm is not part of what the
//   page loads before `new Pusher()` returns), or
// - with `shared: true`, in a SharedWorker shared by every tab of the origin, which holds one
//   connection per key and options for all of them.
// Calls made before the engine is up are queued and sent in order once it is.
import { EarlySockets, socketUrl } from './early-socket.js';
import {
  CLOSE,
  COMMAND,
  CONNECT,
  DISCONNECT,
  HELLO,
  INTERNAL_ERROR,
  OFFLINE,
  ONLINE,
  OPEN,
  PAGE,
  READY,
  RESUMED,
  VISIBLE,
} from './codes.js';

/** A session's receiving end: the Pusher instance's method for what the engine says. */
export const RECEIVE = Symbol('receive');

class Link {
  /** `shared`: the engine is in a SharedWorker (what it sends is a copy). */
  constructor(shared = false) {
    this.shared = shared;
    /** `session → WeakRef(Pusher)`: the engine keeps no page object alive. */
    this.sessions = new Map();
    this.queue = [];
    this.send = null;
    /** A SharedWorker's link: the tab is taking its lock before it sends anything. */
    this.starting = false;
    this.last = 0;
    /** Sockets `new Pusher()` opened while this page's engine was loading. */
    this.early = new EarlySockets();
    /** The engine's `send` while `ready` hands it what waited. */
    this.readying = null;
    /** The session whose calls `holdCalls` keeps apart, and what it kept, by session. */
    this.holding = 0;
    this.held = new Map();
  }

  /**
   * Sends `message` to the engine, or queues it until the engine is up. There, a session's
   * `connect()` and its `disconnect()` still queued cancel out: its queued OPEN connects it
   * afresh (its early socket went with the `disconnect()`), and the engine does not report a
   * disconnection the page has already left behind.
   */
  call(message) {
    const held = message[1] === this.holding ? this.held.get(message[1]) : undefined;
    if (held) return void held.push(message);
    if (this.send) return this.send(message);
    if (message[0] === COMMAND && message[2] === CONNECT) {
      for (let i = this.queue.length - 1; i >= 0; i--) {
        const m = this.queue[i];
        if (m[0] === COMMAND && m[1] === message[1] && m[2] === DISCONNECT) return void this.queue.splice(i, 1);
      }
    }
    this.queue.push(message);
  }

  /**
   * The engine is up: what waited goes first. A session's OPEN hands its early socket over,
   * with what the socket said, before the engine hears the session's next call.
   */
  ready(send) {
    this.readying = send;
    for (const message of this.queue) {
      if (message[0] === OPEN) this.early.handOver(message[1], () => send(message));
      else send(message);
    }
    this.readying = null;
    this.queue = [];
    this.send = send;
    this.early.closeRest();
  }

  /**
   * Runs `shown()` (a session's callbacks for what its early socket said) with the session's
   * calls kept apart, until `releaseCalls`: the engine is to hear them where the same callbacks
   * would have run had it been up, not after what the page queued before.
   */
  holdCalls(session, shown) {
    if (!this.held.has(session)) this.held.set(session, []);
    this.holding = session;
    try {
      shown();
    } finally {
      this.holding = 0;
    }
  }

  /**
   * What `holdCalls` kept of `session`'s calls goes to the engine now, in order: at once while the
   * engine is being handed what waited (from inside its output, as a callback's call would go),
   * else as any call.
   */
  releaseCalls(session) {
    const calls = this.held.get(session);
    this.held.delete(session);
    for (const message of calls ?? []) {
      if (this.readying) this.readying(message);
      else this.call(message);
    }
  }

  /**
   * `new Pusher()` with the checked constructor arguments, on this page's engine while it is
   * still loading: its first socket is opened now (a shared engine's, or a running one's, is
   * not). `established(socketId)` hears of the socket's handshake (`EarlySockets.open`).
   * Returns the socket's URL when it opened one.
   */
  openEarly(session, args, tls, established) {
    if (this.shared || this.send) return undefined;
    const url = socketUrl(args, tls);
    return this.early.open(session, url, established) ? url : undefined;
  }

  /** `session` disconnected: an early socket it opened is not wanted. */
  withdrawEarly(session) {
    this.early.withdraw(session);
  }

  /** A new session for `pusher`, opened with the checked constructor arguments. */
  open(pusher, args, shared, logging) {
    const session = ++this.last;
    this.sessions.set(session, new WeakRef(pusher));
    collected.register(pusher, { link: this, session });
    this.call([OPEN, session, args, shared, logging]);
    return session;
  }

  /** What the engine says, to the session it is for. */
  receive = (session, kind, a, b, c, d, e) => {
    this.sessions.get(session)?.deref()?.[RECEIVE](kind, a, b, c, d, e);
  };

  /** Every live session's Pusher instance. */
  *pushers() {
    for (const ref of this.sessions.values()) {
      const pusher = ref.deref();
      if (pusher) yield pusher;
    }
  }

  /** The engine could not be loaded: every session hears why. */
  failed(error) {
    const message = `pusher-wasm could not start its engine: ${error?.message ?? error}`;
    for (const [session] of this.sessions) this.receive(session, INTERNAL_ERROR, message);
    this.early.closeRest();
  }
}

// A Pusher the page dropped closes its session (pusher-js keeps every instance in
// `Pusher.instances`, so this only happens once the page removed it from there too).
const collected = new FinalizationRegistry(({ link, session }) => {
  link.sessions.delete(session);
  link.call([CLOSE, session]);
});

let pageLink = null;
const workerLinks = new Map();

/** The links there are, for settings that reach every session (logging). */
export function links() {
  return [pageLink, ...workerLinks.values()].filter(Boolean);
}

/** The link to this page's own engine, loaded on first use. */
export function pageEngine() {
  if (!pageLink) {
    pageLink = new Link();
    startInPage(pageLink);
    listenToThePage(pageLink);
  }
  return pageLink;
}

function startInPage(link) {
  import('./engine.js')
    .then(({ createEngine }) => createEngine(link.receive, link.early.take))
    .then(
      (send) => link.ready(send),
      (error) => link.failed(error),
    );
}

/**
 * The link to the engine in a SharedWorker, or to this page's own engine where there is no
 * SharedWorker (Chrome on Android) or it cannot start. `worker` is the option: undefined for the
 * package's own `worker.js`, a URL (or string) of the worker script, or a function that makes the
 * `SharedWorker`.
 */
export function sharedEngine(worker) {
  if (typeof SharedWorker === 'undefined') return pageEngine();
  const key = worker ?? '';
  let link = workerLinks.get(key);
  if (!link) {
    link = new Link(true);
    workerLinks.set(key, link);
    startInWorker(link, worker);
    listenToThePage(link);
  }
  return link;
}

function startInWorker(link, option) {
  let worker;
  try {
    // `extendedLifetime`: the worker outlives its last tab for a while (Chrome 140+), so that a
    // reload finds it, and its connection, still there.
    worker =
      typeof option === 'function'
        ? option()
        : option
          ? new SharedWorker(option, { type: 'module', name: 'pusher-wasm', extendedLifetime: true })
          : // Written out in full so that bundlers (Vite, webpack) see the worker and ship it.
            new SharedWorker(new URL('./worker.js', import.meta.url), {
              type: 'module',
              name: 'pusher-wasm',
              extendedLifetime: true,
            });
  } catch {
    link.shared = false;
    startInPage(link);
    return;
  }
  const port = worker.port;
  // A worker that cannot start (a script the server does not have): this page runs the engine.
  worker.onerror = () => {
    if (!link.send) {
      link.shared = false;
      startInPage(link);
    }
  };
  port.onmessage = ({ data }) => {
    if (data[1] === READY) {
      if (link.send || link.starting) return;
      link.starting = true;
      const start = () => link.ready((message) => port.postMessage(message));
      if (!navigator.locks) return start();
      // This tab holds a lock for as long as it lives: the worker waits for it to learn when
      // the tab is gone (closed, crashed, discarded), which a port never says. The worker hears
      // of the lock once the tab holds it (or it could take it first), and before any session
      // of the tab (or a tab closed meanwhile would leave its sessions open).
      const lock = `pusher-wasm-tab-${Math.random().toString(36).slice(2)}-${Date.now()}`;
      navigator.locks.request(lock, () => {
        port.postMessage([HELLO, 0, lock]);
        start();
        return new Promise(() => {});
      });
    } else {
      // What the engine said during one of its tasks, in order, handled in one task here.
      for (const message of data) {
        try {
          link.receive(...message);
        } catch (error) {
          // A fault of ours must not lose the rest of the batch: it is thrown on its own.
          setTimeout(() => {
            throw error;
          });
        }
      }
    }
  };
  port.start();
}

/**
 * Page and network events, which start the engine's quick liveness check: `online` and
 * `offline` (as pusher-js), and where pusher-js listens to nothing, `visibilitychange` to
 * visible, `pageshow` from the back/forward cache and `resume` after a freeze.
 */
function listenToThePage(link) {
  if (typeof window === 'undefined' || typeof document === 'undefined') return;
  const page = (event) => () => link.call([PAGE, 0, event]);
  window.addEventListener('online', page(ONLINE));
  window.addEventListener('offline', page(OFFLINE));
  window.addEventListener('pageshow', (event) => event.persisted && link.call([PAGE, 0, RESUMED]));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') link.call([PAGE, 0, VISIBLE]);
  });
  document.addEventListener('resume', page(RESUMED));
}
