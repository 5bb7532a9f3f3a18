// The gap signal (issue 13, part 1): a channel subscribed again after its connection was lost
// emits `pusher-wasm:resumed {gapMs, recovered, replayed}`, so an app knows it may have missed
// events and can fetch them. pusher-js has nothing of the kind: each scenario also runs on it, to
// show that it stays silent. sockudo behind a TCP proxy cuts the connection; the fake server
// gives a gap of a known length.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBoth, clientOptions, runOnBoth, OURS } from '../support/scenario.mjs';
import { startTcpProxy } from '../support/tcp-proxy.mjs';
import { pageHandlers } from '../fake-server/index.mjs';
import { startAuthEnv, runPagesOnBoth } from '../support/auth-server.mjs';
import { encryptionBuild } from '../support/page-steps.mjs';

let env;
let auth;
let fake;
let proxy;
let close;
before(async () => {
  ({ env, auth, fake, close } = await startAuthEnv());
  proxy = await startTcpProxy({ targetPort: env.sockudo.port });
});
after(async () => {
  await proxy?.close();
  await close?.();
});

const handlers = () => ({
  ...env.sdkHandlers(),
  ...auth.handlers(),
  ...pageHandlers(fake),
  'proxy.cutAll': () => void proxy.cutAll(),
});

test('after a drop: one pusher-wasm:resumed per channel (public, presence, encrypted), none for a channel unsubscribed meanwhile', async () => {
  const runs = await runPagesOnBoth(
    env,
    1,
    async ([page], client) => {
      await page.run(encryptionBuild, { client });
      return page.run(
        async (a) => {
          const p = new Pusher(a.key, {
            ...a.options,
            channelAuthorization: { endpoint: '/pusher/auth', params: { user_id: 'gap-user' } },
          });
          const log = H.createLog();
          H.watch(p, log);
          const seen = {};
          const watch = (name) => {
            const ch = p.subscribe(name);
            seen[name] = [];
            ch.bind('pusher:subscription_succeeded', () => {
              seen[name].push('succeeded');
              log.push(['succeeded', name]);
            });
            ch.bind('pusher-wasm:resumed', (r) =>
              seen[name].push([
                'resumed',
                Object.keys(r).sort(),
                r.recovered,
                r.replayed,
                typeof r.gapMs,
                r.gapMs >= 0,
              ]),
            );
            ch.bind_global((event) => {
              if (event === 'pusher-wasm:resumed') seen[name].push('a global callback saw it');
            });
            return ch;
          };
          const kept = ['gap-public', 'presence-gap', 'private-encrypted-gap'];
          for (const name of [...kept, 'gap-gone']) watch(name);
          await log.waitForCount((e) => e[0] === 'succeeded', 4, 'subscribed');
          await node('proxy.cutAll');
          await log.waitFor((e) => e[0] === 'state' && e[2] === 'connecting', 'the drop noticed');
          p.unsubscribe('gap-gone');
          await log.waitForCount((e) => e[0] === 'succeeded', 7, 'resubscribed', { timeout: 10000 });
          // A barrier: a first subscription after the reconnect, confirmed after the others' signals.
          watch('gap-barrier');
          await log.waitFor((e) => e[0] === 'succeeded' && e[1] === 'gap-barrier', 'the barrier');
          return { seen };
        },
        { key: env.sockudo.key, options: clientOptions(proxy.port) },
        20000,
      );
    },
    { handlers, setup: () => auth.reset() },
  );
  const resumed = ['resumed', ['gapMs', 'recovered', 'replayed'], false, 0, 'number', true];
  checkBoth(
    runs,
    (obs, r) => {
      const again = r.client === OURS ? ['succeeded', 'succeeded', resumed] : ['succeeded', 'succeeded'];
      assert.deepEqual(obs.seen, {
        'gap-public': again,
        'presence-gap': again,
        'private-encrypted-gap': again,
        'gap-gone': ['succeeded'],
        'gap-barrier': ['succeeded'],
      });
    },
    {
      ours: (o) => {
        for (const name of ['gap-public', 'presence-gap', 'private-encrypted-gap']) o.seen[name].push(resumed);
        return o;
      },
    },
  );
});

test('1,000 channels: one pusher-wasm:resumed each after a drop', async () => {
  const runs = await runOnBoth(
    env,
    async (a) => {
      const p = new Pusher(a.key, a.options);
      const counts = { succeeded: 0, resumed: 0 };
      const channels = [];
      for (let i = 0; i < 1000; i++) {
        const ch = p.subscribe(`gap-many-${i}`);
        ch.bind('pusher:subscription_succeeded', () => counts.succeeded++);
        ch.bind('pusher-wasm:resumed', () => counts.resumed++);
        channels.push(ch);
      }
      const wait = (what, check) =>
        new Promise((resolve, reject) => {
          const t0 = performance.now();
          const poll = () => {
            if (check()) resolve();
            else if (performance.now() - t0 > 20000) reject(new Error(`timed out: ${what}`));
            else setTimeout(poll, 20);
          };
          poll();
        });
      await wait('1,000 subscribed', () => counts.succeeded === 1000);
      await node('proxy.cutAll');
      await wait('1,000 subscribed again', () => counts.succeeded === 2000);
      // The barrier: a new channel, confirmed after every resubscription (and its signal).
      const barrier = p.subscribe('gap-many-barrier');
      await H.once(barrier, 'pusher:subscription_succeeded', { timeout: 10000 });
      return { counts, everyChannelOnce: channels.every((c) => c.subscribed) };
    },
    { key: env.sockudo.key, options: clientOptions(proxy.port) },
    { handlers, timeoutMs: 60000 },
  );
  checkBoth(
    runs,
    (obs, r) => {
      assert.deepEqual(obs, {
        counts: { succeeded: 2000, resumed: r.client === OURS ? 1000 : 0 },
        everyChannelOnce: true,
      });
    },
    { ours: (o) => ({ ...o, counts: { ...o.counts, resumed: 1000 } }) },
  );
});

test('gapMs: from the last frame of the old connection to the new subscription', async () => {
  // The fake server confirms the subscription, stays silent for 1.5 s, then closes with 4200
  // (reconnect at once): the gap is that silence plus the reconnect.
  const runs = await runOnBoth(
    env,
    async (a) => {
      const p = new Pusher(a.key, a.options);
      const ch = p.subscribe('gap-timed');
      const resumed = H.once(ch, 'pusher-wasm:resumed', { timeout: 8000 }).catch(() => null);
      await H.once(ch, 'pusher:subscription_succeeded');
      const quietFrom = performance.now();
      await node('fake.quietThenClose', 1500);
      const again = await H.once(ch, 'pusher:subscription_succeeded', { timeout: 8000 });
      const elapsed = performance.now() - quietFrom;
      // pusher-js: nothing ever comes (the signal's wait above ran out); ours: at once.
      const got = await resumed;
      return {
        again: again.length,
        got: got ? { recovered: got[0].recovered } : null,
        _gapMs: got?.[0].gapMs,
        _elapsed: elapsed,
      };
    },
    { key: 'app-key', options: clientOptions(fake.port) },
    {
      handlers: () => ({
        ...pageHandlers(fake),
        'fake.quietThenClose': async (ms) => {
          const conn = fake.connections.at(-1);
          await new Promise((resolve) => setTimeout(resolve, ms));
          conn.close(4200, 'reconnect');
          return true;
        },
      }),
      setup: () => fake.reset({}),
      timeoutMs: 30000,
    },
  );
  checkBoth(
    runs,
    (obs, r) => {
      if (r.client !== OURS) {
        assert.equal(obs.got, null, 'pusher-js says nothing');
        return;
      }
      assert.deepEqual(obs.got, { recovered: false });
      const { _gapMs: gap, _elapsed: elapsed } = r.obs;
      console.log(
        `[gap] gapMs ${gap}, ${Math.round(elapsed)} ms from the last frame to the new subscription in the page`,
      );
      assert.ok(gap >= 1500, `gapMs ${gap} covers the server's silence`);
      assert.ok(gap <= elapsed + 50, `gapMs ${gap} is no longer than the page saw (${Math.round(elapsed)} ms)`);
    },
    { ours: (o) => ({ ...o, got: { recovered: false } }) },
  );
});

test("Echo: channel.resumed(callback) in pusher-wasm's Echo (laravel-echo has no such method)", async () => {
  const runs = await runOnBoth(
    env,
    async (a) => {
      const Echo =
        H.client === 'pusher-wasm'
          ? (await import('/pkg/index.js')).Echo
          : (await import('/node_modules/laravel-echo/dist/echo.js')).default;
      const echo = new Echo({ broadcaster: 'reverb', key: a.key, ...a.options });
      const channel = echo.channel('gap-echo');
      if (typeof channel.resumed !== 'function') return { resumed: 'no such method' };
      const got = new Promise((resolve) => channel.resumed(resolve));
      await new Promise((resolve) => channel.subscribed(resolve));
      await node('proxy.cutAll');
      const gap = await got;
      echo.disconnect();
      return { resumed: { recovered: gap.recovered, replayed: gap.replayed, gapMs: typeof gap.gapMs } };
    },
    { key: env.sockudo.key, options: clientOptions(proxy.port) },
    { handlers, timeoutMs: 20000 },
  );
  const ours = { resumed: { recovered: false, replayed: 0, gapMs: 'number' } };
  checkBoth(runs, (obs, r) => assert.deepEqual(obs, r.client === OURS ? ours : { resumed: 'no such method' }), {
    ours: () => ours,
  });
});
