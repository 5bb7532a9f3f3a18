// Presence channels against a real server (sockudo): two and three clients in separate pages
// joining and leaving (disconnect, page close, the same user twice), the Members object
// (members, count, myID, me, get, each), member_added/removed payloads and counts, client events
// between presence members; and on the fake server what sockudo lacks: `user_id` metadata on
// client events, odd member frames. Each scenario runs on pusher-js and pusher-wasm.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnBoth, checkBoth, clientOptions, OURS } from '../support/scenario.mjs';
import { pageHandlers } from '../fake-server/index.mjs';
import { startAuthEnv, runPagesOnBoth } from '../support/auth-server.mjs';

let env;
let auth;
let fake;
let close;
before(async () => {
  ({ env, auth, fake, close } = await startAuthEnv());
});
after(() => close?.());

const handlers = () => ({
  ...env.sdkHandlers(),
  ...auth.handlers(),
  /** sockudo's view of a channel: how many connections and users are in it. */
  async 'presence.info'(channel) {
    const res = await env.sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count,user_count' } });
    return res.json();
  },
  /** Resolves once sockudo counts `count` connections in `channel` (polls its HTTP API). */
  async 'presence.waitConnections'(channel, count) {
    const t0 = Date.now();
    for (;;) {
      const res = await env.sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } });
      const info = await res.json();
      if ((info.subscription_count ?? 0) === count) return info;
      if (Date.now() - t0 > 5000) throw new Error(`sockudo still counts ${JSON.stringify(info)} in ${channel}`);
      await new Promise((r) => setTimeout(r, 20)); // poll interval
    }
  },
});

/**
 * Page step: creates `window.p`, subscribes `a.channel` as user `a.user` (with `a.info`), records
 * everything into `window.log` and resolves once subscribed. `window.snap()` describes the members.
 */
async function join(a) {
  window.snap = (m) => {
    const each = [];
    m.each(function () {
      each.push(H.ser(Array.from(arguments)));
    });
    each.sort((x, y) => (x[0].id < y[0].id ? -1 : 1));
    return {
      count: m.count,
      myID: m.myID,
      me: H.ser(m.me),
      members: H.ser(m.members),
      each,
      getMe: H.ser(m.get(m.myID)),
      getNobody: H.ser(m.get('nobody')),
    };
  };
  window.log = H.createLog();
  const params = { user_id: a.user };
  if (a.info !== undefined) params.user_info = JSON.stringify(a.info);
  window.p = new Pusher(a.key, { ...a.options, channelAuthorization: { endpoint: '/pusher/auth', params } });
  const ch = (window.ch = p.subscribe(a.channel));
  window.beforeSubscribed = snap(ch.members);
  ch.bind('pusher:subscription_succeeded', function (m) {
    window.membersAtSubscription = m.members;
    log.push(['succeeded', arguments.length, m === ch.members, snap(m)]);
  });
  ch.bind('pusher:subscription_error', (e) => log.push(['subscription_error', H.ser(e)]));
  for (const ev of ['pusher:member_added', 'pusher:member_removed']) {
    ch.bind(ev, function () {
      log.push([ev.slice(7), H.ser(Array.from(arguments)), ch.members.count]);
    });
  }
  ch.bind('client-hello', function () {
    log.push(['client-hello', H.ser(Array.from(arguments))]);
  });
  ch.bind('barrier', () => log.push(['barrier']));
  await log.waitFor((e) => e[0] === 'succeeded' || e[0] === 'subscription_error', 'subscribed');
  return { before: window.beforeSubscribed, entries: log.entries };
}

/** Page step: waits for the `n`th entry of `kind` about member `id`. */
async function waitMember(a) {
  await log.waitForCount((e) => e[0] === a.kind && e[1][0].id === a.id, a.n ?? 1, `${a.kind} ${a.id}`);
  return true;
}

/** Page step: the server sends one more event; everything it sent before has been handled. */
async function barrier(a) {
  const n = log.count((e) => e[0] === 'barrier');
  await node('trigger', a.channel, 'barrier', {});
  await log.waitForCount((e) => e[0] === 'barrier', n + 1, 'barrier');
  return true;
}

const state = () => ({ entries: log.entries, now: snap(ch.members) });

// sockudo gives a member without user_info the info {}
const member = (id, info = {}) => ({ id, info });

test('three clients join and leave a presence channel: members, count, me, get, each', async () => {
  const channel = 'presence-room';
  const info = { u0: { name: 'zero' }, u1: { name: 'one', tags: ['a'] }, u2: { name: 'two' } };
  const runs = await runPagesOnBoth(
    env,
    3,
    async (pages) => {
      const args = (user) => env.clientArgs({ channel, user, info: info[user] });
      const out = {};
      out.join0 = await pages[0].run(join, args('u0'));
      out.join1 = await pages[1].run(join, args('u1'));
      await pages[0].run(waitMember, { kind: 'member_added', id: 'u1' });
      out.join2 = await pages[2].run(join, args('u2'));
      await pages[0].run(waitMember, { kind: 'member_added', id: 'u2' });
      await pages[1].run(waitMember, { kind: 'member_added', id: 'u2' });
      // u1 leaves with disconnect()
      out.afterDisconnect1 = await pages[1].run(() => {
        p.disconnect();
        const now = snap(ch.members);
        return { now: { ...now, myID: '<compared elsewhere>' }, subscribed: ch.subscribed };
      });
      await pages[0].run(waitMember, { kind: 'member_removed', id: 'u1' });
      await pages[2].run(waitMember, { kind: 'member_removed', id: 'u1' });
      // u2 leaves by closing its page
      await pages[2].close();
      await pages[0].run(waitMember, { kind: 'member_removed', id: 'u2' });
      await pages[0].run(barrier, { channel });
      out.final0 = await pages[0].run(state);
      // joins and leaves change the subscription's members object in place, as pusher-js does
      out.sameMembersObject = await pages[0].run(() => ch.members.members === window.membersAtSubscription);
      out.info = await pages[0].run((a) => node('presence.info', a.channel), { channel });
      return out;
    },
    { handlers, setup: () => auth.reset() },
  );
  checkBoth(runs, (obs) => {
    const nobody = { count: 0, myID: null, me: null, members: {}, each: [], getMe: null, getNobody: null };
    assert.deepEqual(obs.join0.before, nobody);
    const m0 = member('u0', info.u0);
    const m1 = member('u1', info.u1);
    const m2 = member('u2', info.u2);
    assert.deepEqual(obs.join0.entries, [
      [
        'succeeded',
        1,
        true,
        { count: 1, myID: 'u0', me: m0, members: { u0: info.u0 }, each: [[m0]], getMe: m0, getNobody: null },
      ],
    ]);
    assert.deepEqual(obs.join1.entries, [
      [
        'succeeded',
        1,
        true,
        {
          count: 2,
          myID: 'u1',
          me: m1,
          members: { u0: info.u0, u1: info.u1 },
          each: [[m0], [m1]],
          getMe: m1,
          getNobody: null,
        },
      ],
    ]);
    assert.deepEqual(obs.join2.entries[0][3].count, 3);
    assert.deepEqual(obs.join2.entries[0][3].each, [[m0], [m1], [m2]]);
    // After disconnect() the members are emptied (myID: see the test 'members after disconnect()')
    assert.deepEqual(obs.afterDisconnect1, { now: { ...nobody, myID: '<compared elsewhere>' }, subscribed: false });
    assert.deepEqual(obs.final0.entries.slice(1), [
      ['member_added', [m1], 2],
      ['member_added', [m2], 3],
      ['member_removed', [m1], 2],
      ['member_removed', [m2], 1],
      ['barrier'],
    ]);
    assert.deepEqual(obs.final0.now, {
      count: 1,
      myID: 'u0',
      me: m0,
      members: { u0: info.u0 },
      each: [[m0]],
      getMe: m0,
      getNobody: null,
    });
    assert.deepEqual(obs.info, { occupied: true, subscription_count: 1, user_count: 1 });
    assert.equal(obs.sameMembersObject, true);
  });
});

test('the same user in two pages: one member_added, member_removed only when the last one leaves', async () => {
  const channel = 'presence-twice';
  const runs = await runPagesOnBoth(
    env,
    3,
    async (pages) => {
      const out = {};
      await pages[0].run(join, env.clientArgs({ channel, user: 'watcher' }));
      out.joinA = await pages[1].run(join, env.clientArgs({ channel, user: 'dup', info: { tab: 'A' } }));
      await pages[0].run(waitMember, { kind: 'member_added', id: 'dup' });
      out.joinB = await pages[2].run(join, env.clientArgs({ channel, user: 'dup', info: { tab: 'B' } }));
      // sockudo tells nobody about the second connection; a barrier shows nothing came
      await pages[0].run(barrier, { channel });
      out.afterB = await pages[0].run(state);
      await pages[1].run(() => p.disconnect());
      // once sockudo dropped that connection from the channel, a barrier event
      await pages[0].run((a) => node('presence.waitConnections', a.channel, 2), { channel });
      await pages[0].run(barrier, { channel });
      out.afterA = await pages[0].run(state);
      await pages[2].run(() => p.disconnect());
      await pages[0].run(waitMember, { kind: 'member_removed', id: 'dup' });
      await pages[0].run(barrier, { channel });
      out.final = await pages[0].run(state);
      return out;
    },
    { handlers, setup: () => auth.reset() },
  );
  checkBoth(runs, (obs) => {
    const w = member('watcher');
    assert.deepEqual(obs.joinA.entries[0][3].count, 2);
    // the second tab sees the first tab's user_info for the shared id
    assert.deepEqual(obs.joinB.entries[0][3].members, { watcher: {}, dup: { tab: 'A' } });
    assert.deepEqual(obs.joinB.entries[0][3].me, member('dup', { tab: 'A' }));
    assert.deepEqual(obs.joinB.entries[0][3].count, 2);
    assert.deepEqual(obs.afterB.entries.slice(1), [['member_added', [member('dup', { tab: 'A' })], 2], ['barrier']]);
    assert.deepEqual(obs.afterA.entries.slice(1), [
      ['member_added', [member('dup', { tab: 'A' })], 2],
      ['barrier'],
      ['barrier'],
    ]);
    assert.deepEqual(obs.final.entries.slice(1), [
      ['member_added', [member('dup', { tab: 'A' })], 2],
      ['barrier'],
      ['barrier'],
      ['member_removed', [member('dup', { tab: 'A' })], 1],
      ['barrier'],
    ]);
    assert.deepEqual(obs.final.now.members, { watcher: {} });
    assert.equal(w.id, 'watcher');
  });
});

test('client events between presence members (sockudo sends no user_id)', async () => {
  const channel = 'presence-chat';
  const runs = await runPagesOnBoth(
    env,
    2,
    async (pages) => {
      await pages[0].run(join, env.clientArgs({ channel, user: 'a' }));
      await pages[1].run(join, env.clientArgs({ channel, user: 'b' }));
      await pages[0].run(waitMember, { kind: 'member_added', id: 'b' });
      const sent = await pages[1].run(() => ch.trigger('client-hello', { from: 'b' }));
      await pages[0].run(() => log.waitFor((e) => e[0] === 'client-hello', 'hello'));
      // not echoed to the sender: a barrier on page 1
      await pages[1].run(barrier, { channel });
      return { sent, receiver: await pages[0].run(state), sender: await pages[1].run(state) };
    },
    { handlers, setup: () => auth.reset() },
  );
  checkBoth(runs, (obs) => {
    assert.equal(obs.sent, true);
    assert.deepEqual(obs.receiver.entries.slice(1), [
      ['member_added', [member('b')], 2],
      ['client-hello', [{ from: 'b' }, {}]],
      ['barrier'],
    ]);
    assert.deepEqual(obs.sender.entries.slice(1), [['barrier']]);
  });
});

test('members after disconnect() and after connect() again', async () => {
  const channel = 'presence-again';
  const runs = await runPagesOnBoth(
    env,
    1,
    async ([page]) => {
      const out = {};
      await page.run(join, env.clientArgs({ channel, user: 'solo', info: { v: 1 } }));
      out.subscribed = await page.run(() => snap(ch.members));
      out.disconnected = await page.run(() => {
        p.disconnect();
        return { ...snap(ch.members), subscribed: ch.subscribed };
      });
      out.again = await page.run(async () => {
        p.connect();
        await log.waitForCount((e) => e[0] === 'succeeded', 2, 'subscribed again');
        return snap(ch.members);
      });
      await page.run(barrier, { channel });
      // no member_added for myself, one succeeded per subscription
      out.kinds = await page.run(() => log.entries.map((e) => e[0]));
      return out;
    },
    { handlers, setup: () => auth.reset() },
  );
  checkBoth(runs, (obs) => {
    const me = { id: 'solo', info: { v: 1 } };
    const full = { count: 1, myID: 'solo', me, members: { solo: { v: 1 } }, each: [[me]], getMe: me, getNobody: null };
    assert.deepEqual(obs.subscribed, full);
    const { myID, ...disconnected } = obs.disconnected;
    assert.deepEqual(disconnected, {
      count: 0,
      me: null,
      members: {},
      each: [],
      getMe: null,
      getNobody: null,
      subscribed: false,
    });
    assert.deepEqual(obs.again, full);
    assert.deepEqual(obs.kinds, ['succeeded', 'succeeded', 'barrier']);
    // pusher-js's Members.reset(): myID back to null as well
    assert.equal(myID, null);
  });
});

test('presence authorization without channel_data (and not signed in) fails', async () => {
  const runs = await run1(async (a) => {
    await node('auth.set', 'presence-nodata', 'no-channel-data');
    const p = new Pusher(a.key, a.options);
    const ch = p.subscribe('presence-nodata');
    const [err] = await H.once(ch, 'pusher:subscription_error');
    return { err: H.ser(err), count: ch.members.count, myID: ch.members.myID, pending: ch.subscriptionPending };
  });
  // README difference 18: pusher-wasm says what is wrong where pusher-js reports undefined.
  const readable = (o) => ({
    ...o,
    err: {
      type: 'AuthError',
      error:
        "Invalid auth response for channel 'presence-nodata', expected 'channel_data' field, or the user should be signed in",
    },
  });
  checkBoth(
    runs,
    (obs, r) => {
      const expected = {
        // pusher-js calls back the string 'Invalid auth response', whose `.message` is undefined
        err: { type: 'AuthError', error: { $undefined: true } },
        count: 0,
        myID: null,
        pending: false,
      };
      assert.deepEqual(obs, r.client === OURS ? readable(expected) : expected);
    },
    { ours: readable },
  );
});

function run1(scenario, extra = {}, opts = {}) {
  return runOnBoth(env, scenario, env.clientArgs(extra), { handlers, setup: () => auth.reset(), ...opts });
}

const fakeHandlers = () => ({
  ...pageHandlers(fake),
  /** Resolves once the latest connection sent pusher:subscribe for `channel`. */
  'fake.subscribeFrame': async (channel) =>
    (await fake.latest.frame((f) => f.json?.event === 'pusher:subscribe' && f.json.data?.channel === channel)).json,
});

/**
 * Fake-server scenario: subscribes presence-fake (as "me", with members me and x) and
 * private-fake, then sends `a.frames` ([event, channel, data, extra]) and an `end` event.
 */
async function fakeScenario(a) {
  const p = new Pusher(a.key, {
    ...a.options,
    channelAuthorization: {
      customHandler: (params, cb) =>
        cb(null, {
          auth: 'app-key:fake',
          ...(params.channelName.startsWith('presence-')
            ? { channel_data: JSON.stringify({ user_id: 'me', user_info: { n: 1 } }) }
            : {}),
        }),
    },
  });
  await H.waitState(p, 'connected');
  const log = H.createLog();
  const pres = p.subscribe('presence-fake');
  const priv = p.subscribe('private-fake');
  for (const ch of [pres, priv]) {
    for (const ev of ['client-msg', 'server-ev', 'end']) {
      ch.bind(ev, function () {
        log.push([ev, ch.name, H.ser(Array.from(arguments))]);
      });
    }
  }
  for (const ev of ['pusher:member_added', 'pusher:member_removed']) {
    pres.bind(ev, function () {
      log.push([ev, H.ser(Array.from(arguments)), pres.members.count]);
    });
  }
  pres.bind('pusher:subscription_succeeded', (m) =>
    log.push(['succeeded', 'presence-fake', m.count, H.ser(m.me), m.myID]),
  );
  priv.bind('pusher:subscription_succeeded', function () {
    log.push(['succeeded', 'private-fake', H.ser(Array.from(arguments))]);
  });
  const frames = [
    await node('fake.subscribeFrame', 'presence-fake'),
    await node('fake.subscribeFrame', 'private-fake'),
  ];
  const send = (event, channel, data, extra) =>
    node('fake.send', { event, channel, data: JSON.stringify(data), ...(extra || {}) });
  await send('pusher_internal:subscription_succeeded', 'presence-fake', {
    presence: { ids: ['me', 'x'], hash: { me: { n: 1 }, x: { n: 2 } }, count: 2 },
  });
  await send('pusher_internal:subscription_succeeded', 'private-fake', {});
  await log.waitForCount((e) => e[0] === 'succeeded', 2, 'both subscribed');
  for (const [event, channel, data, extra] of a.frames) await send(event, channel, data, extra);
  await send('end', 'presence-fake', {});
  await log.waitFor((e) => e[0] === 'end', 'end');
  const m = pres.members;
  return {
    frames,
    entries: log.entries.slice(2, -1),
    now: { count: m.count, myID: m.myID, me: H.ser(m.me), members: H.ser(m.members) },
  };
}

const runFake = (frames) =>
  runOnBoth(
    env,
    fakeScenario,
    { key: 'app-key', options: clientOptions(fake.port), frames },
    {
      handlers: fakeHandlers(),
      setup: () => fake.reset(),
    },
  );

test('fake server: user_id on a presence client event is its metadata; private channels ignore it', async () => {
  const runs = await runFake([
    ['client-msg', 'presence-fake', { t: 1 }, { user_id: 'x' }],
    ['client-msg', 'private-fake', { t: 2 }, { user_id: 'x' }],
    ['server-ev', 'presence-fake', { t: 3 }],
  ]);
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.frames, [
      {
        event: 'pusher:subscribe',
        data: { auth: 'app-key:fake', channel_data: '{"user_id":"me","user_info":{"n":1}}', channel: 'presence-fake' },
      },
      { event: 'pusher:subscribe', data: { auth: 'app-key:fake', channel: 'private-fake' } },
    ]);
    assert.deepEqual(obs.entries, [
      ['client-msg', 'presence-fake', [{ t: 1 }, { user_id: 'x' }]],
      ['client-msg', 'private-fake', [{ t: 2 }, {}]],
      ['server-ev', 'presence-fake', [{ t: 3 }, {}]],
    ]);
    assert.deepEqual(obs.now, {
      count: 2,
      myID: 'me',
      me: { id: 'me', info: { n: 1 } },
      members: { me: { n: 1 }, x: { n: 2 } },
    });
  });
});

test('fake server: member_added without user_info, member_removed of an unknown id', async () => {
  const runs = await runFake([
    ['pusher_internal:member_added', 'presence-fake', { user_id: 'y' }],
    ['pusher_internal:member_removed', 'presence-fake', { user_id: 'zzz' }],
    ['pusher_internal:member_removed', 'presence-fake', { user_id: 'y' }],
  ]);
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.entries, [
      ['pusher:member_added', [{ id: 'y', info: { $undefined: true } }], 3],
      // the unknown id is not emitted
      ['pusher:member_removed', [{ id: 'y', info: { $undefined: true } }], 2],
    ]);
    assert.equal(obs.now.count, 2);
  });
});

test('fake server: a member without user_info stays in members, its info undefined', async () => {
  // In shared mode the members cross to the tab as JSON text, which would drop an undefined info.
  const runs = await runFake([['pusher_internal:member_added', 'presence-fake', { user_id: 'y' }]]);
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.now, {
      count: 3,
      myID: 'me',
      me: { id: 'me', info: { n: 1 } },
      members: { me: { n: 1 }, x: { n: 2 }, y: { $undefined: true } },
    });
  });
});

test('fake server: member_added for a known id, member_removed of myself', async () => {
  const runs = await runFake([
    ['pusher_internal:member_added', 'presence-fake', { user_id: 'x', user_info: { n: 3 } }],
    ['pusher_internal:member_removed', 'presence-fake', { user_id: 'me' }],
  ]);
  // README difference 9: a join of a known id is not news (pusher-wasm updates the info silently).
  const oncePerId = (entries) => entries.filter((e) => e[0] !== 'pusher:member_added');
  checkBoth(
    runs,
    (obs, r) => {
      const expected = [
        // a known id: emitted again with the new info, not counted twice
        ['pusher:member_added', [{ id: 'x', info: { n: 3 } }], 2],
        ['pusher:member_removed', [{ id: 'me', info: { n: 1 } }], 1],
      ];
      assert.deepEqual(obs.entries, r.client === OURS ? oncePerId(expected) : expected);
      // pusher-js removes even "me" from the members, but keeps `me` and `myID`
      assert.deepEqual(obs.now, { count: 1, myID: 'me', me: { id: 'me', info: { n: 1 } }, members: { x: { n: 3 } } });
    },
    { ours: (o) => ({ ...o, entries: oncePerId(o.entries) }) },
  );
});

test('the Members object as plain data (Object.keys, JSON.stringify)', async () => {
  const runs = await run1(async (a) => {
    const p = new Pusher(a.key, {
      ...a.options,
      channelAuthorization: { endpoint: '/pusher/auth', params: { user_id: 'k', user_info: '{"n":1}' } },
    });
    const ch = p.subscribe('presence-shape');
    const [m] = await H.once(ch, 'pusher:subscription_succeeded');
    return { keys: Object.keys(m).sort(), json: JSON.parse(JSON.stringify(m)), spread: H.ser({ ...m }) };
  });
  checkBoth(runs, (obs) => {
    const data = { members: { k: { n: 1 } }, count: 1, myID: 'k', me: { id: 'k', info: { n: 1 } } };
    assert.deepEqual(obs, { keys: ['count', 'me', 'members', 'myID'], json: data, spread: data });
  });
});
