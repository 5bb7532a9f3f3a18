// Races between the page's calls, the network and the server, against sockudo (through the TCP
// proxy where the network has to misbehave), on pusher-js and pusher-wasm. Whatever the order,
// the final state must be what the last call asked for, on the client and on the server: what
// sockudo really has subscribed is read from its HTTP API (`GET /apps/app-id/channels`).
//
// Channel names carry the client's tag (`js`/`wasm`) so the two runs never see each other's
// channels on the server; observations show it as `T`.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, runOnBoth, checkBoth, clientOptions, parsedFrames, OURS } from '../support/scenario.mjs';
import { startTcpProxy } from '../support/tcp-proxy.mjs';
import { installAuthServer, makeSdk } from '../support/auth-server.mjs';

let env;
let proxy;
let auth;
let sdk;
/** The slow authorization endpoint: requests are held until the page releases them. */
const gate = { requests: [], held: [], open: false };

before(async () => {
  env = await startEnv({ sockudo: true });
  proxy = await startTcpProxy({ targetPort: env.sockudo.port });
  sdk = makeSdk(env.sockudo);
  auth = installAuthServer(env, { sdk });
  env.http.route('POST', '/slow-auth', async (req, res, body) => {
    const form = Object.fromEntries(new URLSearchParams(body));
    gate.requests.push(form);
    if (!gate.open) await new Promise((resolve) => gate.held.push(resolve));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(sdk.authorizeChannel(form.socket_id, form.channel_name)));
  });
});
after(async () => {
  for (const release of gate.held.splice(0)) release();
  await proxy?.close();
  await env?.close();
});

async function serverChannels(tag) {
  const res = await env.sdk.get({ path: '/channels', params: {} });
  const body = await res.json();
  return Object.keys(body.channels ?? {})
    .filter((n) => n.includes(tag))
    .sort();
}

async function until(check, timeoutMs) {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return true;
    if (Date.now() - t0 > timeoutMs) return false;
    await new Promise((r) => setTimeout(r, 25)); // poll interval; the bound is timeoutMs
  }
}

const handlers = () => ({
  ...env.sdkHandlers(),
  ...auth.handlers(),
  'server.channels': (tag) => serverChannels(tag),
  /**
   * Resolves with the server's channel list once it equals `expected` (or the last one after
   * 5 s), then checks it stays so for `quietMs` (nothing late, such as a subscribe after an
   * authorization, may change it).
   */
  async 'server.settle'(tag, expected, quietMs = 500) {
    const want = JSON.stringify([...expected].sort());
    let last;
    await until(async () => JSON.stringify((last = await serverChannels(tag))) === want, 5000);
    await new Promise((r) => setTimeout(r, quietMs));
    return { settled: last, after: await serverChannels(tag) };
  },
  'gate.waitFor': (count) => until(() => gate.requests.length >= count, 5000),
  'gate.release': () => {
    gate.open = true;
    for (const release of gate.held.splice(0)) release();
  },
  'gate.requests': () => gate.requests.map((r) => ({ channel: r.channel_name, socket_id: r.socket_id })),
  'proxy.cutAll': () => void proxy.cutAll(),
  'proxy.setLatency': (ms) => void proxy.setLatency(ms),
});

function run(scenario, { options = {}, viaProxy = false, ...args } = {}, opts = {}) {
  const port = viaProxy ? proxy.port : env.sockudo.port;
  return runOnBoth(
    env,
    scenario,
    { key: env.sockudo.key, options: clientOptions(port, '127.0.0.1', options), ...args },
    {
      handlers,
      setup: () => {
        auth.reset();
        gate.requests.length = 0;
        gate.open = false;
        proxy.setLatency(0);
      },
      teardown: () => proxy.cutAll(),
      allowConsoleErrors: true,
      timeoutMs: 40000,
      ...opts,
    },
  );
}

// Page-side helpers every scenario installs first (a scenario cannot close over Node code).
const PAGE_HELPERS = `
  window.R = (client) => {
    const T = client === 'pusher-js' ? 'js' : 'wasm';
    const n = (name) => name.replace('T', T);
    const untag = (v) => JSON.parse(JSON.stringify(v).split(T).join('T'));
    // a server.settle result, untagged and sorted again (the tags sort differently)
    const untagServer = (s) => ({ settled: untag(s.settled).sort(), after: untag(s.after).sort() });
    return { T, n, untag, untagServer };
  };
`;

/** Events on every channel in `names`, then a barrier: which arrived, how often. */
const DELIVERY = `
  window.deliver = async (p, names, barrier, untag) => {
    const got = {};
    const cbs = [];
    for (const name of names) {
      got[name] = 0;
      const ch = p.channel(name);
      if (ch) {
        const cb = () => got[name]++;
        ch.bind('probe', cb);
        cbs.push([ch, cb]);
      }
    }
    const done = H.once(p.channel(barrier), 'barrier', { timeout: 8000 });
    for (const name of names) await node('trigger', name, 'probe', {});
    await node('trigger', barrier, 'barrier', {});
    await done;
    for (const [ch, cb] of cbs) ch.unbind('probe', cb);
    return untag(got);
  };
`;

test('calls within one tick: the last call wins, on the client and on the server', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.helpers);
      (0, eval)(a.delivery);
      const { T, n, untag, untagServer } = R(a.client);
      const p = new Pusher(a.key, {
        ...a.options,
        channelAuthorization: { endpoint: '/pusher/auth', transport: 'ajax', params: { user_id: 'u1' } },
      });
      await H.waitState(p, 'connected');
      const succeeded = {};
      const watch = (ch) => {
        if (!ch.__watched) {
          ch.__watched = true;
          ch.bind('pusher:subscription_succeeded', () => (succeeded[ch.name] = (succeeded[ch.name] || 0) + 1));
        }
        return ch;
      };
      const sub = (name) => watch(p.subscribe(n(name)));
      const unsub = (name) => p.unsubscribe(n(name));
      // already subscribed before the tick
      for (const name of ['T-c', 'T-d', 'presence-T-g']) await H.once(sub(name), 'pusher:subscription_succeeded');
      // one tick
      sub('T-a');
      unsub('T-a');
      sub('T-a');
      unsub('T-a');
      const A = sub('T-a');
      sub('T-b');
      unsub('T-b');
      sub('T-b');
      unsub('T-b');
      unsub('T-c');
      sub('T-c');
      unsub('T-c');
      const C = sub('T-c');
      unsub('T-d');
      sub('T-d');
      unsub('T-d');
      sub('private-T-e');
      unsub('private-T-e');
      const E = sub('private-T-e');
      sub('private-T-f');
      unsub('private-T-f');
      unsub('presence-T-g');
      const G = sub('presence-T-g');
      // end of the tick
      for (const ch of [A, C, E, G])
        if (!ch.subscribed) await H.once(ch, 'pusher:subscription_succeeded', { timeout: 8000 });
      const barrier = sub('T-barrier');
      await H.once(barrier, 'pusher:subscription_succeeded');
      const expected = ['T-a', 'T-c', 'private-T-e', 'presence-T-g', 'T-barrier'].map(n);
      const server = await node('server.settle', T, expected);
      const all = ['T-a', 'T-b', 'T-c', 'T-d', 'private-T-e', 'private-T-f', 'presence-T-g'].map(n);
      const delivered = await deliver(p, all, n('T-barrier'), untag);
      return {
        server: untagServer(server),
        client: untag(
          Object.fromEntries(all.map((name) => [name, p.channel(name) ? p.channel(name).subscribed : 'absent'])),
        ),
        delivered,
        succeeded: untag(succeeded),
        members: G.members.count,
      };
    },
    { helpers: PAGE_HELPERS, delivery: DELIVERY },
  );
  checkBoth(runs, (obs, r) => {
    const expected = ['T-a', 'T-barrier', 'T-c', 'presence-T-g', 'private-T-e'];
    assert.deepEqual(obs.server, { settled: expected, after: expected });
    assert.deepEqual(obs.client, {
      'T-a': true,
      'T-b': 'absent',
      'T-c': true,
      'T-d': 'absent',
      'private-T-e': true,
      'private-T-f': 'absent',
      'presence-T-g': true,
    });
    assert.deepEqual(obs.delivered, {
      'T-a': 1,
      'T-b': 0,
      'T-c': 1,
      'T-d': 0,
      'private-T-e': 1,
      'private-T-f': 0,
      'presence-T-g': 1,
    });
    assert.equal(obs.members, 1);
    console.log(`[${r.client}] succeeded callbacks: ${JSON.stringify(obs.succeeded)}`);
    const frames = parsedFrames(r.websockets[0].sent)
      .filter((f) => f.event !== 'pusher:ping')
      .map((f) => [f.event.replace('pusher:', ''), f.data.channel.replace(/js|wasm/, 'T')]);
    console.log(`[${r.client}] frames sent: ${JSON.stringify(frames)}`);
  });
});

test('unsubscribe (or disconnect) while the authorization is in flight: the last call wins (README difference 8)', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.helpers);
      (0, eval)(a.delivery);
      const { T, n, untag, untagServer } = R(a.client);
      const p = new Pusher(a.key, {
        ...a.options,
        channelAuthorization: { endpoint: '/slow-auth', transport: 'ajax' },
      });
      const log = H.createLog();
      H.watch(p, log);
      await H.waitState(p, 'connected');
      const count = (ch) => {
        ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded', untag(ch.name)]));
        ch.bind('pusher:subscription_error', (e) => log.push(['subscription_error', untag(ch.name), H.ser(e)]));
        return ch;
      };
      // a: subscribe, then unsubscribe while its authorization is held
      count(p.subscribe(n('private-T-a')));
      await node('gate.waitFor', 1);
      p.unsubscribe(n('private-T-a'));
      // b: subscribe, unsubscribe, subscribe again while held
      count(p.subscribe(n('private-T-b')));
      await node('gate.waitFor', 2);
      p.unsubscribe(n('private-T-b'));
      const B = p.subscribe(n('private-T-b'));
      const sid1 = p.connection.socket_id;
      // c: subscribe, then disconnect while held; connect again once it is answered
      const C = count(p.subscribe(n('private-T-c')));
      await node('gate.waitFor', 3);
      p.disconnect();
      await node('gate.release');
      await H.quietPeriod(300); // the held answers arrive while disconnected: nothing may be sent
      const sentWhileDisconnected = p.connection.state;
      p.connect();
      if (!B.subscribed) await H.once(B, 'pusher:subscription_succeeded', { timeout: 8000 });
      if (!C.subscribed) await H.once(C, 'pusher:subscription_succeeded', { timeout: 8000 });
      const sid2 = p.connection.socket_id;
      const barrier = p.subscribe(n('T-barrier'));
      await H.once(barrier, 'pusher:subscription_succeeded');
      const expected = ['private-T-b', 'private-T-c', 'T-barrier'].map(n);
      const server = await node('server.settle', T, expected);
      const all = ['private-T-a', 'private-T-b', 'private-T-c'].map(n);
      const delivered = await deliver(p, all, n('T-barrier'), untag);
      const requests = (await node('gate.requests')).map((r) => [
        untag(r.channel),
        r.socket_id === sid1 ? 'sid1' : r.socket_id === sid2 ? 'sid2' : r.socket_id,
      ]);
      return {
        server: untagServer(server),
        client: untag(
          Object.fromEntries(all.map((name) => [name, p.channel(name) ? p.channel(name).subscribed : 'absent'])),
        ),
        delivered,
        // sorted: the authorizations are answered in any order
        channelLog: log.entries
          .filter((e) => e[0] !== 'state')
          .map((e) => JSON.stringify(e))
          .sort()
          .map((e) => JSON.parse(e)),
        stateWhileDisconnected: sentWhileDisconnected,
        _requests: requests,
        _states: log.entries.filter((e) => e[0] === 'state'),
      };
    },
    { helpers: PAGE_HELPERS, delivery: DELIVERY },
  );
  checkBoth(
    runs,
    (obs, r) => {
      if (r.client === OURS) {
        const expected = ['T-barrier', 'private-T-b', 'private-T-c'];
        assert.deepEqual(obs.server, { settled: expected, after: expected });
        assert.deepEqual(obs.client, { 'private-T-a': 'absent', 'private-T-b': true, 'private-T-c': true });
        assert.deepEqual(obs.delivered, { 'private-T-a': 0, 'private-T-b': 1, 'private-T-c': 1 });
        // each surviving subscription succeeds once, no errors
        assert.deepEqual(obs.channelLog, [
          ['succeeded', 'private-T-b'],
          ['succeeded', 'private-T-c'],
        ]);
      } else {
        // pusher-js: the unsubscribe of `a` is lost with the connection (README difference 8):
        // `a` is authorized and subscribed again on the new connection
        const expected = ['T-barrier', 'private-T-a', 'private-T-b', 'private-T-c'];
        assert.deepEqual(obs.server, { settled: expected, after: expected });
        assert.deepEqual(obs.client, { 'private-T-a': true, 'private-T-b': true, 'private-T-c': true });
        assert.deepEqual(obs.delivered, { 'private-T-a': 1, 'private-T-b': 1, 'private-T-c': 1 });
        assert.deepEqual(obs.channelLog, [
          ['succeeded', 'private-T-a'],
          ['succeeded', 'private-T-b'],
          ['succeeded', 'private-T-c'],
        ]);
      }
      assert.equal(obs.stateWhileDisconnected, 'disconnected');
      console.log(`[${r.client}] authorization requests: ${JSON.stringify(r.obs._requests)}`);
      // b and c were authorized again for the new connection, with its socket_id
      const again = r.obs._requests.filter(([, sid]) => sid === 'sid2').map(([ch]) => ch);
      assert.deepEqual(
        again,
        r.client === OURS ? ['private-T-b', 'private-T-c'] : ['private-T-a', 'private-T-b', 'private-T-c'],
      );
    },
    {
      ours: (o) => ({
        ...o,
        server: {
          settled: ['T-barrier', 'private-T-b', 'private-T-c'],
          after: ['T-barrier', 'private-T-b', 'private-T-c'],
        },
        client: { ...o.client, 'private-T-a': 'absent' },
        delivered: { ...o.delivered, 'private-T-a': 0 },
        channelLog: o.channelLog.filter((e) => e[1] !== 'private-T-a'),
      }),
    },
  );
});

test('calls across a reconnect: subscribe in a connected handler (pusher-js #45/#714), calls while connecting', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.helpers);
      (0, eval)(a.delivery);
      const { T, n, untag, untagServer } = R(a.client);
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      H.watch(p, log);
      const subs = (name) => {
        const ch = p.subscribe(n(name));
        if (!ch.__w) {
          ch.__w = true;
          ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded', untag(ch.name)]));
        }
        return ch;
      };
      // the pattern of pusher-js issue #45: subscribe on every 'connected'
      p.connection.bind('state_change', (s) => {
        if (s.current === 'connected') subs('T-rx-a');
      });
      let reconnecting = false;
      p.connection.bind('state_change', (s) => {
        if (s.current === 'connecting' && reconnecting) {
          reconnecting = false;
          p.unsubscribe(n('T-rx-b'));
          subs('T-rx-b');
          subs('T-rx-c');
          p.unsubscribe(n('T-rx-d'));
          log.push(['calls while connecting']);
        }
      });
      subs('T-rx-b');
      subs('T-rx-d');
      await log.waitForCount((e) => e[0] === 'succeeded', 3, 'subscribed');
      reconnecting = true;
      await node('proxy.cutAll');
      await log.waitForCount((e) => e[0] === 'state' && e[2] === 'connected', 2, 'reconnected', { timeout: 10000 });
      await log
        .waitForCount((e) => e[0] === 'succeeded', 6, 'resubscribed', { timeout: 8000 })
        .catch((err) => {
          const b = p.channel(n('T-rx-b'));
          throw new Error(
            `${err.message}; rx-b in pusher.channels: ${!!b}; log: ${JSON.stringify(untag(log.entries))}`,
          );
        });
      const barrier = p.subscribe(n('T-barrier'));
      await H.once(barrier, 'pusher:subscription_succeeded');
      const expected = ['T-rx-a', 'T-rx-b', 'T-rx-c', 'T-barrier'].map(n);
      const server = await node('server.settle', T, expected);
      const all = ['T-rx-a', 'T-rx-b', 'T-rx-c', 'T-rx-d'].map(n);
      const delivered = await deliver(p, all, n('T-barrier'), untag);
      return {
        server: untagServer(server),
        delivered,
        log: log.entries.filter(
          (e) =>
            e[0] !== 'state' && e[0] !== 'connecting_in' && !(e[0] === 'error' && e[1].data && e[1].data.code === 1006),
        ),
        _all: log.entries,
      };
    },
    { helpers: PAGE_HELPERS, delivery: DELIVERY, viaProxy: true },
  );
  checkBoth(
    runs,
    (obs, r) => {
      const expected = ['T-barrier', 'T-rx-a', 'T-rx-b', 'T-rx-c'];
      assert.deepEqual(obs.server, { settled: expected, after: expected });
      assert.deepEqual(obs.delivered, { 'T-rx-a': 1, 'T-rx-b': 1, 'T-rx-c': 1, 'T-rx-d': 0 });
      // no pusher:error ("Existing subscription"), no other error but the drop's
      assert.deepEqual(
        obs.log.filter((e) => e[0] === 'error'),
        [],
      );
      assert.equal(r.websockets.length, 2);
      const frames = r.websockets.map((ws) =>
        parsedFrames(ws.sent)
          .filter((f) => f.event !== 'pusher:ping')
          .map((f) => [f.event.replace('pusher:', ''), f.data.channel.replace(/js|wasm/, 'T')]),
      );
      // on the new connection, exactly one subscribe per channel that should be subscribed
      assert.deepEqual(frames[1].sort(), [
        ['subscribe', 'T-barrier'],
        ['subscribe', 'T-rx-a'],
        ['subscribe', 'T-rx-b'],
        ['subscribe', 'T-rx-c'],
      ]);
    },
    sharedOrder(runs),
  );
});

/**
 * With the shared engine, a subscribe made in a `state_change` callback reaches the worker after
 * the resubscriptions of `connected` it already sent (pusher-js, and the page's own engine, send
 * it first): the channels succeed in another order. Each run of consecutive `succeeded` entries
 * is compared as a set then.
 */
function sharedOrder(runs) {
  if (runs[OURS]?.mode !== 'shared') return {};
  const sortRuns = (obs) => {
    const log = obs.log.slice();
    for (let i = 0; i < log.length;) {
      let j = i;
      while (j < log.length && log[j][0] === 'succeeded') j++;
      log.splice(i, j - i, ...log.slice(i, j).sort());
      i = j + 1;
    }
    return { ...obs, log };
  };
  return { ours: sortRuns, oursObs: sortRuns };
}

test('a subscription pending when the connection drops: kept if wanted, forgotten if cancelled (README difference 8)', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.helpers);
      (0, eval)(a.delivery);
      const { T, n, untag, untagServer } = R(a.client);
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      H.watch(p, log);
      const keep = p.subscribe(n('T-keep'));
      await H.once(keep, 'pusher:subscription_succeeded');
      // 1 s each way: the subscribes below are still in flight when the connection is cut
      await node('proxy.setLatency', 1000);
      const pending = p.subscribe(n('T-pending'));
      p.subscribe(n('T-cancelled'));
      p.unsubscribe(n('T-cancelled'));
      await node('proxy.cutAll');
      await node('proxy.setLatency', 0);
      await log.waitForCount((e) => e[0] === 'state' && e[2] === 'connected', 2, 'reconnected', { timeout: 10000 });
      if (!pending.subscribed) await H.once(pending, 'pusher:subscription_succeeded', { timeout: 8000 });
      if (!keep.subscribed) await H.once(keep, 'pusher:subscription_succeeded', { timeout: 8000 });
      const barrier = p.subscribe(n('T-barrier'));
      await H.once(barrier, 'pusher:subscription_succeeded');
      const ours = H.client === 'pusher-wasm';
      const expected = (
        ours ? ['T-keep', 'T-pending', 'T-barrier'] : ['T-keep', 'T-pending', 'T-cancelled', 'T-barrier']
      ).map(n);
      const server = await node('server.settle', T, expected);
      const all = ['T-keep', 'T-pending', 'T-cancelled'].map(n);
      const delivered = await deliver(p, all, n('T-barrier'), untag);
      return {
        server: untagServer(server),
        delivered,
        client: untag(
          Object.fromEntries(all.map((name) => [name, p.channel(name) ? p.channel(name).subscribed : 'absent'])),
        ),
      };
    },
    { helpers: PAGE_HELPERS, delivery: DELIVERY, viaProxy: true },
  );
  const oursView = (o) => ({
    server: { settled: ['T-barrier', 'T-keep', 'T-pending'], after: ['T-barrier', 'T-keep', 'T-pending'] },
    delivered: { ...o.delivered, 'T-cancelled': 0 },
    client: { ...o.client, 'T-cancelled': 'absent' },
  });
  checkBoth(
    runs,
    (obs, r) => {
      if (r.client === OURS) {
        assert.deepEqual(obs, {
          server: { settled: ['T-barrier', 'T-keep', 'T-pending'], after: ['T-barrier', 'T-keep', 'T-pending'] },
          delivered: { 'T-keep': 1, 'T-pending': 1, 'T-cancelled': 0 },
          client: { 'T-keep': true, 'T-pending': true, 'T-cancelled': 'absent' },
        });
      } else {
        // pusher-js subscribes the cancelled channel again on reconnect, and it stays subscribed
        const all = ['T-barrier', 'T-cancelled', 'T-keep', 'T-pending'];
        assert.deepEqual(obs, {
          server: { settled: all, after: all },
          delivered: { 'T-keep': 1, 'T-pending': 1, 'T-cancelled': 1 },
          client: { 'T-keep': true, 'T-pending': true, 'T-cancelled': true },
        });
      }
    },
    { ours: oursView },
  );
});

test('callbacks that unsubscribe, subscribe or disconnect from inside an event', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.helpers);
      (0, eval)(a.delivery);
      const { T, n, untag, untagServer } = R(a.client);
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      H.watch(p, log);
      const A = p.subscribe(n('T-cb-a'));
      A.bind('ev', (d) => {
        log.push(['a first', d]);
        p.unsubscribe(n('T-cb-a'));
      });
      A.bind('ev', (d) => log.push(['a second', d]));
      const B = p.subscribe(n('T-cb-b'));
      B.bind('pusher:subscription_succeeded', () => {
        log.push(['b succeeded']);
        p.unsubscribe(n('T-cb-b'));
      });
      const C = p.subscribe(n('T-cb-c'));
      C.bind('ev', () => {
        log.push(['c ev']);
        const D = p.subscribe(n('T-cb-d'));
        D.bind('pusher:subscription_succeeded', () => log.push(['d succeeded']));
      });
      const E = p.subscribe(n('T-cb-e'));
      E.bind('ev', () => {
        log.push(['e ev, disconnecting']);
        p.disconnect();
      });
      const bar = p.subscribe(n('T-barrier'));
      bar.bind('barrier', () => log.push(['barrier']));
      bar.bind('late', () => log.push(['late']));
      for (const ch of [A, C, E, bar]) if (!ch.subscribed) await H.once(ch, 'pusher:subscription_succeeded');
      await log.waitFor((e) => e[0] === 'b succeeded', 'b');
      // a: both callbacks of the event run, the second event does not arrive
      await node('trigger', n('T-cb-a'), 'ev', 1);
      await node('trigger', n('T-cb-a'), 'ev', 2);
      await node('trigger', n('T-cb-c'), 'ev', {});
      await log.waitFor((e) => e[0] === 'd succeeded', 'd subscribed from a callback');
      await node('trigger', n('T-barrier'), 'barrier', {});
      await log.waitFor((e) => e[0] === 'barrier', 'barrier');
      const serverBefore = await node('server.settle', T, ['T-cb-c', 'T-cb-d', 'T-cb-e', 'T-barrier'].map(n));
      // e: disconnect from inside an event; what the server sends after it never arrives
      await node('trigger', n('T-cb-e'), 'ev', {});
      await H.waitState(p, 'disconnected');
      await node('trigger', n('T-barrier'), 'late', {});
      const serverAfterDisconnect = await node('server.settle', T, []);
      p.connect();
      await log.waitForCount((e) => e[0] === 'state' && e[2] === 'connected', 2, 'connected again');
      for (const ch of [C, E, bar]) if (!ch.subscribed) await H.once(ch, 'pusher:subscription_succeeded');
      const serverAfterConnect = await node('server.settle', T, ['T-cb-c', 'T-cb-d', 'T-cb-e', 'T-barrier'].map(n));
      // a second client that disconnects from its own 'connected' handler stays disconnected
      const q = new Pusher(a.key, a.options);
      const qlog = [];
      q.connection.bind('state_change', (s) => qlog.push([s.previous, s.current]));
      q.connection.bind('connected', () => q.disconnect());
      await H.waitState(q, 'disconnected', { timeout: 8000 });
      await H.quietPeriod(1500); // no reconnect may follow
      return {
        log: log.entries.filter((e) => e[0] !== 'state'),
        states: log.entries.filter((e) => e[0] === 'state'),
        server: [serverBefore, serverAfterDisconnect, serverAfterConnect].map(untagServer),
        flags: untag({
          a: p.channel(n('T-cb-a')) ? 'present' : 'absent',
          b: p.channel(n('T-cb-b')) ? 'present' : 'absent',
        }),
        q: { states: qlog, state: q.connection.state },
      };
    },
    { helpers: PAGE_HELPERS, delivery: DELIVERY },
  );
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.log, [
      ['b succeeded'],
      ['a first', 1],
      ['a second', 1],
      ['c ev'],
      ['d succeeded'],
      ['barrier'],
      ['e ev, disconnecting'],
      ['d succeeded'], // subscribed again after connect()
    ]);
    assert.deepEqual(obs.states, [
      ['state', 'connecting', 'connected'],
      ['state', 'connected', 'disconnected'],
      ['state', 'disconnected', 'connecting'],
      ['state', 'connecting', 'connected'],
    ]);
    const live = ['T-barrier', 'T-cb-c', 'T-cb-d', 'T-cb-e'];
    assert.deepEqual(obs.server, [
      { settled: live, after: live },
      { settled: [], after: [] },
      { settled: live, after: live },
    ]);
    assert.deepEqual(obs.flags, { a: 'absent', b: 'absent' });
    assert.deepEqual(obs.q, {
      states: [
        ['connecting', 'connected'],
        ['connected', 'disconnected'],
      ],
      state: 'disconnected',
    });
  });
});

test('unsubscribe then subscribe again from inside a callback: the new channel object receives', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.helpers);
      const { n, untag } = R(a.client);
      const p = new Pusher(a.key, a.options);
      const y = p.subscribe(n('T-in-y'));
      await H.once(y, 'pusher:subscription_succeeded');
      const z = p.subscribe(n('T-in-z'));
      await H.once(z, 'pusher:subscription_succeeded');
      let inside;
      let y2;
      z.bind('go', () => {
        p.unsubscribe(n('T-in-y'));
        y2 = p.subscribe(n('T-in-y'));
        inside = { same: y2 === y, inTable: p.channel(n('T-in-y')) === y2 };
      });
      const went = H.once(z, 'go');
      await node('trigger', n('T-in-z'), 'go', {});
      await went;
      const afterCallback = { inTable: p.channel(n('T-in-y')) === y2 };
      const log = H.createLog();
      y2.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
      y2.bind('ev', (d) => log.push(['ev', d]));
      if (!y2.subscribed) await log.waitFor((e) => e[0] === 'succeeded', 'subscribed again').catch(() => {});
      await node('trigger', n('T-in-y'), 'ev', 1);
      await node('trigger', n('T-in-z'), 'barrier', {});
      const barrier = H.once(z, 'barrier');
      await barrier.catch(() => {});
      // Whether `subscription_succeeded` came before or after the bindings is a matter of
      // timing; the events that arrive are not.
      return untag({
        inside,
        afterCallback,
        log: log.entries.filter((e) => e[0] !== 'succeeded'),
        subscribed: y2.subscribed,
      });
    },
    { helpers: PAGE_HELPERS },
  );
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.inside, { same: false, inTable: true });
    assert.deepEqual(
      obs.afterCallback,
      { inTable: true },
      'the new object is still pusher.channel(name) after the callback',
    );
    assert.deepEqual(
      obs.log.filter((e) => e[0] === 'ev'),
      [['ev', 1]],
    );
    assert.equal(obs.subscribed, true);
  });
});
