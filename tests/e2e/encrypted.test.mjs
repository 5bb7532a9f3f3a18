// Encrypted channels (`private-encrypted-`) against a real server (sockudo), with events encrypted
// by the `pusher` server SDK (`encryptionMasterKeyBase64`) and the auth endpoint adding the
// channel's `shared_secret`: the round trip, a wrong shared secret (re-authorization, then the
// event is dropped), an answer without `shared_secret`, `trigger` throwing; and on the fake server
// payloads sockudo can't be made to send. Each scenario runs on pusher-js and pusher-wasm.
//
// pusher-js needs a NaCl implementation for these channels: its pages load pusher-js's
// `pusher-with-encryption` build (which bundles tweetnacl) in place of the plain one, or
// tweetnacl for the `nacl` option. pusher-wasm needs neither.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import nacl from 'tweetnacl';
import { checkBoth, parsedFrames, clientOptions, OURS } from '../support/scenario.mjs';
import { pageHandlers } from '../fake-server/index.mjs';
import { startAuthEnv, runPagesOnBoth } from '../support/auth-server.mjs';
import { encryptionBuild } from '../support/page-steps.mjs';

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
  ...pageHandlers(fake),
  /** Triggers through the SDK that encrypts (the shared env.sdk has no master key). */
  async 'enc.trigger'(channel, event, data) {
    const res = await sdk.trigger(channel, event, data);
    if (res.status !== 200) throw new Error(`trigger: HTTP ${res.status}`);
    return true;
  },
  /** The SDK's channel authorization (with shared_secret), for customHandlers. */
  'enc.authorize': (socketId, channel) => sdk.authorizeChannel(socketId, channel),
  /** {nonce, ciphertext} of `text` (UTF-8) with the channel's shared secret, as the SDK makes them. */
  'enc.encrypt': (channel, text, { shortCiphertext } = {}) => {
    const nonce = nacl.randomBytes(24);
    let box = nacl.secretbox(Buffer.from(text, 'utf8'), nonce, sdk.channelSharedSecret(channel));
    if (shortCiphertext) box = box.slice(0, 8);
    return { nonce: Buffer.from(nonce).toString('base64'), ciphertext: Buffer.from(box).toString('base64') };
  },
});

/** Page step: loads tweetnacl (window.nacl). */
async function loadTweetnacl() {
  await new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/node_modules/tweetnacl/nacl-fast.js';
    s.onload = resolve;
    s.onerror = () => reject(new Error('could not load ' + s.src));
    document.head.appendChild(s);
  });
  return typeof window.nacl.secretbox;
}

/** One page per client: `prepare` steps (e.g. encryptionBuild), then the scenario. */
function runEnc(scenario, args = {}, { prepare = [encryptionBuild], ...opts } = {}) {
  return runPagesOnBoth(
    env,
    1,
    async ([page]) => {
      for (const step of prepare) await page.run(step);
      return page.run(scenario, { ...env.clientArgs(), ...args }, 20000);
    },
    { handlers, setup: () => auth.reset(), ...opts },
  );
}

test('round trip: the SDK encrypts, the client decrypts objects, strings and numbers', async () => {
  const runs = await runEnc(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    const ch = p.subscribe('private-encrypted-round');
    ch.bind('pusher:subscription_succeeded', function () {
      log.push(['succeeded', H.ser(Array.from(arguments))]);
    });
    for (const ev of ['obj', 'str', 'num', 'unicode']) {
      ch.bind(ev, function () {
        log.push([ev, H.ser(Array.from(arguments))]);
      });
    }
    const globals = [];
    ch.bind_global((name, data) => globals.push([name, H.ser(data)]));
    await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
    await node('enc.trigger', 'private-encrypted-round', 'obj', { msg: 'hi', n: [1, 2] });
    await node('enc.trigger', 'private-encrypted-round', 'str', 'plain text');
    await node('enc.trigger', 'private-encrypted-round', 'num', 42);
    await node('enc.trigger', 'private-encrypted-round', 'unicode', { s: 'żółw 🐢' });
    await log.waitFor((e) => e[0] === 'unicode', 'last event');
    const requests = await node('auth.requests');
    return { entries: log.entries, globals, requests: requests.map((r) => r.form) };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.entries, [
      ['succeeded', [{}]],
      // EncryptedChannel emits the decrypted data without metadata: one argument
      ['obj', [{ msg: 'hi', n: [1, 2] }]],
      ['str', ['plain text']],
      ['num', [42]],
      ['unicode', [{ s: 'żółw 🐢' }]],
    ]);
    assert.deepEqual(obs.globals, [
      ['pusher:subscription_succeeded', {}],
      ['obj', { msg: 'hi', n: [1, 2] }],
      ['str', 'plain text'],
      ['num', 42],
      ['unicode', { s: 'żółw 🐢' }],
    ]);
    assert.deepEqual(obs.requests, [{ socket_id: '<socket_id>', channel_name: 'private-encrypted-round' }]);
    const ws = r.pages[0].websockets[0];
    // the shared secret stays in the client: the subscribe carries auth only
    const sub = parsedFrames(ws.sent).find((f) => f.event === 'pusher:subscribe');
    assert.deepEqual(Object.keys(sub.data).sort(), ['auth', 'channel']);
    // and the events were encrypted on the wire
    const obj = parsedFrames(ws.received).find((f) => f.event === 'obj');
    assert.deepEqual(Object.keys(JSON.parse(obj.data)).sort(), ['ciphertext', 'nonce']);
  });
});

test('the nacl option (pusher.js + tweetnacl) decrypts the same', async () => {
  const runs = await runEnc(
    async (a) => {
      const p = new Pusher(a.key, { ...a.options, nacl: window.nacl });
      const ch = p.subscribe('private-encrypted-nacl');
      await H.once(ch, 'pusher:subscription_succeeded');
      const got = H.once(ch, 'ev');
      await node('enc.trigger', 'private-encrypted-nacl', 'ev', { via: 'nacl' });
      return { data: H.ser(await got) };
    },
    {},
    { prepare: [loadTweetnacl] },
  );
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs, { data: [{ via: 'nacl' }] });
  });
});

test('without a nacl implementation: pusher-js throws on subscribe, pusher-wasm needs none (deliberate)', async () => {
  const runs = await runEnc(
    async (a) => {
      const p = new Pusher(a.key, a.options);
      await H.waitState(p, 'connected');
      const attempt = H.captureThrow(() => p.subscribe('private-encrypted-nonacl'));
      const ch = p.channel('private-encrypted-nonacl');
      let data = null;
      if (ch) {
        await H.once(ch, 'pusher:subscription_succeeded');
        const got = H.once(ch, 'ev');
        await node('enc.trigger', 'private-encrypted-nonacl', 'ev', { ok: true });
        data = H.ser(await got);
      }
      if (!attempt.threw) attempt.value = '<channel>';
      return { attempt, channel: !!ch, data };
    },
    {},
    { prepare: [] },
  );
  const THREW = {
    threw: true,
    typeof: 'object',
    isError: true,
    class: 'UnsupportedFeature',
    name: 'Error',
    message:
      'Tried to subscribe to a private-encrypted- channel but no nacl implementation available. See: https://github.com/pusher/pusher-js/tree/cc491015371a4bde5743d1c87a0fbac0feb53195#encrypted-channel-support',
  };
  checkBoth(
    runs,
    (obs, r) => {
      if (r.client === OURS) {
        assert.deepEqual(obs, { attempt: { threw: false, value: '<channel>' }, channel: true, data: [{ ok: true }] });
      } else {
        assert.deepEqual(obs, { attempt: THREW, channel: false, data: null });
      }
    },
    { ours: () => ({ attempt: { threw: false, value: '<channel>' }, channel: true, data: [{ ok: true }] }) },
  );
});

test('trigger on an encrypted channel throws UnsupportedFeature', async () => {
  const runs = await runEnc(async (a) => {
    const p = new Pusher(a.key, a.options);
    const ch = p.subscribe('private-encrypted-trig');
    await H.once(ch, 'pusher:subscription_succeeded');
    return {
      client: H.captureThrow(() => ch.trigger('client-x', { a: 1 })),
      notClient: H.captureThrow(() => ch.trigger('x', { a: 1 })),
    };
  });
  checkBoth(runs, (obs, r) => {
    const unsupported = {
      threw: true,
      typeof: 'object',
      isError: true,
      class: 'UnsupportedFeature',
      name: 'Error',
      message: 'Client events are not currently supported for encrypted channels',
    };
    // pusher-js's EncryptedChannel.trigger throws before looking at the name
    assert.deepEqual(obs, { client: unsupported, notClient: unsupported });
    assert.equal(parsedFrames(r.pages[0].websockets[0].sent).filter((f) => !f.event.startsWith('pusher:')).length, 0);
  });
});

test('an auth answer without shared_secret: pusher:subscription_error', async () => {
  const runs = await runEnc(async (a) => {
    await node('auth.set', 'private-encrypted-nosecret', 'no-secret');
    const p = new Pusher(a.key, a.options);
    const ch = p.subscribe('private-encrypted-nosecret');
    const other = p.subscribe('private-encrypted-other');
    const [err] = await H.once(ch, 'pusher:subscription_error');
    await H.once(other, 'pusher:subscription_succeeded');
    return { err: H.ser(err), subscribed: [ch.subscribed, other.subscribed], pending: ch.subscriptionPending };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs, {
      err: {
        type: 'AuthError',
        error: 'No shared_secret key in auth payload for encrypted channel: private-encrypted-nosecret',
      },
      subscribed: [false, true],
      pending: false,
    });
    const subs = parsedFrames(r.pages[0].websockets[0].sent).filter((f) => f.event === 'pusher:subscribe');
    assert.deepEqual(
      subs.map((f) => f.data.channel),
      ['private-encrypted-other'],
    );
  });
});

test('a wrong shared secret: re-authorized once per undecryptable event, dropped until the secret is right', async () => {
  const channel = 'private-encrypted-wrong';
  const runs = await runEnc(
    async (a) => {
      // every answer has a wrong secret until the test says otherwise
      await node('auth.set', a.channel, 'wrong-secret');
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      const ch = p.subscribe(a.channel);
      ch.bind('pusher:subscription_succeeded', () => log.push(['succeeded']));
      ch.bind('pusher:subscription_error', (e) => log.push(['subscription_error', H.ser(e)]));
      for (const ev of ['ev1', 'ev2', 'ev3']) {
        ch.bind(ev, function () {
          log.push([ev, H.ser(Array.from(arguments))]);
        });
      }
      await log.waitFor((e) => e[0] === 'succeeded', 'subscribed');
      await node('enc.trigger', a.channel, 'ev1', { n: 1 });
      // the undecryptable event makes the client ask for the key again (still wrong)
      await node('auth.waitFor', 'channel', 2, a.channel);
      const afterFirst = await node('auth.count', 'channel');
      await node('auth.set', a.channel, 'ok');
      // the next event fails with the old key, the client fetches the right one and shows it
      await node('enc.trigger', a.channel, 'ev2', { n: 2 });
      await log.waitFor((e) => e[0] === 'ev2', 'ev2');
      // with the right key, no further request
      await node('enc.trigger', a.channel, 'ev3', { n: 3 });
      await log.waitFor((e) => e[0] === 'ev3', 'ev3');
      const requests = await node('auth.requests');
      return {
        entries: log.entries,
        afterFirst,
        requests: requests.map((r) => r.form),
        sameSocket: requests.every((r) => r.form.socket_id === p.connection.socket_id),
      };
    },
    { channel },
  );
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.entries, [['succeeded'], ['ev2', [{ n: 2 }]], ['ev3', [{ n: 3 }]]]);
    assert.equal(obs.afterFirst, 2);
    assert.deepEqual(obs.requests, Array(3).fill({ socket_id: '<socket_id>', channel_name: channel }));
    assert.equal(obs.sameSocket, true);
    // re-authorizing for the key does not subscribe again
    const subs = parsedFrames(r.pages[0].websockets[0].sent).filter((f) => f.event === 'pusher:subscribe');
    assert.equal(subs.length, 1);
  });
});

test('fake server: unencrypted, truncated and non-JSON payloads on an encrypted channel', async () => {
  const channel = 'private-encrypted-fake';
  const runs = await runPagesOnBoth(
    env,
    1,
    async ([page]) => {
      await page.run(encryptionBuild);
      return page.run(
        async (a) => {
          let authCalls = 0;
          const p = new Pusher(a.key, {
            ...a.options,
            channelAuthorization: {
              customHandler: (params, cb) => {
                authCalls++;
                node('enc.authorize', params.socketId, params.channelName).then((d) => cb(null, d));
              },
            },
          });
          await H.waitState(p, 'connected');
          const log = H.createLog();
          const ch = p.subscribe(a.channel);
          ch.bind_global((name, data) => log.push([name, H.ser(data)]));
          await node('fake.frame', 'pusher:subscribe');
          await node('fake.sendEvent', 'pusher_internal:subscription_succeeded', {}, a.channel);
          await log.waitFor((e) => e[0] === 'pusher:subscription_succeeded', 'subscribed');
          const send = (event, data) => node('fake.sendEvent', event, data, a.channel);
          await send('plain', { a: 1 }); // not encrypted
          await send('short', await node('enc.encrypt', a.channel, '{"x":1}', { shortCiphertext: true }));
          await send('json', await node('enc.encrypt', a.channel, '{"ok":1}'));
          await send('text', await node('enc.encrypt', a.channel, 'hello, not json'));
          await send('pusher:cache_miss', {}); // pusher: events are not decrypted
          await send('end', await node('enc.encrypt', a.channel, '"end"'));
          await log.waitFor((e) => e[0] === 'end', 'end');
          return { entries: log.entries, authCalls };
        },
        { key: 'app-key', options: clientOptions(fake.port), channel },
      );
    },
    { handlers, setup: () => fake.reset() },
  );
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs, {
      entries: [
        ['pusher:subscription_succeeded', {}],
        ['json', { ok: 1 }],
        ['text', 'hello, not json'],
        ['pusher:cache_miss', {}],
        ['end', 'end'],
      ],
      // dropped payloads that are not ciphertext don't ask for a new key
      authCalls: 1,
    });
  });
});
