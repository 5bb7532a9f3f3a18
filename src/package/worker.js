// The SharedWorker every tab of the origin shares when `shared: true`: one engine, with one
// connection per key and options for all of them. Each tab talks to it over its own port, with
// the same calls a page makes to its own engine; the tab's session ids are its own, and the
// worker maps them to the engine's. A tab that goes away (closed, crashed, discarded) releases its
// sessions: the worker waits on a Web Lock the tab holds for as long as it lives.
import { createEngine } from './engine.js';
import { CLOSE, CONNECTION, DELIVER, EMIT, HELLO, MEMBERS, OPEN, READY } from './codes.js';

/** `engine session → [port, tab's session]`. */
const sessions = new Map();
let lastSession = 0;

const engine = createEngine((session, kind, a, b, c, d, e) => {
  const to = sessions.get(session);
  if (!to) return;
  if (kind === DELIVER) {
    // Only what the tab reads crosses: the frame's event, channel and sender, and its data as it
    // came (a string the tab parses is cheaper to send than the parsed value, and has no depth
    // limit to cross a port).
    const raw = a.data;
    if (typeof raw === 'string' && b !== raw) {
      b = raw;
      d = true;
    }
    a = { event: a.event, channel: a.channel, user_id: a.user_id };
  } else if (kind === MEMBERS && Object.values(b).every((info) => info !== undefined)) {
    // A presence channel's members cross as JSON text, which the tab parses: the objects a
    // port's clone makes take twice the heap of those `JSON.parse` makes (9.0 KB against 4.0 KB
    // for 100 members). They came from JSON, so the text says all of them, except a member
    // without `user_info` (undefined, which JSON would drop): then, or if the text cannot be
    // written (nested too deep), the object goes as it is.
    try {
      b = JSON.stringify(b);
    } catch {}
  } else if (kind === EMIT && a === CONNECTION && d?.error instanceof Event) {
    // An Event cannot cross a port: its type does, and the tab makes it an Event again.
    d = { ...d, error: { type: d.error.type } };
    e = true;
  }
  const [port, local] = to;
  let batch = batches.get(port);
  if (!batch) {
    batch = [];
    batches.set(port, batch);
    if (batches.size === 1) queueMicrotask(flush);
  }
  batch.push([local, kind, a, b, c, d, e]);
});

/**
 * `port → messages` the engine said during this task. A tab gets them in one message, so it
 * handles what one frame caused in one task, as a page's own engine does (and as pusher-js does):
 * no promise callback of the page runs between a channel's `subscription_succeeded` and the
 * connection's `message` for the same frame. One message per task also costs less than one per
 * event.
 */
const batches = new Map();

function flush() {
  for (const [port, batch] of batches) {
    try {
      port.postMessage(batch);
    } catch {
      // One value in it cannot cross a port (nested too deep to clone): the others go one by
      // one, and the tab hears why that one did not.
      for (const message of batch) {
        try {
          port.postMessage([message]);
        } catch (error) {
          const [local, kind, a] = message;
          const text = `pusher-wasm: ${kind === DELIVER ? `'${a.event}' on ${a.channel}` : 'a message'} could not reach this tab: ${error}`;
          port.postMessage([[local, EMIT, CONNECTION, undefined, 'error', { type: 'MessageParseError', error: text }]]);
        }
      }
    }
  }
  batches.clear();
}

self.onconnect = ({ ports: [port] }) => {
  /** `tab's session → engine session`. */
  const tab = new Map();
  port.onmessage = async ({ data: message }) => {
    const call = await engine;
    const [kind, local] = message;
    if (kind === HELLO) {
      navigator.locks?.request(message[2], () => {
        for (const session of tab.values()) {
          sessions.delete(session);
          call([CLOSE, session]);
        }
        tab.clear();
      });
      return;
    }
    if (kind === OPEN) {
      const session = ++lastSession;
      tab.set(local, session);
      sessions.set(session, [port, local]);
    }
    const session = tab.get(local);
    if (local !== 0 && session === undefined) return;
    message[1] = session ?? 0;
    if (kind === CLOSE) {
      tab.delete(local);
      sessions.delete(session);
    }
    call(message);
  };
  port.postMessage([0, READY]);
};
