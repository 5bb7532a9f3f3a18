// The handshake before the engine is up. In a page, `new Pusher()` opens its socket at once, as
// pusher-js does, while the engine (the wasm) loads; the facade shows the socket's handshake as it
// comes (`connected`, with its socket id), and the engine, once up, takes the socket over.
//
// Each scenario holds the engine's script on the static server (`http.hold`) until the page asks
// for it (`node('engine.release')`), so what the page sees before the engine is up is seen on
// every run, not only when the handshake happens to win the race. pusher-js loads no engine: the
// hold is there for it too and changes nothing. Page mode only (a SharedWorker's engine opens its
// own socket): this file runs in the page pass.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, runOnBoth, checkBoth, clientOptions, OURS } from '../support/scenario.mjs';
import { startFakeServer, pageHandlers } from '../fake-server/index.mjs';
import { handshakeSocketId } from '../../src/package/early-socket.js';

const ENGINE = '/pkg/engine.js';

let env;
let fake;
before(async () => {
  env = await startEnv({ sockudo: true });
  fake = await startFakeServer();
});
after(async () => {
  await fake?.close();
  await env?.close();
});

/** Runs `scenario` on both clients with the engine held, against the fake server or sockudo. */
function run(scenario, { defaults = {}, server = 'fake', ...args } = {}) {
  let engine;
  let seen;
  const sockudo = server === 'sockudo';
  return runOnBoth(
    env,
    scenario,
    sockudo ? env.clientArgs(args) : { key: 'app-key', options: clientOptions(fake.port, '127.0.0.1'), ...args },
    {
      mode: 'page',
      handlers: () => ({
        ...(sockudo ? env.sdkHandlers() : pageHandlers(fake)),
        'engine.release': () => void engine.release(),
      }),
      setup: () => {
        engine = env.http.hold(ENGINE);
        seen = env.http.requests.length;
        if (!sockudo) fake.reset(defaults);
      },
      teardown: (client, r) => {
        engine.release();
        r.engineRequests = env.http.requests.slice(seen).filter((q) => q.url === ENGINE).length;
        if (!sockudo) r.server = fake.snapshot();
      },
      allowConsoleErrors: true, // Chromium logs refused and closed WebSockets
    },
  );
}

/** Ours loaded the engine (served only once the page released it); pusher-js has none. */
function engineWasHeld(r) {
  assert.equal(r.engineRequests, r.client === OURS ? 1 : 0, 'requests for the engine');
}

test('the handshake before the engine: connected at once; calls made then go out in order', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    H.watch(p, log, { connected: true });
    await H.waitState(p, 'connected');
    const atConnected = { state: p.connection.state, socketId: p.connection.socket_id, entries: log.length };
    const ch = p.subscribe('early-a');
    const succeeded = H.once(ch, 'pusher:subscription_succeeded');
    const flags = [ch.subscribed, ch.subscriptionPending];
    const sent = [p.send_event('early-event', { n: 1 }, 'early-a'), p.send_event('no-channel', 'text')];
    // The engine is served from now on (pusher-js asks for none).
    await node('engine.release');
    await succeeded;
    // A barrier: the server's event after the subscription, with nothing else in between.
    const barrier = H.once(ch, 'barrier');
    await node('fake.sendEvent', 'barrier', { n: 2 }, 'early-a');
    await barrier;
    return { atConnected, flags, sent, entries: log.entries };
  });
  checkBoth(runs, (obs, r) => {
    engineWasHeld(r);
    assert.deepEqual(obs.atConnected, { state: 'connected', socketId: '<socket_id>', entries: 2 });
    assert.deepEqual(obs.flags, [false, true]);
    assert.deepEqual(obs.sent, [true, true]);
    // One connected, and no other state change once the engine took over.
    assert.deepEqual(obs.entries, [
      ['state', 'connecting', 'connected'],
      ['connected', { socket_id: '<socket_id>' }],
    ]);
    assert.equal(r.server.length, 1, 'one socket: the engine took the early one');
    assert.deepEqual(
      r.server[0].frames.map((f) => f.json),
      [
        { event: 'pusher:subscribe', data: { auth: '', channel: 'early-a' } },
        { event: 'early-event', data: { n: 1 }, channel: 'early-a' },
        { event: 'no-channel', data: 'text' },
      ],
    );
  });
});

test('the socket closes after its handshake, before the engine: connecting, then connected again', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    H.watch(p, log);
    await H.waitState(p, 'connected');
    const first = p.connection.socket_id;
    await node('fake.close', 4200, 'reconnect now');
    await node('fake.waitClosed', 0);
    // pusher-js has seen the close by now; ours hears it from the engine.
    await node('engine.release');
    await log.waitForCount((e) => e[0] === 'state' && e[2] === 'connected', 2, 'connected again');
    return { entries: log.entries, newSocket: p.connection.socket_id !== first };
  });
  checkBoth(
    runs,
    (obs, r) => {
      engineWasHeld(r);
      // (and the close's errors, which must be pusher-js's)
      assert.deepEqual(
        obs.entries.filter((e) => e[0] === 'state'),
        [
          ['state', 'connecting', 'connected'],
          ['state', 'connected', 'connecting'],
          ['state', 'connecting', 'connected'],
        ],
      );
      assert.equal(obs.newSocket, true);
      assert.equal(r.server.length, 2);
      assert.equal(r.server[0].closed.code, 4200);
    },
    // README difference 2: no `connecting_in` for an immediate reconnect.
    { ours: (o) => ({ ...o, entries: o.entries.filter((e) => e[0] !== 'connecting_in') }) },
  );
});

test('disconnect() and connect() before the engine: a new connection, as pusher-js makes', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    H.watch(p, log);
    await H.waitState(p, 'connected');
    const first = p.connection.socket_id;
    p.disconnect();
    const afterDisconnect = p.connection.state;
    p.connect();
    await node('engine.release');
    await H.waitState(p, 'connected');
    // A barrier: the second connection carries an event, after anything the engine had to say.
    await H.once(p.subscribe('early-b'), 'pusher:subscription_succeeded');
    return { entries: log.entries, afterDisconnect, newSocket: p.connection.socket_id !== first };
  });
  checkBoth(runs, (obs, r) => {
    engineWasHeld(r);
    assert.equal(obs.afterDisconnect, 'disconnected');
    assert.deepEqual(obs.entries, [
      ['state', 'connecting', 'connected'],
      ['state', 'connected', 'disconnected'],
      ['state', 'disconnected', 'connecting'],
      ['state', 'connecting', 'connected'],
    ]);
    assert.equal(obs.newSocket, true);
    assert.equal(r.server.length, 2);
    assert.equal(r.server[0].closed.code, 1005, 'the client closed the first socket');
  });
});

// First frames the engine refuses: the page must not have been shown a connection first.
const REFUSED = [
  { name: 'invalid JSON', frame: 'garbage' },
  { name: 'another event', frame: '{"event":"something","data":"{}"}' },
  { name: 'pusher:error 4001', frame: '{"event":"pusher:error","data":{"code":4001,"message":"no app"}}' },
];

for (const c of REFUSED) {
  test(`a refused first frame before the engine (${c.name}): no connected, the same error`, async () => {
    const runs = await run(
      async (a) => {
        const p = new Pusher(a.key, a.options);
        const log = H.createLog();
        H.watch(p, log);
        await node('fake.connectionInfo', 0);
        await node('fake.sendRaw', a.frame);
        // The browser has the frame: the page's socket hears it before the engine can be up.
        await node('session.received', 0, 1);
        await node('engine.release');
        await log.waitFor((e) => e[0] === 'error', 'error');
        return { first: H.scrubEngineMessages(log.entries)[0], state: p.connection.state };
      },
      { defaults: { handshake: false }, frame: c.frame },
    );
    checkBoth(runs, (obs, r) => {
      engineWasHeld(r);
      assert.equal(obs.first[0], 'error');
      assert.notEqual(obs.state, 'connected');
    });
  });
}

test('sockudo: the socket id shown before the engine is the server’s (toOthers leaves this page out)', async () => {
  const runs = await run(
    async (a) => {
      const p = new Pusher(a.key, a.options);
      await H.waitState(p, 'connected');
      const socketId = p.connection.socket_id;
      await node('engine.release');
      const ch = p.subscribe('early-c');
      await H.once(ch, 'pusher:subscription_succeeded');
      const got = [];
      ch.bind('to-others', (d) => got.push(['to-others', d]));
      ch.bind('to-all', (d) => got.push(['to-all', d]));
      const toAll = H.once(ch, 'to-all');
      // Excluding this socket id: the server must not send it here.
      await node('trigger', 'early-c', 'to-others', { n: 1 }, { socket_id: socketId });
      await node('trigger', 'early-c', 'to-all', { n: 2 });
      await toAll;
      return { got, socketId: H.isSocketId(socketId), still: p.connection.socket_id === socketId };
    },
    { server: 'sockudo' },
  );
  checkBoth(runs, (obs, r) => {
    engineWasHeld(r);
    assert.deepEqual(obs, { got: [['to-all', { n: 2 }]], socketId: true, still: true });
  });
});

// The facade's rule, frame by frame: what the core's `handshake_frame` (after `decode_frame`)
// accepts, with the socket id it takes (src/protocol/client/connection_tests.rs has the core's side).
test('the handshakes the facade shows before the engine: exactly those the engine accepts', () => {
  const established = (data) => JSON.stringify({ event: 'pusher:connection_established', data });
  const cases = [
    [established('{"socket_id":"1.2","activity_timeout":120}'), '1.2'],
    [established({ socket_id: '77.88', activity_timeout: 30 }), '77.88'],
    // no activity_timeout: the engine takes the activityTimeout option (README difference 6)
    [established('{"socket_id":"3.4"}'), '3.4'],
    [established('{"activity_timeout":120}'), undefined],
    [established('{"socket_id":"","activity_timeout":120}'), undefined],
    [established('{"socket_id":12,"activity_timeout":120}'), undefined],
    [established('not json'), undefined],
    [established(null), undefined],
    [established(['1.2']), undefined],
    [JSON.stringify({ event: 'pusher:error', data: { code: 4001, message: 'no app' } }), undefined],
    [JSON.stringify({ event: 'sockudo:connection_established', data: '{"socket_id":"1.2"}' }), undefined],
    [JSON.stringify([{ event: 'pusher:connection_established' }]), undefined],
    ['garbage', undefined],
    ['null', undefined],
    [new ArrayBuffer(2), undefined],
  ];
  for (const [message, socketId] of cases) assert.equal(handshakeSocketId(message), socketId, String(message));
});
