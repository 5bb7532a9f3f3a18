// Connection recovery (issue 13, part 2): with `connectionRecovery: true`, against a sockudo 5.2
// whose `connection_recovery` is on (tests/support/sockudo.mjs, RECOVERY: a 30 s, 1,000-event
// buffer), a channel gets back what was published while its connection was down: in order, once
// each, before any newer event, and `pusher-wasm:resumed` says `recovered: true` and how many were
// `replayed`. Past the buffer it says `recovered: false` and the channel goes on as without the
// option. Every scenario also runs on pusher-js 8.6.0 (which ignores the option): it shows the
// loss. The TCP proxy takes the network away (every connection cut, new ones refused) while the
// `pusher` server SDK publishes. The fake server stands in for servers that do not speak
// protocol 2: one refusing it (Pusher's 4007), one answering in protocol 7 (Reverb, soketi).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBoth, clientOptions, runOnBoth, runOne, selectedClients, startEnv, OURS } from '../support/scenario.mjs';
import { startTcpProxy } from '../support/tcp-proxy.mjs';
import { pageHandlers, startFakeServer } from '../fake-server/index.mjs';
import { installAuthServer, makeSdk, onlyNetworkConsoleErrors } from '../support/auth-server.mjs';
import { encryptionBuild } from '../support/page-steps.mjs';

let env;
/** The `pusher` server SDK, with the encryption master key the auth endpoint signs with. */
let sdk;
let auth;
let proxy;
let fake;
before(async () => {
  env = await startEnv({ sockudo: { recovery: true } });
  sdk = makeSdk(env.sockudo);
  auth = installAuthServer(env, { sdk });
  proxy = await startTcpProxy({ targetPort: env.sockudo.port });
  fake = await startFakeServer();
});
after(async () => {
  await fake?.close();
  await proxy?.close();
  await env?.close();
});

/** Event `i`'s payload: what each client must hand to the page, unchanged. */
const payload = (i) => ({ i, text: `event ${i}: é ✓ "quoted"`, nested: { list: [i, i / 2, null, true] } });

/** Publishes events `from`..`to` (`n`, `payload(i)`) on each channel, one request each, in order. */
async function publish(channels, from, to) {
  for (let i = from; i <= to; i++) {
    for (const channel of channels) {
      const res = await sdk.trigger(channel, 'n', payload(i));
      if (res.status !== 200) throw new Error(`publish ${i} on ${channel}: HTTP ${res.status}`);
    }
  }
}

/** Publishes events `from`..`to` on `channel` through /batch_events, 100 to a request. */
async function publishBatch(channel, from, to) {
  for (let i = from; i <= to; i += 100) {
    const batch = [];
    for (let j = i; j <= Math.min(to, i + 99); j++) batch.push({ channel, name: 'n', data: payload(j) });
    const res = await sdk.triggerBatch(batch);
    if (res.status !== 200) throw new Error(`batch from ${i}: HTTP ${res.status}`);
  }
}

const handlers = () => ({
  ...auth.handlers(),
  ...pageHandlers(fake),
  publish: async (channels, from, to) => {
    await publish(channels, from, to);
    return true;
  },
  /**
   * The network is gone for `ms`: every connection through the proxy is cut and new ones fail,
   * while events `from`..`to` are published on `channels` (through /batch_events with `batch`).
   * The wait is the outage itself, not a wait for the client.
   */
  outage: async (ms, channels, from, to, batch = false) => {
    const t0 = Date.now();
    proxy.refuse();
    for (const channel of batch ? channels : []) await publishBatch(channel, from, to);
    if (!batch) await publish(channels, from, to);
    const publishMs = Date.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - publishMs)));
    proxy.heal();
    return { publishMs, downMs: Date.now() - t0 };
  },
});

/** Client options through the proxy, with connection recovery asked for. */
const recoveryOptions = (extra = {}) => clientOptions(proxy.port, '127.0.0.1', { connectionRecovery: true, ...extra });

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/**
 * Page step (sent to the page as source text, like tests/support/page-steps.mjs's): subscribes
 * `names` on `p`, logging each channel's `n` events, subscriptions and `pusher-wasm:resumed`.
 * Returns the log.
 */
function watchChannels(p, names) {
  const log = H.createLog();
  for (const name of names) {
    const ch = p.subscribe(name);
    ch.bind('n', (d) => log.push(['n', name, d.i, d]));
    ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded', name]));
    ch.bind('pusher-wasm:resumed', (r) => log.push(['resumed', name, r]));
  }
  return log;
}

test('100 events published while the client is cut off for 5 s: all replayed in order, once each, then live events (pusher-js loses them)', async () => {
  const runs = await runOnBoth(
    env,
    async (a) => {
      const watch = (0, eval)(`(${a.watch})`);
      const name = `recovery-main-${a.client}`;
      const p = new Pusher(a.key, a.options);
      const log = watch(p, [name]);
      const events = () => log.entries.filter((e) => e[0] === 'n');
      await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
      await node('publish', [name], 1, 3);
      await log.waitFor((e) => e[0] === 'n' && e[2] === 3, 'the first events');
      const outage = await node('outage', 5000, [name], 4, 103);
      window.dispatchEvent(new Event('online'));
      await log.waitForCount((e) => e[0] === 'succeeded', 2, 'subscribed again', { timeout: 15000 });
      const back = log.now();
      // Live events at once: they may come while the replay is on its way.
      await node('publish', [name], 104, 106);
      await log.waitFor((e) => e[0] === 'n' && e[2] === 106, 'the live events', { timeout: 10000 });
      const at = (i) => log.times[log.entries.findIndex((e) => e[0] === 'n' && e[2] === i)];
      // The log, as phases: each run of entries of one kind once.
      const phase = (e) =>
        e[0] !== 'n' ? e[0] : e[2] <= 3 ? 'before' : e[2] <= 103 ? 'published while away' : 'after';
      const phases = log.entries.map(phase).filter((x, k, all) => k === 0 || all[k - 1] !== x);
      p.disconnect();
      return {
        got: events().map((e) => e[2]),
        payloadsIntact: events().every((e) => JSON.stringify(e[3]) === JSON.stringify(a.payloads[e[2]])),
        resumed: log.entries.filter((e) => e[0] === 'resumed').map((e) => [e[2].recovered, e[2].replayed]),
        phases,
        _downMs: outage.downMs,
        _publishMs: outage.publishMs,
        _replayedMs: at(103) === undefined ? null : at(103) - back,
      };
    },
    {
      key: env.sockudo.key,
      options: recoveryOptions(),
      watch: watchChannels.toString(),
      payloads: Object.fromEntries(range(1, 106).map((i) => [i, payload(i)])),
    },
    { handlers, timeoutMs: 40000, allowConsoleErrors: true },
  );
  const recovered = {
    got: range(1, 106),
    payloadsIntact: true,
    resumed: [[true, 100]],
    phases: ['succeeded', 'before', 'succeeded', 'resumed', 'published while away', 'after'],
  };
  checkBoth(
    runs,
    (obs, r) => {
      onlyNetworkConsoleErrors(r.consoleErrors);
      if (r.client === OURS) {
        assert.deepEqual(obs, recovered);
        console.log(
          `[recovery] ${r.mode} mode: 100 events published in ${r.obs._publishMs} ms of a ${r.obs._downMs} ms outage, ` +
            `all replayed ${r.obs._replayedMs} ms after the new subscription`,
        );
      } else {
        // The loss: nothing of what was published while away.
        assert.deepEqual(obs, {
          got: [1, 2, 3, 104, 105, 106],
          payloadsIntact: true,
          resumed: [],
          phases: ['succeeded', 'before', 'succeeded', 'after'],
        });
      }
    },
    { ours: () => recovered },
  );
  if (selectedClients().includes(OURS)) {
    // What went over the wire: protocol 2, one resume, from the last event received.
    const sent = runs[OURS].websockets.flatMap((w) => w.sent.map((f) => JSON.parse(f)));
    const resumes = sent.filter((f) => f.event === 'pusher:resume');
    assert.equal(resumes.length, 1);
    const position = Object.values(resumes[0].data.channel_positions)[0];
    assert.equal(position.serial, 3);
    assert.ok(runs[OURS].websockets.every((w) => /[?&]protocol=2&.*echo_messages=false/.test(w.url)));
  }
});

test('past the buffer (1,001 events for a 1,000-event buffer): recovered false and a clean resubscription', async () => {
  const runs = await runOnBoth(
    env,
    async (a) => {
      const watch = (0, eval)(`(${a.watch})`);
      const name = `recovery-overflow-${a.client}`;
      const p = new Pusher(a.key, a.options);
      const log = watch(p, [name]);
      await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
      await node('publish', [name], 1, 3);
      await log.waitFor((e) => e[0] === 'n' && e[2] === 3, 'the first events');
      await node('outage', 2000, [name], 4, 1004, true);
      window.dispatchEvent(new Event('online'));
      await log.waitForCount((e) => e[0] === 'succeeded', 2, 'subscribed again', { timeout: 15000 });
      if (H.client === 'pusher-wasm') await log.waitFor((e) => e[0] === 'resumed', 'the gap signal');
      await node('publish', [name], 1005, 1006);
      await log.waitFor((e) => e[0] === 'n' && e[2] === 1006, 'the live events', { timeout: 10000 });
      const subscribed = p.channel(name).subscribed;
      p.disconnect();
      return {
        got: log.entries.filter((e) => e[0] === 'n').map((e) => e[2]),
        resumed: log.entries.filter((e) => e[0] === 'resumed').map((e) => e[2]),
        subscribed,
      };
    },
    { key: env.sockudo.key, options: recoveryOptions(), watch: watchChannels.toString() },
    { handlers, timeoutMs: 40000, allowConsoleErrors: true },
  );
  checkBoth(
    runs,
    (obs, r) => {
      onlyNetworkConsoleErrors(r.consoleErrors);
      assert.deepEqual(obs.got, [1, 2, 3, 1005, 1006]);
      assert.equal(obs.subscribed, true);
      if (r.client === OURS) {
        assert.equal(obs.resumed.length, 1);
        assert.deepEqual(
          { ...obs.resumed[0], gapMs: typeof obs.resumed[0].gapMs },
          {
            gapMs: 'number',
            recovered: false,
            replayed: 0,
          },
        );
      } else assert.deepEqual(obs.resumed, []);
    },
    { ours: (o) => ({ ...o, resumed: runs[OURS].obs.resumed }) },
  );
});

test('private, presence and encrypted channels recover too (re-authorized on the new connection)', async () => {
  const runs = await runOnBoth(
    env,
    async (a) => {
      await (0, eval)(`(${a.encryptionBuild})`)(a);
      const watch = (0, eval)(`(${a.watch})`);
      const kinds = ['private', 'presence', 'private-encrypted'];
      const names = kinds.map((kind) => `${kind}-recovery-${a.client}`);
      const p = new Pusher(a.key, a.options);
      const log = watch(p, names);
      await log.waitForCount((e) => e[0] === 'succeeded', 3, 'subscribed');
      await node('publish', names, 1, 2);
      await log.waitForCount((e) => e[0] === 'n' && e[2] === 2, 3, 'the first events');
      await node('outage', 2000, names, 3, 12);
      window.dispatchEvent(new Event('online'));
      await log.waitForCount((e) => e[0] === 'succeeded', 6, 'subscribed again', { timeout: 15000 });
      await node('publish', names, 13, 13);
      await log.waitForCount((e) => e[0] === 'n' && e[2] === 13, 3, 'the live events', { timeout: 10000 });
      const members = p.channel(names[1]).members;
      const me = members.me?.id;
      const count = members.count;
      const auths = (await node('auth.requests')).filter((r) => r.kind === 'channel').length;
      p.disconnect();
      const of = (name) => ({
        got: log.entries.filter((e) => e[0] === 'n' && e[1] === name).map((e) => e[2]),
        resumed: log.entries
          .filter((e) => e[0] === 'resumed' && e[1] === name)
          .map((e) => [e[2].recovered, e[2].replayed]),
      });
      return {
        private: of(names[0]),
        presence: { ...of(names[1]), me, count },
        encrypted: of(names[2]),
        authorizations: auths,
      };
    },
    {
      key: env.sockudo.key,
      options: recoveryOptions({ channelAuthorization: { endpoint: '/pusher/auth', params: { user_id: 'rec-1' } } }),
      watch: watchChannels.toString(),
      encryptionBuild: encryptionBuild.toString(),
    },
    { handlers, setup: () => auth.reset(), timeoutMs: 40000, allowConsoleErrors: true },
  );
  const lost = { got: [1, 2, 13], resumed: [] };
  const kept = { got: range(1, 13), resumed: [[true, 10]] };
  checkBoth(
    runs,
    (obs, r) => {
      onlyNetworkConsoleErrors(r.consoleErrors);
      const expected = r.client === OURS ? kept : lost;
      assert.deepEqual(obs.private, expected);
      assert.deepEqual(obs.presence, { ...expected, me: 'rec-1', count: 1 });
      assert.deepEqual(obs.encrypted, expected);
      assert.equal(obs.authorizations, 6, 'each channel authorized on each connection');
    },
    { ours: (o) => ({ ...o, private: kept, presence: { ...o.presence, ...kept }, encrypted: kept }) },
  );
});

test("a client's own client events are not given back by the replay (sockudo would: it forgets whom they excluded)", async () => {
  const runs = await runOnBoth(
    env,
    async (a) => {
      const watch = (0, eval)(`(${a.watch})`);
      const name = `private-recovery-whisper-${a.client}`;
      const p = new Pusher(a.key, a.options);
      const log = watch(p, [name]);
      const ch = p.channel(name);
      ch.bind('client-typing', (d) => log.push(['typing', d.who]));
      await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
      await node('publish', [name], 1, 1);
      await log.waitFor((e) => e[0] === 'n', 'a first event');
      const sent = ch.trigger('client-typing', { who: 'me' });
      // The server has it once the next event comes after it (the client event is not echoed).
      await node('publish', [name], 2, 2);
      await log.waitFor((e) => e[0] === 'n' && e[2] === 2, 'the event after it');
      ch.trigger('client-typing', { who: 'me, again' });
      await node('outage', 2000, [name], 3, 4);
      window.dispatchEvent(new Event('online'));
      await log.waitForCount((e) => e[0] === 'succeeded', 2, 'subscribed again', { timeout: 15000 });
      await node('publish', [name], 5, 5);
      await log.waitFor((e) => e[0] === 'n' && e[2] === 5, 'a live event', { timeout: 10000 });
      p.disconnect();
      return {
        sent,
        log: log.entries.filter((e) => e[0] === 'n' || e[0] === 'typing').map((e) => (e[0] === 'n' ? e[2] : e)),
      };
    },
    {
      key: env.sockudo.key,
      options: recoveryOptions({ channelAuthorization: { endpoint: '/pusher/auth' } }),
      watch: watchChannels.toString(),
    },
    { handlers, timeoutMs: 30000, allowConsoleErrors: true },
  );
  checkBoth(
    runs,
    (obs, r) => {
      onlyNetworkConsoleErrors(r.consoleErrors);
      assert.equal(obs.sent, true);
      // Nobody else typed: the page never sees its own client events.
      assert.deepEqual(obs.log, r.client === OURS ? [1, 2, 3, 4, 5] : [1, 2, 5]);
    },
    { ours: (o) => ({ ...o, log: [1, 2, 3, 4, 5] }) },
  );
});

test('Echo (laravel-echo from npm) sees the same events and payloads with and without the option', async () => {
  const scenario = async (a) => {
    const { default: Echo } = await import('/node_modules/laravel-echo/dist/echo.js');
    const echo = new Echo({ broadcaster: 'reverb', key: a.key, ...a.options, authEndpoint: '/pusher/auth' });
    const log = H.createLog();
    const pub = echo.channel(`echo-recovery-${a.tag}`);
    const priv = echo.private(`echo-recovery-${a.tag}`);
    for (const [label, ch] of [
      ['public', pub],
      ['private', priv],
    ]) {
      ch.listen('.n', (d) => log.push([label, 'listen', d]));
      ch.listenToAll((event, d) => log.push([label, 'all', event, d]));
    }
    await Promise.all([new Promise((r) => pub.subscribed(r)), new Promise((r) => priv.subscribed(r))]);
    await node('publish', [`echo-recovery-${a.tag}`, `private-echo-recovery-${a.tag}`], 1, 3);
    await log.waitForCount((e) => e[1] === 'listen', 6, 'every event');
    echo.disconnect();
    return { events: log.entries };
  };
  const args = (tag, options) => ({ key: env.sockudo.key, options, tag });
  const runs = {};
  for (const client of selectedClients()) {
    const variants =
      client === OURS
        ? { with: recoveryOptions(), without: clientOptions(proxy.port) }
        : { oracle: clientOptions(proxy.port) };
    for (const [variant, options] of Object.entries(variants)) {
      runs[`${client} ${variant}`] = await runOne(env, client, scenario, args(`${client}-${variant}`, options), {
        handlers,
        setup: () => auth.reset(),
      });
    }
  }
  const results = Object.entries(runs).map(([name, r]) => [name, r.obs.events]);
  for (const [name, events] of results) {
    assert.equal(events.length, 12, `${name}: each event to listen and to listenToAll`);
    assert.deepEqual(
      events.filter((e) => e[1] === 'listen').map((e) => e[2]),
      [1, 1, 2, 2, 3, 3].map(payload),
      name,
    );
  }
  for (const [name, events] of results.slice(1))
    assert.deepEqual(events, results[0][1], `${name} differs from ${results[0][0]}`);
});

// ----- servers that do not speak protocol 2 -----

/** Connects, gets an event, is closed with 4200, reconnects and gets another. */
async function fallbackScenario(a) {
  const p = new Pusher(a.key, a.options);
  const log = H.watch(p, H.createLog());
  const ch = p.subscribe('fallback');
  ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
  ch.bind('n', (d) => log.push(['n', d.i]));
  ch.bind('pusher-wasm:resumed', (r) => log.push(['resumed', r.recovered, r.replayed]));
  await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
  await node('fake.sendEvent', 'n', { i: 1 }, 'fallback');
  await log.waitFor((e) => e[0] === 'n', 'an event');
  await node('fake.close', 4200, 'reconnect');
  await log.waitForCount((e) => e[0] === 'succeeded', 2, 'subscribed again', { timeout: 8000 });
  await node('fake.sendEvent', 'n', { i: 2 }, 'fallback');
  await log.waitFor((e) => e[0] === 'n' && e[1] === 2, 'another event');
  const connections = await node('fake.connections');
  p.disconnect();
  const code = (e) => e[1].data?.code ?? e[1].error?.data?.code;
  return {
    // States differ by design (README, differences 1 and 2); errors and events must not.
    errors: log.entries.filter((e) => e[0] === 'error').map((e) => [e[1].type, code(e)]),
    events: log.entries.filter((e) => e[0] === 'succeeded' || e[0] === 'n'),
    resumed: log.entries.filter((e) => e[0] === 'resumed'),
    protocols: connections.map((c) => c.query.protocol),
    resumes: connections.flatMap((c) => c.frames).filter((f) => f.json?.event === 'pusher:resume').length,
  };
}

/** The errors a 4200 close makes, on both clients. */
const closed4200 = [
  ['PusherError', 4200],
  ['WebSocketError', 4200],
];

test('a server that refuses protocol 2 (4007, as Pusher does): reconnected at once on protocol 7, and it stays there', async () => {
  const runs = await runOnBoth(
    env,
    fallbackScenario,
    { key: 'app-key', options: clientOptions(fake.port, '127.0.0.1', { connectionRecovery: true }) },
    {
      handlers,
      setup: () =>
        fake.reset({
          refuse: (conn) =>
            conn.query.protocol === '2' ? { code: 4007, message: 'Unsupported protocol version' } : null,
        }),
    },
  );
  checkBoth(
    runs,
    (obs, r) => {
      // The page sees what it sees without the option: no error of the refusal.
      assert.deepEqual(obs.errors, closed4200, 'only the 4200 close');
      assert.deepEqual(obs.protocols, r.client === OURS ? ['2', '7', '7'] : ['7', '7']);
      assert.deepEqual(obs.resumed, r.client === OURS ? [['resumed', false, 0]] : []);
      assert.equal(obs.resumes, 0);
    },
    { ours: (o) => ({ ...o, protocols: ['2', ...o.protocols], resumed: [['resumed', false, 0]] }) },
  );
});

test('a server that answers protocol 2 in protocol 7 (as Reverb and soketi do): works, without recovery', async () => {
  const runs = await runOnBoth(
    env,
    fallbackScenario,
    { key: 'app-key', options: clientOptions(fake.port, '127.0.0.1', { connectionRecovery: true }) },
    { handlers, setup: () => fake.reset({}) },
  );
  checkBoth(
    runs,
    (obs, r) => {
      assert.deepEqual(obs.protocols, r.client === OURS ? ['2', '2'] : ['7', '7']);
      assert.deepEqual(obs.errors, closed4200);
      assert.deepEqual(obs.events, [['succeeded'], ['n', 1], ['succeeded'], ['n', 2]]);
      assert.deepEqual(obs.resumed, r.client === OURS ? [['resumed', false, 0]] : []);
      assert.equal(obs.resumes, 0, 'no resume without positions');
    },
    { ours: (o) => ({ ...o, protocols: ['2', '2'], resumed: [['resumed', false, 0]] }) },
  );
});
