import { startSockudo } from '/work/main/tests/support/sockudo.mjs';
import WebSocket from 'ws';
const s = await startSockudo();
await new Promise((res) => {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/app/wrong-key?protocol=7&client=js&version=8.6.0&flash=false`);
  ws.on('unexpected-response', (req, r) => { console.log('unexpected-response', r.statusCode, r.headers); let b=''; r.on('data', d => b+=d); r.on('end', () => {console.log(b); res();}); });
  ws.on('open', () => console.log('open'));
  ws.on('message', (d) => console.log('msg', String(d)));
  ws.on('close', (c, r) => { console.log('close', c, String(r)); res(); });
  ws.on('error', (e) => console.log('error', e.message));
});
console.log(s.log());
await s.stop();
