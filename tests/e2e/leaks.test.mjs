// No leaks: memory after many connect/disconnect and subscribe/unsubscribe cycles returns near
// its baseline. The bounds apply to pusher-wasm; pusher-js's figures are printed beside them.
//
// Its own Chromium, with `--js-flags=--expose-gc` (gc() in the page) and
// `--enable-precise-memory-info` (performance.memory unrounded). Two figures, after gc():
//   - the JS heap (performance.memory.usedJSHeapSize);
//   - pusher-wasm's WebAssembly linear memory (memory.buffer.byteLength). It never shrinks, so
//     "near the baseline" means it stops growing once warmed up. It is read from the instance,
//     caught by wrapping the WebAssembly.Instance constructor in an init script: no hook in the
//     package is needed.
// Against the fake server (fast, local). Takes about 1.5 minutes on 2 cores.

import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnBoth, clientOptions, OURS } from '../support/scenario.mjs';
import { closeBrowser, launchBrowser, observeSharedWorkers } from '../support/browser.mjs';
import { startHttpServer } from '../support/http-server.mjs';
import { startFakeServer, pageHandlers } from '../fake-server/index.mjs';

// Runs in every page before anything else: remembers each WebAssembly instance.
const WASM_HOOK = `(() => {
  const Orig = WebAssembly.Instance;
  window.__wasmInstances = [];
  WebAssembly.Instance = new Proxy(Orig, {
    construct(target, args) {
      const instance = Reflect.construct(target, args);
      window.__wasmInstances.push(instance);
      return instance;
    },
  });
})();`;

// Page-side measuring, installed by each scenario.
const MEASURE = `
  window.measure = async () => {
    // FinalizationRegistry callbacks (wasm-bindgen frees Rust objects in them) run after a gc,
    // in tasks of their own: collect, yield, collect again.
    for (let k = 0; k < 4; k++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    // the export's name is minified: find the instance's memory by its type
    const memory = window.__wasmInstances
      .flatMap((i) => Object.values(i.exports))
      .find((m) => m instanceof WebAssembly.Memory);
    const heap = performance.memory.usedJSHeapSize;
    if (H.mode !== 'shared') return { heap, wasm: memory ? memory.buffer.byteLength : null };
    // The engine is the SharedWorker's: its heap counts too, and the wasm memory is its own.
    const worker = await node('worker.memory');
    return { heap: heap + worker.jsHeap, wasm: worker.wasm };
  };
`;

let env;
let fake;
before(async () => {
  const browser = await launchBrowser({ args: ['--js-flags=--expose-gc', '--enable-precise-memory-info'] });
  // every context openClientPage makes gets the hook first
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    await context.addInitScript(WASM_HOOK);
    return context;
  };
  env = { browser, http: await startHttpServer() };
  observeSharedWorkers(browser, env.http);
  fake = await startFakeServer();
});
after(async () => {
  await fake?.close();
  await closeBrowser(env?.browser).catch(() => {});
  await env?.http?.close();
});

function run(scenario, args) {
  return runOnBoth(
    env,
    scenario,
    { key: 'app-key', options: clientOptions(fake.port), measure: MEASURE, ...args },
    {
      handlers: pageHandlers(fake),
      setup: () => fake.reset({}),
      timeoutMs: 240000,
      // pusher-js logs "WebSocket is already in CLOSING or CLOSED state." on quick cycles
      allowConsoleErrors: true,
      teardown: (client, r) => {
        if (client === OURS) assert.deepEqual(r.consoleErrors, [], 'pusher-wasm console errors');
      },
    },
  );
}

const KB = 1024;
const fmt = (n) => (n === null ? 'n/a' : `${(n / KB).toFixed(0)} KiB`);

/**
 * Prints the figures and, for pusher-wasm, checks them: the growth from the baseline (after
 * warm-up) to the end, and over the second half alone (a leak keeps growing; a cache that
 * fills up once does not).
 */
function report(runs, what, { heapBound, heapHalfBound, wasmBound }) {
  for (const r of Object.values(runs)) {
    const { base, marks, _ms } = r.raw;
    const last = marks[marks.length - 1];
    const half = marks[Math.floor(marks.length / 2) - 1];
    const line = marks.map((m) => `${m.i}: heap ${fmt(m.heap)}, wasm ${fmt(m.wasm)}`).join('; ');
    console.log(`[${r.client}] ${what} in ${_ms} ms. baseline heap ${fmt(base.heap)}, wasm ${fmt(base.wasm)}; ${line}`);
    const heapGrowth = last.heap - base.heap;
    const heapHalf = last.heap - half.heap;
    console.log(
      `[${r.client}] ${what}: JS heap ${heapGrowth >= 0 ? '+' : ''}${fmt(heapGrowth)} over all (bound ${fmt(heapBound)}), ` +
        `${heapHalf >= 0 ? '+' : ''}${fmt(heapHalf)} over the second half (bound ${fmt(heapHalfBound)})` +
        (last.wasm === null ? '' : `; wasm memory +${fmt(last.wasm - base.wasm)} (bound ${fmt(wasmBound)})`),
    );
    if (r.client !== OURS) continue;
    assert.ok(heapGrowth <= heapBound, `${what}: the JS heap grew by ${fmt(heapGrowth)}`);
    assert.ok(heapHalf <= heapHalfBound, `${what}: the JS heap grew by ${fmt(heapHalf)} over the second half`);
    assert.ok(last.wasm !== null, 'the wasm memory was found');
    assert.ok(last.wasm - base.wasm <= wasmBound, `${what}: wasm memory grew by ${fmt(last.wasm - base.wasm)}`);
    // Linear memory only grows (in 64 KiB pages): once the allocator's high water mark is
    // reached it must stay put; growth in the second half would be a leak.
    assert.equal(last.wasm - half.wasm, 0, `${what}: wasm memory grew over the second half`);
  }
}

test('1,000 connect/disconnect cycles: memory back near the baseline', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.measure);
      const p = new Pusher(a.key, a.options);
      const ch = p.subscribe('leak-conn');
      ch.bind('ev', () => {});
      await H.waitState(p, 'connected');
      const cycle = async () => {
        p.disconnect();
        p.connect();
        await H.waitState(p, 'connected');
      };
      for (let i = 0; i < a.warmup; i++) await cycle();
      const base = await measure();
      const marks = [];
      const t0 = performance.now();
      for (let i = 1; i <= a.cycles; i++) {
        await cycle();
        if (i % (a.cycles / 4) === 0) marks.push({ i, ...(await measure()) });
      }
      p.disconnect();
      return { base, marks, _ms: Math.round(performance.now() - t0) };
    },
    { warmup: 50, cycles: 1000 },
  );
  report(runs, '1,000 connect/disconnect', { heapBound: 512 * KB, heapHalfBound: 256 * KB, wasmBound: 64 * KB });
});

test('10,000 subscribe/unsubscribe cycles (unique names, bound callbacks): memory back near the baseline', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.measure);
      const p = new Pusher(a.key, a.options);
      await H.waitState(p, 'connected');
      let next = 0;
      const batch = async () => {
        const names = Array.from({ length: a.batchSize }, () => `leak-${next++}`);
        const chans = names.map((name) => p.subscribe(name));
        const done = chans.map((ch) => H.once(ch, 'pusher:subscription_succeeded'));
        for (const ch of chans) ch.bind('ev', () => {});
        await Promise.all(done);
        for (const name of names) p.unsubscribe(name);
      };
      for (let i = 0; i < a.warmup; i++) await batch();
      const base = await measure();
      const marks = [];
      const t0 = performance.now();
      const batches = a.cycles / a.batchSize;
      for (let i = 1; i <= batches; i++) {
        await batch();
        if (i % (batches / 4) === 0) marks.push({ i: i * a.batchSize, ...(await measure()) });
      }
      const left = Object.keys(p.channels.channels).length;
      p.disconnect();
      return { base, marks, left, _ms: Math.round(performance.now() - t0) };
    },
    { warmup: 5, batchSize: 100, cycles: 10000 },
  );
  for (const r of Object.values(runs)) assert.equal(r.raw.left, 0, `[${r.client}] channels left in pusher.channels`);
  report(runs, '10,000 subscribe/unsubscribe', { heapBound: 512 * KB, heapHalfBound: 256 * KB, wasmBound: 64 * KB });
});

// Beyond the two cycles above: an app that replaces its Pusher (log out, log in) drops the old
// one after disconnect(). pusher-js keeps every instance alive (its Network listeners); so, at
// the time of writing, does pusher-wasm, also without any channel or binding (see the report).
test('200 Pusher instances created, used, disconnected and dropped: memory back near the baseline', async () => {
  const runs = await run(
    async (a) => {
      (0, eval)(a.measure);
      const once = async () => {
        const p = new Pusher(a.key, a.options);
        const ch = p.subscribe('leak-instance');
        ch.bind('ev', () => {});
        await H.once(ch, 'pusher:subscription_succeeded');
        p.disconnect();
        Pusher.instances.splice(Pusher.instances.indexOf(p), 1);
      };
      for (let i = 0; i < a.warmup; i++) await once();
      const base = await measure();
      const marks = [];
      const t0 = performance.now();
      for (let i = 1; i <= a.cycles; i++) {
        await once();
        if (i % (a.cycles / 4) === 0) marks.push({ i, ...(await measure()) });
      }
      return { base, marks, instances: Pusher.instances.length, _ms: Math.round(performance.now() - t0) };
    },
    { warmup: 20, cycles: 200 },
  );
  // The first instances raise the allocator's high water mark by a page or two; then it is flat.
  report(runs, '200 dropped instances', { heapBound: 512 * KB, heapHalfBound: 256 * KB, wasmBound: 192 * KB });
});
