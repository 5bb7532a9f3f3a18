// One page at scale, against sockudo through the TCP proxy, on pusher-js and pusher-wasm:
// 1,000 subscribed channels on one client, and 10 Pusher instances on one page. The proxy cuts
// every connection; everything must be resubscribed, and every event published before the cut
// and after the resubscription must arrive exactly once (none lost, none doubled).
// Takes about 1 minute on 2 cores.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, runOnBoth, checkBoth, clientOptions, parsedFrames } from '../support/scenario.mjs';
import { startTcpProxy } from '../support/tcp-proxy.mjs';
import { installAuthServer, makeSdk } from '../support/auth-server.mjs';

let env;
let proxy;
let auth;
before(async () => {
  env = await startEnv({ sockudo: true });
  proxy = await startTcpProxy({ targetPort: env.sockudo.port });
  auth = installAuthServer(env, { sdk: makeSdk(env.sockudo) });
});
after(async () => {
  await proxy?.close();
  await env?.close();
});

const handlers = () => ({
  ...env.sdkHandlers(),
  ...auth.handlers(),
  'proxy.cutAll': () => void proxy.cutAll(),
  /** One event on each channel, 100 channels per HTTP call (the API's limit). */
  async triggerMany(channels, event, data) {
    for (let i = 0; i < channels.length; i += 100) {
      const res = await env.sdk.trigger(channels.slice(i, i + 100), event, data);
      if (res.status !== 200) throw new Error(`trigger: HTTP ${res.status}`);
    }
    return true;
  },
  /**
   * How many channels whose name includes `tag` sockudo has, once it says `expected` (its HTTP
   * API lags behind the sockets a little), or what it says after 5 s.
   */
  async serverChannelCount(tag, expected) {
    const t0 = Date.now();
    for (;;) {
      const res = await env.sdk.get({ path: '/channels', params: {} });
      const body = await res.json();
      const n = Object.keys(body.channels ?? {}).filter((c) => c.includes(tag)).length;
      if (n === expected || Date.now() - t0 > 5000) return n;
      await new Promise((r) => setTimeout(r, 50)); // poll interval; the bound is 5 s
    }
  },
});

function run(scenario, args) {
  return runOnBoth(
    env,
    scenario,
    { key: env.sockudo.key, options: clientOptions(proxy.port), ...args },
    {
      handlers,
      setup: () => auth.reset(),
      teardown: () => proxy.cutAll(),
      allowConsoleErrors: true, // the cut WebSockets
      timeoutMs: 120000,
    },
  );
}

// Page-side: counts every (client, channel, phase) delivery; `reached(n)` resolves once `n`
// deliveries were counted in all.
const COUNTER = `
  window.makeCounter = () => {
    const counts = {};
    let total = 0;
    const log = H.createLog();
    return {
      counts,
      hit(key) {
        counts[key] = (counts[key] || 0) + 1;
        total++;
        log.push(1);
      },
      get total() { return total; },
      reached: (n, what, timeout) => log.waitFor(() => total >= n, what, { timeout }),
    };
  };
`;

test('1,000 channels on one client: all resubscribed after the connection is cut, every event once', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.counter);
      const T = a.client === 'pusher-js' ? 'js' : 'wasm';
      const names = Array.from({ length: a.count }, (_, i) => `sc1-${T}-${i}`);
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      H.watch(p, log);
      const subscribed = makeCounter();
      const events = makeCounter();
      for (const name of names) {
        const ch = p.subscribe(name);
        ch.bind('pusher:subscription_succeeded', () => subscribed.hit(name));
        ch.bind('ev', (d) => events.hit(`${name}/${d.phase}`));
      }
      const t0 = performance.now();
      await subscribed.reached(a.count, 'all subscribed', 30000);
      const subscribeMs = Math.round(performance.now() - t0);
      const onServer1 = await node('serverChannelCount', `sc1-${T}-`, a.count);
      await node('triggerMany', names, 'ev', { phase: 1 });
      await events.reached(a.count, 'phase 1 events', 30000);
      const t1 = performance.now();
      await node('proxy.cutAll');
      await subscribed.reached(2 * a.count, 'all resubscribed', 30000);
      const resubscribeMs = Math.round(performance.now() - t1);
      const onServer2 = await node('serverChannelCount', `sc1-${T}-`, a.count);
      await node('triggerMany', names, 'ev', { phase: 2 });
      await events.reached(2 * a.count, 'phase 2 events', 30000);
      // barrier: one more event on the last channel; frames arrive in order
      const last = p.channel(names[names.length - 1]);
      const barrier = H.once(last, 'barrier', { timeout: 10000 });
      await node('trigger', names[names.length - 1], 'barrier', {});
      await barrier;
      const wrong = Object.entries(subscribed.counts).filter(([, n]) => n !== 2);
      const wrongEvents = names
        .flatMap((n) => [1, 2].map((ph) => [`${n}/${ph}`, events.counts[`${n}/${ph}`] || 0]))
        .filter(([, c]) => c !== 1);
      return {
        onServer: [onServer1, onServer2],
        subscribedTwice: Object.keys(subscribed.counts).length === a.count && wrong.length === 0,
        eventsOnce: wrongEvents.length === 0,
        totals: [subscribed.total, events.total],
        connection: log.entries.filter((e) => e[0] === 'state'),
        _wrong: wrong.slice(0, 10),
        _wrongEvents: wrongEvents.slice(0, 10),
        _subscribeMs: subscribeMs,
        _resubscribeMs: resubscribeMs,
      };
    },
    { count: 1000, counter: COUNTER },
  );
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.onServer, [1000, 1000]);
    assert.equal(
      obs.subscribedTwice,
      true,
      `subscription_succeeded not exactly twice: ${JSON.stringify(r.obs._wrong)}`,
    );
    assert.equal(obs.eventsOnce, true, `events not exactly once: ${JSON.stringify(r.obs._wrongEvents)}`);
    assert.deepEqual(obs.totals, [2000, 2000]);
    assert.deepEqual(obs.connection, [
      ['state', 'connecting', 'connected'],
      ['state', 'connected', 'connecting'],
      ['state', 'connecting', 'connected'],
    ]);
    assert.equal(r.websockets.length, 2);
    for (const ws of r.websockets) {
      const subs = parsedFrames(ws.sent).filter((f) => f.event === 'pusher:subscribe');
      assert.equal(subs.length, 1000, 'one subscribe per channel per connection');
      assert.equal(new Set(subs.map((f) => f.data.channel)).size, 1000);
    }
    console.log(
      `[${r.client}] 1,000 channels: subscribed in ${r.obs._subscribeMs} ms, resubscribed ${r.obs._resubscribeMs} ms after the cut`,
    );
  });
});

test('10 Pusher instances on one page, shared and own channels: all resubscribed after the cut, every event once per instance', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.counter);
      const T = a.client === 'pusher-js' ? 'js' : 'wasm';
      const shared = Array.from({ length: 10 }, (_, j) => `sc2-${T}-shared-${j}`);
      const subscribed = makeCounter();
      const events = makeCounter();
      const log = H.createLog();
      const clients = Array.from({ length: a.instances }, (_, k) => {
        const p = new Pusher(a.key, a.options);
        p.connection.bind('state_change', (s) => log.push([k, s.previous, s.current]));
        const own = Array.from({ length: 10 }, (_, i) => `sc2-${T}-own-${k}-${i}`);
        const names = [...shared, ...own, `private-sc2-${T}-${k}`];
        for (const name of names) {
          const ch = p.subscribe(name);
          ch.bind('pusher:subscription_succeeded', () => subscribed.hit(`${k}:${name}`));
          ch.bind('ev', (d) => events.hit(`${k}:${name}/${d.phase}`));
        }
        return { p, names };
      });
      const perInstance = clients[0].names.length; // 21
      const all = a.instances * perInstance;
      const everyName = [...new Set(clients.flatMap((c) => c.names))];
      await subscribed.reached(all, 'all subscribed', 30000);
      const onServer1 = await node('serverChannelCount', `sc2-${T}-`, 120);
      await node('triggerMany', everyName, 'ev', { phase: 1 });
      await events.reached(all, 'phase 1', 30000);
      await node('proxy.cutAll');
      await subscribed.reached(2 * all, 'all resubscribed', 30000);
      const onServer2 = await node('serverChannelCount', `sc2-${T}-`, 120);
      await node('triggerMany', everyName, 'ev', { phase: 2 });
      await events.reached(2 * all, 'phase 2', 30000);
      // barrier on every instance
      const barriers = clients.map(({ p, names }) =>
        H.once(p.channel(names[names.length - 1]), 'barrier', { timeout: 10000 }),
      );
      for (const { names } of clients) await node('trigger', names[names.length - 1], 'barrier', {});
      await Promise.all(barriers);
      const wrong = Object.entries(events.counts).filter(([, n]) => n !== 1);
      return {
        onServer: [onServer1, onServer2],
        totals: [subscribed.total, events.total],
        distinctEvents: Object.keys(events.counts).length,
        eventsOnce: wrong.length === 0,
        subscribedTwice: Object.values(subscribed.counts).every((n) => n === 2),
        states: clients.map((_, k) => log.entries.filter((e) => e[0] === k).map((e) => e.slice(1))),
        authRequests: await node('auth.count', 'channel'),
        _wrong: wrong.slice(0, 10),
      };
    },
    { instances: 10, counter: COUNTER },
  );
  checkBoth(runs, (obs, r) => {
    // 10 shared + 10 × 10 own + 10 private channels
    assert.deepEqual(obs.onServer, [120, 120]);
    assert.deepEqual(obs.totals, [420, 420]);
    assert.equal(obs.distinctEvents, 420);
    assert.equal(obs.eventsOnce, true, `events not exactly once: ${JSON.stringify(r.obs._wrong)}`);
    assert.equal(obs.subscribedTwice, true);
    for (const s of obs.states) {
      assert.deepEqual(s, [
        ['connecting', 'connected'],
        ['connected', 'connecting'],
        ['connecting', 'connected'],
      ]);
    }
    assert.equal(obs.authRequests, 20, 'each private channel authorized once per connection');
    // Ten connections, each opened twice; with the shared engine, the ten instances (equal
    // options) share one.
    assert.equal(r.websockets.length, r.mode === 'shared' ? 2 : 20);
  });
});
