// Connection life cycle against a real server (sockudo): construction, send_event, disconnect and
// connect, wrong app key, server crash and restart. Each scenario runs on pusher-js and pusher-wasm.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, runOnBoth, checkBoth, parsedFrames, establishedSockets } from '../support/scenario.mjs';
import { OURS } from '../support/scenario.mjs';

let env;
before(async () => {
  env = await startEnv({ sockudo: true });
});
after(async () => {
  await env?.close();
});

const run = (scenario, extra = {}, opts = {}) =>
  runOnBoth(env, scenario, env.clientArgs(extra), { handlers: env.sdkHandlers(), ...opts });

test('constructor: missing key / options / cluster throw strings; cluster "" is accepted', async () => {
  const runs = await run(async (a) => {
    const local = { wsHost: a.options.wsHost, wsPort: a.options.wsPort, forceTLS: false, enabledTransports: ['ws'] };
    const made = [];
    const attempt = (fn) =>
      H.captureThrow(() => {
        const p = fn();
        made.push(p);
        return p instanceof Pusher ? 'instance' : typeof p;
      });
    const results = {
      'new Pusher()': attempt(() => new Pusher()),
      'new Pusher(undefined, opts)': attempt(() => new Pusher(undefined, a.options)),
      'new Pusher(null, opts)': attempt(() => new Pusher(null, a.options)),
      "new Pusher('app-key')": attempt(() => new Pusher(a.key)),
      "new Pusher('app-key', null)": attempt(() => new Pusher(a.key, null)),
      "new Pusher('app-key', {})": attempt(() => new Pusher(a.key, {})),
      'cluster: null': attempt(() => new Pusher(a.key, { ...local, cluster: null })),
      'cluster: undefined': attempt(() => new Pusher(a.key, { ...local, cluster: undefined })),
      "cluster: ''": attempt(() => new Pusher(a.key, { ...local, cluster: '' })),
    };
    const accepted = made[made.length - 1];
    await H.waitState(accepted, 'connected');
    return { results, acceptedState: accepted.connection.state, key: accepted.key };
  });
  checkBoth(runs, (obs, r) => {
    const threwString = (value) => ({ threw: true, typeof: 'string', isError: false, value });
    const noKey = threwString('You must pass your app key when you instantiate Pusher.');
    assert.deepEqual(obs.results, {
      'new Pusher()': noKey,
      'new Pusher(undefined, opts)': noKey,
      'new Pusher(null, opts)': noKey,
      "new Pusher('app-key')": threwString('You must pass an options object'),
      "new Pusher('app-key', null)": threwString('You must pass an options object'),
      "new Pusher('app-key', {})": threwString('Options object must provide a cluster'),
      'cluster: null': threwString('Options object must provide a cluster'),
      'cluster: undefined': threwString('Options object must provide a cluster'),
      "cluster: ''": { threw: false, value: 'instance' },
    });
    assert.equal(obs.acceptedState, 'connected');
    assert.equal(obs.key, 'app-key');
    assert.equal(r.websockets.length, 1); // nothing connected for the rejected ones
  });
});

test('unknown option keys (Laravel Echo passes its whole config) are ignored', async () => {
  const runs = await run(async (a) => {
    const options = {
      broadcaster: 'reverb',
      key: a.key,
      namespace: 'App.Events',
      csrfToken: null,
      withoutInterceptors: false,
      somethingElse: { nested: [1, 2] },
      authEndpoint: '/broadcasting/auth',
      auth: { headers: { 'X-CSRF-TOKEN': 'x' } },
      userAuthentication: { endpoint: '/broadcasting/user-auth', headers: {} },
      ...a.options,
    };
    const p = new Pusher(a.key, options);
    const ch = p.subscribe('echo-opts');
    await H.once(ch, 'pusher:subscription_succeeded');
    const got = H.once(ch, 'ev');
    await node('trigger', 'echo-opts', 'ev', { ok: true });
    const [data] = await got;
    return { state: p.connection.state, data };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs, { state: 'connected', data: { ok: true } });
    assert.equal(r.websockets.length, 1);
  });
});

test('statics: Pusher.instances, Pusher.log and Pusher.logToConsole', async () => {
  const runs = await run(async (a) => {
    const before = Pusher.instances.length;
    const lines = [];
    Pusher.log = (line) => lines.push(line);
    const p = new Pusher(a.key, a.options);
    await H.waitState(p, 'connected');
    const instances = { added: Pusher.instances.length - before, last: Pusher.instances.at(-1) === p };
    Pusher.log = undefined;
    const consoleLines = [];
    const original = console.log;
    console.log = (line) => consoleLines.push(line);
    Pusher.logToConsole = true;
    p.disconnect();
    Pusher.logToConsole = false;
    console.log = original;
    const quiet = lines.length;
    p.connect();
    await H.waitState(p, 'connected');
    return {
      _lines: lines,
      _consoleLines: consoleLines,
      instances,
      allPrefixed: lines.every((l) => typeof l === 'string' && l.startsWith('Pusher : ')),
      // pusher-js 8.6.0's own format: its Logger stringifies its arguments after an empty part.
      stateLine: lines.some((l) =>
        /^Pusher : {2}: \["State changed","connecting -> connected with new socket ID \d+\.\d+"\]$/.test(l),
      ),
      consoleStateLine: consoleLines.includes('Pusher :  : ["State changed","connected -> disconnected"]'),
      connectingLine: lines.some((l) => l.startsWith('Pusher :  : ["Connecting",{"transport":"ws","url":"ws://')),
      nothingAfterLogOff: lines.length === quiet,
      isReady: Pusher.isReady,
    };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs, {
      instances: { added: 1, last: true },
      allPrefixed: true,
      stateLine: true,
      consoleStateLine: true,
      connectingLine: true,
      nothingAfterLogOff: true,
      isReady: true,
    });
  });
});

test('send_event and channel.trigger: return values, thrown errors, server rejection', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    H.watch(p, log);
    p.connection.bind('message', (m) => log.push(['message', m.event]));
    const ch = p.subscribe('send-pub');
    await H.once(ch, 'pusher:subscription_succeeded');
    const out = {};
    out.sendPing = p.send_event('pusher:ping', {});
    await log.waitFor((e) => e[1] === 'pusher:pong', 'pong');
    out.notClient = H.captureThrow(() => ch.trigger('not-client', { a: 1 }));
    // A client event on a public channel is sent; sockudo answers with pusher:error 4301.
    out.clientOnPublic = ch.trigger('client-whisper', { a: 1 });
    await log.waitFor((e) => e[0] === 'error', 'pusher:error');
    out.stateAfterRejection = p.connection.state;
    p.disconnect();
    out.sendAfterDisconnect = p.send_event('pusher:ping', {});
    out.triggerAfterDisconnect = ch.trigger('client-whisper', {});
    out.notClientAfterDisconnect = H.captureThrow(() => ch.trigger('nope', {})).class;
    return { out, entries: log.entries.filter((e) => e[0] !== 'message') };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.out, {
      sendPing: true,
      notClient: {
        threw: true,
        typeof: 'object',
        isError: true,
        class: 'BadEventName',
        name: 'Error',
        message: "Event 'not-client' does not start with 'client-'",
      },
      clientOnPublic: true,
      stateAfterRejection: 'connected',
      sendAfterDisconnect: false,
      triggerAfterDisconnect: false,
      notClientAfterDisconnect: 'BadEventName',
    });
    assert.deepEqual(obs.entries, [
      ['state', 'connecting', 'connected'],
      [
        'error',
        {
          type: 'PusherError',
          data: {
            code: 4301,
            message: 'Client event error: Client events can only be sent to private or presence channels',
          },
        },
      ],
      ['state', 'connected', 'disconnected'],
    ]);
    assert.deepEqual(parsedFrames(r.websockets[0].sent), [
      { event: 'pusher:subscribe', data: { auth: '', channel: 'send-pub' } },
      { event: 'pusher:ping', data: {} },
      { event: 'client-whisper', data: { a: 1 }, channel: 'send-pub' },
    ]);
  });
});

test('disconnect() then connect(): states, socket_id, resubscription', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    H.watch(p, log, { connected: true });
    const ch = p.subscribe('dc-a');
    ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
    ch.bind('ev', (d) => log.push(['ev', d]));
    ch.bind('barrier', () => log.push(['barrier']));
    await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
    const sid1 = p.connection.socket_id;
    p.connect(); // no-op while connected
    const disconnectReturn = typeof p.disconnect();
    const afterDisconnect = {
      state: p.connection.state,
      socketIdKept: p.connection.socket_id === sid1,
      subscribed: ch.subscribed,
      subscriptionPending: ch.subscriptionPending,
      stillInTable: p.channel('dc-a') === ch,
    };
    p.disconnect(); // again: no second state_change
    p.connect();
    const stateAfterConnect = p.connection.state;
    await log.waitForCount((e) => e[0] === 'succeeded', 2, 'resubscribed');
    const sid2 = p.connection.socket_id;
    await node('trigger', 'dc-a', 'ev', { n: 1 });
    await node('trigger', 'dc-a', 'barrier', {});
    await log.waitFor((e) => e[0] === 'barrier', 'barrier');
    return {
      entries: log.entries,
      disconnectReturn,
      afterDisconnect,
      stateAfterConnect,
      newSocketId: H.isSocketId(sid2) && sid2 !== sid1,
      subscribed: ch.subscribed,
    };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.entries, [
      ['state', 'connecting', 'connected'],
      ['connected', { socket_id: '<socket_id>' }],
      ['succeeded'],
      ['state', 'connected', 'disconnected'],
      ['state', 'disconnected', 'connecting'],
      ['state', 'connecting', 'connected'],
      ['connected', { socket_id: '<socket_id>' }],
      ['succeeded'],
      ['ev', { n: 1 }],
      ['barrier'],
    ]);
    assert.equal(obs.disconnectReturn, 'undefined');
    assert.deepEqual(obs.afterDisconnect, {
      state: 'disconnected',
      socketIdKept: true,
      subscribed: false,
      subscriptionPending: false,
      stillInTable: true,
    });
    assert.equal(obs.stateAfterConnect, 'connecting');
    assert.equal(obs.newSocketId, true);
    assert.equal(obs.subscribed, true);
    assert.equal(r.websockets.length, 2);
    assert.deepEqual(parsedFrames(r.websockets[1].sent), [
      { event: 'pusher:subscribe', data: { auth: '', channel: 'dc-a' } },
    ]);
  });
});

test('wrong app key: sockudo drops the socket, the client retries about once a second', async () => {
  // sockudo 5.2.0 accepts the upgrade for an unknown key and then drops the TCP connection with
  // neither pusher:error nor a close frame, so the client sees 1006 (not 4001) and keeps retrying.
  const runs = await run(
    async (a) => {
      const p = new Pusher('wrong-key', a.options);
      const log = H.createLog();
      H.watch(p, log);
      // pusher-wasm waits 1 s plus half its backoff after a dropped handshake: at most 6.5 s for three.
      await log.waitForCount((e) => e[0] === 'connecting_in', 3, 'three retry cycles', { timeout: 12000 });
      const stateWhileRetrying = p.connection.state;
      const socketId = typeof p.connection.socket_id;
      p.disconnect();
      const cycles = log.times.filter((t, i) => log.entries[i][0] === 'connecting_in');
      return {
        // the delays differ by design (README difference 4); compared separately
        entries: log.entries.map((e) => (e[0] === 'connecting_in' ? ['connecting_in'] : e)),
        _connectingIn: log.entries.filter((e) => e[0] === 'connecting_in').map((e) => e[1]),
        stateWhileRetrying,
        socketId,
        _cycleTimes: cycles,
        gapsAtLeast900ms: cycles.slice(1).every((t, i) => t - cycles[i] >= 900),
      };
    },
    {},
    { allowConsoleErrors: true },
  );
  checkBoth(runs, (obs, r) => {
    const dropped = [
      'error',
      { type: 'WebSocketError', error: { type: 'PusherError', data: { code: 1006, message: { $undefined: true } } } },
    ];
    assert.deepEqual(obs.entries, [
      dropped,
      ['connecting_in'],
      dropped,
      ['connecting_in'],
      dropped,
      ['connecting_in'],
      ['state', 'connecting', 'disconnected'],
    ]);
    const [first, second, third] = r.obs._connectingIn;
    if (r.client === OURS) {
      // README difference 4: exponential backoff with jitter, at least 1 s after a refusal
      assert.equal(first, 1);
      assert.ok(second >= 1 && second <= 2, `second delay ${second}`);
      assert.ok(third >= 2 && third <= 4, `third delay ${third}`);
    } else {
      assert.deepEqual(r.obs._connectingIn, [1, 1, 1]);
    }
    assert.equal(obs.stateWhileRetrying, 'connecting');
    assert.equal(obs.socketId, 'undefined');
    assert.equal(obs.gapsAtLeast900ms, true, `retry cycles too close: ${r.obs._cycleTimes}`);
    // No storm: pusher-js opens one socket for the first try and two per later cycle (its
    // transport cache retries once at once); at most 2 per cycle is allowed. pusher-wasm: one.
    if (r.client === OURS) assert.equal(r.websockets.length, 3);
    else assert.ok(r.websockets.length >= 3 && r.websockets.length <= 7, `${r.websockets.length} sockets`);
    for (const ws of r.websockets)
      assert.match(ws.url, /\/app\/wrong-key\?protocol=7&client=js&version=8\.6\.0&flash=false$/);
  });
});

test('new Pusher() opens its socket before it returns, and connects on that one', async () => {
  const runs = await run(async (a) => {
    const urls = [];
    const Original = window.WebSocket;
    window.WebSocket = new Proxy(Original, {
      construct(target, args) {
        urls.push(String(args[0]).replace(/^ws:\/\/[^/]+/, 'ws://HOST'));
        return Reflect.construct(target, args);
      },
    });
    try {
      const plain = new Pusher(a.key, a.options);
      const inConstructor = urls.length;
      // pusher-js ignores the option (protocol 7); ours asks for sockudo's protocol 2
      const recovering = new Pusher(a.key, { ...a.options, connectionRecovery: true });
      const inSecondConstructor = urls.length - inConstructor;
      await Promise.all([H.waitState(plain, 'connected'), H.waitState(recovering, 'connected')]);
      const ids = [plain.connection.socket_id, recovering.connection.socket_id];
      plain.disconnect();
      recovering.disconnect();
      return { inConstructor, inSecondConstructor, plainUrl: urls[0] ?? null, _urls: urls, _ids: ids };
    } finally {
      window.WebSocket = Original;
    }
  });
  const shared = runs[OURS]?.mode === 'shared';
  const query = (protocol) => `?protocol=${protocol}&client=js&version=8.6.0&flash=false`;
  checkBoth(
    runs,
    (obs, r) => {
      const url = `ws://HOST/app/${env.sockudo.key}${query(7)}`;
      const recoveryUrl = `ws://HOST/app/${env.sockudo.key}${query(2)}&echo_messages=false`;
      // Every socket the page made: one per client, made inside its constructor (with the shared
      // engine, none: the sockets are the SharedWorker's).
      const expected = r.client === OURS ? [url, recoveryUrl] : [url, url];
      assert.deepEqual(r.obs._urls, shared && r.client === OURS ? [] : expected);
      // two connections, as the server saw them
      assert.equal(new Set(r.obs._ids).size, 2);
      assert.equal(establishedSockets(r.websockets).length, 2);
    },
    {
      ours: (o) => (shared ? { inConstructor: 0, inSecondConstructor: 0, plainUrl: null } : o),
    },
  );
});

test('server crash and restart: reconnects, new socket_id, resubscribes, one event once', async () => {
  const runs = await run(
    async (a) => {
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      H.watch(p, log);
      const ch = p.subscribe('restart-a');
      ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
      ch.bind('ev', (d) => log.push(['ev', d]));
      ch.bind('barrier', () => log.push(['barrier']));
      await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
      const sid1 = p.connection.socket_id;
      // SIGKILL: the sockets drop without a close frame; sockudo is back before pusher-js's 1 s retry.
      await node('restartServer', { signal: 'SIGKILL' });
      // upper bound only: if the retry ever hits the closed port, pusher-js waits 15 s to try again
      await log.waitForCount((e) => e[0] === 'succeeded', 2, 'resubscribed', { timeout: 25000 });
      const sid2 = p.connection.socket_id;
      await node('trigger', 'restart-a', 'ev', { n: 1 });
      await node('trigger', 'restart-a', 'barrier', {});
      await log.waitFor((e) => e[0] === 'barrier', 'barrier');
      const i = log.entries.findIndex((e) => e[0] === 'connecting_in');
      const j = log.entries.findIndex((e) => e[0] === 'state' && e[2] === 'connecting');
      const k = log.entries.findIndex((e, n) => n > j && e[0] === 'state' && e[2] === 'connected');
      return {
        entries: log.entries,
        newSocketId: H.isSocketId(sid2) && sid2 !== sid1,
        subscribed: ch.subscribed,
        _leftConnectedAfterMs: log.times[j] - log.times[i],
        _connectedAgainAfterMs: log.times[k] - log.times[i],
      };
    },
    {},
    { timeoutMs: 40000, allowConsoleErrors: true },
  );
  // Our first retry comes 0.1–1.5 s after the drop; if it finds the port still closed, the next
  // wait is announced: one more connecting_in per refused attempt, and no other change.
  const isRetry = (entries) => {
    const left = entries.findIndex((e) => e[0] === 'state' && e[2] === 'connecting');
    return (e, n) => n > left && e[0] === 'connecting_in';
  };
  const retries = (entries) => entries.filter(isRetry(entries));
  const withoutRetries = (entries) => {
    const retry = isRetry(entries);
    return entries.filter((e, n) => !retry(e, n));
  };
  checkBoth(
    runs,
    (obs, r) => {
      const established = establishedSockets(r.websockets);
      let entries = obs.entries;
      if (r.client === OURS) {
        assert.equal(retries(entries).length, r.websockets.length - established.length, 'one wait per refused attempt');
        entries = withoutRetries(entries);
      }
      assert.deepEqual(entries, [
        ['state', 'connecting', 'connected'],
        ['succeeded'],
        ['error', { type: 'PusherError', data: { code: 1006, message: { $undefined: true } } }],
        ['connecting_in', 1],
        // pusher-js stays 'connected' during the 1 s before it retries
        ['state', 'connected', 'connecting'],
        ['state', 'connecting', 'connected'],
        ['succeeded'],
        ['ev', { n: 1 }],
        ['barrier'],
      ]);
      assert.equal(obs.newSocketId, true);
      assert.equal(obs.subscribed, true);
      const left = r.obs._leftConnectedAfterMs;
      if (r.client === OURS) {
        // README difference 1: 'connecting' at once, not after the wait
        assert.ok(left < 100, `left 'connected' ${left} ms after the drop`);
      } else {
        assert.ok(left >= 900, `left 'connected' ${left} ms after the drop`);
      }
      console.log(`[${r.client}] connected again ${r.obs._connectedAgainAfterMs} ms after the drop`);
      assert.equal(established.length, 2);
    },
    { oursObs: (o) => ({ ...o, entries: withoutRetries(o.entries) }) },
  );
});
