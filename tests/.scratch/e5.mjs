import { startEnv, runOnBoth } from '../support/scenario.mjs';
process.env.CLIENTS='pusher-js';
const env = await startEnv({ sockudo: true });
const sig = process.argv[2] || 'SIGTERM';
let runs;
try { runs = await runOnBoth(env, async (a) => {
  const log = H.createLog();
  window.__log = log;
  const p = new Pusher(a.key, a.options);
  H.recordStates(p, log);
  p.connection.bind('error', (e) => log.push(['error', performance.now()|0, JSON.stringify(H.ser(e))]));
  p.connection.bind('connecting_in', (e) => log.push(['connecting_in', e]));
  await H.waitState(p, 'connected');
  const ch = p.subscribe('r-ch');
  ch.bind('pusher:subscription_succeeded', () => log.push(['succ', performance.now()|0]));
  ch.bind('ev', (d) => log.push(['ev', d]));
  await log.waitFor(e => e[0]==='succ');
  log.push(['restart', performance.now()|0]);
  await node('restartServer', {signal: a.sig});
  log.push(['restarted', performance.now()|0, p.connection.state]);
  await log.waitForCount(e => e[0]==='succ', 2, 'resubscribed', {timeout: 10000}).catch(e => log.push(['timeout']));
  return {entries: log.entries, state: p.connection.state};
}, {...env.clientArgs(), sig}, { handlers: env.sdkHandlers() });
console.log(JSON.stringify(runs['pusher-js'].raw));
console.log(runs['pusher-js'].websockets.map(w => [w.url, w.openedAt, w.sent, w.received]));
} catch (e) { console.log(e) }
console.log(env.sockudo.log());
await env.close();
