// Laravel Echo end to end against sockudo, three ways (tests/support/echo-env.mjs):
// laravel-echo 2.5.0 from npm over pusher-js 8.6.0 (the oracle), laravel-echo over pusher-wasm,
// and pusher-wasm's own `Echo`. laravel-echo over pusher-wasm must observe exactly what it
// observes over pusher-js; pusher-wasm's Echo too, except where it deliberately does better than
// laravel-echo: each such `ours` transform names the improvement, E1-E9 as listed at the top of
// src/package/echo.js (leave unbinds, removable here/joining/leaving, socketIdAsync, one call
// per status change, same-origin interceptors, copied options, stopListening removes only what
// Echo bound, listenToAll with namespace '', our own Pusher when none is given).
//
// laravel-echo finds its client three ways (`client`, `Pusher`, `window.Pusher`); the first test
// runs all three for the `pusher` and `reverb` broadcasters, the others use `window.Pusher` with
// `reverb` (what Laravel's `install:broadcasting` writes).

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startEchoEnv,
  runEcho,
  runEchoPages,
  checkEcho,
  sentFrames,
  FAILED_REQUEST,
  OURS,
} from '../support/echo-env.mjs';

let env;
before(async () => {
  env = await startEchoEnv();
});
after(async () => {
  await env?.close();
});

const run = (scenario, extra = {}, opts = {}) => runEcho(env, scenario, env.args(extra), opts);
const pagesRun = (count, driver, opts = {}) => runEchoPages(env, count, driver, opts);

/** What a run's first page sent: [event, channel] per frame (auth signatures differ per socket). */
const summary = (r) => sentFrames(r.websockets[0]).map((f) => [f.event, f.data?.channel ?? null]);
/**
 * Every variant's page sent the same frames as the oracle's: in order, or with `sorted` as a set
 * (subscriptions that wait for parallel auth requests go out in the order those answer).
 */
function sameFrames(runs, { sorted = false } = {}) {
  const of = (r) =>
    sorted
      ? summary(r)
          .map((x) => JSON.stringify(x))
          .sort()
      : summary(r);
  const [first, ...rest] = Object.values(runs);
  for (const r of rest) assert.deepEqual(of(r), of(first), `${r.variant} sent other frames than ${first.variant}`);
  return of(first);
}

test('Echo finds its client three ways (client, Pusher, window.Pusher) for the pusher and reverb broadcasters', async () => {
  const runs = await run(async (a) => {
    class AppPusher extends Pusher {}
    const echos = {};
    const clients = {};
    for (const broadcaster of ['reverb', 'pusher']) {
      const base = { ...a.echo, broadcaster, ...(broadcaster === 'pusher' ? { cluster: 'mt1' } : {}) };
      clients[broadcaster] = new Pusher(a.key, { ...base, cluster: broadcaster === 'pusher' ? 'mt1' : '' });
      echos[`${broadcaster}: client`] = new Echo({ ...base, client: clients[broadcaster] });
      echos[`${broadcaster}: Pusher`] = new Echo({ ...base, Pusher: AppPusher });
      echos[`${broadcaster}: window.Pusher`] = new Echo({ ...base });
    }
    const log = H.createLog();
    for (const [way, echo] of Object.entries(echos)) {
      echo.channel('ways').listen('Ping', (data) => log.push([way, data]));
    }
    await Promise.all(
      Object.values(echos).map((echo) => H.waitState(echo.connector.pusher, 'connected', { timeout: 8000 })),
    );
    await Promise.all(
      Object.values(echos).map((echo) => {
        const ch = echo.connector.pusher.channel('ways');
        return ch.subscribed ? null : H.once(ch, 'pusher:subscription_succeeded');
      }),
    );
    await node('trigger', 'ways', 'App\\Events\\Ping', { n: 1 });
    await log.waitForCount(() => true, 6, 'Ping on every Echo');
    const ways = {};
    for (const [way, echo] of Object.entries(echos)) {
      const p = echo.connector.pusher;
      const o = echo.connector.options;
      ways[way] = {
        client:
          p === clients[way.split(':')[0]]
            ? 'the given client'
            : p instanceof AppPusher
              ? 'AppPusher'
              : p.constructor === window.Pusher
                ? 'window.Pusher'
                : 'other',
        clientCluster: p.options.cluster,
        // What Echo hands to `new Pusher(key, options)` (its merged options).
        options: {
          // (pusher-js's encryption build writes `nacl` into the options it is given.)
          keys: Object.keys(o)
            .filter((k) => !['client', 'Pusher', 'nacl', 'shared'].includes(k))
            .sort(),
          broadcaster: o.broadcaster,
          cluster: o.cluster,
          authEndpoint: o.authEndpoint,
          auth: o.auth,
          userAuthentication: o.userAuthentication,
          namespace: o.namespace,
          csrfToken: o.csrfToken,
          bearerToken: o.bearerToken,
          host: o.host,
        },
        status: echo.connectionStatus(),
        socketIdIsTheClients: echo.socketId() === p.connection.socket_id && H.isSocketId(echo.socketId()),
      };
    }
    // No client anywhere: laravel-echo throws; pusher-wasm's Echo makes its own Pusher (E9).
    const saved = window.Pusher;
    delete window.Pusher;
    const none = H.captureThrow(() => {
      const echo = new Echo({ ...a.echo });
      const made = echo.connector.pusher;
      echo.disconnect();
      // (with the shared engine, window.Pusher was the harness's subclass of the package's)
      return made instanceof (H.sharedEngine?.Base ?? saved) ? 'made a pusher-wasm Pusher' : 'made something else';
    });
    window.Pusher = saved;
    for (const echo of Object.values(echos)) echo.disconnect();
    return { ways, received: log.entries.sort(), none };
  });
  checkEcho(
    runs,
    (obs, r) => {
      const optionKeys = [
        'auth',
        'authEndpoint',
        'bearerToken',
        'broadcaster',
        'cluster',
        'csrfToken',
        'enabledTransports',
        'forceTLS',
        'host',
        'key',
        'namespace',
        'userAuthentication',
        'wsHost',
        'wsPort',
        'wssPort',
      ];
      for (const broadcaster of ['reverb', 'pusher']) {
        for (const [how, client] of [
          ['client', 'the given client'],
          ['Pusher', 'AppPusher'],
          ['window.Pusher', 'window.Pusher'],
        ]) {
          const way = obs.ways[`${broadcaster}: ${how}`];
          assert.equal(way.client, client, `${broadcaster}: ${how}`);
          // reverb: Echo sets cluster '' whatever was given.
          assert.equal(way.options.cluster, broadcaster === 'reverb' ? '' : 'mt1');
          assert.equal(way.clientCluster, broadcaster === 'reverb' ? '' : 'mt1');
          assert.deepEqual(way.options, {
            keys: optionKeys,
            broadcaster,
            cluster: broadcaster === 'reverb' ? '' : 'mt1',
            authEndpoint: '/broadcasting/auth',
            auth: { headers: {} },
            userAuthentication: { endpoint: '/broadcasting/user-auth', headers: {} },
            namespace: 'App.Events',
            csrfToken: null,
            bearerToken: null,
            host: null,
          });
          assert.equal(way.status, 'connected');
          assert.equal(way.socketIdIsTheClients, true);
        }
      }
      assert.equal(obs.received.length, 6);
      for (const [, data] of obs.received) assert.deepEqual(data, { n: 1 });
      // Every client connected once, to sockudo, with pusher-js's URL; with the shared engine,
      // all of them (equal options) through one connection.
      const urls = r.websockets.map((w) => w.url);
      assert.equal(urls.length, r.mode === 'shared' ? 1 : r.variant === OURS ? 7 : 6);
      for (const url of urls)
        assert.equal(
          url,
          `ws://127.0.0.1:${env.sockudo.port}/app/app-key?protocol=7&client=js&version=8.6.0&flash=false`,
        );
      if (r.variant === OURS) assert.deepEqual(obs.none, { threw: false, value: 'made a pusher-wasm Pusher' });
      else {
        assert.deepEqual(obs.none, {
          threw: true,
          typeof: 'object',
          isError: true,
          class: 'Error',
          name: 'Error',
          message: 'Pusher client not found. Should be globally available or passed via options.client',
        });
      }
    },
    { ours: (o) => ({ ...o, none: { threw: false, value: 'made a pusher-wasm Pusher' } }) }, // E9
  );
});

test('listen(): the App.Events namespace, a leading dot or backslash, a custom namespace, namespace: false', async () => {
  const runs = await run(async (a) => {
    // One log per Echo: each has its own connection, and only one connection's events are ordered.
    const logs = { plain: H.createLog(), custom: H.createLog(), none: H.createLog() };
    const rec = (tag) =>
      function (data, metadata) {
        logs[tag.split(' ')[0]].push([tag, H.ser(Array.from(arguments)), this === window]);
      };
    const plain = new Echo({ ...a.echo });
    const custom = new Echo({ ...a.echo, namespace: 'Domain.Billing' });
    const none = new Echo({ ...a.echo, namespace: false });
    const returned = plain
      .channel('ns')
      .listen('OrderShipped', rec('plain OrderShipped'))
      .listen('.order.shipped', rec('plain .order.shipped'))
      .listen('Orders.Shipped', rec('plain Orders.Shipped'))
      .listen('\\Custom\\Thing', rec('plain \\Custom\\Thing'));
    const chained = returned === plain.channel('ns');
    plain.listen('ns', 'ViaEcho', rec('plain echo.listen ViaEcho'));
    custom.channel('ns').listen('Paid', rec('custom Paid')).listen('.Paid', rec('custom .Paid'));
    none.channel('ns').listen('Paid', rec('none Paid')).listen('Billing.Paid', rec('none Billing.Paid'));
    for (const [name, echo] of Object.entries({ plain, custom, none }))
      echo.channel('ns').listen('.done', rec(name + ' done'));
    await Promise.all(
      [plain, custom, none].map((echo) => new Promise((resolve) => echo.channel('ns').subscribed(resolve))),
    );
    for (const event of [
      'App\\Events\\OrderShipped',
      'order.shipped',
      'App\\Events\\Orders\\Shipped',
      'Custom\\Thing',
      'App\\Events\\ViaEcho',
      'Domain\\Billing\\Paid',
      'Paid',
      'Billing\\Paid',
      'OrderShipped',
    ]) {
      await node('trigger', 'ns', event, { event });
    }
    await node('trigger', 'ns', 'done', {});
    await Promise.all(Object.values(logs).map((log) => log.waitFor((e) => e[0].endsWith(' done'), 'done')));
    const formats = {};
    for (const [name, echo] of Object.entries({ plain, custom, none })) {
      const f = echo.channel('ns').eventFormatter;
      formats[name] = ['OrderShipped', '.order.shipped', 'Orders.Shipped', '\\A\\B', 'a.b.c', '.a.b'].map((e) =>
        f.format(e),
      );
    }
    for (const echo of [plain, custom, none]) echo.disconnect();
    const entries = {};
    for (const [name, log] of Object.entries(logs)) entries[name] = log.entries.filter((e) => !e[0].endsWith(' done'));
    return { chained, entries, formats };
  });
  checkEcho(runs, (obs) => {
    assert.equal(obs.chained, true);
    const got = (tag, event) => [tag, [{ event }, {}], true];
    assert.deepEqual(obs.entries, {
      plain: [
        got('plain OrderShipped', 'App\\Events\\OrderShipped'),
        got('plain .order.shipped', 'order.shipped'),
        got('plain Orders.Shipped', 'App\\Events\\Orders\\Shipped'),
        got('plain \\Custom\\Thing', 'Custom\\Thing'),
        got('plain echo.listen ViaEcho', 'App\\Events\\ViaEcho'),
      ],
      custom: [got('custom Paid', 'Domain\\Billing\\Paid'), got('custom .Paid', 'Paid')],
      none: [got('none Paid', 'Paid'), got('none Billing.Paid', 'Billing\\Paid')],
    });
    assert.deepEqual(obs.formats, {
      plain: [
        'App\\Events\\OrderShipped',
        'order.shipped',
        'App\\Events\\Orders\\Shipped',
        'A\\B',
        'App\\Events\\a\\b\\c',
        'a.b',
      ],
      custom: [
        'Domain\\Billing\\OrderShipped',
        'order.shipped',
        'Domain\\Billing\\Orders\\Shipped',
        'A\\B',
        'Domain\\Billing\\a\\b\\c',
        'a.b',
      ],
      none: ['OrderShipped', 'order.shipped', 'Orders\\Shipped', 'A\\B', 'a\\b\\c', 'a.b'],
    });
  });
});

test('listenToAll and stopListeningToAll, with the default namespace, namespace false and namespace ""', async () => {
  const runs = await run(async (a) => {
    const log = H.createLog();
    const rec = (tag) => (event, data) => log.push([tag, event, data]);
    const plain = new Echo({ ...a.echo });
    const none = new Echo({ ...a.echo, namespace: false });
    const empty = new Echo({ ...a.echo, namespace: '' });
    const first = rec('first');
    const ch = plain.channel('all');
    ch.listenToAll(first)
      .listenToAll(rec('second'))
      .listen('.barrier', () => log.push(['barrier']));
    none
      .channel('all')
      .listenToAll(rec('false'))
      .listen('.barrier', () => log.push(['barrier false']));
    empty
      .channel('all')
      .listenToAll(rec("''"))
      .listen('.barrier', () => log.push(["barrier ''"]));
    await Promise.all([plain, none, empty].map((e) => new Promise((r) => e.channel('all').subscribed(r))));
    const barrier = async (n) => {
      await node('trigger', 'all', 'barrier', { n });
      await log.waitForCount((e) => e[0] === 'barrier', n, 'barrier ' + n);
    };
    await node('trigger', 'all', 'App\\Events\\OrderShipped', { a: 1 });
    await node('trigger', 'all', 'order.shipped', { a: 2 });
    await node('trigger', 'all', 'Other\\Thing', { a: 3 });
    await barrier(1);
    log.push(['stopListeningToAll(first)']);
    ch.stopListeningToAll(first);
    await node('trigger', 'all', 'App\\Events\\Second', { a: 4 });
    await barrier(2);
    log.push(['stopListeningToAll()']);
    ch.stopListeningToAll();
    await node('trigger', 'all', 'App\\Events\\Third', { a: 5 });
    await barrier(3);
    await log.waitForCount((e) => e[0] === 'barrier false', 3);
    await log.waitForCount((e) => e[0] === "barrier ''", 3);
    for (const e of [plain, none, empty]) e.disconnect();
    // The plain Echo's log in order; the other two (separate connections) sorted.
    const mine = log.entries.filter((e) => !['false', "''", 'barrier false', "barrier ''"].includes(e[0]));
    const others = log.entries
      .filter((e) => ['false', "''"].includes(e[0]) && typeof e[2].a === 'number')
      .map((e) => JSON.stringify(e))
      .sort();
    return { mine, others };
  });
  const mine = [
    ['first', 'OrderShipped', { a: 1 }],
    ['second', 'OrderShipped', { a: 1 }],
    ['first', '.order.shipped', { a: 2 }],
    ['second', '.order.shipped', { a: 2 }],
    ['first', '.Other\\Thing', { a: 3 }],
    ['second', '.Other\\Thing', { a: 3 }],
    ['first', '.barrier', { n: 1 }],
    ['second', '.barrier', { n: 1 }],
    ['barrier'],
    ['stopListeningToAll(first)'],
    // laravel-echo bound a wrapper of `first`: stopListeningToAll(first) does not remove it.
    ['first', 'Second', { a: 4 }],
    ['second', 'Second', { a: 4 }],
    ['first', '.barrier', { n: 2 }],
    ['second', '.barrier', { n: 2 }],
    ['barrier'],
    ['stopListeningToAll()'],
    ['barrier'],
  ];
  const withoutFirstAfterStop = (list) => {
    const at = list.findIndex((e) => e[0] === 'stopListeningToAll(first)');
    return list.filter((e, i) => !(e[0] === 'first' && i > at));
  };
  // namespace false: every name is `.name`; namespace '': laravel-echo cuts the first character.
  const others = (cut) => {
    const out = [];
    for (const [event, data] of [
      ['App\\Events\\OrderShipped', { a: 1 }],
      ['order.shipped', { a: 2 }],
      ['Other\\Thing', { a: 3 }],
      ['App\\Events\\Second', { a: 4 }],
      ['App\\Events\\Third', { a: 5 }],
    ]) {
      out.push(
        JSON.stringify(['false', '.' + event, data]),
        JSON.stringify(["''", cut ? event.substring(1) : '.' + event, data]),
      );
    }
    return out.sort();
  };
  checkEcho(
    runs,
    (obs, r) => {
      assert.deepEqual(obs.mine, r.variant === OURS ? withoutFirstAfterStop(mine) : mine);
      assert.deepEqual(obs.others, others(r.variant !== OURS));
    },
    // E2: stopListeningToAll(first) removes it; E8: namespace '' keeps the whole name.
    { ours: (o) => ({ mine: withoutFirstAfterStop(o.mine), others: others(false) }) },
  );
});

test('stopListening with and without a callback; callbacks bound on the client channel directly; a subscribed() callback', async () => {
  const runs = await run(async (a) => {
    const log = H.createLog();
    const rec = (tag) => (data) => log.push([tag, data.n]);
    const echo = new Echo({ ...a.echo });
    const ch = echo.channel('stop');
    const cb1 = rec('A1');
    const cb5 = rec('c5');
    ch.listen('A', cb1).listen('A', rec('A2')).listen('B', rec('B3')).listen('B', rec('B4')).listen('.c', cb5);
    ch.listen('.done', () => log.push(['done']));
    await new Promise((r) => ch.subscribed(r));
    // Someone else's callback on the same client channel (a package, or app code).
    ch.subscription.bind('App\\Events\\B', rec('B raw'));
    const returns = [ch.stopListening('A', cb1) === ch, ch.stopListening('B') === ch];
    const trigger = async () => {
      for (const [event, n] of [
        ['App\\Events\\A', 1],
        ['App\\Events\\B', 2],
        ['c', 3],
        ['done', 0],
      ]) {
        await node('trigger', 'stop', event, { n });
      }
    };
    await trigger();
    await log.waitForCount((e) => e[0] === 'done', 1);
    ch.stopListening('.c', cb5);
    ch.stopListening('A');
    await trigger();
    await log.waitForCount((e) => e[0] === 'done', 2);
    // A subscribed() callback, removed through its raw event name; seen on the resubscription
    // after a reconnect.
    const gone = () => log.push(['subscribed (removed)']);
    ch.subscribed(gone).subscribed(() => log.push(['subscribed (kept)']));
    ch.stopListening('.pusher:subscription_succeeded', gone);
    echo.connector.pusher.disconnect();
    echo.connector.pusher.connect();
    await log.waitFor((e) => e[0] === 'subscribed (kept)');
    echo.disconnect();
    return { returns, entries: log.entries };
  });
  checkEcho(
    runs,
    (obs, r) => {
      assert.deepEqual(obs.returns, [true, true]);
      // laravel-echo's stopListening('B') unbinds every callback of the event, even ones it never bound.
      const raw = r.variant === OURS ? [['B raw', 2]] : [];
      // laravel-echo bound a wrapper of `gone`: stopListening with `gone` does not find it.
      const resubscribed =
        r.variant === OURS ? [['subscribed (kept)']] : [['subscribed (removed)'], ['subscribed (kept)']];
      assert.deepEqual(obs.entries, [['A2', 1], ...raw, ['c5', 3], ['done'], ...raw, ['done'], ...resubscribed]);
    },
    // E7: stopListening('B') removes the callbacks Echo bound, not the direct binding.
    // E2: stopListening('.pusher:subscription_succeeded', cb) finds subscribed()'s wrapper.
    {
      ours: (o) => ({
        ...o,
        entries: [['A2', 1], ['B raw', 2], ['c5', 3], ['done'], ['B raw', 2], ['done'], ['subscribed (kept)']],
      }),
    },
  );
});

test('subscribed() and error(): the AuthError of a 403 endpoint; the auth request Echo makes', async () => {
  const runs = await run(
    async (a) => {
      const log = H.createLog();
      const echo = new Echo({ ...a.echo, bearerToken: 'user-1', csrfToken: 'csrf-1' });
      echo.channel('pub').subscribed(function () {
        log.push(['pub subscribed', arguments.length]);
      });
      echo.private('orders').subscribed(() => log.push(['private subscribed']));
      echo.private('forbidden.1').error((error) => log.push(['forbidden error', error]));
      echo.join('forbidden.2').error((error) => log.push(['presence error', error]));
      await log.waitForCount(
        (e) => ['pub subscribed', 'private subscribed', 'forbidden error', 'presence error'].includes(e[0]),
        4,
        'all four',
      );
      const requests = await node('takeRequests', '/broadcasting/auth');
      echo.disconnect();
      return {
        entries: log.entries.sort(),
        requests: requests.sort((x, y) => (x.form.channel_name < y.form.channel_name ? -1 : 1)),
      };
    },
    {},
    { allowConsoleErrors: FAILED_REQUEST },
  );
  checkEcho(runs, (obs) => {
    const authError = (channel) => ({
      type: 'AuthError',
      error:
        'Unable to retrieve auth string from channel-authorization endpoint - received status: 403 from /broadcasting/auth. ' +
        'Clients must be authorized to join private or presence channels. See: https://pusher.com/docs/channels/server_api/authorizing-users/',
      status: 403,
    });
    assert.deepEqual(obs.entries, [
      ['forbidden error', authError()],
      ['presence error', authError()],
      ['private subscribed'],
      ['pub subscribed', 0],
    ]);
    const request = (channel) => ({
      origin: 'app',
      method: 'POST',
      path: '/broadcasting/auth',
      headers: {
        authorization: 'Bearer user-1',
        'content-type': 'application/x-www-form-urlencoded',
        'x-csrf-token': 'csrf-1',
      },
      form: { socket_id: '<socket_id>', channel_name: channel },
    });
    assert.deepEqual(obs.requests, [
      request('presence-forbidden.2'),
      request('private-forbidden.1'),
      request('private-orders'),
    ]);
  });
});

test('CSRF token and bearer token: window.Laravel, the option, the meta tag; what Echo does to its options', async () => {
  const runs = await run(async (a) => {
    const tokenOf = (echo) => echo.connector.options.auth.headers['X-CSRF-TOKEN'] ?? null;
    const out = {};
    const meta = document.createElement('meta');
    meta.name = 'csrf-token';
    meta.content = 'from-meta';
    document.head.appendChild(meta);
    const m = new Echo({ ...a.echo, broadcaster: 'null' });
    out.meta = tokenOf(m);
    const o = new Echo({ ...a.echo, broadcaster: 'null', csrfToken: 'from-option' });
    out.optionOverMeta = tokenOf(o);
    window.Laravel = { csrfToken: 'from-window' };
    const w = new Echo({ ...a.echo, broadcaster: 'null', csrfToken: 'from-option' });
    out.windowOverOption = tokenOf(w);
    delete window.Laravel;
    meta.remove();
    // A second Echo with neither: laravel-echo wrote the first token into its shared defaults.
    const later = new Echo({ ...a.echo, broadcaster: 'null' });
    out.laterWithout = tokenOf(later);
    // The caller's own auth object.
    const auth = { headers: { 'X-App': '1' } };
    const mine = new Echo({ ...a.echo, broadcaster: 'null', auth, bearerToken: 'user-2', csrfToken: 'c' });
    out.callerAuthAfter = auth;
    out.mineAuth = mine.connector.options.auth;
    out.mineUserAuth = mine.connector.options.userAuthentication;
    out.nullSocketId = mine.socketId();
    out.nullStatus = mine.connectionStatus();
    // auth / userAuthentication given in part.
    out.partialUserAuth = new Echo({
      ...a.echo,
      broadcaster: 'null',
      userAuthentication: { headers: { 'X-A': '1' } },
    }).connector.options.userAuthentication;
    out.authParamsOnly = H.captureThrow(
      () =>
        new Echo({ ...a.echo, broadcaster: 'null', csrfToken: 't', auth: { params: { team: 1 } } }).connector.options
          .auth,
    );
    return out;
  });
  checkEcho(
    runs,
    (obs, r) => {
      assert.equal(obs.meta, 'from-meta');
      assert.equal(obs.optionOverMeta, 'from-option');
      assert.equal(obs.windowOverOption, 'from-window');
      assert.equal(obs.laterWithout, r.variant === OURS ? null : 'from-window');
      assert.deepEqual(obs.mineAuth, {
        headers: { 'X-App': '1', 'X-CSRF-TOKEN': 'c', Authorization: 'Bearer user-2' },
      });
      assert.deepEqual(obs.callerAuthAfter, r.variant === OURS ? { headers: { 'X-App': '1' } } : obs.mineAuth);
      assert.equal(obs.nullSocketId, 'fake-socket-id');
      assert.equal(obs.nullStatus, 'connected');
      if (r.variant === OURS) {
        assert.deepEqual(obs.partialUserAuth, { endpoint: '/broadcasting/user-auth', headers: { 'X-A': '1' } });
        assert.deepEqual(obs.authParamsOnly, {
          threw: false,
          value: { params: { team: 1 }, headers: { 'X-CSRF-TOKEN': 't' } },
        });
      } else {
        // laravel-echo: the given object replaces the default, endpoint and all (pusher-js then
        // posts to /pusher/user-auth); and it writes the CSRF header into `auth.headers`, which
        // is not there.
        assert.deepEqual(obs.partialUserAuth, { headers: { 'X-A': '1' } });
        assert.equal(obs.authParamsOnly.threw, true);
        assert.equal(obs.authParamsOnly.class, 'TypeError');
      }
    },
    // E6: nothing leaks into later Echos or into the caller's objects; partial objects keep the defaults.
    {
      ours: (o) => ({
        ...o,
        laterWithout: null,
        callerAuthAfter: { headers: { 'X-App': '1' } },
        partialUserAuth: { endpoint: '/broadcasting/user-auth', headers: { 'X-A': '1' } },
        authParamsOnly: { threw: false, value: { params: { team: 1 }, headers: { 'X-CSRF-TOKEN': 't' } } },
      }),
    },
  );
});

test('private() and whisper()/listenForWhisper()/stopListeningForWhisper() between two pages', async () => {
  const runs = await pagesRun(2, async (pages) => {
    const setup = async (a) => {
      window.log = H.createLog();
      const rec = (tag) =>
        function () {
          window.log.push([tag, ...H.ser(Array.from(arguments))]);
        };
      window.echo = new Echo({ ...a.echo, bearerToken: a.token });
      window.typing = rec('typing');
      window.echo
        .private('chat.1')
        .listen('MessageSent', rec('MessageSent'))
        .listenForWhisper('typing', window.typing)
        .listenForWhisper('done', rec('done'));
      await new Promise((r) => window.echo.private('chat.1').subscribed(r));
      return window.echo.connector.pusher.channel('private-chat.1').subscribed;
    };
    const subscribed = [
      await pages[0].run(setup, { echo: env.echoOptions(), token: 'user-1' }),
      await pages[1].run(setup, { echo: env.echoOptions(), token: 'user-2' }),
    ];
    const whispered = await pages[0].run(async () => {
      const chan = window.echo.private('chat.1');
      return chan.whisper('typing', { name: 'Ada' }) === chan;
    });
    await pages[1].run(() => window.log.waitFor((e) => e[0] === 'typing'));
    await pages[0].run(() => node('trigger', 'private-chat.1', 'App\\Events\\MessageSent', { text: 'hi' }));
    await Promise.all(pages.map((p) => p.run(() => window.log.waitFor((e) => e[0] === 'MessageSent'))));
    await pages[1].run(() => void window.echo.private('chat.1').stopListeningForWhisper('typing', window.typing));
    await pages[0].run(
      () => void window.echo.private('chat.1').whisper('typing', { name: 'again' }).whisper('done', {}),
    );
    await pages[1].run(() => window.log.waitFor((e) => e[0] === 'done'));
    const logs = await Promise.all(pages.map((p) => p.run(() => window.log.entries)));
    return { subscribed, whispered, logs };
  });
  checkEcho(runs, (obs) => {
    assert.deepEqual(obs.subscribed, [true, true]);
    assert.equal(obs.whispered, true);
    assert.deepEqual(obs.logs, [
      [['MessageSent', { text: 'hi' }, {}]],
      [
        ['typing', { name: 'Ada' }, {}],
        ['MessageSent', { text: 'hi' }, {}],
        ['done', {}, {}],
      ],
    ]);
  });
});

test('encryptedPrivate(): events the SDK encrypted arrive decrypted; whisper throws UnsupportedFeature', async () => {
  const runs = await run(async (a) => {
    const log = H.createLog();
    const echo = new Echo({ ...a.echo, bearerToken: 'user-1' });
    const chan = echo.encryptedPrivate('vault.1').listen('SecretShared', function () {
      log.push(['secret', ...H.ser(Array.from(arguments))]);
    });
    await new Promise((r) => chan.subscribed(r));
    await node('trigger', 'private-encrypted-vault.1', 'App\\Events\\SecretShared', { code: 42 });
    await log.waitFor((e) => e[0] === 'secret');
    const whisper = H.captureThrow(() => chan.whisper('typing', {}));
    echo.disconnect();
    return { entries: log.entries, whisper, name: echo.connector.channels['private-encrypted-vault.1'].name };
  });
  checkEcho(runs, (obs) => {
    // pusher-js passes no metadata argument on encrypted channels.
    assert.deepEqual(obs.entries, [['secret', { code: 42 }]]);
    assert.deepEqual(obs.whisper, {
      threw: true,
      typeof: 'object',
      isError: true,
      class: 'UnsupportedFeature',
      name: 'Error',
      message: 'Client events are not currently supported for encrypted channels',
    });
    assert.equal(obs.name, 'private-encrypted-vault.1');
  });
});

test('join(): here, joining, leaving and whispers on a presence channel; removing here/joining/leaving callbacks (echo #312)', async () => {
  const runs = await pagesRun(2, async (pages) => {
    const setup = async (a) => {
      window.log = H.createLog();
      window.rec = (tag) =>
        function () {
          window.log.push([tag, ...H.ser(Array.from(arguments))]);
        };
      window.echo = new Echo({ ...a.echo, bearerToken: a.token });
      window.leaving2 = window.rec('leaving2');
      window.room = window.echo
        .join('room.1')
        .here(window.rec('here'))
        .joining(window.rec('joining'))
        .leaving(window.rec('leaving'))
        .leaving(window.leaving2)
        .listenForWhisper('typing', window.rec('typing'))
        .listenForWhisper('done', window.rec('done'));
      await window.log.waitFor((e) => e[0] === 'here');
    };
    await pages[0].run(setup, { echo: env.echoOptions(), token: 'user-1' });
    await pages[1].run(setup, { echo: env.echoOptions(), token: 'user-2' });
    await pages[0].run(() => window.log.waitFor((e) => e[0] === 'joining'));
    await pages[1].run(() => void window.room.whisper('typing', { name: 'Grace' }));
    await pages[0].run(() => window.log.waitFor((e) => e[0] === 'typing'));
    // Remove one leaving callback and every joining one. laravel-echo formats these as event
    // names (App\Events\leaving) and removes nothing.
    await pages[0].run(() => {
      window.log.push(['stopped']);
      window.room.stopListening('leaving', window.leaving2).stopListening('joining');
    });
    await pages[1].run(() => window.echo.leave('room.1'));
    await pages[0].run(() => window.log.waitFor((e) => e[0] === 'leaving'));
    // Page 1 joins again: page 0's removed joining callbacks must stay quiet (barrier: a whisper
    // page 1 sends after its own `here`).
    await pages[1].run(async () => {
      window.echo.join('room.1').here(window.rec('here again'));
      await window.log.waitFor((e) => e[0] === 'here again');
      window.echo.join('room.1').whisper('done', {});
    });
    await pages[0].run(() => window.log.waitFor((e) => e[0] === 'done'));
    await pages[1].close();
    await pages[0].run(() => window.log.waitForCount((e) => e[0] === 'leaving', 2));
    const log0 = await pages[0].run(() => window.log.entries);
    return { log0 };
  });
  const ada = { id: 1, name: 'Ada' };
  const grace = { id: 2, name: 'Grace' };
  const oracle = [
    ['here', [ada]],
    ['joining', grace],
    ['typing', { name: 'Grace' }, {}],
    ['stopped'],
    ['leaving', grace],
    ['leaving2', grace],
    ['joining', grace],
    ['done', {}, {}],
    ['leaving', grace],
    ['leaving2', grace],
  ];
  // E2: after `stopped`, no leaving2 and no joining.
  const improved = (log) => {
    const at = log.findIndex((e) => e[0] === 'stopped');
    return log.filter((e, i) => i < at || (e[0] !== 'leaving2' && e[0] !== 'joining'));
  };
  checkEcho(runs, (obs, r) => assert.deepEqual(obs.log0, r.variant === OURS ? improved(oracle) : oracle), {
    ours: (o) => ({ log0: improved(o.log0) }),
  });
});

test('here() on the second page lists both members; whispers carry no user_id metadata from sockudo', async () => {
  const runs = await pagesRun(2, async (pages) => {
    const setup = async (a) => {
      window.log = H.createLog();
      window.echo = new Echo({ ...a.echo, bearerToken: a.token });
      window.echo
        .join('room.2')
        .here((users) => window.log.push(['here', users]))
        .listenForWhisper('wave', (data, metadata) => window.log.push(['wave', data, metadata]));
      await window.log.waitFor((e) => e[0] === 'here');
      return window.log.entries;
    };
    const first = await pages[0].run(setup, { echo: env.echoOptions(), token: 'user-1' });
    const second = await pages[1].run(setup, { echo: env.echoOptions(), token: 'user-3' });
    await pages[1].run(() => void window.echo.join('room.2').whisper('wave', { hi: true }));
    const wave = await pages[0].run(() => window.log.waitFor((e) => e[0] === 'wave'));
    const members = await pages[0].run(() => window.echo.connector.pusher.channel('presence-room.2').members.count);
    return { first, second, wave, members };
  });
  checkEcho(runs, (obs) => {
    assert.deepEqual(obs.first, [['here', [{ id: 1, name: 'Ada' }]]]);
    assert.deepEqual(obs.second, [
      [
        'here',
        [
          { id: 1, name: 'Ada' },
          { id: 3, name: 'Linus' },
        ],
      ],
    ]);
    assert.deepEqual(obs.wave, ['wave', { hi: true }, {}]);
    assert.equal(obs.members, 2);
  });
});

test('the same user in two tabs: joining() once, leaving() only when the last tab closes', async () => {
  const runs = await pagesRun(3, async (pages) => {
    const setup = async (a) => {
      window.log = H.createLog();
      window.echo = new Echo({ ...a.echo, bearerToken: a.token });
      window.echo
        .join('tabs')
        .here((users) => window.log.push(['here', users.map((u) => u.id)]))
        .joining((user) => window.log.push(['joining', user.id]))
        .leaving((user) => window.log.push(['leaving', user.id]))
        .listenForWhisper('done', () => window.log.push(['done']));
      await window.log.waitFor((e) => e[0] === 'here');
    };
    await pages[0].run(setup, { echo: env.echoOptions(), token: 'user-1' });
    await pages[1].run(setup, { echo: env.echoOptions(), token: 'user-2' });
    await pages[0].run(() => window.log.waitFor((e) => e[0] === 'joining'));
    // Grace again, in a second tab; then she whispers from it (a barrier on page 0).
    await pages[2].run(setup, { echo: env.echoOptions(), token: 'user-2' });
    await pages[2].run(() => void window.echo.join('tabs').whisper('done', {}));
    await pages[0].run(() => window.log.waitFor((e) => e[0] === 'done'));
    // Her first tab closes: she is still here. Her second one closes: she left.
    await pages[1].close();
    await pages[2].run(() => void window.echo.join('tabs').whisper('done', {}));
    await pages[0].run(() => window.log.waitForCount((e) => e[0] === 'done', 2));
    await pages[2].close();
    await pages[0].run(() => window.log.waitFor((e) => e[0] === 'leaving'));
    return { log0: await pages[0].run(() => window.log.entries) };
  });
  // sockudo sends member_added once per user (README difference 9, pusher-wasm's own once-per-id
  // rule, has nothing to do here) and member_removed when the user's last connection leaves.
  checkEcho(runs, (obs) =>
    assert.deepEqual(obs.log0, [['here', [1]], ['joining', 2], ['done'], ['done'], ['leaving', 2]]),
  );
});

test('a burst of whispers: pusher-wasm sends 10 per second and reports the rest (README difference 16)', async () => {
  const runs = await pagesRun(2, async (pages) => {
    const setup = async (a) => {
      window.log = H.createLog();
      window.echo = new Echo({ ...a.echo, bearerToken: a.token });
      window.echo.connector.pusher.connection.bind('error', (e) => window.log.push(['error', e.type, e.data]));
      window.echo
        .join('typing')
        .here(() => window.log.push(['here']))
        .leaving((user) => window.log.push(['leaving', user.id]))
        .listenForWhisper('typing', (e) => window.log.push(['typing', e.n]));
      await window.log.waitFor((e) => e[0] === 'here');
    };
    await pages[0].run(setup, { echo: env.echoOptions(), token: 'user-1' });
    await pages[1].run(setup, { echo: env.echoOptions(), token: 'user-2' });
    // Twelve keystrokes at once, then the sender leaves: the server forwards the whispers first,
    // so `leaving` on page 1 comes after every whisper that went out.
    const sender = await pages[0].run(() => {
      const room = window.echo.join('typing');
      for (let n = 1; n <= 12; n++) room.whisper('typing', { n });
      window.echo.leave('typing');
      return window.log.entries.filter((e) => e[0] === 'error');
    });
    await pages[1].run(() => window.log.waitFor((e) => e[0] === 'leaving'));
    const received = await pages[1].run(() => window.log.entries.filter((e) => e[0] === 'typing').map((e) => e[1]));
    return { sender, received };
  });
  const all = Array.from({ length: 12 }, (_, i) => i + 1);
  const limited = (o) => ({
    sender: [11, 12].map((n) => [
      'error',
      'ClientEventRateLimited',
      { event: 'client-typing', channel: 'presence-typing' },
    ]),
    received: o.received.slice(0, 10),
  });
  checkEcho(
    runs,
    (obs, r) => {
      if (r.client === 'pusher-js') assert.deepEqual(obs, { sender: [], received: all });
      else assert.deepEqual(obs, limited({ received: all }));
    },
    { wasm: limited, ours: limited },
  );
});

test("notification() on private-App.Models.User.1; another user's channel is refused", async () => {
  const runs = await run(
    async (a) => {
      const log = H.createLog();
      const echo = new Echo({ ...a.echo, bearerToken: 'user-1' });
      const onNotification = (n) => log.push(['notification', n]);
      const mine = echo
        .private('App.Models.User.1')
        .notification(onNotification)
        .listen('.done', () => log.push(['done']));
      echo.private('App.Models.User.2').error((e) => log.push(['other user', e.status]));
      await new Promise((r) => mine.subscribed(r));
      await log.waitFor((e) => e[0] === 'other user');
      const event = 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated';
      const payload = { id: '9c1f', type: 'App\\Notifications\\InvoicePaid', amount: 5 };
      await node('trigger', 'private-App.Models.User.1', event, payload);
      await node('trigger', 'private-App.Models.User.1', 'done', {});
      await log.waitForCount((e) => e[0] === 'done', 1);
      mine.stopListeningForNotification(onNotification);
      await node('trigger', 'private-App.Models.User.1', event, payload);
      await node('trigger', 'private-App.Models.User.1', 'done', {});
      await log.waitForCount((e) => e[0] === 'done', 2);
      echo.disconnect();
      return { entries: log.entries, event: mine.notificationCreatedEvent };
    },
    {},
    { allowConsoleErrors: FAILED_REQUEST },
  );
  checkEcho(runs, (obs) => {
    assert.deepEqual(obs.entries, [
      ['other user', 403],
      ['notification', { id: '9c1f', type: 'App\\Notifications\\InvoicePaid', amount: 5 }],
      ['done'],
      ['done'],
    ]);
    assert.equal(obs.event, '.Illuminate\\Notifications\\Events\\BroadcastNotificationCreated');
  });
});

test('connector.signin(): user authentication at /broadcasting/user-auth, then events sent to the user', async () => {
  const runs = await run(async (a) => {
    const log = H.createLog();
    const echo = new Echo({ ...a.echo, bearerToken: 'user-2', csrfToken: 'csrf-2' });
    const pusher = echo.connector.pusher;
    pusher.connection.bind('message', (m) => {
      if (m.event === 'pusher:signin_success') log.push(['signin_success']);
    });
    pusher.user.bind('greeting', (data) => log.push(['greeting', data]));
    await H.waitState(pusher, 'connected');
    echo.connector.signin();
    await log.waitFor((e) => e[0] === 'signin_success');
    await node('sendToUser', 2, 'greeting', { hello: 'Grace' });
    await log.waitFor((e) => e[0] === 'greeting');
    const requests = await node('takeRequests', '/broadcasting/user-auth');
    echo.disconnect();
    return { entries: log.entries, requests };
  });
  checkEcho(runs, (obs) => {
    assert.deepEqual(obs.entries, [['signin_success'], ['greeting', { hello: 'Grace' }]]);
    assert.deepEqual(obs.requests, [
      {
        origin: 'app',
        method: 'POST',
        path: '/broadcasting/user-auth',
        headers: {
          authorization: 'Bearer user-2',
          'content-type': 'application/x-www-form-urlencoded',
          'x-csrf-token': 'csrf-2',
        },
        form: { socket_id: '<socket_id>' },
      },
    ]);
  });
});

test('leave(), leaveChannel() and leaveAllChannels(): what is unsubscribed, what still arrives', async () => {
  const runs = await run(async (a) => {
    const log = H.createLog();
    const echo = new Echo({ ...a.echo, bearerToken: 'user-1' });
    const names = () => ({
      echo: Object.keys(echo.connector.channels).sort(),
      client: echo.connector.pusher
        .allChannels()
        .map((c) => c.name)
        .sort(),
    });
    const all = [
      echo.channel('a'),
      echo.private('a'),
      echo.join('a'),
      echo.encryptedPrivate('a'),
      echo.channel('b'),
      echo.channel('c'),
      echo.private('d'),
    ];
    await Promise.all(all.map((ch) => new Promise((r) => ch.subscribed(r))));
    echo.channel('a').listen('.ev', () => log.push(['a']));
    echo.channel('c').listen('.ev', () => log.push(['c']));
    const steps = { start: names() };
    echo.leave('a');
    steps.leave = names();
    await node('trigger', 'a', 'ev', {});
    await node('trigger', 'c', 'ev', {});
    await log.waitFor((e) => e[0] === 'c');
    echo.leaveChannel('b');
    echo.leaveChannel('not-there');
    steps.leaveChannel = names();
    echo.leaveAllChannels();
    steps.leaveAllChannels = names();
    // A barrier for the unsubscribe frames: one more subscription, confirmed after them.
    await new Promise((r) => echo.channel('z').subscribed(r));
    echo.disconnect();
    return { steps, entries: log.entries };
  });
  checkEcho(runs, (obs, r) => {
    const everything = ['a', 'b', 'c', 'presence-a', 'private-a', 'private-d', 'private-encrypted-a'];
    assert.deepEqual(obs.steps, {
      start: { echo: everything, client: everything },
      leave: { echo: ['b', 'c', 'private-d'], client: ['b', 'c', 'private-d'] },
      leaveChannel: { echo: ['c', 'private-d'], client: ['c', 'private-d'] },
      leaveAllChannels: { echo: [], client: [] },
    });
    assert.deepEqual(obs.entries, [['c']]);
    const unsubscribed = sentFrames(r.websockets[0])
      .filter((f) => f.event === 'pusher:unsubscribe')
      .map((f) => f.data.channel);
    assert.deepEqual(unsubscribed, ['a', 'private-a', 'private-encrypted-a', 'presence-a', 'b', 'c', 'private-d']);
  });
  sameFrames(runs, { sorted: true });
});

test('rejoining a channel whose subscription is still pending: laravel-echo calls the old callbacks too (echo #286)', async () => {
  const runs = await run(async (a) => {
    const log = H.createLog();
    const echo = new Echo({ ...a.echo, bearerToken: 'user-1' });
    await H.waitState(echo.connector.pusher, 'connected');
    const handler = (data) => log.push(['handler', data.name]);
    const remount = (join) => {
      // A component mounted, unmounted and mounted again before the server answered.
      join()
        .listen('.ping', handler)
        .listen('.ping', (data) => log.push(['first mount', data.name]));
      echo.leave(join().name.replace(/^(private-|presence-)/, ''));
      return join()
        .listen('.ping', handler)
        .listen('.done', () => log.push(['done']));
    };
    const pub = remount(() => echo.channel('again'));
    const priv = remount(() => echo.private('again2'));
    await Promise.all([pub, priv].map((ch) => new Promise((r) => ch.subscribed(r))));
    // Once subscribed, leaving and rejoining is clean in laravel-echo too.
    const settled = echo.channel('settled').listen('.ping', (d) => log.push(['settled old', d.name]));
    await new Promise((r) => settled.subscribed(r));
    echo.leave('settled');
    const rejoined = echo
      .channel('settled')
      .listen('.ping', (d) => log.push(['settled new', d.name]))
      .listen('.done', () => log.push(['done']));
    await new Promise((r) => rejoined.subscribed(r));
    for (const channel of ['again', 'private-again2', 'settled']) {
      await node('trigger', channel, 'ping', { name: channel });
      await node('trigger', channel, 'done', {});
      await log.waitForCount((e) => e[0] === 'done', ['again', 'private-again2', 'settled'].indexOf(channel) + 1);
    }
    echo.disconnect();
    return { entries: log.entries.filter((e) => e[0] !== 'done') };
  });
  const oracle = [
    ['handler', 'again'],
    ['first mount', 'again'],
    ['handler', 'again'],
    ['handler', 'private-again2'],
    ['first mount', 'private-again2'],
    ['handler', 'private-again2'],
    ['settled new', 'settled'],
  ];
  const once = [
    ['handler', 'again'],
    ['handler', 'private-again2'],
    ['settled new', 'settled'],
  ];
  checkEcho(runs, (obs, r) => assert.deepEqual(obs.entries, r.variant === OURS ? once : oracle), {
    ours: () => ({ entries: once }), // E1
  });
  // On the wire: one subscribe per channel; the pending ones were reinstated, not sent again.
  assert.deepEqual(sameFrames(runs), [
    ['pusher:subscribe', 'again'],
    ['pusher:subscribe', 'private-again2'],
    ['pusher:subscribe', 'settled'],
    ['pusher:unsubscribe', 'settled'],
    ['pusher:subscribe', 'settled'],
  ]);
});

test('socketId(), connectionStatus(), connector.onConnectionChange(), disconnect(); socketIdAsync() (ours)', async () => {
  const runs = await run(async (a) => {
    const echo = new Echo({ ...a.echo });
    const statuses = [];
    const stop = echo.connector.onConnectionChange((s) => statuses.push(s));
    const early = typeof echo.socketIdAsync === 'function' ? echo.socketIdAsync() : null;
    const before = { socketId: H.ser(echo.socketId()), status: echo.connectionStatus() };
    const pusher = echo.connector.pusher;
    await H.waitState(pusher, 'connected');
    const connected = {
      socketId: echo.socketId(),
      isTheClients: echo.socketId() === pusher.connection.socket_id,
      status: echo.connectionStatus(),
    };
    const out = { before, connected };
    if (early) {
      out.socketIdAsync = {
        early: (await early) === echo.socketId(),
        now: (await echo.socketIdAsync()) === echo.socketId(),
      };
    }
    echo.disconnect();
    out.disconnected = { status: echo.connectionStatus(), socketIdKept: echo.socketId() === connected.socketId };
    if (early) {
      out.socketIdAsync.timeout = await echo.socketIdAsync({ timeout: 20 }).then(
        () => 'resolved',
        (e) => e.message,
      );
    }
    pusher.connect();
    await H.waitState(pusher, 'connected');
    out.reconnected = { status: echo.connectionStatus(), newSocketId: echo.socketId() !== connected.socketId };
    stop();
    echo.disconnect();
    out.statuses = statuses;
    return out;
  });
  const collapse = (list) => list.filter((s, i) => s !== list[i - 1]);
  checkEcho(
    runs,
    (obs, r) => {
      assert.deepEqual(obs.before, { socketId: { $undefined: true }, status: 'connecting' });
      assert.deepEqual(obs.connected, { socketId: '<socket_id>', isTheClients: true, status: 'connected' });
      assert.deepEqual(obs.disconnected, { status: 'disconnected', socketIdKept: true });
      assert.deepEqual(obs.reconnected, { status: 'connected', newSocketId: true });
      // laravel-echo calls back on state_change and again on `connected`/`disconnected`.
      const twice = ['connected', 'connected', 'disconnected', 'disconnected', 'connecting', 'connected', 'connected'];
      assert.deepEqual(obs.statuses, r.variant === OURS ? collapse(twice) : twice);
      if (r.variant === OURS) {
        assert.deepEqual(obs.socketIdAsync, { early: true, now: true, timeout: 'Echo: not connected within 20 ms' });
      } else assert.equal(obs.socketIdAsync, undefined);
    },
    {
      ours: (o) => ({
        ...o,
        statuses: collapse(o.statuses), // E4
        socketIdAsync: { early: true, now: true, timeout: 'Echo: not connected within 20 ms' }, // E3
      }),
    },
  );
});

test('a server restart: Echo resubscribes every channel, subscribed() and here() fire again, listeners keep working', async () => {
  const runs = await run(
    async (a) => {
      const log = H.createLog();
      const statuses = [];
      const echo = new Echo({ ...a.echo, bearerToken: 'user-1' });
      echo.connector.onConnectionChange((s) => statuses.push(s));
      echo
        .channel('news')
        .subscribed(() => log.push(['subscribed news']))
        .listen('Published', (e) => log.push(['Published', e.n]));
      echo.private('inbox.1').subscribed(() => log.push(['subscribed inbox']));
      echo.join('lobby').here((users) => log.push(['here', users]));
      const count = (tag) => log.count((e) => e[0] === tag);
      // (an upper bound: if a retry ever hits the closed port, pusher-js waits 15 s to try again)
      const all = (n) =>
        Promise.all(
          ['subscribed news', 'subscribed inbox', 'here'].map((tag) =>
            log.waitForCount((e) => e[0] === tag, n, tag, { timeout: 25000 }),
          ),
        );
      await all(1);
      const firstId = echo.socketId();
      // SIGKILL: the sockets drop (1006) and both clients retry after a second, by when sockudo is
      // back. (After SIGTERM's 4200 pusher-js retries at once, hits the closed port, and then
      // waits 15 s or more.)
      await node('restartServer', { signal: 'SIGKILL' });
      await all(2);
      await node('trigger', 'news', 'App\\Events\\Published', { n: 1 });
      await log.waitFor((e) => e[0] === 'Published');
      const out = {
        counts: Object.fromEntries(
          ['subscribed news', 'subscribed inbox', 'here', 'Published'].map((t) => [t, count(t)]),
        ),
        here: log.entries.filter((e) => e[0] === 'here'),
        newSocketId: H.isSocketId(echo.socketId()) && echo.socketId() !== firstId,
        status: echo.connectionStatus(),
        statuses: statuses.slice(),
      };
      echo.disconnect();
      return out;
    },
    {},
    { timeoutMs: 40000, stepTimeoutMs: 35000, allowConsoleErrors: /^WebSocket connection to .* failed/ },
  );
  const collapse = (list) => list.filter((s, i) => s !== list[i - 1]);
  checkEcho(
    runs,
    (obs, r) => {
      assert.deepEqual(obs.counts, { 'subscribed news': 2, 'subscribed inbox': 2, here: 2, Published: 1 });
      assert.deepEqual(obs.here, [
        ['here', [{ id: 1, name: 'Ada' }]],
        ['here', [{ id: 1, name: 'Ada' }]],
      ]);
      assert.equal(obs.newSocketId, true);
      assert.equal(obs.status, 'connected');
      const twice = ['connected', 'connected', 'connecting', 'connected', 'connected'];
      assert.deepEqual(obs.statuses, r.variant === OURS ? collapse(twice) : twice);
    },
    { ours: (o) => ({ ...o, statuses: collapse(o.statuses) }) }, // E4
  );
});

test("Echo's X-Socket-Id interceptors: window.axios, jQuery, Vue.http and Turbo, as the app server sees them", async () => {
  const runs = await run(async (a) => {
    window.axios = E.fakeAxios();
    window.jQuery = E.fakeJQuery();
    window.Vue = E.fakeVue();
    window.Turbo = E.fakeTurbo();
    const echo = new Echo({ ...a.echo });
    const registered = {
      axios: window.axios.interceptors.request.handlers.length,
      vue: window.Vue.http.interceptors.length,
    };
    const other = a.otherOrigin + '/messages';
    // Before the connection (both interceptors run synchronously, right after new Echo).
    await Promise.all([
      window.axios.post('/messages', { n: 'axios early' }),
      E.turboFetch('/messages', { body: { n: 'turbo early' } }),
    ]);
    await H.waitState(echo.connector.pusher, 'connected');
    await window.axios.post('/messages', { n: 'axios' });
    await window.axios.post('/messages', { n: 'axios own header' }, { headers: { 'X-Socket-Id': 'mine' } });
    await window.axios.post(other, { n: 'axios cross-origin' }, { headers: { 'Content-Type': 'text/plain' } });
    await window.jQuery.ajax({ url: '/messages', type: 'POST', data: { n: 'jquery' } });
    await window.Vue.http.post('/messages', { n: 'vue' });
    await E.turboFetch('/messages', { body: { n: 'turbo' } });
    const noInterceptors = new Echo({ ...a.echo, withoutInterceptors: true });
    const after = {
      axios: window.axios.interceptors.request.handlers.length,
      vue: window.Vue.http.interceptors.length,
    };
    const id = echo.socketId();
    const seen = (await node('takeRequests', '/messages')).map((r) => {
      const header = r.headers['x-socket-id'];
      return [
        r.origin,
        r.method,
        r.form.n ?? null,
        header === undefined ? 'none' : header === id ? 'the socket id' : header,
      ];
    });
    // The two early ones were in flight together.
    const requests = [...seen.slice(0, 2).sort((x, y) => (x[2] < y[2] ? -1 : 1)), ...seen.slice(2)];
    echo.disconnect();
    noInterceptors.disconnect();
    return { registered, after, requests };
  });
  const oracle = [
    ['app', 'POST', 'axios early', 'none'],
    // laravel-echo sets Turbo's header even without a socket id: the server gets "undefined".
    ['app', 'POST', 'turbo early', 'undefined'],
    ['app', 'POST', 'axios', 'the socket id'],
    // laravel-echo replaces the header the request had.
    ['app', 'POST', 'axios own header', 'the socket id'],
    // laravel-echo sends it cross-origin too (which costs a CORS preflight: Playwright's request
    // interception answers those itself, so the server does not see it).
    ['other', 'POST', 'axios cross-origin', 'the socket id'],
    ['app', 'POST', 'jquery', 'the socket id'],
    ['app', 'POST', 'vue', 'the socket id'],
    ['app', 'POST', 'turbo', 'the socket id'],
  ];
  const ours = [
    ['app', 'POST', 'axios early', 'none'],
    ['app', 'POST', 'turbo early', 'none'],
    ['app', 'POST', 'axios', 'the socket id'],
    ['app', 'POST', 'axios own header', 'mine'],
    ['other', 'POST', 'axios cross-origin', 'none'],
    ['app', 'POST', 'jquery', 'the socket id'],
    ['app', 'POST', 'vue', 'the socket id'],
    ['app', 'POST', 'turbo', 'the socket id'],
  ];
  checkEcho(
    runs,
    (obs, r) => {
      assert.deepEqual(obs.registered, { axios: 1, vue: 1 });
      assert.deepEqual(obs.after, { axios: 1, vue: 1 }, 'withoutInterceptors registers nothing');
      assert.deepEqual(obs.requests, r.variant === OURS ? ours : oracle);
    },
    { ours: (o) => ({ ...o, requests: ours }) }, // E5
  );
});
