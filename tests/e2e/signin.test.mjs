// User sign-in against a real server (sockudo): `userAuthentication` with the SDK's
// `authenticateUser`, `pusher.signin()`, events sent with the SDK's `sendToUser` reaching
// `pusher.user.bind`, failures as `pusher:signin_error`, sign-in again after a reconnect,
// `terminateUserConnections`; and the watchlist on the fake server. Each scenario runs on pusher-js
// and pusher-wasm.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnBoth, checkBoth, parsedFrames, clientOptions, establishedSockets } from '../support/scenario.mjs';
import { pageHandlers } from '../fake-server/index.mjs';
import { startAuthEnv, onlyNetworkConsoleErrors } from '../support/auth-server.mjs';

let env;
let auth;
let sdk;
let fake;
let close;
before(async () => {
  ({ env, sdk, auth, fake, close } = await startAuthEnv());
});
after(() => close?.());

const handlers = () => ({
  ...env.sdkHandlers(),
  ...auth.handlers(),
  async sendToUser(userId, event, data) {
    const res = await sdk.sendToUser(userId, event, data);
    if (res.status !== 200) throw new Error(`sendToUser: HTTP ${res.status}`);
    return true;
  },
  async terminateUserConnections(userId) {
    const res = await sdk.terminateUserConnections(userId);
    return res.status;
  },
});
const run = (scenario, extra = {}, opts = {}) =>
  runOnBoth(env, scenario, env.clientArgs(extra), { handlers, setup: () => auth.reset(), ...opts });

const SIGNATURE = /^app-key:[0-9a-f]{64}$/;
/** pusher:signin and pusher:subscribe frames a page sent, signatures checked and replaced. */
function signinFrames(ws) {
  return parsedFrames(ws.sent)
    .filter((f) => f.event === 'pusher:signin' || f.event === 'pusher:subscribe')
    .map((f) => {
      if (!f.data.auth) return f;
      assert.match(f.data.auth, SIGNATURE);
      return { ...f, data: { ...f.data, auth: '<signature>' } };
    });
}

test('signin(): user authentication, pusher:signin, #server-to-user, sendToUser reaches pusher.user', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, {
      ...a.options,
      userAuthentication: {
        endpoint: '/pusher/user-auth',
        params: { user_id: 'alice' },
        headers: { 'X-User-Header': 'u' },
        headersProvider: () => ({ 'X-Provided': 'yes' }),
      },
    });
    const log = H.createLog();
    p.connection.bind('message', (m) => {
      if (m.event.startsWith('pusher:signin') || (m.channel || '').startsWith('#')) {
        log.push(['message', m.event, m.channel === undefined ? null : m.channel]);
      }
    });
    p.user.bind('note', function () {
      log.push(['user', 'note', H.ser(Array.from(arguments))]);
    });
    p.user.bind_global((name, data) => log.push(['user-global', name, H.ser(data)]));
    const before = { signin_requested: p.user.signin_requested, user_data: H.ser(p.user.user_data) };
    // before connected: pusher-js signs in once the connection is up; twice is once
    p.signin();
    p.user.signin();
    await log.waitFor(
      (e) => e[1] === 'pusher_internal:subscription_succeeded' && e[2] === '#server-to-user-alice',
      'subscribed to #server-to-user-alice',
    );
    const after = { signin_requested: p.user.signin_requested, user_data: H.ser(p.user.user_data) };
    await node('sendToUser', 'alice', 'note', { x: 1 });
    await log.waitFor((e) => e[0] === 'user', 'note');
    const requests = await node('auth.requests');
    const sid = p.connection.socket_id;
    return {
      before,
      after,
      entries: log.entries,
      requests: requests.map((r) => ({ ...r, body: r.body.split(encodeURIComponent(sid)).join('<sid>') })),
      channels: p.allChannels().map((c) => c.name),
    };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.entries, [
      ['message', 'pusher:signin_success', null],
      ['message', 'pusher_internal:subscription_succeeded', '#server-to-user-alice'],
      // global callbacks first; the user's events come without metadata. pusher.user handles the
      // frame before the connection's `message` callbacks bound by the app.
      ['user-global', 'note', { x: 1 }],
      ['user', 'note', [{ x: 1 }]],
      ['message', 'note', '#server-to-user-alice'],
    ]);
    assert.deepEqual(obs.requests, [
      {
        kind: 'user',
        path: '/pusher/user-auth',
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-user-header': 'u',
          'x-provided': 'yes',
        },
        body: 'socket_id=<sid>&user_id=alice',
        form: { socket_id: '<socket_id>', user_id: 'alice' },
      },
    ]);
    // the server-to-user channel is not one of pusher.channels
    assert.deepEqual(obs.channels, []);
    assert.deepEqual(signinFrames(r.websockets[0]), [
      { event: 'pusher:signin', data: { auth: '<signature>', user_data: '{"id":"alice"}' } },
      { event: 'pusher:subscribe', data: { auth: '', channel: '#server-to-user-alice' } },
    ]);
    // pusher.user's public fields
    assert.deepEqual(obs.before, { signin_requested: false, user_data: null });
    assert.deepEqual(obs.after, { signin_requested: true, user_data: { id: 'alice' } });
  });
});

test('failing user authentication: pusher:signin_error on pusher.user (403, invalid JSON, customHandler)', async () => {
  const runs = await run(
    async (a) => {
      const out = { user_data: {} };
      const log = H.createLog();
      const make = (name, userAuthentication) => {
        const p = new Pusher(a.key, { ...a.options, userAuthentication });
        p.user.bind('pusher:signin_error', function () {
          out[name] = { args: H.ser(Array.from(arguments)) };
          out.user_data[name] = H.ser(p.user.user_data);
          log.push(name);
        });
        p.signin();
        return p;
      };
      await node('auth.set', 'user', [{ status: 403, body: 'no' }, 'badjson']);
      const p403 = make('403', { endpoint: '/pusher/user-auth' });
      await log.waitFor((e) => e === '403', '403 signin error'); // the endpoint answers in turn
      const pJson = make('badjson', { endpoint: '/pusher/user-auth' });
      const pCustom = make('custom', { customHandler: (params, cb) => cb(new Error('custom no'), null) });
      await log.waitForCount(() => true, 3, 'three signin errors');
      out.counts = log.entries.slice().sort();
      out.states = [p403, pJson, pCustom].map((p) => p.connection.state);
      return out;
    },
    {},
    { allowConsoleErrors: true },
  );
  checkBoth(runs, (obs, r) => {
    const { user_data, ...rest } = obs;
    assert.deepEqual(rest, {
      403: {
        args: [
          {
            type: 'AuthError',
            error:
              'Unable to retrieve auth string from user-authentication endpoint - received status: 403 from /pusher/user-auth. See: https://pusher.com/docs/channels/server_api/authenticating_users',
            status: 403,
          },
        ],
      },
      badjson: {
        args: [
          {
            type: 'AuthError',
            error:
              'JSON returned from user-authentication endpoint was invalid, yet status code was 200. Data was: this is not json',
            status: 200,
          },
        ],
      },
      custom: { args: [{ type: 'AuthError', error: 'custom no' }] },
      counts: ['403', 'badjson', 'custom'],
      states: ['connected', 'connected', 'connected'],
    });
    onlyNetworkConsoleErrors(r.consoleErrors);
    // nothing was sent for a failed sign-in
    for (const ws of r.websockets) assert.deepEqual(signinFrames(ws), []);
    assert.deepEqual(user_data, { 403: null, badjson: null, custom: null });
  });
});

test('sign-in is redone after a reconnect, with the new socket_id', async () => {
  const runs = await run(
    async (a) => {
      const p = new Pusher(a.key, { ...a.options, userAuthentication: { params: { user_id: 'rita' } } });
      const log = H.createLog();
      H.recordStates(p, log);
      p.connection.bind('message', (m) => {
        if (m.event === 'pusher:signin_success' || m.channel === '#server-to-user-rita') log.push(['message', m.event]);
      });
      p.user.bind('note', (d) => log.push(['note', d]));
      p.signin();
      const subscribed = (n) =>
        log.waitForCount((e) => e[1] === 'pusher_internal:subscription_succeeded', n, 'server-to-user subscribed', {
          timeout: 25000,
        });
      await subscribed(1);
      const firstId = p.connection.socket_id;
      // SIGKILL: dropped without a close frame; a retry that finds the port still closed tries again
      await node('restartServer', { signal: 'SIGKILL' });
      await subscribed(2);
      await node('sendToUser', 'rita', 'note', 'after');
      await log.waitFor((e) => e[0] === 'note', 'note');
      const requests = await node('auth.requests');
      return {
        entries: log.entries,
        requests: requests.length,
        idsMatch:
          requests.length === 2 &&
          requests[0].form.socket_id === firstId &&
          requests[1].form.socket_id === p.connection.socket_id &&
          firstId !== p.connection.socket_id,
        user_data: p.user.user_data,
      };
    },
    {},
    { timeoutMs: 40000, allowConsoleErrors: true },
  );
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.entries, [
      ['state', 'connecting', 'connected'],
      ['message', 'pusher:signin_success'],
      ['message', 'pusher_internal:subscription_succeeded'],
      ['state', 'connected', 'connecting'],
      ['state', 'connecting', 'connected'],
      ['message', 'pusher:signin_success'],
      ['message', 'pusher_internal:subscription_succeeded'],
      ['note', 'after'],
      ['message', 'note'],
    ]);
    assert.equal(obs.requests, 2);
    assert.equal(obs.idsMatch, true);
    assert.deepEqual(
      establishedSockets(r.websockets).map((ws) => signinFrames(ws).map((f) => f.event)),
      [
        ['pusher:signin', 'pusher:subscribe'],
        ['pusher:signin', 'pusher:subscribe'],
      ],
    );
    onlyNetworkConsoleErrors(r.consoleErrors);
    assert.deepEqual(obs.user_data, { id: 'rita' });
  });
});

const TERMINATED = { type: 'PusherError', data: { code: 4009, message: 'You got disconnected by the app.' } };

test('terminateUserConnections: the signed-in user is disconnected, another user stays', async () => {
  const runs = await run(
    async (a) => {
      const make = (user, extra = {}) => {
        const p = new Pusher(a.key, { ...a.options, ...extra, userAuthentication: { params: { user_id: user } } });
        const log = H.createLog();
        H.watch(p, log);
        p.connection.bind('message', (m) => {
          if (m.event === 'pusher:signin_success' || (m.channel || '').startsWith('#')) log.push(['message', m.event]);
        });
        p.user.bind('note', (d) => log.push(['note', d]));
        p.signin();
        return { p, log };
      };
      const terry = make('terry');
      // A connection signs in one user: with the shared engine, two users in one browser need
      // connections of their own, which other options give them.
      const bob = make('bob', H.mode === 'shared' ? { activityTimeout: 119000 } : {});
      for (const c of [terry, bob]) {
        await c.log.waitFor((e) => e[1] === 'pusher_internal:subscription_succeeded', 'signed in');
      }
      const status = await node('terminateUserConnections', 'terry');
      await terry.log.waitFor((e) => e[0] === 'state' && e[2] === 'disconnected', 'disconnected', { timeout: 5000 });
      // bob is still there
      await node('sendToUser', 'bob', 'note', 'still here');
      await bob.log.waitFor((e) => e[0] === 'note', 'note to bob');
      // no retry follows a 4009 close: an observation window
      await H.quietPeriod(1500);
      return {
        status,
        terry: {
          entries: terry.log.entries,
          state: terry.p.connection.state,
          user_data: H.ser(terry.p.user.user_data),
        },
        bob: { entries: bob.log.entries, state: bob.p.connection.state },
      };
    },
    {},
    { allowConsoleErrors: true },
  );
  checkBoth(runs, (obs, r) => {
    assert.equal(obs.status, 200);
    const { user_data, ...terry } = obs.terry;
    assert.deepEqual(terry, {
      entries: [
        ['state', 'connecting', 'connected'],
        ['message', 'pusher:signin_success'],
        ['message', 'pusher_internal:subscription_succeeded'],
        // pusher-js: the pusher:error frame, the 4009 close, and the close again as a WebSocketError
        ['error', TERMINATED],
        ['error', TERMINATED],
        ['error', { type: 'WebSocketError', error: TERMINATED }],
        ['state', 'connected', 'disconnected'],
      ],
      state: 'disconnected',
    });
    assert.deepEqual(obs.bob, {
      entries: [
        ['state', 'connecting', 'connected'],
        ['message', 'pusher:signin_success'],
        ['message', 'pusher_internal:subscription_succeeded'],
        ['note', 'still here'],
        ['message', 'note'],
      ],
      state: 'connected',
    });
    assert.equal(r.websockets.length, 2); // no reconnect
    onlyNetworkConsoleErrors(r.consoleErrors);
    assert.deepEqual(user_data, null); // signed out with the connection
  });
});

test('fake server: the watchlist (pusher_internal:watchlist_events) after a sign-in', async () => {
  const fakeHandlers = {
    ...pageHandlers(fake),
    'fake.subscribeFrame': async (channel) =>
      (await fake.latest.frame((f) => f.json?.event === 'pusher:subscribe' && f.json.data?.channel === channel)).json,
  };
  const runs = await runOnBoth(
    env,
    async (a) => {
      const userData = JSON.stringify({ id: 'w', watchlist: ['a', 'b', 'c'] });
      const p = new Pusher(a.key, {
        ...a.options,
        userAuthentication: { customHandler: (params, cb) => cb(null, { auth: 'app-key:fake', user_data: userData }) },
      });
      const log = H.createLog();
      for (const ev of ['online', 'offline']) {
        p.user.watchlist.bind(ev, function () {
          log.push(['watchlist', ev, H.ser(Array.from(arguments))]);
        });
      }
      p.user.watchlist.bind_global((name, data) => log.push(['watchlist-global', name, H.ser(data)]));
      p.user.bind('end', () => log.push(['end']));
      p.user.bind_global((name) => log.push(['user-global', name]));
      await H.waitState(p, 'connected');
      p.signin();
      const signin = (await node('fake.frame', 'pusher:signin')).json;
      await node('fake.send', { event: 'pusher:signin_success', data: { user_data: userData } });
      const sub = await node('fake.subscribeFrame', '#server-to-user-w'); // the fake answers it
      await node('fake.sendEvent', 'pusher_internal:watchlist_events', {
        events: [
          { name: 'online', user_ids: ['a', 'b'] },
          { name: 'offline', user_ids: ['c'] },
        ],
      });
      await node('fake.sendEvent', 'end', {}, '#server-to-user-w');
      await log.waitFor((e) => e[0] === 'end', 'end');
      return { signin, sub, entries: log.entries, user_data: p.user.user_data };
    },
    { key: 'app-key', options: clientOptions(fake.port) },
    { handlers: fakeHandlers, setup: () => fake.reset() },
  );
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.signin, {
      event: 'pusher:signin',
      data: { auth: 'app-key:fake', user_data: '{"id":"w","watchlist":["a","b","c"]}' },
    });
    assert.deepEqual(obs.sub, { event: 'pusher:subscribe', data: { auth: '', channel: '#server-to-user-w' } });
    assert.deepEqual(obs.entries, [
      ['watchlist-global', 'online', { name: 'online', user_ids: ['a', 'b'] }],
      ['watchlist', 'online', [{ name: 'online', user_ids: ['a', 'b'] }]],
      ['watchlist-global', 'offline', { name: 'offline', user_ids: ['c'] }],
      ['watchlist', 'offline', [{ name: 'offline', user_ids: ['c'] }]],
      ['user-global', 'end'],
      ['end'],
    ]);
    assert.deepEqual(obs.user_data, { id: 'w', watchlist: ['a', 'b', 'c'] });
  });
});
