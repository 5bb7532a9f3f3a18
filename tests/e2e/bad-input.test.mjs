// Bad input from the page: each call gets a clear error or a documented no-op, nothing throws a
// Rust panic message, and the client stays usable afterwards (it subscribes and receives an
// event). Where pusher-wasm refuses what pusher-js lets through, the README's differences 11,
// 12 and 15 say so; the expectations below are stated per client.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, runOnBoth, checkBoth, OURS } from '../support/scenario.mjs';

let env;
before(async () => {
  env = await startEnv({ sockudo: true });
});
after(async () => {
  await env?.close();
});

const run = (scenario, extra = {}, opts = {}) =>
  runOnBoth(env, scenario, env.clientArgs(extra), { handlers: env.sdkHandlers(), ...opts });

test('bad calls get clear errors or no-ops, and the client still works after them', async () => {
  const runs = await run(async (a) => {
    const outcome = (fn) => {
      try {
        const value = fn();
        return { threw: false, value: value === undefined ? 'undefined' : typeof value };
      } catch (e) {
        const text = e instanceof Error ? e.message : String(e);
        return { threw: true, kind: e instanceof Error ? e.constructor.name : typeof e, text };
      }
    };
    const results = {};
    results.wsPortString = outcome(() => new Pusher(a.key, { ...a.options, wsPort: 'not a port' }));
    results.activityTimeoutObject = outcome(() => new Pusher(a.key, { ...a.options, activityTimeout: {} }));
    const made = (extra) => outcome(() => new Pusher(a.key, { ...a.options, ...extra }).disconnect());
    results.wssPortTooBig = made({ wssPort: 70000 });
    results.rateNegative = made({ maxClientEventsPerSecond: -1 });
    results.rateString = made({ maxClientEventsPerSecond: '5' });
    results.pongTimeoutNumericString = made({ pongTimeout: '5000' });
    results.activityTimeoutZero = made({ activityTimeout: 0 });
    const p = new Pusher(a.key, a.options);
    await H.waitState(p, 'connected');
    results.subscribeEmpty = outcome(() => p.subscribe(''));
    results.subscribeLong = outcome(() => p.subscribe('x'.repeat(200)));
    // The limit is the protocol's 164 bytes (UTF-8), as servers count it: 82 'é' are 164 bytes,
    // 83 are 166 (and 83 characters).
    results.subscribeLongestAccented = outcome(() => p.subscribe('é'.repeat(82)).unsubscribe());
    results.subscribeLongAccented = outcome(() => p.subscribe('é'.repeat(83)));
    results.subscribeNumber = outcome(() => p.subscribe(42));
    results.bindString = outcome(() => p.bind('event', 'not a function'));
    results.channelBindUndefined = outcome(() => p.subscribe('bad-input-a').bind('event'));
    results.unbindUnknown = outcome(() => p.unbind('never-bound', () => {}));
    results.unsubscribeUnknown = outcome(() => p.unsubscribe('never-subscribed'));
    results.triggerPublicNotClient = outcome(() => p.subscribe('bad-input-a').trigger('x', {}));
    results.sendEventCyclic = outcome(() => {
      const cyclic = {};
      cyclic.self = cyclic;
      return p.send_event('client-x', cyclic, 'bad-input-a');
    });
    // A callback that throws must not break the client (pusher-wasm re-throws it in a task of
    // its own, which the page sees as an uncaught error; pusher-js throws it out of onmessage).
    const ch = p.subscribe('bad-input-b');
    await H.once(ch, 'pusher:subscription_succeeded');
    // After all of that the client still works.
    const got = H.once(ch, 'ev');
    await node('trigger', 'bad-input-b', 'ev', { still: 'working' });
    const [data] = await got;
    p.disconnect();
    results.afterDisconnect = {
      sendEvent: p.send_event('x', {}),
      trigger: p.subscribe('bad-input-b').trigger('client-x', {}),
      unsubscribe: outcome(() => p.unsubscribe('bad-input-b')),
      disconnectAgain: outcome(() => p.disconnect()),
    };
    p.connect();
    await H.waitState(p, 'connected');
    return { results, data, internalErrors: Pusher.internalErrors ?? 0, state: p.connection.state };
  });
  const typeError = (text) => ({ threw: true, kind: 'TypeError', text });
  // README differences 11, 12, 15: pusher-wasm refuses these at once, saying why.
  const oursRefusals = {
    wsPortString: typeError("Pusher option 'wsPort' must be a port number (1-65535), got not a port"),
    activityTimeoutObject: typeError("Pusher option 'activityTimeout' must be a positive number, got [object Object]"),
    wssPortTooBig: typeError("Pusher option 'wssPort' must be a port number (1-65535), got 70000"),
    rateNegative: typeError("Pusher option 'maxClientEventsPerSecond' must be a whole number, 0 or more, got -1"),
    rateString: typeError("Pusher option 'maxClientEventsPerSecond' must be a whole number, 0 or more, got 5"),
    subscribeEmpty: { threw: true, kind: 'Error', text: 'A channel name must not be empty' },
    subscribeLong: { threw: true, kind: 'Error', text: `Channel name "${'x'.repeat(200)}" is longer than 164 bytes` },
    subscribeLongestAccented: { threw: false, value: 'undefined' },
    subscribeLongAccented: {
      threw: true,
      kind: 'Error',
      text: `Channel name "${'é'.repeat(83)}" is longer than 164 bytes`,
    },
    subscribeNumber: typeError('A channel name must be a string, got 42'),
    bindString: typeError('bind: the callback must be a function'),
    channelBindUndefined: typeError('bind: the callback must be a function'),
  };
  checkBoth(
    runs,
    (obs, r) => {
      const R = obs.results;
      assert.deepEqual(obs.data, { still: 'working' });
      assert.equal(obs.state, 'connected');
      assert.equal(obs.internalErrors, 0, 'no Rust panic');
      // A numeric string is coerced, and a falsy value means the default, as in pusher-js.
      assert.deepEqual(R.pongTimeoutNumericString, { threw: false, value: 'undefined' });
      assert.deepEqual(R.activityTimeoutZero, { threw: false, value: 'undefined' });
      assert.deepEqual(R.unbindUnknown, { threw: false, value: 'object' });
      assert.deepEqual(R.unsubscribeUnknown, { threw: false, value: 'undefined' });
      assert.deepEqual(R.triggerPublicNotClient, {
        threw: true,
        kind: 'BadEventName',
        text: "Event 'x' does not start with 'client-'",
      });
      assert.equal(R.sendEventCyclic.threw, true, 'JSON.stringify of a cycle throws, as in pusher-js');
      assert.equal(R.sendEventCyclic.kind, 'TypeError');
      assert.deepEqual(R.afterDisconnect, {
        sendEvent: false,
        trigger: false,
        unsubscribe: { threw: false, value: 'undefined' },
        disconnectAgain: { threw: false, value: 'undefined' },
      });
      if (r.client === OURS) {
        for (const [key, refusal] of Object.entries(oursRefusals)) assert.deepEqual(R[key], refusal, key);
      } else {
        // pusher-js accepts all of these and fails later (or never tells).
        for (const key of [
          'wsPortString',
          'activityTimeoutObject',
          'wssPortTooBig',
          'rateNegative',
          'rateString',
          'subscribeEmpty',
          'subscribeLong',
          'subscribeLongestAccented',
          'subscribeLongAccented',
          'bindString',
          'channelBindUndefined',
        ]) {
          assert.equal(R[key].threw, false, key);
        }
        // subscribe(42): pusher-js calls name.indexOf, which numbers lack.
        assert.equal(R.subscribeNumber.kind, 'TypeError');
      }
    },
    { ours: (o) => ({ ...o, results: { ...o.results, ...oursRefusals } }) },
  );
});

test('a Rust panic is not silent: a log line, Pusher.internalErrors, an error event, an uncaught error', async () => {
  // pusher-wasm only: pusher-js has no wasm to panic. The test build's engine (cargo feature
  // `testing`) has a call that panics on purpose; the release build has none.
  const runs = await runOnBoth(
    env,
    async (a) => {
      if (H.client !== 'pusher-wasm') return { skipped: 'no wasm in pusher-js' };
      const lines = [];
      Pusher.log = (line) => lines.push(line);
      const p = new Pusher(a.key, a.options);
      // The engine is up once a channel is subscribed (`connected` can come before it, from the
      // page's early socket): the call then reaches it at once.
      await H.once(p.subscribe('panic-ready'), 'pusher:subscription_succeeded');
      const errors = [];
      p.connection.bind('error', (e) => errors.push(e));
      let thrown = null;
      const reported = new Promise((resolve) => p.connection.bind('error', resolve));
      try {
        p[Symbol.for('pusher-wasm.panicForTesting')]();
      } catch (e) {
        thrown = e.constructor.name;
      }
      // In a page the engine traps inside the call; in a SharedWorker the tab hears of it.
      await reported;
      Pusher.log = undefined;
      return {
        thrown,
        internalErrors: Pusher.internalErrors,
        errors: errors.map((e) => ({ type: e.type, mentions: /panicForTesting was called/.test(e.error) })),
        logged: lines.some((l) => l.includes('pusher-wasm internal error') && l.includes('panicForTesting was called')),
      };
    },
    env.clientArgs(),
    { handlers: env.sdkHandlers(), allowPageErrors: true, allowConsoleErrors: true, build: 'testing' },
  );
  // Nothing to compare with the oracle here: each client's own expectation.
  for (const r of Object.values(runs)) {
    const obs = r.obs;
    if (r.client !== OURS) {
      assert.deepEqual(obs, { skipped: 'no wasm in pusher-js' });
      continue;
    }
    {
      assert.deepEqual(obs, {
        thrown: r.mode === 'shared' ? null : 'RuntimeError',
        internalErrors: 1,
        errors: [{ type: 'InternalError', mentions: true }],
        logged: true,
      });
      // The panic is also re-thrown from a task of its own, where error trackers see it.
      assert.ok(
        r.pageErrors.some((e) => e.includes('panicForTesting was called')),
        r.pageErrors.join('\n'),
      );
    }
  }
});
