// Private channels and their authorization against a real server (sockudo), with an auth endpoint
// on the harness's HTTP server that signs with the `pusher` server SDK: the request, every kind of
// failure and its `pusher:subscription_error`, headers/params/cookies, the deprecated options
// Laravel Echo passes, re-authorization on reconnect, client events between two pages, and
// (fake server) `subscription_count`. Each scenario runs on pusher-js and pusher-wasm.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnBoth, checkBoth, parsedFrames, clientOptions, OURS, establishedSockets } from '../support/scenario.mjs';
import { freePort } from '../support/sockudo.mjs';
import { pageHandlers } from '../fake-server/index.mjs';
import { startAuthEnv, onlyNetworkConsoleErrors, runPagesOnBoth } from '../support/auth-server.mjs';

let env;
let auth;
let fake;
let close;
before(async () => {
  ({ env, auth, fake, close } = await startAuthEnv());
});
after(() => close?.());

const handlers = () => ({ ...env.sdkHandlers(), ...auth.handlers() });
const run = (scenario, extra = {}, opts = {}) =>
  runOnBoth(env, scenario, env.clientArgs(extra), { handlers, setup: () => auth.reset(), ...opts });

const SIGNATURE = /^app-key:[0-9a-f]{64}$/;
/** The subscribe frames a page sent, with the signature checked and replaced by '<signature>'. */
function subscribes(ws) {
  return parsedFrames(ws.sent)
    .filter((f) => f.event === 'pusher:subscribe')
    .map((f) => {
      if (f.data.auth) {
        assert.match(f.data.auth, SIGNATURE);
        return { ...f, data: { ...f.data, auth: '<signature>' } };
      }
      return f;
    });
}

const CHANNEL_HINT =
  'Clients must be authorized to join private or presence channels. See: https://pusher.com/docs/channels/server_api/authorizing-users/';

test('private channel: a form POST to /pusher/auth, the signature in pusher:subscribe, events arrive', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const ch = p.subscribe('private-ok');
    const log = H.createLog();
    ch.bind('pusher:subscription_succeeded', function () {
      log.push(['succeeded', H.ser(Array.from(arguments))]);
    });
    ch.bind('ev', function () {
      log.push(['ev', H.ser(Array.from(arguments))]);
    });
    await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
    const flags = { subscribed: ch.subscribed, pending: ch.subscriptionPending };
    await node('trigger', 'private-ok', 'ev', { a: 1 });
    await log.waitFor((e) => e[0] === 'ev', 'ev');
    const requests = await node('auth.requests');
    const sid = p.connection.socket_id;
    return {
      entries: log.entries,
      flags,
      requests: requests.map((r) => ({ ...r, body: r.body.split(sid).join('<sid>') })),
      sameSocketId: requests.every((r) => r.form.socket_id === sid),
    };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.entries, [
      ['succeeded', [{}]],
      ['ev', [{ a: 1 }, {}]],
    ]);
    assert.deepEqual(obs.flags, { subscribed: true, pending: false });
    assert.deepEqual(obs.requests, [
      {
        kind: 'channel',
        path: '/pusher/auth',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'socket_id=<sid>&channel_name=private-ok',
        form: { socket_id: '<socket_id>', channel_name: 'private-ok' },
      },
    ]);
    assert.equal(obs.sameSocketId, true);
    assert.deepEqual(subscribes(r.websockets[0]), [
      { event: 'pusher:subscribe', data: { auth: '<signature>', channel: 'private-ok' } },
    ]);
  });
});

test('auth failures: 403, 500, invalid JSON, closed port, customHandler errors; other channels keep working', async () => {
  const closedPort = await freePort();
  const runs = await run(
    async (a) => {
      const out = { errors: {}, succeeded: [], events: [] };
      const log = H.createLog();
      const watchChannel = (p, name) => {
        const ch = p.subscribe(name);
        ch.bind('pusher:subscription_error', function () {
          log.push(['error', name]);
          out.errors[name] = H.ser(Array.from(arguments));
        });
        ch.bind('pusher:subscription_succeeded', () => {
          log.push(['succeeded', name]);
          out.succeeded.push(name);
        });
        ch.bind('ev', (d) => {
          log.push(['ev', name]);
          out.events.push([name, d]);
        });
        return ch;
      };
      await node('auth.set', 'private-e403', { status: 403, body: 'Forbidden' });
      await node('auth.set', 'private-e500', { status: 500, body: 'boom' });
      await node('auth.set', 'private-badjson', 'badjson');
      const p = new Pusher(a.key, a.options);
      const chans = ['private-e403', 'private-e500', 'private-badjson', 'private-fine', 'public-fine'].map((n) =>
        watchChannel(p, n),
      );
      // The endpoint on a port nothing listens on (a network failure).
      const endpoint = `http://127.0.0.1:${a.closedPort}/pusher/auth`;
      const p2 = new Pusher(a.key, { ...a.options, channelAuthorization: { endpoint } });
      watchChannel(p2, 'private-closed');
      // A customHandler calling back an Error.
      const p3 = new Pusher(a.key, {
        ...a.options,
        channelAuthorization: { customHandler: (params, cb) => cb(new Error('custom says no'), null) },
      });
      watchChannel(p3, 'private-custom-error');
      await log.waitForCount((e) => e[0] === 'error', 5, 'five subscription errors');
      await log.waitForCount((e) => e[0] === 'succeeded', 2, 'two subscriptions');
      await node('trigger', 'private-fine', 'ev', 'one');
      await node('trigger', 'public-fine', 'ev', 'two');
      await log.waitForCount((e) => e[0] === 'ev', 2, 'two events');
      out.errors['private-closed'] = JSON.parse(
        JSON.stringify(out.errors['private-closed']).split(a.closedPort).join('<port>'),
      );
      out.succeeded.sort();
      out.events.sort();
      out.flags = Object.fromEntries(
        chans.map((c) => [c.name, { subscribed: c.subscribed, pending: c.subscriptionPending }]),
      );
      out.states = [p.connection.state, p2.connection.state, p3.connection.state];
      out.errorCounts = Object.fromEntries(
        Object.keys(out.errors).map((n) => [n, log.count((e) => e[0] === 'error' && e[1] === n)]),
      );
      return out;
    },
    { closedPort },
    { allowConsoleErrors: true },
  );
  checkBoth(runs, (obs, r) => {
    const http = (status, endpoint = '/pusher/auth') => ({
      type: 'AuthError',
      error: `Unable to retrieve auth string from channel-authorization endpoint - received status: ${status} from ${endpoint}. ${CHANNEL_HINT}`,
      status,
    });
    assert.deepEqual(obs.errors, {
      'private-e403': [http(403)],
      'private-e500': [http(500)],
      'private-badjson': [
        {
          type: 'AuthError',
          error:
            'JSON returned from channel-authorization endpoint was invalid, yet status code was 200. Data was: this is not json',
          status: 200,
        },
      ],
      'private-closed': [http(0, 'http://127.0.0.1:<port>/pusher/auth')],
      'private-custom-error': [{ type: 'AuthError', error: 'custom says no' }],
    });
    assert.deepEqual(
      Object.values(obs.errorCounts).every((n) => n === 1),
      true,
    );
    assert.deepEqual(obs.succeeded, ['private-fine', 'public-fine']);
    assert.deepEqual(obs.events, [
      ['private-fine', 'one'],
      ['public-fine', 'two'],
    ]);
    assert.deepEqual(obs.flags, {
      'private-e403': { subscribed: false, pending: false },
      'private-e500': { subscribed: false, pending: false },
      'private-badjson': { subscribed: false, pending: false },
      'private-fine': { subscribed: true, pending: false },
      'public-fine': { subscribed: true, pending: false },
    });
    assert.deepEqual(obs.states, ['connected', 'connected', 'connected']);
    onlyNetworkConsoleErrors(r.consoleErrors);
    // Nothing was sent for the channels that failed.
    const sentChannels = r.websockets.flatMap((ws) => subscribes(ws).map((f) => f.data.channel)).sort();
    assert.deepEqual(sentChannels, ['private-fine', 'public-fine']);
  });
});

test('a customHandler calling back a string, or an object, instead of an Error', async () => {
  const runs = await run(async (a) => {
    const errors = {};
    const p = new Pusher(a.key, {
      ...a.options,
      channelAuthorization: {
        customHandler: (params, cb) => {
          if (params.channelName === 'private-cb-string') cb('a string error', null);
          else cb({ message: 'an object', status: 401 }, null);
        },
      },
    });
    const names = ['private-cb-string', 'private-cb-object'];
    await Promise.all(
      names.map(async (n) => {
        errors[n] = H.ser(await H.once(p.subscribe(n), 'pusher:subscription_error'));
      }),
    );
    return errors;
  });
  // README difference 18: where pusher-js reports `error: undefined`, the message is readable.
  const readable = (o) => ({ ...o, 'private-cb-string': [{ type: 'AuthError', error: 'a string error' }] });
  checkBoth(
    runs,
    (obs, r) => {
      const expected = {
        // pusher-js reads `error.message` of whatever it was given: a string has none; `status`
        // only comes from an HTTPAuthError.
        'private-cb-string': [{ type: 'AuthError', error: { $undefined: true } }],
        'private-cb-object': [{ type: 'AuthError', error: 'an object' }],
      };
      assert.deepEqual(obs, r.client === OURS ? readable(expected) : expected);
    },
    { ours: readable },
  );
});

test('a later subscribe after the endpoint is fixed succeeds, with the bindings called once', async () => {
  const runs = await run(
    async (a) => {
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      const bindAll = (ch) => {
        ch.bind('pusher:subscription_error', (e) => log.push(['error', ch.name, e.status]));
        ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded', ch.name]));
        ch.bind('ev', (d) => log.push(['ev', ch.name, d]));
      };
      await node('auth.set', 'private-again', { status: 403 });
      await node('auth.set', 'private-unsub', { status: 403 });
      const ch = p.subscribe('private-again');
      const ch2 = p.subscribe('private-unsub');
      bindAll(ch);
      bindAll(ch2);
      await log.waitForCount((e) => e[0] === 'error', 2, 'two errors');
      await node('auth.set', 'private-again', 'ok');
      await node('auth.set', 'private-unsub', 'ok');
      // Subscribe again as is, and after an unsubscribe.
      const again = p.subscribe('private-again');
      p.unsubscribe('private-unsub');
      const unsub = p.subscribe('private-unsub');
      const sameObjects = [again === ch, unsub === ch2];
      if (unsub !== ch2) bindAll(unsub); // a new channel object has none of the old bindings
      await log.waitForCount((e) => e[0] === 'succeeded', 2, 'two subscriptions');
      await node('trigger', 'private-again', 'ev', 1);
      await node('trigger', 'private-unsub', 'ev', 2);
      await log.waitForCount((e) => e[0] === 'ev', 2, 'two events');
      // Barrier: one more event after them; anything doubled would have come before it.
      const barrier = H.once(again, 'barrier');
      await node('trigger', 'private-again', 'barrier', {});
      await barrier;
      const requests = (await node('auth.requests')).map((r) => r.form.channel_name).sort();
      return { entries: log.entries.slice().sort(), sameObjects, requests };
    },
    {},
    { allowConsoleErrors: true },
  );
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.entries, [
      ['error', 'private-again', 403],
      ['error', 'private-unsub', 403],
      ['ev', 'private-again', 1],
      ['ev', 'private-unsub', 2],
      ['succeeded', 'private-again'],
      ['succeeded', 'private-unsub'],
    ]);
    // pusher-js keeps the channel object after a failed authorization and after unsubscribe
    // (a failed channel never got subscribed, so unsubscribe removes it and subscribe makes a new one)
    assert.deepEqual(obs.sameObjects, [true, false]);
    assert.deepEqual(obs.requests, ['private-again', 'private-again', 'private-unsub', 'private-unsub']);
    onlyNetworkConsoleErrors(r.consoleErrors);
  });
});

test('channelAuthorization params, headers, providers and cookies reach the endpoint', async () => {
  const runs = await run(async (a) => {
    document.cookie = 'laravel_session=abc123; path=/';
    let calls = 0;
    const p = new Pusher(a.key, {
      ...a.options,
      channelAuthorization: {
        endpoint: '/pusher/auth',
        transport: 'ajax',
        params: { team: 'blue', 'two words': 'a b&c=d' },
        headers: { 'X-Static': 'static-value', 'X-CSRF-TOKEN': 'csrf-1' },
        paramsProvider: () => ({ dynamic: 'p' + ++calls }),
        headersProvider: () => ({ 'X-Dynamic': 'h' + calls }),
      },
    });
    const chans = ['private-hp-1', 'private-hp-2'].map((n) => p.subscribe(n));
    await Promise.all(chans.map((c) => H.once(c, 'pusher:subscription_succeeded')));
    const sid = p.connection.socket_id;
    const requests = (await node('auth.requests'))
      .map((r) => ({ ...r, body: r.body.split(encodeURIComponent(sid)).join('<sid>') }))
      .sort((x, y) => (x.form.channel_name < y.form.channel_name ? -1 : 1));
    return { requests, calls };
  });
  checkBoth(runs, (obs) => {
    assert.equal(obs.calls, 2);
    const expected = (channel) => ({
      kind: 'channel',
      path: '/pusher/auth',
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-static': 'static-value',
        'x-csrf-token': 'csrf-1',
        'x-dynamic': '<h>',
        cookie: 'laravel_session=abc123',
      },
      body: `socket_id=<sid>&channel_name=${channel}&team=blue&two%20words=a%20b%26c%3Dd&dynamic=<p>`,
      form: { socket_id: '<socket_id>', channel_name: channel, team: 'blue', 'two words': 'a b&c=d', dynamic: '<p>' },
    });
    // Which request got which provider call depends on the order they were made in.
    const scrub = (r) => ({
      ...r,
      headers: { ...r.headers, 'x-dynamic': '<h>' },
      body: r.body.replace(/dynamic=p\d/, 'dynamic=<p>'),
      form: { ...r.form, dynamic: '<p>' },
    });
    assert.deepEqual(obs.requests.map(scrub), [expected('private-hp-1'), expected('private-hp-2')]);
    // each request: the provider's values of the same call
    assert.deepEqual(obs.requests.map((r) => r.headers['x-dynamic'].slice(1)).sort(), ['1', '2']);
    assert.deepEqual(
      obs.requests.map((r) => [r.form.dynamic.slice(1), r.headers['x-dynamic'].slice(1)]).every(([p, h]) => p === h),
      true,
    );
  });
});

test('a header set both statically and by headersProvider', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, {
      ...a.options,
      channelAuthorization: {
        endpoint: '/pusher/auth',
        headers: { 'X-Both': 'static' },
        headersProvider: () => ({ 'X-Both': 'provided' }),
        params: { both: 'static' },
        paramsProvider: () => ({ both: 'provided' }),
      },
    });
    await H.once(p.subscribe('private-both'), 'pusher:subscription_succeeded');
    const [r] = await node('auth.requests');
    return { header: r.headers['x-both'], body: r.body.replace(/^socket_id=[^&]*/, '') };
  });
  checkBoth(runs, (obs) => {
    // pusher-js calls xhr.setRequestHeader twice, which joins the values.
    assert.deepEqual(obs, { header: 'static, provided', body: '&channel_name=private-both&both=static&both=provided' });
  });
});

test('deprecated options as Laravel Echo passes them: authEndpoint + auth.headers/params, and authorizer', async () => {
  auth.route('/broadcasting/auth');
  const runs = await run(async (a) => {
    const out = {};
    // Echo's pusher connector: authEndpoint and auth: { headers: { 'X-CSRF-TOKEN' } }.
    const p = new Pusher(a.key, {
      ...a.options,
      broadcaster: 'reverb',
      authEndpoint: '/broadcasting/auth',
      auth: { headers: { 'X-CSRF-TOKEN': 'echo-token' }, params: { extra: '1' } },
    });
    await H.once(p.subscribe('private-echo'), 'pusher:subscription_succeeded');
    // Echo's `authorizer` option: (channel, options) => ({ authorize(socketId, callback) }).
    const seen = [];
    const p2 = new Pusher(a.key, {
      ...a.options,
      authEndpoint: '/broadcasting/auth',
      auth: { headers: { 'X-CSRF-TOKEN': 'echo-token' } },
      authorizer: (channel, options) => {
        seen.push({
          channelName: channel.name,
          isTheChannel: channel === p2.channel(channel.name),
          options: H.ser(options),
        });
        return {
          authorize: (socketId, callback) => {
            seen.push({ socketIdIsCurrent: socketId === p2.connection.socket_id });
            fetch(options.authEndpoint, {
              method: 'POST',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...options.auth.headers },
              body: new URLSearchParams({ socket_id: socketId, channel_name: channel.name, via: 'authorizer' }),
            })
              .then((r) => r.json())
              .then(
                (data) => callback(null, data),
                (err) => callback(err, null),
              );
          },
        };
      },
    });
    const ch2 = p2.subscribe('private-echo-authorizer');
    const [succeeded] = await H.once(ch2, 'pusher:subscription_succeeded');
    out.succeeded = H.ser(succeeded);
    out.seen = seen;
    // channelAuthorization, when present, wins over authEndpoint.
    const p3 = new Pusher(a.key, {
      ...a.options,
      authEndpoint: '/nowhere',
      channelAuthorization: { endpoint: '/broadcasting/auth' },
    });
    await H.once(p3.subscribe('private-echo-both'), 'pusher:subscription_succeeded');
    out.requests = (await node('auth.requests'))
      .map((r) => ({ channel: r.form.channel_name, path: r.path, headers: r.headers, form: r.form }))
      .sort((x, y) => (x.channel < y.channel ? -1 : 1));
    return out;
  });
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.succeeded, {});
    assert.deepEqual(obs.seen, [
      {
        channelName: 'private-echo-authorizer',
        isTheChannel: true,
        options: {
          authTransport: 'ajax',
          authEndpoint: '/broadcasting/auth',
          auth: { params: { $undefined: true }, headers: { 'X-CSRF-TOKEN': 'echo-token' } },
        },
      },
      { socketIdIsCurrent: true },
    ]);
    const form = (channel, more = {}) => ({ socket_id: '<socket_id>', channel_name: channel, ...more });
    assert.deepEqual(obs.requests, [
      {
        channel: 'private-echo',
        path: '/broadcasting/auth',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': 'echo-token' },
        form: form('private-echo', { extra: '1' }),
      },
      {
        channel: 'private-echo-authorizer',
        path: '/broadcasting/auth',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': 'echo-token' },
        form: form('private-echo-authorizer', { via: 'authorizer' }),
      },
      {
        channel: 'private-echo-both',
        path: '/broadcasting/auth',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        form: form('private-echo-both'),
      },
    ]);
  });
});

test('reconnect: the private channel is re-authorized with the new socket_id and subscribed again', async () => {
  const runs = await run(
    async (a) => {
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      H.watch(p, log);
      const ch = p.subscribe('private-reconnect');
      ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
      ch.bind('pusher:subscription_error', (e) => log.push(['subscription_error', H.ser(e)]));
      ch.bind('ev', (d) => log.push(['ev', d]));
      await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
      const firstId = p.connection.socket_id;
      // SIGKILL: the socket drops without a close frame; pusher-js retries after 1 s, by when
      // sockudo is back (after a 4200 close it retries at once, hits the closed port and waits
      // 15 s); ours retries after 0.1–1.5 s and, if the port is still closed, again.
      await node('restartServer', { signal: 'SIGKILL' });
      await log.waitForCount((e) => e[0] === 'succeeded', 2, 'subscribed again', { timeout: 25000 });
      const secondId = p.connection.socket_id;
      await node('trigger', 'private-reconnect', 'ev', 'after');
      await log.waitFor((e) => e[0] === 'ev', 'event after the reconnect');
      const requests = await node('auth.requests');
      return {
        // the drop's error and connecting_in are connection.test.mjs's business
        entries: log.entries.filter((e) => e[0] !== 'connecting_in' && e[0] !== 'error'),
        _ids: [firstId, secondId],
        idsMatch:
          requests.length === 2 && requests[0].form.socket_id === firstId && requests[1].form.socket_id === secondId,
        idsDiffer: firstId !== secondId,
      };
    },
    {},
    { timeoutMs: 40000, allowConsoleErrors: true },
  );
  checkBoth(runs, (obs, r) => {
    onlyNetworkConsoleErrors(r.consoleErrors);
    assert.equal(obs.idsMatch, true);
    assert.equal(obs.idsDiffer, true);
    assert.deepEqual(obs.entries, [
      ['state', 'connecting', 'connected'],
      ['succeeded'],
      ['state', 'connected', 'connecting'],
      ['state', 'connecting', 'connected'],
      ['succeeded'],
      ['ev', 'after'],
    ]);
    const subs = establishedSockets(r.websockets).map((ws) => subscribes(ws));
    assert.deepEqual(subs, [
      [{ event: 'pusher:subscribe', data: { auth: '<signature>', channel: 'private-reconnect' } }],
      [{ event: 'pusher:subscribe', data: { auth: '<signature>', channel: 'private-reconnect' } }],
    ]);
  });
});

test('client events between two pages on a private channel: trigger returns true, not echoed', async () => {
  const runs = await runPagesOnBoth(
    env,
    2,
    async (pages) => {
      const setup = async (a) => {
        window.p = new Pusher(a.key, a.options);
        window.log = H.createLog();
        const ch = p.subscribe('private-whisper');
        for (const ev of ['client-typing', 'client-reply']) {
          ch.bind(ev, function () {
            log.push([ev, H.ser(Array.from(arguments))]);
          });
        }
        await H.once(ch, 'pusher:subscription_succeeded');
        return true;
      };
      const args = env.clientArgs();
      await Promise.all(pages.map((pg) => pg.run(setup, args)));
      const sent = await pages[0].run(() => p.channel('private-whisper').trigger('client-typing', { who: 'page0' }));
      const received = await pages[1].run(async () => {
        await log.waitFor((e) => e[0] === 'client-typing', 'whisper');
        const reply = p.channel('private-whisper').trigger('client-reply', { who: 'page1' });
        return { reply, entries: log.entries };
      });
      // The reply arrives after any echo of page 0's own whisper would have.
      const sender = await pages[0].run(async () => {
        await log.waitFor((e) => e[0] === 'client-reply', 'reply');
        return log.entries;
      });
      const receiverAfter = await pages[1].run(async () => {
        // Barrier for an echo of page 1's reply: one more event from the server.
        const barrier = H.once(p.channel('private-whisper'), 'barrier');
        await node('trigger', 'private-whisper', 'barrier', {});
        await barrier;
        return log.entries;
      });
      return { sent, received, sender, receiverAfter };
    },
    { handlers },
  );
  checkBoth(runs, (obs, r) => {
    assert.equal(obs.sent, true);
    assert.deepEqual(obs.received, {
      reply: true,
      entries: [['client-typing', [{ who: 'page0' }, {}]]],
    });
    assert.deepEqual(obs.sender, [['client-reply', [{ who: 'page1' }, {}]]]);
    assert.deepEqual(obs.receiverAfter, [['client-typing', [{ who: 'page0' }, {}]]]);
    assert.deepEqual(
      parsedFrames(r.pages[0].websockets[0].sent).filter((f) => f.event?.startsWith('client-')),
      [{ event: 'client-typing', data: { who: 'page0' }, channel: 'private-whisper' }],
    );
  });
});

// What pusher-wasm emits for each refused client event.
const RATE_LIMITED = [
  'error',
  {
    type: 'ClientEventRateLimited',
    error: 'Client event client-burst on private-burst was not sent: over 10 client events per second',
    data: { event: 'client-burst', channel: 'private-burst' },
  },
];
const OURS_RATE_ERRORS = [RATE_LIMITED, RATE_LIMITED];

test('client events over maxClientEventsPerSecond (10): pusher-wasm refuses them (deliberate)', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    H.watch(p, log);
    const ch = p.subscribe('private-burst');
    await H.once(ch, 'pusher:subscription_succeeded');
    const results = [];
    for (let i = 0; i < 12; i++) results.push(ch.trigger('client-burst', { i }));
    // Barrier: a server event after the burst, so whatever the server said about it came first.
    const barrier = H.once(ch, 'barrier');
    await node('trigger', 'private-burst', 'barrier', {});
    await barrier;
    return { results, entries: log.entries, state: p.connection.state };
  });
  checkBoth(
    runs,
    (obs, r) => {
      const sent = parsedFrames(r.websockets[0].sent).filter((f) => f.event === 'client-burst');
      if (r.client === OURS) {
        assert.deepEqual(obs.results, [...Array(10).fill(true), false, false]);
        assert.deepEqual(obs.entries, [['state', 'connecting', 'connected'], ...OURS_RATE_ERRORS]);
        assert.deepEqual(
          sent.map((f) => f.data.i),
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        );
      } else {
        // pusher-js sends them all (sockudo, without a per-app limit, takes them)
        assert.deepEqual(obs.results, Array(12).fill(true));
        assert.deepEqual(obs.entries, [['state', 'connecting', 'connected']]);
        assert.equal(sent.length, 12);
      }
      assert.equal(obs.state, 'connected');
    },
    {
      ours: (o) => ({
        ...o,
        results: [...Array(10).fill(true), false, false],
        entries: [...o.entries, ...OURS_RATE_ERRORS],
      }),
    },
  );
});

test('fake server: pusher_internal:subscription_count on a private channel', async () => {
  const runs = await runOnBoth(
    env,
    async (a) => {
      const p = new Pusher(a.key, {
        ...a.options,
        channelAuthorization: { customHandler: (params, cb) => cb(null, { auth: 'app-key:fake' }) },
      });
      await H.waitState(p, 'connected');
      const ch = p.subscribe('private-counted');
      const log = H.createLog();
      ch.bind('pusher:subscription_count', function () {
        log.push(['count', H.ser(Array.from(arguments)), ch.subscriptionCount]);
      });
      ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
      const before = H.ser(ch.subscriptionCount);
      await node('fake.frame', { event: 'pusher:subscribe' });
      await node('fake.sendEvent', 'pusher_internal:subscription_succeeded', {}, 'private-counted');
      await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
      await node('fake.sendEvent', 'pusher_internal:subscription_count', { subscription_count: 3 }, 'private-counted');
      await node('fake.sendEvent', 'pusher_internal:subscription_count', { subscription_count: 0 }, 'private-counted');
      await log.waitForCount((e) => e[0] === 'count', 2, 'two counts');
      return { before, entries: log.entries };
    },
    { key: 'app-key', options: clientOptions(fake.port) },
    { handlers: pageHandlers(fake), setup: () => fake.reset() },
  );
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.before, { $undefined: true });
    assert.deepEqual(obs.entries, [
      ['succeeded'],
      // emitted without metadata: the callback gets one argument
      ['count', [{ subscription_count: 3 }], 3],
      // pusher-js keeps the last non-zero count (`if (event.data.subscription_count)`)
      ['count', [{ subscription_count: 0 }], 3],
    ]);
  });
});
