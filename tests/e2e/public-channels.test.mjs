// Public channels against a real server (sockudo), each scenario on pusher-js and pusher-wasm.
// Events are published through the `pusher` server SDK from Node (`node('trigger', ...)`).
// "Nothing else arrived" is proven with a barrier: the connection's `message` event is bound
// after the client's own handler, so when it reports frame N, every channel callback for N ran.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, runOnBoth, checkBoth, parsedFrames } from '../support/scenario.mjs';

let env;
before(async () => {
  env = await startEnv({ sockudo: true });
});
after(async () => {
  await env?.close();
});

const run = (scenario, extra = {}, opts = {}) =>
  runOnBoth(env, scenario, env.clientArgs(extra), { handlers: env.sdkHandlers(), ...opts });

/** Text frames the page sent on its i-th WebSocket, parsed. */
const sentFrames = (r, i = 0) => parsedFrames(r.websockets[i].sent);

test('connect: state sequence, connected payload and socket_id', async () => {
  const runs = await run(async (a) => {
    const log = H.createLog();
    const p = new Pusher(a.key, a.options);
    const afterConstructor = { state: p.connection.state, socketIdType: typeof p.connection.socket_id };
    p.connection.bind('state_change', (s) => log.push(['state_change', H.ser(s), p.connection.state]));
    p.connection.bind('connecting', function () {
      log.push(['connecting', arguments.length]);
    });
    p.connection.bind('connected', function (d) {
      log.push(['connected', arguments.length, H.ser(d), p.connection.state]);
    });
    await H.waitState(p, 'connected');
    const [, , payload] = log.entries.find((e) => e[0] === 'connected');
    return {
      afterConstructor,
      entries: log.entries,
      socketIdMatches: H.isSocketId(p.connection.socket_id),
      payloadKeys: Object.keys(payload),
      payloadEqualsConnection: payload.socket_id === p.connection.socket_id,
      finalState: p.connection.state,
    };
  });
  checkBoth(runs, (obs, r) => {
    // pusher-js starts connecting inside the constructor: `initialized -> connecting` is emitted
    // before anyone can bind, so the first observable state_change is connecting -> connected.
    assert.deepEqual(obs.afterConstructor, { state: 'connecting', socketIdType: 'undefined' });
    assert.deepEqual(obs.entries, [
      ['state_change', { previous: 'connecting', current: 'connected' }, 'connected'],
      ['connected', 1, { socket_id: '<socket_id>' }, 'connected'],
    ]);
    assert.equal(obs.socketIdMatches, true);
    assert.deepEqual(obs.payloadKeys, ['socket_id']);
    assert.equal(obs.payloadEqualsConnection, true);
    assert.equal(obs.finalState, 'connected');
    assert.equal(r.websockets.length, 1);
    const url = new URL(r.websockets[0].url);
    assert.equal(url.protocol, 'ws:');
    assert.equal(url.host, `127.0.0.1:${env.sockudo.port}`);
    assert.equal(url.pathname + url.search, '/app/app-key?protocol=7&client=js&version=8.6.0&flash=false');
    assert.deepEqual(r.websockets[0].sent, []);
  });
});

test('subscribe before connected: sent once the connection is up', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const ch = p.subscribe('early');
    const before = [p.connection.state, ch.subscribed, ch.subscriptionPending];
    const [data] = await H.once(ch, 'pusher:subscription_succeeded');
    return { before, data: H.ser(data), after: [ch.subscribed, ch.subscriptionPending] };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.before, ['connecting', false, false]);
    assert.deepEqual(obs.data, {});
    assert.deepEqual(obs.after, [true, false]);
    assert.deepEqual(sentFrames(r), [{ event: 'pusher:subscribe', data: { auth: '', channel: 'early' } }]);
  });
});

test('subscribe a public channel: flags, lookups, same object, succeeded fires once', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    p.connection.bind('message', (m) => log.push(['message', m.event, m.channel]));
    await H.waitState(p, 'connected');
    const beforeSubscribe = {
      channel: typeof p.channel('pub-a'),
      all: p.allChannels().length,
      table: Object.keys(p.channels.channels),
    };
    const ch = p.subscribe('pub-a');
    let succeeded = 0;
    let succeededArgs = null;
    ch.bind('pusher:subscription_succeeded', function () {
      succeeded++;
      succeededArgs = H.ser(Array.from(arguments));
    });
    const pending = { subscribed: ch.subscribed, subscriptionPending: ch.subscriptionPending };
    const again = p.subscribe('pub-a');
    await log.waitFor((e) => e[1] === 'pusher_internal:subscription_succeeded', 'subscription_succeeded');
    const done = { subscribed: ch.subscribed, subscriptionPending: ch.subscriptionPending };
    const third = p.subscribe('pub-a'); // subscribing a subscribed channel: no new frame
    // Barrier: an event published after the handshake must arrive with succeeded still at 1.
    await node('trigger', 'pub-a', 'barrier', { n: 1 });
    await log.waitFor((e) => e[1] === 'barrier', 'barrier');
    return {
      beforeSubscribe,
      pending,
      done,
      succeeded,
      succeededArgs,
      sameObject: again === ch && third === ch,
      name: ch.name,
      pusherIsClient: ch.pusher === p,
      channelLookup: p.channel('pub-a') === ch,
      table: Object.keys(p.channels.channels),
      tableEntry: p.channels.channels['pub-a'] === ch,
      all: p.allChannels().length,
      allIsChannel: p.allChannels()[0] === ch,
      unknown: typeof p.channel('nope'),
    };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.beforeSubscribe, { channel: 'undefined', all: 0, table: [] });
    assert.deepEqual(obs.pending, { subscribed: false, subscriptionPending: true });
    assert.deepEqual(obs.done, { subscribed: true, subscriptionPending: false });
    assert.equal(obs.succeeded, 1);
    // only (data): unlike ordinary channel events there is no metadata argument
    assert.deepEqual(obs.succeededArgs, [{}]);
    assert.equal(obs.sameObject, true);
    assert.equal(obs.name, 'pub-a');
    assert.equal(obs.pusherIsClient, true);
    assert.equal(obs.channelLookup, true);
    assert.deepEqual(obs.table, ['pub-a']);
    assert.equal(obs.tableEntry, true);
    assert.equal(obs.all, 1);
    assert.equal(obs.allIsChannel, true);
    assert.equal(obs.unknown, 'undefined');
    // three subscribe() calls, one frame
    assert.deepEqual(sentFrames(r), [{ event: 'pusher:subscribe', data: { auth: '', channel: 'pub-a' } }]);
    assert.equal(r.websockets[0].sent[0], '{"event":"pusher:subscribe","data":{"auth":"","channel":"pub-a"}}');
  });
});

test('events: data decoding, callback arguments and this', async () => {
  const payloads = [
    ['object', { a: 1, nested: { b: [1, 2, null] }, s: 'é ✓' }],
    ['array', [1, 'two', { three: 3 }]],
    ['plain string (not JSON)', 'hello world'],
    ['string that is JSON', '{"looks":"like json"}'],
    ['number', 42],
    ['numeric string', '42'],
    ['zero', 0],
    ['false', false],
    ['null', null],
    ['empty string', ''],
  ];
  const runs = await run(
    async (a) => {
      const p = new Pusher(a.key, a.options);
      const log = H.createLog();
      p.connection.bind('message', (m) => m.event === 'ev' && log.push(['message']));
      const ch = p.subscribe('pub-data');
      await H.once(ch, 'pusher:subscription_succeeded');
      const got = [];
      ch.bind('ev', function (data, metadata) {
        got.push({
          argc: arguments.length,
          type: data === null ? 'null' : typeof data,
          data: H.ser(data),
          metadata: H.ser(metadata),
          thisIsWindow: this === window,
        });
      });
      const globalGot = [];
      p.bind('ev', function () {
        globalGot.push({ argc: arguments.length, args: H.ser(Array.from(arguments)) });
      });
      for (let i = 0; i < a.payloads.length; i++) {
        await node('trigger', 'pub-data', 'ev', a.payloads[i][1]);
        await log.waitForCount(() => true, i + 1, 'event ' + a.payloads[i][0]);
      }
      return { got, globalGot };
    },
    { payloads },
  );
  checkBoth(runs, (obs) => {
    const expected = [
      // [typeof data, data as received]
      ['object', { a: 1, nested: { b: [1, 2, null] }, s: 'é ✓' }],
      ['object', [1, 'two', { three: 3 }]],
      ['string', 'hello world'],
      ['object', { looks: 'like json' }], // a string payload that parses as JSON arrives parsed
      ['number', 42],
      ['number', 42],
      ['number', 0],
      ['boolean', false],
      ['null', null],
      ['string', ''],
    ];
    assert.deepEqual(
      obs.got,
      expected.map(([type, data]) => ({ argc: 2, type, data, metadata: {}, thisIsWindow: true })),
    );
    // The global emitter (pusher.bind) passes only the data, and passes NOTHING when the data is
    // falsy (0, false, null, ''): pusher-js's Dispatcher.emit only pushes `data` if it is truthy.
    assert.deepEqual(
      obs.globalGot,
      expected.map(([, data]) => (data ? { argc: 1, args: [data] } : { argc: 0, args: [] })),
    );
  });
});

test('bind_global, pusher.bind, context and callback order', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    const order = [];
    p.connection.bind('message', (m) => m.event === 'ev' && log.push(['message']));
    const ch = p.subscribe('pub-global');
    ch.bind_global(function (name, data) {
      order.push(['channel.bind_global', arguments.length, name, H.ser(data)]);
    });
    await H.once(ch, 'pusher:subscription_succeeded');
    const ctx = { tag: 'ctx' };
    ch.bind(
      'ev',
      function (data) {
        order.push(['channel.bind(ctx)', this === ctx, H.ser(data)]);
      },
      ctx,
    );
    ch.bind('ev', function (data) {
      order.push(['channel.bind', this === window, H.ser(data)]);
    });
    p.bind('ev', function (data) {
      order.push(['pusher.bind', this === window, H.ser(data)]);
    });
    p.bind(
      'ev',
      function () {
        order.push(['pusher.bind(ctx)', this === ctx]);
      },
      ctx,
    );
    p.bind_global(function (name, data) {
      order.push(['pusher.bind_global', arguments.length, name, H.ser(data)]);
    });
    const returns = {
      bind: ch.bind('unused', () => {}) === ch,
      bind_global: ch.bind_global(() => {}) === ch,
      pusherBind: p.bind('unused', () => {}) === p,
      pusherBindGlobal: p.bind_global(() => {}) === p,
    };
    await node('trigger', 'pub-global', 'ev', { x: 1 });
    await log.waitFor(() => true, 'ev');
    return { order, returns };
  });
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.order, [
      // the channel's global callbacks see its subscription_succeeded too (never pusher_internal:*)
      ['channel.bind_global', 2, 'pusher:subscription_succeeded', {}],
      // channel first (global callbacks, then bound ones in bind order), then the client's
      ['channel.bind_global', 2, 'ev', { x: 1 }],
      ['channel.bind(ctx)', true, { x: 1 }],
      ['channel.bind', true, { x: 1 }],
      ['pusher.bind_global', 2, 'ev', { x: 1 }],
      ['pusher.bind', true, { x: 1 }],
      ['pusher.bind(ctx)', true],
    ]);
    assert.deepEqual(obs.returns, { bind: true, bind_global: true, pusherBind: true, pusherBindGlobal: true });
  });
});

test('unbind variants each remove exactly their bindings', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    p.connection.bind('message', (m) => m.event === 'e2' && log.push(['round', m.data.round]));
    const ch = p.subscribe('pub-unbind');
    await H.once(ch, 'pusher:subscription_succeeded');
    let fired = [];
    const ctx = { ctx: 1 };
    const other = { ctx: 2 };
    const f = {
      a: () => fired.push('a'),
      b: () => fired.push('b'),
      c: () => fired.push('c'),
      shared: (d) => fired.push('shared:' + d.ev),
      ctxA() {
        fired.push('ctxA');
      },
      ctxB() {
        fired.push('ctxB');
      },
      otherCtx() {
        fired.push('otherCtx');
      },
      global: (name) => name !== 'pusher:subscription_succeeded' && fired.push('global:' + name),
      global2: (name) => name !== 'pusher:subscription_succeeded' && fired.push('global2:' + name),
      p: (d) => fired.push('p:' + d.ev),
      pGlobal: (name) => fired.push('pGlobal:' + name),
    };
    const bindAll = () => {
      ch.bind('e1', f.a);
      ch.bind('e1', f.b);
      ch.bind('e2', f.c);
      ch.bind('e1', f.shared);
      ch.bind('e2', f.shared);
      ch.bind('e1', f.ctxA, ctx);
      ch.bind('e2', f.ctxB, ctx);
      ch.bind('e1', f.otherCtx, other);
      ch.bind_global(f.global);
      ch.bind_global(f.global2);
    };
    p.bind('e1', f.p);
    p.bind('e2', f.p);
    p.bind_global(f.pGlobal);
    bindAll();
    const rounds = [];
    let round = 0;
    const step = async (label, action) => {
      action();
      fired = [];
      round++;
      await node('trigger', 'pub-unbind', 'e1', { ev: 'e1', round });
      await node('trigger', 'pub-unbind', 'e2', { ev: 'e2', round });
      await log.waitFor((e) => e[1] === round, 'round ' + round);
      rounds.push([label, fired.slice()]);
    };
    await step('all bound', () => {});
    await step("unbind('e1', a)", () => ch.unbind('e1', f.a));
    await step('unbind(undefined, shared)', () => ch.unbind(undefined, f.shared));
    await step('unbind(null, null, ctx)', () => ch.unbind(null, null, ctx));
    await step("unbind('e1')", () => ch.unbind('e1'));
    await step('unbind_global(global)', () => ch.unbind_global(f.global));
    await step('rebind, then unbind()', () => {
      bindAll();
      ch.unbind();
    });
    await step('unbind_global()', () => ch.unbind_global());
    await step('rebind, then unbind_all()', () => {
      bindAll();
      ch.unbind_all();
    });
    await step("pusher.unbind('e1', p)", () => p.unbind('e1', f.p));
    await step('pusher.unbind_global(pGlobal)', () => p.unbind_global(f.pGlobal));
    await step('pusher.bind again, pusher.unbind_all()', () => {
      p.bind('e1', f.p);
      p.bind_global(f.pGlobal);
      p.unbind_all();
    });
    return { rounds };
  });
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.rounds, [
      [
        'all bound',
        [
          'global:e1',
          'global2:e1',
          'a',
          'b',
          'shared:e1',
          'ctxA',
          'otherCtx',
          'pGlobal:e1',
          'p:e1',
          'global:e2',
          'global2:e2',
          'c',
          'shared:e2',
          'ctxB',
          'pGlobal:e2',
          'p:e2',
        ],
      ],
      [
        "unbind('e1', a)",
        [
          'global:e1',
          'global2:e1',
          'b',
          'shared:e1',
          'ctxA',
          'otherCtx',
          'pGlobal:e1',
          'p:e1',
          'global:e2',
          'global2:e2',
          'c',
          'shared:e2',
          'ctxB',
          'pGlobal:e2',
          'p:e2',
        ],
      ],
      [
        'unbind(undefined, shared)',
        [
          'global:e1',
          'global2:e1',
          'b',
          'ctxA',
          'otherCtx',
          'pGlobal:e1',
          'p:e1',
          'global:e2',
          'global2:e2',
          'c',
          'ctxB',
          'pGlobal:e2',
          'p:e2',
        ],
      ],
      [
        'unbind(null, null, ctx)',
        [
          'global:e1',
          'global2:e1',
          'b',
          'otherCtx',
          'pGlobal:e1',
          'p:e1',
          'global:e2',
          'global2:e2',
          'c',
          'pGlobal:e2',
          'p:e2',
        ],
      ],
      [
        "unbind('e1')",
        ['global:e1', 'global2:e1', 'pGlobal:e1', 'p:e1', 'global:e2', 'global2:e2', 'c', 'pGlobal:e2', 'p:e2'],
      ],
      ['unbind_global(global)', ['global2:e1', 'pGlobal:e1', 'p:e1', 'global2:e2', 'c', 'pGlobal:e2', 'p:e2']],
      // unbind() drops every named binding but leaves the global callbacks
      [
        'rebind, then unbind()',
        [
          'global2:e1',
          'global:e1',
          'global2:e1',
          'pGlobal:e1',
          'p:e1',
          'global2:e2',
          'global:e2',
          'global2:e2',
          'pGlobal:e2',
          'p:e2',
        ],
      ],
      ['unbind_global()', ['pGlobal:e1', 'p:e1', 'pGlobal:e2', 'p:e2']],
      ['rebind, then unbind_all()', ['pGlobal:e1', 'p:e1', 'pGlobal:e2', 'p:e2']],
      ["pusher.unbind('e1', p)", ['pGlobal:e1', 'pGlobal:e2', 'p:e2']],
      ['pusher.unbind_global(pGlobal)', ['p:e2']],
      ['pusher.bind again, pusher.unbind_all()', []],
    ]);
  });
});

test('channel isolation and pusher_internal:* never reaching user code', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    p.connection.bind('message', (m) => log.push(['message', m.event, m.channel]));
    const seen = { A: [], B: [], client: [] };
    const A = p.subscribe('iso-a');
    const B = p.subscribe('iso-b');
    A.bind_global((name, data) => seen.A.push([name, H.ser(data)]));
    B.bind_global((name, data) => seen.B.push([name, H.ser(data)]));
    p.bind_global((name, data) => seen.client.push([name, H.ser(data)]));
    const bFired = [];
    B.bind('ev', (d) => bFired.push(d));
    // also bind the internal event names directly: they must never fire
    const internal = [];
    for (const target of [A, B, p]) {
      target.bind('pusher_internal:subscription_succeeded', () => internal.push('bound internal'));
    }
    await log.waitForCount((e) => e[1] === 'pusher_internal:subscription_succeeded', 2, 'both subscribed');
    await node('trigger', 'iso-a', 'ev', { to: 'a' });
    await node('trigger', 'iso-b', 'other', { to: 'b' });
    await log.waitFor((e) => e[1] === 'other', 'barrier on B');
    return { seen, bFired, internal };
  });
  checkBoth(runs, (obs) => {
    assert.deepEqual(obs.seen.A, [
      ['pusher:subscription_succeeded', {}],
      ['ev', { to: 'a' }],
    ]);
    assert.deepEqual(obs.seen.B, [
      ['pusher:subscription_succeeded', {}],
      ['other', { to: 'b' }],
    ]);
    // the client-wide global callbacks get channel events but no subscription events at all
    assert.deepEqual(obs.seen.client, [
      ['ev', { to: 'a' }],
      ['other', { to: 'b' }],
    ]);
    assert.deepEqual(obs.bFired, []);
    assert.deepEqual(obs.internal, []);
  });
});

test('unsubscribe: no more events, removed from the table, fresh object on resubscribe', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    p.connection.bind('message', (m) => log.push(['message', m.event, m.channel]));
    p.subscribe('unsub-ctl');
    const ch = p.subscribe('unsub-a');
    await log.waitForCount((e) => e[1] === 'pusher_internal:subscription_succeeded', 2, 'subscribed');
    const got = [];
    ch.bind('ev', (d) => got.push(['old', d.n]));
    await node('trigger', 'unsub-a', 'ev', { n: 1 });
    await log.waitFor((e) => e[1] === 'ev', 'first ev');
    const ret = p.unsubscribe('unsub-a');
    const afterUnsubscribe = {
      returned: typeof ret,
      subscribed: ch.subscribed,
      subscriptionPending: ch.subscriptionPending,
      inTable: 'unsub-a' in p.channels.channels,
      lookup: typeof p.channel('unsub-a'),
      all: p.allChannels().map((c) => c.name),
    };
    await node('trigger', 'unsub-a', 'ev', { n: 2 });
    await node('trigger', 'unsub-ctl', 'barrier', {});
    await log.waitFor((e) => e[1] === 'barrier', 'barrier');
    const unsubscribeUnknown = H.captureThrow(() => p.unsubscribe('never-subscribed'));
    // subscribe again: pusher-js hands out a new Channel object; old bindings are gone
    const ch2 = p.subscribe('unsub-a');
    ch2.bind('ev', (d) => got.push(['new', d.n]));
    await H.once(ch2, 'pusher:subscription_succeeded');
    await node('trigger', 'unsub-a', 'ev', { n: 3 });
    await node('trigger', 'unsub-ctl', 'barrier2', {});
    await log.waitFor((e) => e[1] === 'barrier2', 'barrier2');
    return {
      afterUnsubscribe,
      got,
      unsubscribeUnknown,
      fresh: ch2 !== ch,
      ch2Subscribed: ch2.subscribed,
      oldSubscribed: ch.subscribed,
      table: Object.keys(p.channels.channels).sort(),
    };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.afterUnsubscribe, {
      returned: 'undefined',
      subscribed: false,
      subscriptionPending: false,
      inTable: false,
      lookup: 'undefined',
      all: ['unsub-ctl'],
    });
    assert.deepEqual(obs.got, [
      ['old', 1],
      ['new', 3],
    ]);
    assert.deepEqual(obs.unsubscribeUnknown, { threw: false, value: { $undefined: true } });
    assert.equal(obs.fresh, true);
    assert.equal(obs.ch2Subscribed, true);
    assert.equal(obs.oldSubscribed, false);
    assert.deepEqual(obs.table, ['unsub-a', 'unsub-ctl']);
    assert.deepEqual(sentFrames(r), [
      { event: 'pusher:subscribe', data: { auth: '', channel: 'unsub-ctl' } },
      { event: 'pusher:subscribe', data: { auth: '', channel: 'unsub-a' } },
      { event: 'pusher:unsubscribe', data: { channel: 'unsub-a' } },
      { event: 'pusher:subscribe', data: { auth: '', channel: 'unsub-a' } },
    ]);
  });
});

test('subscribe, unsubscribe, subscribe in one tick ends subscribed (same object)', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    p.connection.bind('message', (m) => log.push(['message', m.event, m.channel]));
    await H.waitState(p, 'connected');
    const ch = p.subscribe('tick-a');
    let succeeded = 0;
    ch.bind('pusher:subscription_succeeded', () => succeeded++);
    p.unsubscribe('tick-a');
    const mid = { inTable: p.channel('tick-a') === ch, pending: ch.subscriptionPending };
    const again = p.subscribe('tick-a');
    await log.waitFor((e) => e[1] === 'pusher_internal:subscription_succeeded', 'succeeded');
    await node('trigger', 'tick-a', 'barrier', {});
    await log.waitFor((e) => e[1] === 'barrier', 'barrier');
    return { mid, same: again === ch, succeeded, subscribed: ch.subscribed, inTable: p.channel('tick-a') === ch };
  });
  checkBoth(runs, (obs, r) => {
    // while the subscription is pending, unsubscribe() only marks it cancelled: the channel stays
    assert.deepEqual(obs.mid, { inTable: true, pending: true });
    assert.deepEqual(obs, {
      mid: obs.mid,
      same: true,
      succeeded: 1,
      subscribed: true,
      inTable: true,
    });
    assert.deepEqual(sentFrames(r), [{ event: 'pusher:subscribe', data: { auth: '', channel: 'tick-a' } }]);
  });
});

test('subscribe then unsubscribe in one tick: unsubscribed once the server confirms', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    const log = H.createLog();
    p.connection.bind('message', (m) => log.push(['message', m.event, m.channel]));
    await H.waitState(p, 'connected');
    const ch = p.subscribe('tick-b');
    let succeeded = 0;
    ch.bind('pusher:subscription_succeeded', () => succeeded++);
    p.unsubscribe('tick-b');
    const mid = { inTable: p.channel('tick-b') === ch, pending: ch.subscriptionPending };
    await log.waitFor((e) => e[1] === 'pusher_internal:subscription_succeeded', 'succeeded');
    const ctl = p.subscribe('tick-ctl');
    await H.once(ctl, 'pusher:subscription_succeeded');
    return {
      mid,
      succeeded,
      subscribed: ch.subscribed,
      inTable: 'tick-b' in p.channels.channels,
    };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs, {
      mid: { inTable: true, pending: true },
      succeeded: 0, // the cancelled subscription's succeeded is swallowed
      subscribed: false,
      inTable: false,
    });
    assert.deepEqual(sentFrames(r), [
      { event: 'pusher:subscribe', data: { auth: '', channel: 'tick-b' } },
      { event: 'pusher:unsubscribe', data: { channel: 'tick-b' } },
      { event: 'pusher:subscribe', data: { auth: '', channel: 'tick-ctl' } },
    ]);
  });
});

test('reserved channel names throw BadChannelName', async () => {
  const runs = await run(async (a) => {
    const p = new Pusher(a.key, a.options);
    await H.waitState(p, 'connected');
    const hash = H.captureThrow(() => p.subscribe('#server-to-user-1'));
    return { hash, table: Object.keys(p.channels.channels) };
  });
  checkBoth(runs, (obs, r) => {
    assert.deepEqual(obs.hash, {
      threw: true,
      typeof: 'object',
      isError: true,
      class: 'BadChannelName',
      name: 'Error',
      message: 'Cannot create a channel with name "#server-to-user-1".',
    });
    assert.deepEqual(obs.table, []);
    assert.deepEqual(r.websockets[0].sent, []);
  });
});
