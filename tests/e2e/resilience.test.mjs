// Resilience against a broken network and a restarting server, on pusher-js and pusher-wasm:
//
//   - a half-open socket (tests/support/tcp-proxy.mjs black-holes it: nothing arrives, nothing
//     fails), noticed by the activity check, by the page becoming visible, by the network
//     coming back;
//   - a slow but alive link (latency, throttle) that must not be taken for a dead one;
//   - sockudo restarting (SIGTERM: close 4200 first; SIGKILL: the sockets drop), with public,
//     private and presence channels: reconnected, re-authorized, resubscribed, events once;
//   - a server refusing again and again (fake server): the delays between attempts stay within
//     the backoff's bounds, with jitter, and a refusal (4001/4009) ends the retries.
//
// Numbers are upper bounds that fail the test; the measured values are printed.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, runOnBoth, checkBoth, clientOptions, parsedFrames, OURS, ORACLE } from '../support/scenario.mjs';
import { startTcpProxy } from '../support/tcp-proxy.mjs';
import { installAuthServer, makeSdk } from '../support/auth-server.mjs';
import { freePort } from '../support/sockudo.mjs';
import { startFakeServer, pageHandlers } from '../fake-server/index.mjs';

let env;
let proxy;
let auth;
let fake;
before(async () => {
  env = await startEnv({ sockudo: true });
  proxy = await startTcpProxy({ targetPort: env.sockudo.port });
  auth = installAuthServer(env, { sdk: makeSdk(env.sockudo) });
  fake = await startFakeServer();
});
after(async () => {
  await proxy?.close();
  await fake?.close();
  await env?.close();
});

const proxyHandlers = () => ({
  'proxy.blackhole': (opts) => void proxy.blackhole(opts ?? {}),
  'proxy.heal': () => void proxy.heal(),
  'proxy.cutAll': () => void proxy.cutAll(),
  'proxy.setLatency': (ms) => void proxy.setLatency(ms),
  'proxy.setThrottle': (bps) => void proxy.setThrottle(bps),
  'proxy.accepted': () => proxy.accepted,
  /**
   * Channels sockudo really has subscribers for, whose name includes `tag`: once there are
   * `expected` of them (its HTTP API lags a little behind the sockets), or after 5 s.
   */
  async 'server.channels'(tag, expected) {
    const t0 = Date.now();
    for (;;) {
      const res = await env.sdk.get({ path: '/channels', params: {} });
      const body = await res.json();
      const names = Object.keys(body.channels ?? {})
        .filter((n) => n.includes(tag))
        .sort();
      if (names.length === expected || Date.now() - t0 > 5000) return names;
      await new Promise((r) => setTimeout(r, 50)); // poll interval; the bound is 5 s
    }
  },
});

/** A scenario through the proxy, to sockudo. */
function viaProxy(scenario, { options = {}, ...args } = {}, opts = {}) {
  return runOnBoth(
    env,
    scenario,
    { key: env.sockudo.key, options: clientOptions(proxy.port, '127.0.0.1', options), ...args },
    {
      handlers: () => ({ ...env.sdkHandlers(), ...auth.handlers(), ...proxyHandlers() }),
      setup: () => {
        proxy.heal();
        proxy.setLatency(0);
        proxy.setThrottle(0);
        auth.reset();
      },
      teardown: (client, r) => {
        r.accepted = proxy.accepted;
        proxy.cutAll();
      },
      allowConsoleErrors: true, // Chromium logs the failed WebSocket connections
      timeoutMs: 30000,
      ...opts,
    },
  );
}

// ---- a half-open socket ------------------------------------------------------------------------

test('half-open socket: noticed within activityTimeout + pongTimeout (2 s + 1 s), then resubscribed', async () => {
  const runs = await viaProxy(
    async (a) => {
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      H.watch(p, log);
      const ch = p.subscribe('halfopen-a');
      ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
      ch.bind('ev', (d) => log.push(['ev', d]));
      await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
      const sid1 = p.connection.socket_id;
      await node('proxy.blackhole');
      const holedAt = log.now();
      // sockudo sends it into the black hole: it must never arrive
      await node('trigger', 'halfopen-a', 'ev', 'lost');
      await log.waitFor((e) => e[0] === 'state' && e[1] === 'connected', 'noticed', { timeout: 6000 });
      const noticedAt = log.now();
      await log.waitForCount((e) => e[0] === 'succeeded', 2, 'resubscribed', { timeout: 6000 });
      await node('trigger', 'halfopen-a', 'ev', 'after');
      await log.waitFor((e) => e[0] === 'ev' && e[1] === 'after', 'event after the reconnect');
      return {
        entries: log.entries,
        newSocketId: p.connection.socket_id !== sid1 && H.isSocketId(p.connection.socket_id),
        _noticedAfterMs: noticedAt - holedAt,
      };
    },
    { options: { activityTimeout: 2000, pongTimeout: 1000 } },
  );
  checkBoth(runs, (obs, r) => {
    // no error event: a pong timeout is not reported, the client just reconnects at once
    assert.deepEqual(obs.entries, [
      ['state', 'connecting', 'connected'],
      ['succeeded'],
      ['state', 'connected', 'connecting'],
      ['state', 'connecting', 'connected'],
      ['succeeded'],
      ['ev', 'after'],
    ]);
    assert.equal(obs.newSocketId, true);
    const noticed = r.obs._noticedAfterMs;
    console.log(`[${r.client}] half-open socket noticed ${noticed} ms after the black hole (bound 3000 + 500)`);
    assert.ok(noticed <= 3500, `noticed after ${noticed} ms`);
    const sent = parsedFrames(r.websockets[0].sent).map((f) => f.event);
    assert.equal(sent.at(-1), 'pusher:ping', 'the last frame on the dead socket is the unanswered ping');
  });
});

// Connected through the proxy, then the socket is black-holed (the laptop slept, the NAT forgot
// it), then the page comes back. pusher-js keeps the dead socket for activityTimeout +
// pongTimeout (150 s by default), missing every event; pusher-wasm checks at once (README
// difference 14) and is back within its 3 s deadline.
const deadThenBack = async (a) => {
  const p = new Pusher(a.key, a.options);
  const log = H.createLog();
  H.watch(p, log);
  const ch = p.subscribe('back-a');
  ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
  ch.bind('ev', (d) => log.push(['ev', d]));
  await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
  await node('proxy.blackhole');
  await node('trigger', 'back-a', 'ev', 'lost');
  let backAt;
  if (a.stimulus === 'visible') {
    backAt = log.now();
    H.comeIntoView();
  } else {
    await node('page.setOffline', true);
    await node('page.setOffline', false);
    backAt = log.now();
  }
  let reconnectedAfterMs = null;
  if (H.client === 'pusher-wasm') {
    await log.waitForCount((e) => e[0] === 'succeeded', 2, 'resubscribed', { timeout: 8000 });
    const k = log.entries.findIndex((e, i) => i > 0 && e[0] === 'state' && e[2] === 'connected');
    reconnectedAfterMs = log.times[k] - backAt;
    await node('trigger', 'back-a', 'ev', 'after');
    await log.waitFor((e) => e[0] === 'ev', 'event after the reconnect');
  } else {
    await H.quietPeriod(4500); // past pusher-wasm's 3 s deadline: pusher-js does nothing
    await node('trigger', 'back-a', 'ev', 'missed');
    await H.quietPeriod(500); // the event would arrive within this on a live socket
  }
  return { entries: log.entries, state: p.connection.state, _reconnectedAfterMs: reconnectedAfterMs };
};

for (const stimulus of ['visible', 'online']) {
  const what = stimulus === 'visible' ? 'the page becomes visible' : 'the network comes back (offline, online)';
  test(`half-open socket, then ${what}: pusher-wasm is back within 3 s; pusher-js stays on the dead socket`, async () => {
    const runs = await viaProxy(deadThenBack, { stimulus });
    const reconnect = [
      ['state', 'connected', 'connecting'],
      ['state', 'connecting', 'connected'],
      ['succeeded'],
      ['ev', 'after'],
    ];
    checkBoth(
      runs,
      (obs, r) => {
        const start = [['state', 'connecting', 'connected'], ['succeeded']];
        const pings = parsedFrames(r.websockets[0].sent).filter((f) => f.event === 'pusher:ping').length;
        if (r.client === OURS) {
          assert.deepEqual(obs.entries, [...start, ...reconnect]);
          const after = r.obs._reconnectedAfterMs;
          console.log(`[${stimulus}] pusher-wasm connected again ${after} ms after the page/network came back`);
          assert.ok(after <= 3000 + 1000, `connected again after ${after} ms`);
          assert.ok(pings >= 1, 'pinged the dead socket');
        } else {
          // nothing at all: no state change, and the event sent meanwhile never came
          assert.deepEqual(obs.entries, start);
          console.log(`[${stimulus}] pusher-js: still 'connected' on the dead socket after 5 s, ${pings} ping(s) sent`);
        }
        assert.equal(obs.state, 'connected');
      },
      { ours: (o) => ({ ...o, entries: [...o.entries, ...reconnect] }) },
    );
  });
}

test('a slow but alive link (800 ms each way, then 16 KB/s) is not taken for a dead one', async () => {
  const runs = await viaProxy(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    H.watch(p, log);
    const ch = p.subscribe('slow-a');
    ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
    ch.bind('big', (d) => log.push(['big', d.length, d === 'x'.repeat(d.length)]));
    await log.waitFor((e) => e[0] === 'succeeded', 'subscribed', { timeout: 10000 });
    await node('proxy.setLatency', 800);
    // pusher-wasm pings now and gets the pong after ~1.6 s, within its 3 s deadline
    H.comeIntoView();
    await H.quietPeriod(3500); // past the liveness deadline: no reconnect may happen
    const afterCheck = log.entries.length;
    await node('proxy.setThrottle', 16000);
    const t0 = log.now();
    await node('trigger', 'slow-a', 'big', 'x'.repeat(40000)); // 2.5 s at 16 KB/s
    await log.waitFor((e) => e[0] === 'big', 'the big event', { timeout: 10000 });
    return { entries: log.entries, afterCheck, state: p.connection.state, _bigArrivedAfterMs: log.now() - t0 };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.entries, [['state', 'connecting', 'connected'], ['succeeded'], ['big', 40000, true]]);
    assert.equal(obs.afterCheck, 2, 'nothing happened during the liveness check');
    assert.equal(obs.state, 'connected');
    assert.equal(r.websockets.length, 1);
    const pings = parsedFrames(r.websockets[0].sent).filter((f) => f.event === 'pusher:ping').length;
    assert.equal(pings, r.client === OURS ? 1 : 0, 'pings on visibilitychange');
    console.log(`[${r.client}] 40 KB event over the slow link in ${r.obs._bigArrivedAfterMs} ms`);
    assert.ok(r.obs._bigArrivedAfterMs >= 2000, 'the throttle was in effect');
  });
});

// ---- the server restarts -----------------------------------------------------------------------

const restartScenario = async (a) => {
  const T = a.client === 'pusher-js' ? 'js' : 'wasm';
  const names = a.names.map((n) => n.replace('TAG', T));
  const untag = (s) => s.split(T).join('TAG');
  const p = new Pusher(a.key, {
    ...a.options,
    channelAuthorization: {
      endpoint: '/pusher/auth',
      transport: 'ajax',
      params: { user_id: 'u-restart', user_info: JSON.stringify({ name: 'R' }) },
    },
  });
  const log = H.createLog();
  H.watch(p, log);
  const channels = names.map((name) => {
    const ch = p.subscribe(name);
    ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded', untag(name)]));
    ch.bind('pusher:subscription_error', (e) => log.push(['subscription_error', untag(name), H.ser(e)]));
    ch.bind('ev', (d) => log.push(['ev', untag(name), d]));
    ch.bind('barrier', () => log.push(['barrier', untag(name)]));
    return ch;
  });
  await log.waitForCount((e) => e[0] === 'succeeded', names.length, 'subscribed', { timeout: 10000 });
  const sid1 = p.connection.socket_id;
  const restartAt = log.now();
  await node('restartServer', { signal: a.signal });
  const backAt = log.now();
  await log.waitForCount((e) => e[0] === 'succeeded', 2 * names.length, 'resubscribed', { timeout: 40000 });
  const sid2 = p.connection.socket_id;
  for (const name of names) await node('trigger', name, 'ev', { n: 1 });
  for (const name of names) await node('trigger', name, 'barrier', {});
  await log.waitForCount((e) => e[0] === 'barrier', names.length, 'barriers');
  const requests = await node('auth.requests');
  const serverChannels = await node('server.channels', `rs-${T}`, names.length);
  const k = log.entries.findIndex((e, i) => i > 0 && e[0] === 'state' && e[2] === 'connected');
  const waits = log.entries.slice(0, k).filter((e) => e[0] === 'connecting_in');
  const presence = channels.find((c) => c.name.startsWith('presence-'));
  // Auth answers race each other, so the order of the succeeded events and of the auth requests
  // within one connection is not defined: each block of succeeded events is sorted.
  const channelLog = log.entries.filter((e) => e[0] !== 'state' && e[0] !== 'error' && e[0] !== 'connecting_in');
  const n = names.length;
  const sortedBlocks = [
    channelLog.slice(0, n).sort(),
    channelLog.slice(n, 2 * n).sort(),
    channelLog.slice(2 * n),
  ].flat();
  return {
    channelLog: sortedBlocks,
    state: p.connection.state,
    newSocketId: H.isSocketId(sid2) && sid2 !== sid1,
    authorized: requests
      .map((r) => [
        untag(r.form.channel_name),
        r.form.socket_id === sid1 ? 'sid1' : r.form.socket_id === sid2 ? 'sid2' : r.form.socket_id,
      ])
      .sort(),
    serverChannels: serverChannels.map(untag),
    members: { count: presence.members.count, me: presence.members.me && presence.members.me.id },
    _connection: log.entries.filter((e) => e[0] === 'state' || e[0] === 'error' || e[0] === 'connecting_in'),
    _downMs: backAt - restartAt,
    _connectedAfterBackMs: log.times[k] - backAt,
    _lastWaitS: waits.length ? waits[waits.length - 1][1] : 0,
  };
};

const RESTART_NAMES = ['rs-TAG-pub-a', 'rs-TAG-pub-b', 'private-rs-TAG', 'presence-rs-TAG'];

for (const signal of ['SIGTERM', 'SIGKILL']) {
  test(`sockudo restarts (${signal}): new socket_id, every channel resubscribed and re-authorized, events once`, async () => {
    const runs = await runOnBoth(env, restartScenario, env.clientArgs({ signal, names: RESTART_NAMES }), {
      handlers: () => ({ ...env.sdkHandlers(), ...auth.handlers(), ...proxyHandlers() }),
      setup: () => auth.reset(),
      allowConsoleErrors: true,
      timeoutMs: 60000,
    });
    checkBoth(runs, (obs, r) => {
      const names = RESTART_NAMES;
      const succeeded = names.map((n) => ['succeeded', n]);
      const log = obs.channelLog;
      // subscribed twice (before and after), then one event and the barrier per channel
      assert.deepEqual(log.slice(0, names.length).sort(), succeeded.slice().sort());
      assert.deepEqual(log.slice(names.length, 2 * names.length).sort(), succeeded.slice().sort());
      assert.deepEqual(log.slice(2 * names.length), [
        ...names.map((n) => ['ev', n, { n: 1 }]),
        ...names.map((n) => ['barrier', n]),
      ]);
      assert.equal(obs.state, 'connected');
      assert.equal(obs.newSocketId, true);
      // each authorized channel twice: with the first socket_id, then the new one
      assert.deepEqual(obs.authorized.slice().sort(), [
        ['presence-rs-TAG', 'sid1'],
        ['presence-rs-TAG', 'sid2'],
        ['private-rs-TAG', 'sid1'],
        ['private-rs-TAG', 'sid2'],
      ]);
      assert.deepEqual(obs.serverChannels, names.slice().sort());
      assert.deepEqual(obs.members, { count: 1, me: 'u-restart' });
      const after = r.obs._connectedAfterBackMs;
      console.log(
        `[${r.client}] ${signal}: server down ${r.obs._downMs} ms, connected again ${after} ms after it was back ` +
          `(last announced wait ${r.obs._lastWaitS} s); connection: ${JSON.stringify(r.obs._connection.map((e) => (e[0] === 'error' ? ['error', e[1]?.error?.data?.code ?? e[1]?.data?.code] : e)))}`,
      );
      if (r.client === OURS) {
        // at most the wait under way when the server came back (rounded to seconds) + 1 s
        assert.ok(after <= r.obs._lastWaitS * 1000 + 500 + 1000, `connected ${after} ms after the server was back`);
        assert.ok(after <= 11000, 'within the 10 s backoff cap');
      }
    });
  });
}

// ---- refused again and again (fake server) -------------------------------------------------------

/** Runs on the fake server, with `refuse` as its default for every connection. */
function onFake(scenario, { refuse, options = {}, port = fake.port, ...args } = {}, opts = {}) {
  return runOnBoth(
    env,
    scenario,
    { options: clientOptions(port, '127.0.0.1', options), ...args },
    {
      handlers: pageHandlers(fake),
      setup: () => fake.reset({ refuse }),
      teardown: (client, r) => {
        r.server = fake.snapshot();
      },
      allowConsoleErrors: true,
      timeoutMs: 60000,
      ...opts,
    },
  );
}

// Several clients on one page (one app key each), counting their WebSocket attempts.
const attemptsScenario = async (a) => {
  let attempts = a.keys.map(() => []);
  const log = H.createLog();
  const keyOf = (url) => {
    const m = /\/app\/([^?]+)/.exec(String(url));
    return m ? a.keys.indexOf(decodeURIComponent(m[1])) : -1;
  };
  // With the shared engine the sockets are the SharedWorker's: counted from DevTools' records.
  const shared = H.mode === 'shared';
  const refresh = async () => {
    if (!shared) return;
    const sockets = await node('session.sockets');
    attempts = a.keys.map((_, i) => sockets.filter((s) => keyOf(s.url) === i).map((s) => s.openedAt));
  };
  const Orig = window.WebSocket;
  if (!shared)
    window.WebSocket = new Proxy(Orig, {
      construct(target, args) {
        const m = /\/app\/([^?]+)/.exec(String(args[0]));
        const i = m ? a.keys.indexOf(decodeURIComponent(m[1])) : -1;
        if (i >= 0) {
          attempts[i].push(Math.round(performance.now()));
          log.push(['attempt', i]);
        }
        return Reflect.construct(target, args);
      },
    });
  const clients = a.keys.map((k, i) => {
    const p = new Pusher(k, a.options);
    p.connection.bind('connecting_in', (d) => log.push(['connecting_in', i, d]));
    p.connection.bind('state_change', (s) => log.push(['state', i, s.previous, s.current]));
    return p;
  });
  const enough = () => attempts.every((list) => list.length >= a.attempts);
  // An upper bound; on pusher-js and a closed port it is the window in which it must NOT retry.
  if (shared) {
    const deadline = performance.now() + a.timeoutMs;
    while (!enough() && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await refresh();
    }
  } else {
    await log.waitFor(() => enough(), 'attempts', { timeout: a.timeoutMs }).catch(() => {});
  }
  const states = clients.map((p) => p.connection.state);
  clients.forEach((p) => p.disconnect());
  window.WebSocket = Orig;
  return {
    reached: attempts.map((list) => list.length >= a.attempts),
    _attempts: attempts,
    _gaps: attempts.map((list) => list.slice(1).map((t, i) => t - list[i])),
    _connectingIn: a.keys.map((_, i) =>
      log.entries.filter((e) => e[0] === 'connecting_in' && e[1] === i).map((e) => e[2]),
    ),
    _states: states,
  };
};

/** pusher-wasm's n-th wait after a lost connection (n from 0), as README difference 4 states. */
const reconnectWait = (n) => (n === 0 ? [100, 1500] : [reconnectBound(n) / 2, reconnectBound(n)]);
const reconnectBound = (n) => Math.min(10000, 1500 * 2 ** n);
/** pusher-wasm's n-th wait after an overload close or a dropped handshake: a second plus [bound/4, bound/2]. */
const floorWait = (n, floor) => [
  floor + Math.min(10000, 1000 * 2 ** n) / 4,
  floor + Math.min(10000, 1000 * 2 ** n) / 2,
];

/**
 * `floor` 0: a plain retry waits within `reconnectWait(n)`; `floor` 1000: after a refusal or a
 * dropped handshake the wait is a second plus half of the backoff, `floorWait(n, 1000)`.
 */
function checkGaps(r, { what, floor = 0 }) {
  const gaps = r.obs._gaps;
  const spreads = [];
  for (let n = 0; n < gaps[0].length; n++) {
    const times = r.obs._attempts.map((list) => list[n + 1]);
    spreads.push(Math.max(...times) - Math.min(...times));
  }
  console.log(`[${r.client}] ${what}: gaps between attempts (ms) per client: ${JSON.stringify(gaps)}`);
  console.log(`[${r.client}] ${what}: connecting_in per client: ${JSON.stringify(r.obs._connectingIn)}`);
  console.log(`[${r.client}] ${what}: spread of the clients' n-th retry (ms): ${JSON.stringify(spreads)}`);
  if (r.client !== OURS) return;
  for (const list of gaps) {
    list.forEach((gap, n) => {
      const [lo, hi] = floor ? floorWait(n, floor) : reconnectWait(n);
      // a little slack for the failed attempt itself and a loaded machine's timers
      assert.ok(gap >= lo - 50 && gap <= hi + 500, `gap ${n} is ${gap} ms, not within [${lo}, ${hi}]`);
    });
  }
  // jitter: the clients do not retry in step (4 uniform delays within 100 ms: p < 0.002)
  assert.ok(spreads.at(-1) >= 100, `the clients' last retries are only ${spreads.at(-1)} ms apart`);
}

const KEYS = ['key-0', 'key-1', 'key-2', 'key-3'];

test('a server that drops every connection: at least 1 s, then backing off, with jitter', async () => {
  const runs = await onFake(attemptsScenario, { refuse: 'drop', keys: KEYS, attempts: 5, timeoutMs: 25000 });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(
      obs.reached,
      KEYS.map(() => true),
    );
    // a drop during the handshake is answered as a refusal: at least a second
    checkGaps(r, { what: 'dropped', floor: 1000 });
    if (r.client === ORACLE) {
      // pusher-js retries a dropped connection about once a second, all clients in step; after
      // the first cycle it opens a second socket at once (its transport cache's retry: no timer,
      // so well under its 1 s delay; 194 ms was seen on a loaded machine)
      for (const list of r.obs._gaps) {
        for (const gap of list) assert.ok(gap < 500 || (gap >= 900 && gap <= 2500), `pusher-js gap ${gap}`);
      }
    }
  });
});

test('a server over capacity (pusher:error 4100 at the handshake): at least 1 s between attempts, backing off', async () => {
  const runs = await onFake(attemptsScenario, {
    refuse: { code: 4100, message: 'over capacity' },
    keys: KEYS,
    attempts: 4,
    timeoutMs: 20000,
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(
      obs.reached,
      KEYS.map(() => true),
    );
    checkGaps(r, { what: '4100', floor: 1000 });
    if (r.client === ORACLE) {
      for (const list of r.obs._gaps)
        for (const gap of list) assert.ok(gap >= 900 && gap <= 2500, `pusher-js gap ${gap}`);
    }
  });
});

test('a closed port (connection refused): pusher-wasm backs off within its bounds; pusher-js waits longer', async () => {
  const closed = await freePort();
  const runs = await onFake(attemptsScenario, { port: closed, keys: KEYS, attempts: 4, timeoutMs: 12000 });
  checkBoth(
    runs,
    (obs, r) => {
      console.log(
        `[${r.client}] closed port: attempts per client within 12 s: ${r.obs._attempts.map((l) => l.length)}`,
      );
      if (r.client === OURS) {
        assert.deepEqual(
          obs.reached,
          KEYS.map(() => true),
        );
        checkGaps(r, { what: 'closed port' });
      } else {
        // pusher-js: one attempt, then a long wait ("after a failed connect waits 15 to 60 s")
        checkGaps(r, { what: 'closed port' });
        assert.ok(
          r.obs._attempts.every((l) => l.length < 4),
          'pusher-js retried faster than expected',
        );
      }
    },
    { ours: (o) => ({ ...o, reached: o.reached.map(() => true) }) },
  );
});

test('a refusal ends the retries: 4009 after a backoff, 4009 after the handshake, 4001 at it; no storm', async () => {
  const refuse = (conn) => {
    if (conn.key.startsWith('late-')) {
      // dropped twice (a retry is pending each time), then refused
      const n = conn.server.connections.filter((c) => c.key === conn.key).length;
      return n <= 2 ? 'drop' : { code: 4009, message: 'unauthorized' };
    }
    if (conn.key.startsWith('after-')) return { code: 4009, message: 'unauthorized', afterHandshake: true };
    return { code: 4001, message: 'app disabled' };
  };
  const keys = ['late-0', 'late-1', 'after-0', 'after-1', 'at-0', 'at-1', 'at-2', 'at-3', 'at-4', 'at-5'];
  const runs = await onFake(
    async (a) => {
      const log = H.createLog();
      const clients = a.keys.map((k, i) => {
        const p = new Pusher(k, a.options);
        p.connection.bind('state_change', (s) => log.push(['state', i, s.previous, s.current]));
        return p;
      });
      await log.waitForCount((e) => e[0] === 'state' && e[3] === 'disconnected', a.keys.length, 'all disconnected', {
        timeout: 10000,
      });
      const before = await node('fake.connectionCount');
      await H.quietPeriod(4500); // longer than any retry that could have been pending (4 s)
      const afterQuiet = await node('fake.connectionCount');
      // connect() again: one attempt each, refused again, and again no retry
      clients.forEach((p) => p.connect());
      await log.waitForCount(
        (e) => e[0] === 'state' && e[3] === 'disconnected',
        2 * a.keys.length,
        'disconnected again',
        { timeout: 10000 },
      );
      await H.quietPeriod(1500);
      const afterReconnect = await node('fake.connectionCount');
      return {
        retriedWhileQuiet: afterQuiet !== before,
        attemptsOnConnect: afterReconnect - afterQuiet,
        states: clients.map((p) => p.connection.state),
        _counts: { before, afterQuiet, afterReconnect },
      };
    },
    { refuse, keys },
  );
  checkBoth(runs, (obs, r) => {
    const perKey = Object.fromEntries(keys.map((k) => [k, r.server.filter((c) => c.path === `/app/${k}`).length]));
    console.log(`[${r.client}] connections: ${JSON.stringify(r.obs._counts)}, per key ${JSON.stringify(perKey)}`);
    // No retry once refused, and exactly one attempt each after connect()
    assert.deepEqual(obs, {
      retriedWhileQuiet: false,
      attemptsOnConnect: keys.length,
      states: keys.map(() => 'disconnected'),
    });
    // late-*: 3 attempts each; the others: 1 each; then one more each after connect()
    const expected = Object.fromEntries(keys.map((k) => [k, k.startsWith('late-') ? 4 : 2]));
    if (r.client === OURS) {
      assert.deepEqual(r.obs._counts, { before: 14, afterQuiet: 14, afterReconnect: 24 });
      assert.deepEqual(perKey, expected);
    } else {
      // pusher-js sometimes opens one socket more before the refusal: a full suite's run saw 15
      // connections instead of 14 (4 runs of this test alone saw 14 each). Its strategies race a
      // cached transport against the full list after a drop (see the dropped-connection test), so
      // a retry can cost two sockets. Bounded here, exact for ours.
      for (const k of keys)
        assert.ok(perKey[k] >= expected[k] && perKey[k] <= expected[k] + 1, `pusher-js ${k}: ${perKey[k]}`);
    }
  });
});
