// Frames a broken or hostile server sends after the handshake, against the fake server
// (tests/fake-server), on pusher-js and pusher-wasm. What faults.test.mjs already covers (bad
// JSON, an empty frame, a 3-byte binary frame, the data forms) is not repeated: here are
// truncated frames, JSON that is not a Pusher frame, huge (2 MB) and deeply nested (100,000
// levels) frames, big binary frames, unknown and misplaced internal events, a duplicate
// subscription_succeeded, and a text frame that is not UTF-8.
//
// After every case, an event on another channel must still arrive (the connection stays up and
// keeps delivering), and pusher-wasm's Pusher.internalErrors (Rust panics) must stay 0.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, runOnBoth, checkBoth, clientOptions, OURS } from '../support/scenario.mjs';
import { startFakeServer, pageHandlers } from '../fake-server/index.mjs';

let env;
let fake;
before(async () => {
  env = await startEnv();
  fake = await startFakeServer();
});
after(async () => {
  await fake?.close();
  await env?.close();
});

const DEPTH = 100000;
const MB2 = 2 * 1024 * 1024;

/** Builds a frame in Node (the big ones never cross the page bridge) and sends it. */
function sendSpec(spec) {
  const conn = fake.latest;
  if (!conn) throw new Error('no connection');
  switch (spec.kind) {
    case 'raw':
      return void conn.sendRaw(spec.text);
    case 'textBytes': // a text frame with these exact bytes (maybe not UTF-8)
      return void conn.ws.send(Buffer.from(spec.bytes), { binary: false });
    case 'binary':
      return void conn.sendBinary(Buffer.alloc(spec.size, 0xab));
    case 'hugeEvent':
      return void conn.sendEvent('ev', { s: 'y'.repeat(MB2) }, spec.channel);
    case 'hugeGarbage':
      return void conn.sendRaw('{' + 'z'.repeat(MB2));
    case 'deepOpen':
      return void conn.sendRaw('['.repeat(DEPTH));
    case 'deepArrayData': // data is a structure 100,000 levels deep (not a string)
      return void conn.sendRaw(
        `{"event":"ev","channel":"${spec.channel}","data":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`,
      );
    case 'deepStringData': // data is a string holding JSON 100,000 levels deep
      return void conn.sendRaw(
        JSON.stringify({ event: 'ev', channel: spec.channel, data: '['.repeat(DEPTH) + ']'.repeat(DEPTH) }),
      );
    case 'deepObjectData':
      return void conn.sendRaw(
        `{"event":"ev","channel":"${spec.channel}","data":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`,
      );
    default:
      throw new Error(`unknown frame kind ${spec.kind}`);
  }
}

function run(scenario, args = {}, opts = {}) {
  return runOnBoth(
    env,
    scenario,
    { key: 'app-key', options: clientOptions(fake.port), ...args },
    {
      handlers: { ...pageHandlers(fake), 'bf.send': (spec) => sendSpec(spec) },
      setup: () => fake.reset({}),
      teardown: (client, r) => {
        r.server = fake.snapshot().map((c) => ({ index: c.index, closed: c.closed }));
      },
      allowConsoleErrors: true,
      timeoutMs: 60000,
      ...opts,
    },
  );
}

// Connected with two channels; for each case: send its frames, then a `tick` on the other
// channel, and wait for it. Records what reaches user code, in a JSON-safe, size-bounded form.
const casesScenario = async (a) => {
  const short = (v, depth = 0) => {
    if (typeof v === 'string') return v.length > 120 ? { $string: v.length, head: v.slice(0, 16) } : v;
    if (depth > 4) return '<deep>';
    if (Array.isArray(v)) return v.length > 20 ? { $array: v.length } : v.map((x) => short(x, depth + 1));
    if (v && typeof v === 'object') {
      const out = {};
      for (const k of Object.keys(v)) out[k] = short(v[k], depth + 1);
      return out;
    }
    return v;
  };
  const depthOf = (v) => {
    let d = 0;
    while (Array.isArray(v) || (v && typeof v === 'object')) {
      v = Array.isArray(v) ? v[0] : v.a;
      d++;
    }
    return d;
  };
  const p = new Pusher(a.key, a.options);
  const log = H.createLog();
  p.connection.bind('state_change', (s) => log.push(['state', s.previous, s.current]));
  p.connection.bind('error', (e) => log.push(['error', short(H.scrubEngineMessages(H.ser(e, 0)))]));
  const ca = p.subscribe('bf-a');
  const cb = p.subscribe('bf-b');
  await H.once(ca, 'pusher:subscription_succeeded');
  await H.once(cb, 'pusher:subscription_succeeded');
  ca.bind_global((event, data) => {
    if (event === 'ev' && data && typeof data === 'object' && !Array.isArray(data) && typeof data.s === 'string') {
      log.push(['a', event, { sLength: data.s.length }]);
    } else if (event === 'ev' && (Array.isArray(data) || (data && typeof data === 'object' && 'a' in data))) {
      log.push(['a', event, { depth: depthOf(data) }]);
    } else if (event === 'ev' && typeof data === 'string' && data.length > 120) {
      log.push(['a', event, { stringLength: data.length }]);
    } else {
      log.push(['a', event, short(H.ser(data))]);
    }
  });
  cb.bind_global((event, data) => {
    if (event !== 'tick') log.push(['b', event, short(H.ser(data))]);
  });
  cb.bind('tick', (d) => log.push(['tick', d.i]));
  p.bind_global((event) => {
    if (event !== 'tick' && event !== 'ev') log.push(['global', event]);
  });
  const out = [];
  for (let i = 0; i < a.cases.length; i++) {
    const c = a.cases[i];
    const from = log.length;
    for (const spec of c.frames) await node('bf.send', spec);
    await node('fake.sendEvent', 'tick', { i }, 'bf-b');
    await log.waitFor((e) => e[0] === 'tick' && e[1] === i, `tick after ${c.name}`, { timeout: 10000 });
    out.push([c.name, log.entries.slice(from, -1)]);
  }
  return {
    cases: out,
    state: p.connection.state,
    connections: await node('fake.connectionCount'),
    internalErrors: Pusher.internalErrors === undefined ? 0 : Pusher.internalErrors,
    _sid: p.connection.socket_id,
  };
};

const raw = (text) => ({ kind: 'raw', text });
const CASES = [
  { name: 'truncated frame', frames: [raw('{"event":"ev","channel":"bf-a","data":"{\\"ok')] },
  { name: 'truncated after the event', frames: [raw('{"event":"ev"')] },
  {
    name: 'data that is truncated JSON stays a string',
    frames: [raw('{"event":"ev","channel":"bf-a","data":"{\\"a\\":1"}')],
  },
  { name: 'channel that is a number', frames: [raw('{"event":"ev","channel":5,"data":"1"}')] },
  { name: 'a 2 MB event', frames: [{ kind: 'hugeEvent', channel: 'bf-a' }] },
  { name: '2 MB of garbage', frames: [{ kind: 'hugeGarbage' }] },
  { name: 'a 2 MB binary frame', frames: [{ kind: 'binary', size: MB2 }] },
  { name: '100,000 [ (unterminated)', frames: [{ kind: 'deepOpen' }] },
  { name: 'data 100,000 arrays deep', frames: [{ kind: 'deepArrayData', channel: 'bf-a' }] },
  { name: 'data 100,000 objects deep', frames: [{ kind: 'deepObjectData', channel: 'bf-a' }] },
  { name: 'data a string of JSON 100,000 deep', frames: [{ kind: 'deepStringData', channel: 'bf-a' }] },
  { name: 'unknown pusher: event', frames: [raw('{"event":"pusher:what_is_this","data":"{}"}')] },
  {
    name: 'unknown pusher_internal: event on a channel',
    frames: [raw('{"event":"pusher_internal:what_is_this","channel":"bf-a","data":"{}"}')],
  },
  {
    name: 'subscription_succeeded for a channel never subscribed',
    frames: [raw('{"event":"pusher_internal:subscription_succeeded","channel":"bf-zz","data":"{}"}')],
  },
  {
    name: 'member_removed on a public channel',
    frames: [raw('{"event":"pusher_internal:member_removed","channel":"bf-a","data":"{\\"user_id\\":\\"u\\"}"}')],
  },
  {
    name: 'subscription_error on a subscribed channel',
    frames: [raw('{"event":"pusher:subscription_error","channel":"bf-a","data":{"type":"x","status":500}}')],
  },
  { name: 'pusher:error without data', frames: [raw('{"event":"pusher:error"}')] },
  { name: 'pusher:error with a string', frames: [raw('{"event":"pusher:error","data":"bad"}')] },
  { name: 'an unsolicited pong', frames: [raw('{"event":"pusher:pong","data":"{}"}')] },
  {
    name: 'a second connection_established',
    frames: [
      raw('{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"9.9\\",\\"activity_timeout\\":1}"}'),
    ],
  },
  {
    name: 'duplicate subscription_succeeded',
    frames: [raw('{"event":"pusher_internal:subscription_succeeded","channel":"bf-a","data":"{}"}')],
  },
  { name: 'valid event after it all', frames: [raw('{"event":"ev","channel":"bf-a","data":"{\\"fine\\":true}"}')] },
];

test('truncated, huge, deeply nested, binary, unknown and duplicate frames: no panic, the connection stays, other channels receive', async () => {
  const runs = await run(casesScenario, { cases: CASES });
  for (const r of Object.values(runs)) {
    console.log(`[${r.client}] ${JSON.stringify(r.obs.cases)}`);
    console.log(`[${r.client}] socket_id at the end: ${r.raw._sid}, internalErrors ${r.obs.internalErrors}`);
  }
  checkBoth(
    runs,
    (obs, r) => {
      assert.equal(obs.state, 'connected');
      assert.equal(obs.connections, 1, 'one connection throughout');
      assert.equal(obs.internalErrors, 0, 'Pusher.internalErrors');
      const byName = Object.fromEntries(obs.cases);
      assert.deepEqual(byName['a 2 MB event'], [['a', 'ev', { sLength: MB2 }]]);
      assert.deepEqual(byName['valid event after it all'], [['a', 'ev', { fine: true }]]);
      assert.deepEqual(byName['data that is truncated JSON stays a string'], [['a', 'ev', '{"a":1']]);
      // duplicate subscription_succeeded: README difference 9
      assert.deepEqual(
        byName['duplicate subscription_succeeded'],
        r.client === OURS ? [] : [['a', 'pusher:subscription_succeeded', {}]],
      );
    },
    {
      ours: (o) => ({
        ...o,
        cases: o.cases.map(([name, entries]) => {
          if (name === 'duplicate subscription_succeeded') return [name, []];
          // With the shared engine, a payload nested 100,000 deep cannot cross to the tab (a
          // structured clone has a depth limit): the tab is told so, and the connection stays.
          if (runs[OURS]?.mode === 'shared' && TOO_DEEP_TO_CLONE.includes(name)) {
            return [name, [['error', { type: 'MessageParseError', error: '<too deep>' }]]];
          }
          return [name, entries];
        }),
      }),
      oursObs: (obs) => ({
        ...obs,
        cases: obs.cases.map(([name, entries]) => [
          name,
          entries.map((e) => {
            const text = e[1]?.error?.head ?? e[1]?.error;
            return e[0] === 'error' && e[1]?.type === 'MessageParseError' && /^pusher-wasm: /.test(text)
              ? ['error', { type: 'MessageParseError', error: '<too deep>' }]
              : e;
          }),
        ]),
      }),
    },
  );
});

/** The cases whose data is a JSON value (not a string of it) nested 100,000 deep. */
const TOO_DEEP_TO_CLONE = ['data 100,000 arrays deep', 'data 100,000 objects deep'];

test('JSON that is not a Pusher frame: MessageParseError on pusher-wasm (README difference 10)', async () => {
  const frames = ['[1,2]', '"text"', 'null', '42', '{}', '{"event":5}', '{"data":"x"}', 'true'];
  const runs = await run(
    casesScenario,
    { cases: frames.map((f) => ({ name: f, frames: [raw(f)] })) },
    { allowPageErrors: true },
  );
  for (const r of Object.values(runs)) {
    console.log(`[${r.client}] ${JSON.stringify(r.obs.cases)}`);
    console.log(`[${r.client}] page errors: ${JSON.stringify(r.pageErrors.map((e) => e.split('\n')[0]))}`);
  }
  checkBoth(
    runs,
    (obs, r) => {
      assert.equal(obs.state, 'connected');
      assert.equal(obs.connections, 1);
      assert.equal(obs.internalErrors, 0);
      if (r.client === OURS) {
        assert.deepEqual(r.pageErrors, []);
        for (const [name, entries] of obs.cases) {
          assert.deepEqual(
            entries.map((e) => [e[0], e[1]?.type, e[1]?.data]),
            [['error', 'MessageParseError', name]],
            `frame ${name}`,
          );
        }
      }
    },
    {
      // pusher-js mostly throws inside its handler (page errors above) and reports nothing
      ours: (o) => ({
        ...o,
        cases: o.cases.map(([name]) => {
          const message = /^[{]/.test(name)
            ? "A Pusher frame must have a string 'event'"
            : 'A Pusher frame must be a JSON object';
          const inner = { type: 'MessageParseError', error: { $error: 'Error', name: 'Error', message }, data: name };
          return [name, [['error', { ...inner, error: inner }]]];
        }),
      }),
    },
  );
});

test('a text frame that is not UTF-8: the browser fails the connection, the client reconnects and resubscribes', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    H.watch(p, log);
    const ch = p.subscribe('utf-a');
    ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
    ch.bind('ev', (d) => log.push(['ev', d]));
    await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
    // {"event":"ev","channel":"utf-a","data":"\xff\xfe"} with two bytes that are never UTF-8
    const bytes = Array.from(new TextEncoder().encode('{"event":"ev","channel":"utf-a","data":"'));
    bytes.push(0xff, 0xfe, 0x22, 0x7d);
    await node('bf.send', { kind: 'textBytes', bytes });
    await log.waitForCount((e) => e[0] === 'succeeded', 2, 'resubscribed', { timeout: 10000 });
    await node('fake.sendEvent', 'ev', { after: true }, 'utf-a');
    await log.waitFor((e) => e[0] === 'ev', 'event after the reconnect');
    const k = log.entries.findIndex((e) => e[0] === 'state' && e[1] === 'connected');
    return {
      entries: log.entries,
      internalErrors: Pusher.internalErrors === undefined ? 0 : Pusher.internalErrors,
      _times: log.times,
      _reconnectMs: log.times[log.entries.length - 2] - log.times[k],
    };
  });
  for (const r of Object.values(runs)) {
    console.log(
      `[${r.client}] not UTF-8: ${JSON.stringify(r.obs.entries)}; closed as seen by the server: ${JSON.stringify(r.server[0].closed)}`,
    );
  }
  checkBoth(runs, (obs, r) => {
    assert.equal(obs.internalErrors, 0);
    assert.equal(r.server.length, 2);
    // Chromium fails the connection (it tells the server 1002, the page sees error + 1006); the
    // bad frame is never delivered, and the client reconnects as after any drop
    assert.deepEqual(obs.entries, [
      ['state', 'connecting', 'connected'],
      ['succeeded'],
      ['error', { type: 'WebSocketError', error: { $event: 'error', class: 'Event' } }],
      ['error', { type: 'PusherError', data: { code: 1006, message: { $undefined: true } } }],
      ['connecting_in', 1],
      ['state', 'connected', 'connecting'],
      ['state', 'connecting', 'connected'],
      ['succeeded'],
      ['ev', { after: true }],
    ]);
    assert.equal(r.server[0].closed.code, 1002);
  });
});
