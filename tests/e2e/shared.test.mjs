// `shared: true`: one engine in a SharedWorker for every tab of the origin (issue 12). Each
// semantic of the shared mode is a test here, with real parts: several pages of one browser
// context (they share a SharedWorker; separate contexts do not), sockudo behind a TCP proxy that
// counts connections, the `pusher` server SDK, and the fake server where sockudo cannot help.
// pusher-wasm only: pusher-js has no shared mode (its behaviour is the page mode's, which the
// rest of the suite compares).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openClientPage, workerObserver } from '../support/browser.mjs';
import { startEnv, clientOptions, parsedFrames } from '../support/scenario.mjs';
import { startTcpProxy } from '../support/tcp-proxy.mjs';
import { installAuthServer, makeSdk } from '../support/auth-server.mjs';
import { startFakeServer, pageHandlers } from '../fake-server/index.mjs';
import { contextIdOf } from '../support/worker-cdp.mjs';

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
  await fake?.close();
  await proxy?.close();
  await env?.close();
});

/** Resolves once `check()` is true; fails after `timeout` ms (an upper bound, not a wait). */
async function until(check, what, timeout = 8000) {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - t0;
}

/**
 * `count` tabs of one browser context, each with pusher-wasm's harness in shared mode. `tab.run`
 * evaluates a function in the tab; what a tab keeps between runs lives on its `window`.
 */
async function openTabs(count, { handlers = {}, mode = 'shared' } = {}) {
  const context = await env.browser.newContext();
  const tabs = [];
  const all = { ...env.sdkHandlers(), ...auth.handlers(), ...pageHandlers(fake), ...handlers };
  const open = async () => {
    const session = await openClientPage(env.browser, env.http.url, 'pusher-wasm', { mode, context, handlers: all });
    // The helpers below, in the tab, for steps that call them.
    await session.page.evaluate(
      `window.connect = ${connect}; window.subscribe = ${subscribe}; window.eventsOn = ${eventsOn};`,
    );
    const tab = {
      session,
      run: (fn, args = {}) => session.page.evaluate(fn, args),
      close: () => session.page.close(),
    };
    tabs.push(tab);
    return tab;
  };
  for (let i = 0; i < count; i++) await open();
  const contextId = await contextIdOf(context, tabs[0].session.page);
  return {
    context,
    contextId,
    tabs,
    open,
    /** The sockets the context's SharedWorker opened. */
    sockets: () => workerObserver(env.browser).socketsOf(contextId),
    close: () => context.close(),
  };
}

/** Constructor arguments for a client talking to sockudo through the proxy. */
const viaProxy = (extra = {}) => ({ key: env.sockudo.key, options: clientOptions(proxy.port, '127.0.0.1', extra) });

/** In a tab: a Pusher (window.p) with a log of what it saw (window.log), connected. */
async function connect(a) {
  window.log = H.createLog();
  window.p = new Pusher(a.key, a.options);
  H.watch(window.p, window.log);
  await H.waitState(window.p, 'connected');
  return window.p.connection.socket_id;
}

/** In a tab: subscribes `a.channel`, logging its events (`[channel, event, data, metadata]`). */
async function subscribe(a) {
  const ch = window.p.subscribe(a.channel);
  ch.bind_global((event, data) => window.log.push(['global', a.channel, event]));
  for (const event of a.events ?? ['ev', 'barrier']) {
    ch.bind(event, (data, metadata) => window.log.push([a.channel, event, data, metadata]));
  }
  await new Promise((resolve, reject) => {
    ch.bind('pusher:subscription_succeeded', resolve);
    ch.bind('pusher:subscription_error', reject);
  });
  return { subscribed: ch.subscribed };
}

/** In a tab: the events of `a.channel` logged so far, once `a.until` has arrived. */
async function eventsOn(a) {
  if (a.until) await window.log.waitFor((e) => e[0] === a.channel && e[1] === a.until, `${a.until} on ${a.channel}`);
  return window.log.entries.filter((e) => e[0] === a.channel).map((e) => e.slice(1));
}

test('three tabs hold one connection at the server, share its socket_id, and each subscribed tab gets an event once', async () => {
  const before = proxy.accepted;
  const w = await openTabs(3);
  try {
    const ids = [];
    for (const tab of w.tabs) ids.push(await tab.run(connect, viaProxy()));
    assert.equal(proxy.accepted - before, 1, 'one connection for three tabs');
    assert.equal(new Set(ids).size, 1, 'the same socket_id in every tab');
    assert.match(ids[0], /^\d+\.\d+$/);
    await w.tabs[0].run(subscribe, { channel: 'shared-news' });
    await w.tabs[1].run(subscribe, { channel: 'shared-news' });
    await w.tabs[2].run(subscribe, { channel: 'shared-other' });
    await env.sdk.trigger('shared-news', 'ev', { n: 1 });
    await env.sdk.trigger(['shared-news', 'shared-other'], 'barrier', {});
    for (const i of [0, 1]) {
      assert.deepEqual(await w.tabs[i].run(eventsOn, { channel: 'shared-news', until: 'barrier' }), [
        ['ev', { n: 1 }, {}],
        ['barrier', {}, {}],
      ]);
    }
    assert.deepEqual(await w.tabs[2].run(eventsOn, { channel: 'shared-other', until: 'barrier' }), [
      ['barrier', {}, {}],
    ]);
    // One subscribe went out per channel, whatever the number of tabs.
    const subscribes = parsedFrames(w.sockets()[0].sent).filter((f) => f.event === 'pusher:subscribe');
    assert.deepEqual(subscribes.map((f) => f.data.channel).sort(), ['shared-news', 'shared-other']);
  } finally {
    await w.close();
  }
});

test('other keys or hosts get connections of their own in the one worker', async () => {
  const before = proxy.accepted;
  const w = await openTabs(2);
  try {
    await w.tabs[0].run(connect, viaProxy());
    await w.tabs[1].run(connect, { key: env.sockudo.key, options: clientOptions(proxy.port, 'localhost') });
    // A second key: sockudo knows only one app, and refuses the other (4001) on a socket of its own.
    await w.tabs[1].run(async (a) => {
      window.q = new Pusher('another-key', a.options);
      await new Promise((resolve) => window.q.connection.bind('error', resolve));
    }, viaProxy());
    assert.equal(proxy.accepted - before, 3);
    const urls = w.sockets().map((s) => new URL(s.url));
    assert.deepEqual(urls.map((u) => `${u.hostname} ${u.pathname}`).sort(), [
      '127.0.0.1 /app/another-key',
      `127.0.0.1 /app/${env.sockudo.key}`,
      `localhost /app/${env.sockudo.key}`,
    ]);
    assert.equal(workerObserver(env.browser).workerCount(w.contextId), 1, 'one worker for both tabs');
  } finally {
    await w.close();
  }
});

test('every tab sees the same state changes and the same new socket_id after a drop', async () => {
  const w = await openTabs(2);
  try {
    const first = await w.tabs[0].run(connect, viaProxy());
    await w.tabs[1].run(connect, viaProxy());
    proxy.cutAll();
    const seen = [];
    for (const tab of w.tabs) {
      seen.push(
        await tab.run(async () => {
          await window.log.waitForCount((e) => e[0] === 'state' && e[2] === 'connected', 2, 'connected again', {
            timeout: 8000,
          });
          return {
            states: window.log.entries.filter((e) => e[0] === 'state').map((e) => e.slice(1)),
            socketId: window.p.connection.socket_id,
          };
        }),
      );
    }
    assert.deepEqual(seen[0].states, [
      ['connecting', 'connected'],
      ['connected', 'connecting'],
      ['connecting', 'connected'],
    ]);
    assert.deepEqual(seen[1].states, seen[0].states);
    assert.equal(seen[0].socketId, seen[1].socketId);
    assert.notEqual(seen[0].socketId, first);
  } finally {
    await w.close();
  }
});

test('a channel stays subscribed while any tab wants it; unsubscribe in one tab affects that tab only', async () => {
  const w = await openTabs(2);
  const occupied = async () =>
    (await env.sdk.get({ path: '/channels/shared-rc', params: {} }).then((r) => r.json())).occupied;
  try {
    for (const tab of w.tabs) {
      await tab.run(connect, viaProxy());
      await tab.run(subscribe, { channel: 'shared-rc' });
    }
    const gone = await w.tabs[0].run(() => {
      window.p.unsubscribe('shared-rc');
      return { channel: window.p.channel('shared-rc') === undefined };
    });
    assert.deepEqual(gone, { channel: true });
    await env.sdk.trigger('shared-rc', 'ev', { still: 'here' });
    await env.sdk.trigger('shared-rc', 'barrier', {});
    assert.deepEqual(await w.tabs[1].run(eventsOn, { channel: 'shared-rc', until: 'barrier' }), [
      ['ev', { still: 'here' }, {}],
      ['barrier', {}, {}],
    ]);
    assert.deepEqual(await w.tabs[0].run(eventsOn, { channel: 'shared-rc' }), []);
    assert.equal(await occupied(), true, 'still subscribed for the other tab');
    const unsubscribes = () => parsedFrames(w.sockets()[0].sent).filter((f) => f.event === 'pusher:unsubscribe');
    assert.equal(unsubscribes().length, 0);
    await w.tabs[1].run(() => window.p.unsubscribe('shared-rc'));
    await until(async () => !(await occupied()), 'the channel to be vacated');
    assert.equal(unsubscribes().length, 1);
  } finally {
    await w.close();
  }
});

test('bindings are per tab, and each tab gets its own pusher:subscription_succeeded', async () => {
  const w = await openTabs(2);
  try {
    await w.tabs[0].run(connect, viaProxy());
    await w.tabs[0].run(subscribe, { channel: 'shared-own' });
    await w.tabs[1].run(connect, viaProxy());
    // The channel is already subscribed: the second tab is told at once, by its own event.
    await w.tabs[1].run(subscribe, { channel: 'shared-own' });
    const succeeded = (tab) =>
      tab.run(
        () => window.log.entries.filter((e) => e[0] === 'global' && e[2] === 'pusher:subscription_succeeded').length,
      );
    assert.equal(await succeeded(w.tabs[0]), 1);
    assert.equal(await succeeded(w.tabs[1]), 1);
    await w.tabs[1].run(() => window.p.channel('shared-own').bind('only-one', () => window.log.push(['only-one'])));
    await env.sdk.trigger('shared-own', 'only-one', {});
    await env.sdk.trigger('shared-own', 'barrier', {});
    await w.tabs[0].run(eventsOn, { channel: 'shared-own', until: 'barrier' });
    await w.tabs[1].run(eventsOn, { channel: 'shared-own', until: 'barrier' });
    assert.equal(await w.tabs[0].run(() => window.log.count((e) => e[0] === 'only-one')), 0);
    assert.equal(await w.tabs[1].run(() => window.log.count((e) => e[0] === 'only-one')), 1);
  } finally {
    await w.close();
  }
});

test('disconnect() in one tab detaches that tab only; connect() brings it back on the same connection', async () => {
  const before = proxy.accepted;
  const w = await openTabs(2);
  try {
    for (const tab of w.tabs) {
      await tab.run(connect, viaProxy());
      await tab.run(subscribe, { channel: 'shared-detach' });
    }
    const detached = await w.tabs[0].run(() => {
      window.p.disconnect();
      return window.p.connection.state;
    });
    assert.equal(detached, 'disconnected');
    await env.sdk.trigger('shared-detach', 'ev', { n: 1 });
    await env.sdk.trigger('shared-detach', 'barrier', {});
    assert.equal((await w.tabs[1].run(eventsOn, { channel: 'shared-detach', until: 'barrier' })).length, 2);
    assert.deepEqual(await w.tabs[0].run(eventsOn, { channel: 'shared-detach' }), []);
    assert.equal(proxy.connections.length, 1, 'the other tab keeps the connection');
    const back = await w.tabs[0].run(async () => {
      window.p.connect();
      await H.waitState(window.p, 'connected');
      await window.log.waitForCount(
        (e) => e[0] === 'global' && e[2] === 'pusher:subscription_succeeded',
        2,
        'resubscribed',
      );
      return { socketId: window.p.connection.socket_id, subscribed: window.p.channel('shared-detach').subscribed };
    });
    assert.equal(back.subscribed, true);
    assert.equal(back.socketId, await w.tabs[1].run(() => window.p.connection.socket_id));
    assert.equal(proxy.accepted - before, 1, 'no new connection');
  } finally {
    await w.close();
  }
});

test("authorization runs in a tab that asked, with that tab's options, once per channel and connection", async () => {
  auth.reset();
  const w = await openTabs(2);
  try {
    await w.tabs[0].run((a) => {
      document.cookie = 'tab=zero; path=/';
      return connect({
        ...a,
        options: { ...a.options, channelAuthorization: { endpoint: '/pusher/auth', headers: { 'X-Tab': 'zero' } } },
      });
    }, viaProxy());
    await w.tabs[1].run(
      (a) =>
        connect({
          ...a,
          options: {
            ...a.options,
            channelAuthorization: {
              // A customHandler of this tab's own: it asks the endpoint with a header of its own.
              customHandler: ({ socketId, channelName }, callback) => {
                const body = `socket_id=${encodeURIComponent(socketId)}&channel_name=${encodeURIComponent(channelName)}`;
                fetch('/pusher/auth', {
                  method: 'POST',
                  headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Tab': 'custom' },
                  body,
                })
                  .then((r) => r.json())
                  .then((data) => callback(null, data), callback);
              },
            },
          },
        }),
      viaProxy(),
    );
    await w.tabs[0].run(subscribe, { channel: 'private-shared-h' });
    await w.tabs[1].run(subscribe, { channel: 'private-shared-c' });
    // Each tab now takes the other's channel: already authorized, no request.
    await w.tabs[1].run(subscribe, { channel: 'private-shared-h' });
    await w.tabs[0].run(subscribe, { channel: 'private-shared-c' });
    const requests = auth.requests.map((r) => [r.form.channel_name, r.headers['x-tab'], r.headers.cookie ?? null]);
    assert.deepEqual(requests, [
      ['private-shared-h', 'zero', 'tab=zero'],
      ['private-shared-c', 'custom', 'tab=zero'],
    ]);
  } finally {
    await w.close();
  }
});

test('on reconnect, a live tab that holds the channel re-authorizes it', async () => {
  auth.reset();
  const w = await openTabs(2);
  try {
    for (const [i, tab] of w.tabs.entries()) {
      await tab.run((a) => connect({ ...a, options: { ...a.options, auth: { headers: { 'X-Tab': a.tab } } } }), {
        ...viaProxy(),
        tab: String(i),
      });
      // (the tab's header comes with the deprecated `auth.headers`, as Laravel Echo passes it)
    }
    await w.tabs[0].run(subscribe, { channel: 'private-shared-r' });
    await w.tabs[1].run(subscribe, { channel: 'private-shared-r' });
    assert.deepEqual(
      auth.requests.map((r) => r.headers['x-tab']),
      ['0'],
    );
    await w.tabs[0].close();
    proxy.cutAll();
    await w.tabs[1].run(() =>
      window.log.waitForCount(
        (e) => e[0] === 'global' && e[2] === 'pusher:subscription_succeeded',
        2,
        'subscribed again',
        { timeout: 10000 },
      ),
    );
    const again = auth.requests.slice(1);
    assert.ok(again.length >= 1, 'authorized again');
    assert.equal(again.at(-1).headers['x-tab'], '1', 'by the live tab');
    assert.notEqual(again.at(-1).form.socket_id, auth.requests[0].form.socket_id, 'for the new connection');
  } finally {
    await w.close();
  }
});

test('if the authorizing tab closes mid-request, another tab that holds the channel authorizes it', async () => {
  auth.reset();
  auth.set('private-shared-m', ['hang', 'ok']);
  const w = await openTabs(2);
  try {
    for (const tab of w.tabs) await tab.run(connect, viaProxy());
    await w.tabs[0].run((a) => void window.p.subscribe(a.channel), { channel: 'private-shared-m' });
    await until(() => auth.requests.length === 1, 'the first request');
    const pending = w.tabs[1].run(subscribe, { channel: 'private-shared-m' });
    await w.tabs[0].close();
    assert.deepEqual(await pending, { subscribed: true });
    assert.equal(auth.requests.length, 2, 'asked again, once');
  } finally {
    auth.releaseHung();
    await w.close();
  }
});

test('client events reach the other tabs holding the channel, with the metadata a separate connection sees', async () => {
  auth.reset();
  const w = await openTabs(2);
  const elsewhere = await openTabs(1);
  try {
    const presence = (user) =>
      viaProxy({ channelAuthorization: { endpoint: '/pusher/auth', params: { user_id: user } } });
    for (const tab of w.tabs) await tab.run(connect, presence('u1'));
    await elsewhere.tabs[0].run(connect, presence('u2'));
    const events = ['client-typing', 'barrier'];
    for (const tab of [...w.tabs, ...elsewhere.tabs])
      await tab.run(subscribe, { channel: 'presence-shared-chat', events });
    const sent = await w.tabs[0].run(() =>
      window.p.channel('presence-shared-chat').trigger('client-typing', { on: true }),
    );
    assert.equal(sent, true);
    // The barrier is published once the client event has reached both receivers (it and the
    // client event travel to the other browser by different roads).
    for (const tab of [w.tabs[1], elsewhere.tabs[0]]) {
      await tab.run(eventsOn, { channel: 'presence-shared-chat', until: 'client-typing' });
    }
    await env.sdk.trigger('presence-shared-chat', 'barrier', {});
    const seen = (tab) => tab.run(eventsOn, { channel: 'presence-shared-chat', until: 'barrier' });
    const typing = ['client-typing', { on: true }];
    const barrier = ['barrier', {}, {}];
    // The protocol gives presence client events the sender's user_id (Pusher does); sockudo
    // leaves it out (shared/PROTOCOL.md, known gaps), so the other browser gets {} from it.
    assert.deepEqual(await seen(w.tabs[1]), [[...typing, { user_id: 'u1' }], barrier], 'the other tab of the browser');
    assert.deepEqual(await seen(elsewhere.tabs[0]), [[...typing, {}], barrier], 'another browser, through sockudo');
    assert.deepEqual(await seen(w.tabs[0]), [barrier], 'not echoed to the sender');
  } finally {
    await elsewhere.close();
    await w.close();
  }
});

test('presence: one membership at the server, the same members, me and member events in every tab', async () => {
  auth.reset();
  const w = await openTabs(2);
  const other = await openTabs(1);
  const users = async () =>
    (await env.sdk.get({ path: '/channels/presence-shared-room/users', params: {} }).then((r) => r.json())).users;
  try {
    const as = (user) => viaProxy({ channelAuthorization: { endpoint: '/pusher/auth', params: { user_id: user } } });
    for (const tab of w.tabs) await tab.run(connect, as('u1'));
    const joinAndWatch = async (a) => {
      await (async () => {
        const ch = window.p.subscribe(a.channel);
        ch.bind('pusher:member_added', (m) => window.log.push(['added', m.id]));
        ch.bind('pusher:member_removed', (m) => window.log.push(['removed', m.id]));
        await new Promise((resolve) => ch.bind('pusher:subscription_succeeded', resolve));
      })();
      const m = window.p.channel(a.channel).members;
      return { count: m.count, me: m.me, ids: Object.keys(m.members).sort() };
    };
    const snap0 = await w.tabs[0].run(joinAndWatch, { channel: 'presence-shared-room' });
    const snap1 = await w.tabs[1].run(joinAndWatch, { channel: 'presence-shared-room' });
    assert.equal(snap0.me.id, 'u1');
    assert.deepEqual({ count: snap0.count, ids: snap0.ids }, { count: 1, ids: ['u1'] });
    assert.deepEqual(snap1, snap0);
    assert.equal(auth.requests.length, 1, 'one authorization');
    assert.deepEqual(await users(), [{ id: 'u1' }]);
    await other.tabs[0].run(connect, as('u2'));
    await other.tabs[0].run(joinAndWatch, { channel: 'presence-shared-room' });
    await other.close();
    for (const tab of w.tabs) {
      const seen = await tab.run(async () => {
        await window.log.waitFor((e) => e[0] === 'removed', 'u2 leaving');
        const m = window.p.channel('presence-shared-room').members;
        return { events: window.log.entries.filter((e) => e[0] === 'added' || e[0] === 'removed'), count: m.count };
      });
      assert.deepEqual(seen, {
        events: [
          ['added', 'u2'],
          ['removed', 'u2'],
        ],
        count: 1,
      });
    }
  } finally {
    await w.close();
  }
});

test('a closed tab releases its subscriptions within seconds', async () => {
  const w = await openTabs(2);
  const occupied = async () =>
    (await env.sdk.get({ path: '/channels/shared-solo', params: {} }).then((r) => r.json())).occupied;
  try {
    for (const tab of w.tabs) await tab.run(connect, viaProxy());
    await w.tabs[0].run(subscribe, { channel: 'shared-solo' });
    assert.equal(await occupied(), true);
    await w.tabs[0].close();
    const ms = await until(async () => !(await occupied()), 'the closed tab to let go', 5000);
    console.log(`a closed tab's channel was released ${ms} ms after the tab closed`);
    assert.equal(proxy.connections.length, 1, 'the connection stays for the other tab');
  } finally {
    await w.close();
  }
});

test('a reload keeps the connection; when the last tab is gone it closes after a short grace', async () => {
  const before = proxy.accepted;
  const w = await openTabs(1);
  try {
    const first = await w.tabs[0].run(connect, viaProxy());
    await w.tabs[0].session.page.reload();
    await w.tabs[0].run(() => window.__harness.ready);
    const again = await w.tabs[0].run(connect, viaProxy());
    assert.equal(again, first, 'the same connection after the reload');
    assert.equal(proxy.accepted - before, 1);
    const closedAt = Date.now();
    await w.tabs[0].close();
    const ms = await until(() => proxy.connections.length === 0, 'the connection to close', 10000);
    console.log(`the last tab closed: the connection closed ${ms} ms later (grace 5 s)`);
    assert.ok(Date.now() - closedAt >= 4000, 'not at once: a reload would have found it');
  } finally {
    await w.close();
  }
});

test('a page event in any tab checks the connection at once', async () => {
  fake.reset({});
  const w = await openTabs(2);
  try {
    const args = { key: 'app-key', options: clientOptions(fake.port) };
    for (const tab of w.tabs) await tab.run(connect, args);
    // The server goes silent; the second tab comes back into view.
    for (const c of fake.connections) c.options.answerPings = false;
    await w.tabs[1].run(() => {
      H.comeIntoView();
    });
    const seen = await w.tabs[0].run(async () => {
      const t0 = window.log.now();
      await window.log.waitFor((e) => e[0] === 'state' && e[2] === 'connecting', 'the dead connection noticed', {
        timeout: 5000,
      });
      return { ms: window.log.now() - t0 };
    });
    assert.ok(seen.ms <= 3500, `noticed after ${seen.ms} ms`);
    assert.equal(fake.connections.filter((c) => c.frames.some((f) => f.json?.event === 'pusher:ping')).length, 1);
  } finally {
    await w.close();
  }
});

test("a tab whose own timers cannot run does not delay the shared connection's pings", async () => {
  // A busy tab (its event loop blocked for 3 s) stands in for a throttled or frozen one: in a
  // page, the engine's timers are the page's; in the SharedWorker they are not.
  const result = {};
  for (const mode of ['shared', 'page']) {
    fake.reset({ activityTimeout: 1 });
    const w = await openTabs(1, { mode });
    try {
      await w.tabs[0].run(connect, { key: 'app-key', options: clientOptions(fake.port) });
      const conn = fake.connections.at(-1);
      const from = conn.frames.length;
      const blockedAt = Date.now();
      await w.tabs[0].run(() => {
        const until = Date.now() + 3000;
        while (Date.now() < until) {
          // the tab's event loop is blocked: its own timers cannot run
        }
      });
      const ping = () => conn.frames.slice(from).find((f) => f.json?.event === 'pusher:ping');
      await until(ping, `a ping (${mode})`, 5000);
      result[mode] = ping().at - blockedAt;
    } finally {
      await w.close();
    }
  }
  console.log(`first ping after the tab was blocked for 3 s: shared ${result.shared} ms, page ${result.page} ms`);
  assert.ok(result.shared < 2500, `shared: the worker pinged at ${result.shared} ms, while the tab was blocked`);
  assert.ok(result.page >= 2900, `page: the page's engine pinged at ${result.page} ms, once the page ran again`);
});

test('without SharedWorker (Chrome on Android), shared: true runs the engine in the page', async () => {
  const w = await openTabs(1, { mode: 'page' });
  try {
    const socketId = await w.tabs[0].run(async (a) => {
      delete window.SharedWorker;
      return connect({ ...a, options: { ...a.options, shared: true } });
    }, viaProxy());
    assert.match(socketId, /^\d+\.\d+$/);
    assert.equal(w.tabs[0].session.websockets.length, 1, "the page's own socket");
    assert.equal(workerObserver(env.browser).workerCount(w.contextId), 0);
  } finally {
    await w.close();
  }
});

test('X-Socket-ID: every tab shares the socket_id, so toOthers() skips every tab of the browser', async () => {
  const w = await openTabs(2);
  try {
    for (const tab of w.tabs) {
      await tab.run(connect, viaProxy());
      await tab.run(subscribe, { channel: 'shared-others' });
    }
    const socketId = await w.tabs[0].run(() => window.p.connection.socket_id);
    await env.sdk.trigger('shared-others', 'ev', { from: 'tab 0' }, { socket_id: socketId });
    await env.sdk.trigger('shared-others', 'barrier', {});
    for (const tab of w.tabs) {
      assert.deepEqual(await tab.run(eventsOn, { channel: 'shared-others', until: 'barrier' }), [['barrier', {}, {}]]);
    }
  } finally {
    await w.close();
  }
});

test("200 tabs opened and closed leave the worker's memory flat", async () => {
  const w = await openTabs(1);
  const observer = workerObserver(env.browser);
  try {
    await w.tabs[0].run(connect, viaProxy());
    const cycle = async (n) => {
      for (let i = 0; i < n; i++) {
        const tab = await w.open();
        await tab.run(connect, viaProxy());
        await tab.run(subscribe, { channel: `shared-cycle-${i % 7}` });
        await tab.close();
      }
      // The tabs' sessions are closed by their locks' release: wait for every channel to go.
      let left;
      const closedAt = Date.now();
      await until(
        async () => {
          const res = await env.sdk.get({ path: '/channels', params: { filter_by_prefix: 'shared-cycle-' } });
          left = (await res.json()).channels;
          return Object.keys(left).length === 0;
        },
        'the closed tabs to let go',
        20000,
      ).catch((err) => {
        throw new Error(`${err.message}: still occupied ${JSON.stringify(left)}`);
      });
      console.log(`the last of ${n} tabs let go ${Date.now() - closedAt} ms after it closed`);
    };
    await cycle(20);
    const base = await observer.memory(w.contextId);
    await cycle(200);
    const after = await observer.memory(w.contextId);
    console.log(`worker memory after 20 and after 220 tab cycles: ${JSON.stringify(base)} -> ${JSON.stringify(after)}`);
    assert.equal(after.wasm, base.wasm, 'wasm memory did not grow');
    assert.ok(after.jsHeap - base.jsHeap < 256 * 1024, `JS heap grew ${after.jsHeap - base.jsHeap} B`);
    assert.equal(proxy.connections.length, 1);
  } finally {
    await w.close();
  }
});
