import { startEnv, runOnBoth, clientOptions } from '../support/scenario.mjs';
import { startFakeServer, pageHandlers } from '../fake-server/index.mjs';
process.env.CLIENTS='pusher-js';
const env = await startEnv();
const fake = await startFakeServer();
const handlers = pageHandlers(fake);
const which = process.argv[2];

const scen = {
  frames: async (a) => {
    const log = [];
    const p = new Pusher('app-key', a.options);
    await H.waitState(p, 'connected');
    const ch = p.subscribe('ch1');
    await H.once(ch, 'pusher:subscription_succeeded');
    log.push(p.send_event('client-x', {a: 1}, 'ch1'));
    log.push(p.send_event('plain', 'str'));
    log.push(ch.trigger('client-y', [1,2]));
    p.unsubscribe('ch1');
    await node('fake.nextFrame', {event: 'pusher:unsubscribe'}, {from: 0});
    await node('fake.send', {event: 'pusher:ping', data: {}});
    await node('fake.nextFrame', {event: 'pusher:pong'}, {from: 0});
    return { log, frames: await node('fake.frames'), info: await node('fake.connectionInfo') };
  },
  activity: async (a) => {
    const p = new Pusher('app-key', a.options);
    await H.waitState(p, 'connected');
    const t = performance.now();
    const f = await node('fake.nextFrame', {event: 'pusher:ping'}, {timeout: 4000});
    return { f, dt: performance.now() - t };
  },
  pong: async (a) => {
    const log = H.createLog(); const p = new Pusher('app-key', a.options); H.watch(p, log);
    await H.waitState(p, 'connected');
    await log.waitForCount(e => e[0]==='state' && e[2]==='connected', 2, 'reconnected', {timeout: 5000});
    return { entries: log.entries.map((e, i) => [log.times[i], ...e]), frames0: await node('fake.frames', 0), frames1: await node('fake.frames', 1) };
  },
  error: async (a) => {
    const log = H.createLog(); const p = new Pusher('app-key', a.options); H.watch(p, log);
    await H.waitState(p, 'connected');
    await node('fake.sendError', 4005, 'Path not found');
    await log.waitFor(e => e[0]==='error');
    await node('fake.sendError', null, 'no code');
    await log.waitForCount(e => e[0]==='error', 2);
    await H.quietPeriod(1500);
    return { entries: log.entries.map((e, i) => [log.times[i], ...e]), state: p.connection.state, n: await node('fake.connectionCount') };
  },
  close: async (a) => {
    const log = H.createLog(); const p = new Pusher('app-key', a.options); H.watch(p, log);
    await H.waitState(p, 'connected');
    const ch = p.subscribe('c');
    await H.once(ch, 'pusher:subscription_succeeded');
    log.push(['sid', p.connection.socket_id]);
    if (a.code === 'drop') await node('fake.drop'); else await node('fake.close', a.code, 'reason ' + a.code);
    await H.quietPeriod(2500);
    log.push(['sid', p.connection.socket_id]);
    return { entries: log.entries.map((e, i) => [log.times[i], ...e]), state: p.connection.state, n: await node('fake.connectionCount'), sub: ch.subscribed };
  },
  badjson: async (a) => {
    const log = H.createLog(); const p = new Pusher('app-key', a.options); H.watch(p, log);
    await H.waitState(p, 'connected');
    const ch = p.subscribe('c');
    await H.once(ch, 'pusher:subscription_succeeded');
    ch.bind('ev', d => log.push(['ev', d]));
    p.connection.bind('message', m => log.push(['message', H.ser(m)]));
    await node('fake.sendRaw', '{not json');
    await node('fake.sendRaw', '');
    await node('fake.sendBinary', [1,2,3]);
    await node('fake.sendRaw', '{"event":"ev","channel":"c","data":"{\\"ok\\":true}"}');
    await log.waitFor(e => e[0]==='ev');
    return { entries: log.entries.map((e, i) => [log.times[i], ...e]), state: p.connection.state };
  },
  hs: async (a) => {
    const log = H.createLog(); const p = new Pusher(a.key || 'app-key', a.options); H.watch(p, log);
    await node('fake.connectionInfo', 0);
    if (a.first) await node('fake.sendRaw', a.first);
    await H.quietPeriod(2500);
    return { entries: log.entries.map((e, i) => [log.times[i], ...e]), state: p.connection.state, n: await node('fake.connectionCount'), sid: p.connection.socket_id ?? null };
  },
  unavailable: async (a) => {
    const log = H.createLog(); const p = new Pusher('app-key', a.options); H.watch(p, log);
    await H.waitState(p, 'unavailable', {timeout: 4000});
    await H.quietPeriod(1000);
    return { entries: log.entries.map((e, i) => [log.times[i], ...e]), state: p.connection.state, n: await node('fake.connectionCount') };
  },
};
const args = {
  frames: {}, activity: {}, pong: {activityTimeout: 500, pongTimeout: 500}, error: {}, close: {},
  unavailable: {unavailableTimeout: 1000},
};
if (which === 'activity') fake.defaults.activityTimeout = 1;
if (which === 'pong') fake.defaults.answerPings = false;
if (which === 'unavailable' || which === 'hs') fake.defaults.handshake = false;
if (which === 'hs' && process.argv[3] === 'wrongkey') fake.defaults.appKeys = ['app-key'];
const o = clientOptions(fake.port, '127.0.0.1', {...(args[which] ?? {})});
const runs = await runOnBoth(env, scen[which], { options: o, first: process.argv[4], key: process.argv[3] === 'wrongkey' ? 'wrong-key' : undefined, code: isNaN(+process.argv[3]) ? process.argv[3] : +process.argv[3] }, { handlers, setup: () => fake.reset(fake.defaults) });
const r = runs['pusher-js'];
console.log(JSON.stringify(r.raw, null, 0));
console.log(r.consoleErrors, fake.connections.map(c => [c.index, c.openedAt, c.closed]));
await fake.close(); await env.close();
