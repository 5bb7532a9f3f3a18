// X-Socket-ID on the app's own requests (src/package/socket-id.js): `installSocketIdFetch(target)`
// and `socketIdInterceptor(target)` for axios, against the app server's POST /messages, which
// broadcasts with the SDK's `socket_id` exclusion, as Laravel's `broadcast(...)->toOthers()` does
// (tests/support/echo-env.mjs). The target is a Pusher, pusher-wasm's Echo or laravel-echo's.
//
// The broadcast test runs with the three Echo variants: laravel-echo over pusher-js adds the
// header by hand (`echo.socketId()`, what an app does without the helpers: the oracle),
// laravel-echo over pusher-wasm and pusher-wasm's Echo through the helpers. The header details
// (same origin only, never replacing a header, before the connection, uninstall) are the
// helpers' own: they run on every variant's page (the helpers take a pusher-js client or a
// laravel-echo instance too) with the same explicit expectations.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEchoEnv, runEcho, runEchoPages, checkEcho } from '../support/echo-env.mjs';

let env;
before(async () => {
  env = await startEchoEnv();
});
after(async () => {
  await env?.close();
});

test('toOthers(): the sender does not get its own broadcast, another page does (fetch and axios)', async () => {
  const runs = await runEchoPages(env, 2, async (pages) => {
    const setup = async (a) => {
      window.log = H.createLog();
      window.echo = new Echo({ ...a.echo });
      window.echo
        .channel('chat')
        .listen('MessageSent', (e) => window.log.push(['MessageSent', e.text]))
        .listen('.barrier', (e) => window.log.push(['barrier', e.n]));
      await new Promise((r) => window.echo.channel('chat').subscribed(r));
    };
    await Promise.all(pages.map((p) => p.run(setup, { echo: env.echoOptions() })));
    const sent = await pages[0].run(
      async (a) => {
        const echo = window.echo;
        const api = E.fakeAxios().create({ baseURL: a.origin });
        const message = (text) => ({ channel: 'chat', event: 'App\\Events\\MessageSent', data: { text } });
        let viaFetch;
        let viaAxios;
        if (a.variant === 'laravel-echo+pusher-js') {
          // By hand, as the README shows it.
          viaFetch = await E.postMessage('/messages', message('by fetch'), {
            headers: { 'X-Socket-ID': echo.socketId() },
          });
          viaAxios = await api.post('/messages', message('by axios'), { headers: { 'X-Socket-ID': echo.socketId() } });
        } else {
          const { installSocketIdFetch, socketIdInterceptor } = await import('/pkg/index.js');
          const uninstall = installSocketIdFetch(echo);
          viaFetch = await E.postMessage('/messages', message('by fetch'));
          uninstall();
          api.interceptors.request.use(socketIdInterceptor(echo));
          viaAxios = await api.post('/messages', message('by axios'));
        }
        return {
          fetchHeaderWasTheSocketId: viaFetch.body.socketId === echo.socketId(),
          axiosHeaderWasTheSocketId: viaAxios.body.socketId === echo.socketId(),
        };
      },
      { origin: env.http.url },
    );
    await pages[1].run(() => window.log.waitForCount((e) => e[0] === 'MessageSent', 2));
    // Barrier: an event to everyone, after the two broadcasts.
    await pages[0].run(() => node('trigger', 'chat', 'barrier', { n: 1 }));
    await Promise.all(pages.map((p) => p.run(() => window.log.waitFor((e) => e[0] === 'barrier'))));
    const logs = await Promise.all(pages.map((p) => p.run(() => window.log.entries)));
    return { sent, sender: logs[0], other: logs[1] };
  });
  checkEcho(runs, (obs) => {
    assert.deepEqual(obs.sent, { fetchHeaderWasTheSocketId: true, axiosHeaderWasTheSocketId: true });
    assert.deepEqual(obs.sender, [['barrier', 1]], 'the sender got nothing but the barrier');
    assert.deepEqual(obs.other, [
      ['MessageSent', 'by fetch'],
      ['MessageSent', 'by axios'],
      ['barrier', 1],
    ]);
  });
});

test('installSocketIdFetch: same origin only, after the connection, never over a header the request has; uninstall', async () => {
  const runs = await runEcho(
    env,
    async (a) => {
      // On the pusher-js page too (the helpers take any client): keep its window.Pusher.
      const saved = window.Pusher;
      const { installSocketIdFetch } = await import('/pkg/index.js');
      window.Pusher = saved;
      const original = window.fetch;
      const target = a.variant === 'pusher-wasm-echo' ? new Echo({ ...a.echo }) : new Pusher(a.key, a.options);
      const pusher = target.connector?.pusher ?? target;
      const uninstall = installSocketIdFetch(target);
      const installed = window.fetch !== original;
      const seen = async (label, input, init) => {
        const res = await fetch(input, init);
        const body = await res.json();
        return [
          label,
          body.socketId === null
            ? 'none'
            : body.socketId === pusher.connection.socket_id
              ? 'the socket id'
              : body.socketId,
        ];
      };
      const post = (extra = {}) => ({ method: 'POST', body: '{}', ...extra });
      const out = [];
      out.push(await seen('before the connection', '/messages', post()));
      await H.waitState(pusher, 'connected');
      const here = location.origin + '/messages';
      out.push(await seen('relative URL', '/messages', post()));
      out.push(await seen('absolute same-origin URL', here, post()));
      out.push(await seen('URL object', new URL('/messages', location.href), post()));
      out.push(await seen('Request', new Request(here, post())));
      out.push(
        await seen('Request with the header', new Request(here, post({ headers: { 'X-Socket-ID': 'request-own' } }))),
      );
      out.push(await seen('init header', '/messages', post({ headers: { 'X-Socket-ID': 'mine' } })));
      out.push(
        await seen('init Headers, lower case', '/messages', post({ headers: new Headers({ 'x-socket-id': 'lower' }) })),
      );
      out.push(await seen('other headers kept', '/messages', post({ headers: [['X-Other', '1']] })));
      out.push(
        await seen('cross-origin', a.otherOrigin + '/messages', post({ headers: { 'Content-Type': 'text/plain' } })),
      );
      uninstall();
      const restored = window.fetch === original;
      out.push(await seen('after uninstall', '/messages', post()));
      // Waiting for the connection: a request made before it goes once connected.
      pusher.disconnect();
      const uninstallWaiting = installSocketIdFetch(target, { waitMs: 5000 });
      const waiting = seen('waitMs, before the connection', '/messages', post());
      pusher.connect();
      out.push(await waiting);
      uninstallWaiting();
      const bad = H.captureThrow(() => installSocketIdFetch({}));
      const other = (await node('takeRequests', '/messages'))
        .filter((r) => r.origin === 'other')
        .map((r) => [r.method, r.headers['x-socket-id'] ?? 'none', r.headers['x-other'] ?? null]);
      pusher.disconnect();
      return { installed, restored, seen: out, other, bad };
    },
    env.args(),
  );
  checkEcho(runs, (obs) => {
    assert.equal(obs.installed, true);
    assert.equal(obs.restored, true);
    assert.deepEqual(obs.seen, [
      ['before the connection', 'none'],
      ['relative URL', 'the socket id'],
      ['absolute same-origin URL', 'the socket id'],
      ['URL object', 'the socket id'],
      ['Request', 'the socket id'],
      ['Request with the header', 'request-own'],
      ['init header', 'mine'],
      ['init Headers, lower case', 'lower'],
      ['other headers kept', 'the socket id'],
      ['cross-origin', 'none'],
      ['after uninstall', 'none'],
      ['waitMs, before the connection', 'the socket id'],
    ]);
    assert.deepEqual(obs.other, [['POST', 'none', null]]);
    assert.deepEqual(obs.bad, {
      threw: true,
      typeof: 'object',
      isError: true,
      class: 'TypeError',
      name: 'TypeError',
      message: 'installSocketIdFetch: expected a Pusher, an Echo or a function returning the socket id',
    });
  });
});

test('socketIdInterceptor for axios instances made after Echo: same origin only, a header already set wins', async () => {
  const runs = await runEcho(
    env,
    async (a) => {
      const saved = window.Pusher;
      const { socketIdInterceptor } = await import('/pkg/index.js');
      window.Pusher = saved;
      const echo = new Echo({ ...a.echo, withoutInterceptors: true });
      const id = () => echo.socketId();
      const label = (header) => (header === null ? 'none' : header === id() ? 'the socket id' : header);
      const api = E.fakeAxios().create({ baseURL: '/' });
      const foreign = E.fakeAxios().create({ baseURL: a.otherOrigin });
      const byPusher = E.fakeAxios();
      api.interceptors.request.use(socketIdInterceptor(echo));
      foreign.interceptors.request.use(socketIdInterceptor(echo));
      byPusher.interceptors.request.use(socketIdInterceptor(echo.connector.pusher, { header: 'X-Socket-Id' }));
      const out = [];
      out.push(['before the connection', label((await api.post('messages', {})).body.socketId)]);
      await H.waitState(echo.connector.pusher, 'connected');
      out.push(['baseURL /', label((await api.post('messages', {})).body.socketId)]);
      out.push([
        'own header',
        label((await api.post('messages', {}, { headers: { 'x-socket-id': 'mine' } })).body.socketId),
      ]);
      out.push([
        'other origin',
        label((await foreign.post('/messages', {}, { headers: { 'Content-Type': 'text/plain' } })).body.socketId),
      ]);
      const config = (await byPusher.post('/messages', {})).config;
      out.push([
        'a Pusher as the target, header name option',
        Object.keys(config.headers).filter((k) => /socket/i.test(k)),
        label(config.headers['X-Socket-Id']),
      ]);
      echo.disconnect();
      return out;
    },
    env.args(),
  );
  checkEcho(runs, (obs) =>
    assert.deepEqual(obs, [
      ['before the connection', 'none'],
      ['baseURL /', 'the socket id'],
      ['own header', 'mine'],
      ['other origin', 'none'],
      ['a Pusher as the target, header name option', ['X-Socket-Id'], 'the socket id'],
    ]),
  );
});
