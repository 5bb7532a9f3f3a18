import { startEnv, runOnBoth } from '../support/scenario.mjs';
process.env.CLIENTS='pusher-js';
const env = await startEnv({ sockudo: true });
let runs = await runOnBoth(env, async (a) => {
  const log = H.createLog();
  const W = window.WebSocket;
  window.WebSocket = function (u) { const ws = new W(u); const t = performance.now()|0; log.push(['new ws', t, new Error().stack.split('\n').slice(2,9).map(s=>s.trim().replace(/\(http.*pusher.js/, '(')).join(' | ')]);
    ws.addEventListener('open', () => log.push(['open', performance.now()|0])); ws.addEventListener('close', (e) => log.push(['close', performance.now()|0, e.code])); return ws; };
  window.WebSocket.prototype = W.prototype; Object.assign(window.WebSocket, {OPEN:1, CLOSED:3, CONNECTING:0, CLOSING: 2});
  const p = new Pusher('wrong-key', a.options);
  H.recordStates(p, log);
  p.connection.bind('error', (e) => log.push(['error', performance.now()|0, JSON.stringify(H.ser(e))]));
  p.connection.bind('connecting_in', (e) => log.push(['connecting_in', e]));
  await H.quietPeriod(2500);
  return {entries: log.entries, ls: {...localStorage}};
}, env.clientArgs(), { handlers: env.sdkHandlers() });
console.log(JSON.stringify(runs['pusher-js'].raw, null, 1));
await env.close();
