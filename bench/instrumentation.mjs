// What does driving the page cost? The same blast (20,000 × 100 B events, raw WebSocket and
// pusher-wasm) in browsers started eight ways, interleaved over rounds:
//
//   plain                 Chromium with the page's URL on its command line (what bench/run.mjs does)
//   debug-port            the same plus --remote-debugging-port=0, nobody connected
//   cdp-attached          a DevTools client attached to the page (flat session), no domain enabled
//   cdp-page              the same with Page enabled
//   cdp-runtime           a DevTools client attached to the page with Runtime and Page enabled
//   cdp-network           the same plus Network.enable (an event per WebSocket frame)
//   playwright            playwright-core: launch, newContext, newPage, goto; no listeners
//   playwright-listeners  the same plus page.on('websocket') frame listeners, as the e2e tests do
//
//   node bench/instrumentation.mjs [--rounds N] [--n 20000]
//
// Prints a table and writes bench/results/instrumentation.json.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { startBlaster } from './lib/blaster.mjs';
import { startControlServer, REPO_ROOT } from './lib/control.mjs';
import {
  launchChromium,
  CHROMIUM_BIN,
  CHROMIUM_ARGS,
  BENCH_ARGS,
  TICKS_PER_SECOND,
  chromiumVersion,
  sleep,
} from './lib/chromium.mjs';
import { openPage, blast } from './lib/session.mjs';
import { summarize } from './lib/stats.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const ROUNDS = opt('--rounds', 3);
const N = opt('--n', 20000);
const VARIANTS = ['raw', 'pusher-wasm'];

/** A minimal DevTools protocol client over `ws` (flat sessions). */
async function cdpConnect(wsUrl) {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false, maxPayload: 256 << 20 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let seq = 0;
  const pending = new Map();
  let events = 0;
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    if (msg.id && pending.has(msg.id)) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(JSON.stringify(msg.error)));
      else p.resolve(msg.result);
    } else if (msg.method) events++;
  });
  return {
    send(method, params = {}, sessionId) {
      const id = ++seq;
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    get events() {
      return events;
    },
    close: () => ws.close(),
  };
}

async function devtoolsUrl(browser) {
  for (let i = 0; i < 200; i++) {
    const m = browser.stderr().match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) return m[1];
    await sleep(50);
  }
  throw new Error('no DevTools URL on stderr');
}

function cdpLauncher(domains) {
  return async (url) => {
    const browser = await launchChromium(url, { extraArgs: ['--remote-debugging-port=0'] });
    if (domains === null) return browser;
    const cdp = await cdpConnect(await devtoolsUrl(browser));
    let target = null;
    for (let i = 0; i < 100 && !target; i++) {
      target = (await cdp.send('Target.getTargets')).targetInfos.find((t) => t.type === 'page');
      if (!target) await sleep(50);
    }
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: true });
    for (const d of domains) await cdp.send(`${d}.enable`, {}, sessionId);
    return {
      ...browser,
      cdp,
      async close() {
        cdp.close();
        await browser.close();
      },
    };
  };
}

function chromiumChildOf(pid) {
  const out = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)]).stdout.toString();
  const line = out.split('\n').find((l) => /chrom/.test(l) && !/--type=/.test(l));
  return line ? Number(line.trim().split(/\s+/)[0]) : null;
}

function playwrightLauncher(listeners) {
  return async (url) => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: [...CHROMIUM_ARGS, ...BENCH_ARGS] });
    const pid = chromiumChildOf(process.pid);
    const context = await browser.newContext();
    const page = await context.newPage();
    if (listeners) {
      page.on('websocket', (ws) => {
        ws.on('framesent', () => {});
        ws.on('framereceived', () => {});
      });
    }
    await page.goto(url);
    const exited = new Promise((resolve) =>
      browser.once('disconnected', () => resolve({ code: null, signal: 'disconnected' })),
    );
    return { pid, exited, stderr: () => '', close: () => browser.close() };
  };
}

const MODES = {
  plain: launchChromium,
  'debug-port': cdpLauncher(null),
  'cdp-attached': cdpLauncher([]),
  'cdp-page': cdpLauncher(['Page']),
  'cdp-runtime': cdpLauncher(['Page', 'Runtime']),
  'cdp-network': cdpLauncher(['Page', 'Runtime', 'Network']),
  playwright: playwrightLauncher(false),
  'playwright-listeners': playwrightLauncher(true),
};

const blaster = await startBlaster();
const control = await startControlServer();
const ctx = { blaster, control };
const runs = [];
console.log(
  `instrumentation cost: ${ROUNDS} rounds × ${Object.keys(MODES).length} modes × ${VARIANTS.join(', ')}; ${N} × 100 B events; ${chromiumVersion()}`,
);
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mode, launch] of Object.entries(MODES)) {
      for (const variant of VARIANTS) {
        const record = { mode, variant, round, quietWaits: [] };
        let session = null;
        try {
          session = await openPage(ctx, variant, 'main', { launch });
          await session.page.call('subscribe', { names: ['bench'] });
          Object.assign(record, await blast(ctx, session.browser, session.page, { n: N, size: 100 }, record));
          if (session.browser.cdp) record.cdpEvents = session.browser.cdp.events;
        } catch (err) {
          record.error = String(err?.stack ?? err);
        } finally {
          if (session) await session.browser.close();
        }
        runs.push(record);
        console.log(
          `  ${round + 1} ${mode.padEnd(21)} ${variant.padEnd(12)} ` +
            (record.error
              ? `FAILED ${record.error.split('\n')[0]}`
              : `${Math.round(record.msgsPerSec)} msg/s  ${record.cpuUsPerMsg.toFixed(1)} µs/msg (renderer ${record.rendererUsPerMsg.toFixed(1)})` +
                `${record.lost || record.doubled ? `  LOST ${record.lost} DOUBLED ${record.doubled}` : ''}`),
        );
      }
    }
  }
} finally {
  await control.close();
  await blaster.close();
}

const rows = [];
for (const mode of Object.keys(MODES)) {
  for (const variant of VARIANTS) {
    const rs = runs.filter((r) => r.mode === mode && r.variant === variant && !r.error);
    const t = summarize(rs.map((r) => r.msgsPerSec));
    const c = summarize(rs.map((r) => r.cpuUsPerMsg));
    const b = summarize(rs.map((r) => ((r.cpuTicks.byType.browser ?? 0) * (1e6 / TICKS_PER_SECOND)) / r.n));
    rows.push({ mode, variant, msgsPerSec: t, cpuUsPerMsg: c, browserProcessUsPerMsg: b });
  }
}
const base = Object.fromEntries(VARIANTS.map((v) => [v, rows.find((r) => r.mode === 'plain' && r.variant === v)]));
console.log(
  '\nmode                   variant       msg/s (min–max)             µs/msg (min–max)     browser proc µs   vs plain (msg/s, µs)',
);
for (const r of rows) {
  const f = (s, d = 0) => (s.median == null ? '-' : `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`);
  const b = base[r.variant];
  const rel =
    b && b.msgsPerSec.median && r.msgsPerSec.median
      ? `${(r.msgsPerSec.median / b.msgsPerSec.median).toFixed(2)}×, ${(r.cpuUsPerMsg.median / b.cpuUsPerMsg.median).toFixed(2)}×`
      : '-';
  console.log(
    `${r.mode.padEnd(22)} ${r.variant.padEnd(12)}  ${f(r.msgsPerSec).padEnd(26)}  ${f(r.cpuUsPerMsg, 1).padEnd(20)} ${f(r.browserProcessUsPerMsg, 1).padEnd(17)} ${rel}`,
  );
}
const out = path.join(REPO_ROOT, 'bench/results');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(
  path.join(out, 'instrumentation.json'),
  JSON.stringify(
    { date: new Date().toISOString(), browser: chromiumVersion(), n: N, rounds: ROUNDS, rows, runs },
    null,
    2,
  ) + '\n',
);
