// Noticing a dead connection: what each client does when the page comes back (visible, from the
// back/forward cache, resumed after a freeze) or the network changes, while the socket is
// half-open (the fake server stops answering). pusher-js ignores the page events and waits out
// its pong timeout; pusher-wasm checks the connection at once with a 3 s deadline (README
// difference 14). Each scenario runs on both clients; the expectations are stated per client.

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

function run(scenario, { options = {}, ...args } = {}) {
  return runOnBoth(
    env,
    scenario,
    { key: 'app-key', options: clientOptions(fake.port, '127.0.0.1', options), ...args },
    {
      handlers: pageHandlers(fake),
      setup: () => fake.reset({}),
      teardown: (client, r) => {
        r.server = fake.snapshot();
      },
      allowConsoleErrors: true, // Chromium logs the WebSocket failures while offline
      timeoutMs: 30000,
    },
  );
}

// The page event each test fires, run inside the page.
const PAGE_EVENTS = {
  visible: `H.comeIntoView();`,
  pageshow: `window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));`,
  // CDP's Page.setWebLifecycleState does not freeze a visible headless page (checked: neither
  // 'freeze' nor 'resume' fires), so the event a resumed page receives is dispatched directly.
  resume: `document.dispatchEvent(new Event('resume'));`,
};

// Connected, then the server goes silent (a half-open socket), then `a.stimulus` happens.
// pusher-wasm must ping at once and, with no answer, reconnect within about 3 s; pusher-js must
// do nothing within the same window (its next ping is activityTimeout away).
const silentThenStimulus = async (a) => {
  const p = new Pusher(a.key, a.options);
  const log = H.createLog();
  H.watch(p, log);
  await H.waitState(p, 'connected');
  await node('fake.setOptions', { answerPings: false });
  const firedAt = log.now();
  (0, eval)(a.script);
  if (H.client === 'pusher-wasm') {
    await log.waitForCount((e) => e[0] === 'state' && e[2] === 'connected', 2, 'reconnected', { timeout: 6000 });
  } else {
    await H.quietPeriod(4000); // longer than pusher-wasm's 3 s deadline: nothing may happen
  }
  const back = log.entries.findIndex((e, i) => i > 0 && e[0] === 'state' && e[2] === 'connected');
  return {
    entries: log.entries,
    state: p.connection.state,
    _reconnectedAfterMs: back > 0 ? log.times[back] - firedAt : null,
  };
};

for (const stimulus of ['visible', 'pageshow', 'resume']) {
  test(`page ${stimulus}: pusher-wasm checks at once and replaces a dead socket; pusher-js does not`, async () => {
    const runs = await run(silentThenStimulus, { stimulus, script: PAGE_EVENTS[stimulus] });
    checkBoth(
      runs,
      (obs, r) => {
        const pings = r.server[0].frames.filter((f) => f.json?.event === 'pusher:ping');
        if (r.client === OURS) {
          assert.equal(pings.length, 1, 'one ping, at once');
          assert.deepEqual(obs.entries, [
            ['state', 'connecting', 'connected'],
            ['state', 'connected', 'connecting'],
            ['state', 'connecting', 'connected'],
          ]);
          const after = r.obs._reconnectedAfterMs;
          console.log(`[${stimulus}] pusher-wasm connected again ${after} ms after the event`);
          assert.ok(after >= 2900 && after <= 4500, `reconnected ${after} ms after the event`);
          assert.equal(r.server.length, 2);
        } else {
          assert.equal(pings.length, 0, 'pusher-js ignores the event');
          assert.deepEqual(obs.entries, [['state', 'connecting', 'connected']]);
          assert.equal(r.server.length, 1);
        }
        assert.equal(obs.state, 'connected');
      },
      {
        ours: (o) => ({
          ...o,
          entries: [...o.entries, ['state', 'connected', 'connecting'], ['state', 'connecting', 'connected']],
        }),
      },
    );
  });
}

test('network offline then online: both ping on offline; pusher-wasm is back within a second of online', async () => {
  const runs = await run(
    async (a) => {
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      H.watch(p, log);
      await H.waitState(p, 'connected');
      await node('fake.setOptions', { answerPings: false });
      await node('page.setOffline', true);
      // pusher-wasm gives the socket 3 s, then keeps trying (and failing: we are offline).
      if (H.client === 'pusher-wasm') await H.waitState(p, 'connecting', { timeout: 5000 });
      else await H.quietPeriod(3500);
      const stateWhileOffline = p.connection.state;
      const onlineAt = log.now();
      await node('page.setOffline', false);
      await log.waitForCount((e) => e[0] === 'state' && e[2] === 'connected', 2, 'back', { timeout: 15000 });
      const back = log.entries.findIndex((e, i) => i > 0 && e[0] === 'state' && e[2] === 'connected');
      return {
        stateWhileOffline,
        state: p.connection.state,
        _backAfterOnlineMs: log.times[back] - onlineAt,
      };
    },
    { options: { pongTimeout: 8000 } },
  );
  checkBoth(
    runs,
    (obs, r) => {
      const first = r.server[0];
      assert.deepEqual(
        first.frames.filter((f) => f.json?.event === 'pusher:ping').map((f) => f.json),
        [{ event: 'pusher:ping', data: {} }],
        'one ping when the network goes offline',
      );
      const back = r.obs._backAfterOnlineMs;
      console.log(`[${r.client}] connected again ${back} ms after the network came back`);
      if (r.client === OURS) {
        assert.equal(obs.stateWhileOffline, 'connecting');
        assert.ok(back <= 1500, `connected ${back} ms after online`);
      } else {
        // pusher-js is still 'connected' on the dead socket and waits out pongTimeout (8 s).
        assert.equal(obs.stateWhileOffline, 'connected');
        assert.ok(back >= 3000, `connected ${back} ms after online`);
      }
      assert.equal(obs.state, 'connected');
    },
    { ours: (o) => ({ ...o, stateWhileOffline: 'connecting' }) },
  );
});
