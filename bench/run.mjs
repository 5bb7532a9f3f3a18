// The benchmark: raw WebSocket, pusher-js 8.6.0 and pusher-wasm (the engine in the page, and in a
// SharedWorker) in headless Chromium against the blaster (bench/lib/blaster.mjs). Each measurement
// runs in a fresh browser started on the page's URL (no DevTools protocol attached), variants
// interleaved over rounds. See bench/README.md.
//
//   node bench/run.mjs [--quick] [--rounds N] [--variants raw,pusher-js,pusher-wasm,pusher-wasm-shared]
//                      [--out DIR] [--no-docs]
//
// Writes DIR/latest.json, DIR/latest.md and DIR/plot.svg (DIR: bench/results). A full run (not
// --quick, every variant, every kind of run, no problem seen) also writes docs/bench-table.md (the
// README's table: `node bench/lib/report.mjs --readme` copies it there) and docs/bench-plot.svg.
// Exits 1 if a variant failed, or lost or doubled an event; it never fails on a timing.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startBlaster } from './lib/blaster.mjs';
import { startControlServer, snapshotFiles, REPO_ROOT } from './lib/control.mjs';
import { startTcpProxy } from '../tests/support/tcp-proxy.mjs';
import {
  cpuTicks,
  diffTicks,
  chromiumVersion,
  TICKS_PER_SECOND,
  CHROMIUM_ARGS,
  BENCH_ARGS,
  sleep,
} from './lib/chromium.mjs';
import { quantile, summarize } from './lib/stats.mjs';
import { renderMarkdown, renderSvg, renderConsole, renderBenchTable, DOCS_TABLE, DOCS_PLOT } from './lib/report.mjs';
import { METRICS, VARIANTS, OURS } from './lib/metrics.mjs';
import { openPage, blast, quiet, startupCpu } from './lib/session.mjs';

export { VARIANTS };
const KINDS = ['main', 'memory', 'paired'];

const FULL = {
  rounds: 5,
  small: { n: 20000, size: 100 },
  large: { n: 5000, size: 2048 },
  latency: { n: 300, size: 100, intervalMs: 10 },
  channels: 1000,
  members: 100,
  cycles: 4,
  reconnect: { channels: 100, downMs: 2000, timeoutMs: 120000 },
  pairs: 9,
};
const QUICK = {
  rounds: 1,
  small: { n: 2000, size: 100 },
  large: { n: 500, size: 2048 },
  latency: { n: 40, size: 100, intervalMs: 10 },
  channels: 100,
  members: 100,
  cycles: 2,
  reconnect: { channels: 10, downMs: 300, timeoutMs: 30000 },
  pairs: 1,
};

function parseArgs(argv) {
  const args = { quick: false, rounds: null, variants: VARIANTS, out: null, only: null, docs: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--rounds') args.rounds = Number(argv[++i]);
    else if (a === '--variants') args.variants = argv[++i].split(',');
    else if (a === '--out') args.out = path.resolve(argv[++i]);
    else if (a === '--no-docs') args.docs = false;
    else if (a === '--only')
      args.only = argv[++i].split(','); // main, memory, paired (for development)
    else if (a === '--pairs') args.pairs = Number(argv[++i]);
    else if (a === '--channels') args.channels = Number(argv[++i]);
    else if (a === '--cycles') args.cycles = Number(argv[++i]);
    else if (a === '--rtt') args.rtt = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log(
        `node bench/run.mjs [--quick] [--rounds N] [--variants ${VARIANTS.join(',')}] [--out DIR] [--no-docs] [--rtt MS]`,
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const v of args.variants) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}`);
  // A quick run is no measurement: it must not overwrite the last full one.
  args.out ??= path.join(REPO_ROOT, args.quick ? 'bench/results/quick' : 'bench/results');
  return args;
}

const usPerTick = 1e6 / TICKS_PER_SECOND;

async function mainRun(ctx, variant) {
  const cfg = ctx.cfg;
  const record = { kind: 'main', variant, quietWaits: [] };
  const { browser, page } = await openPage(ctx, variant, 'main');
  try {
    const info = await page.call('info');
    const nav = info.times;
    record.info = {
      resources: info.resources,
      crossOriginIsolated: info.crossOriginIsolated,
      userAgent: info.userAgent,
      times: nav,
    };
    record.lobbyQuiet = page.lobbyQuiet;
    // Before anything else runs in the page: the main thread's CPU until `connected`.
    record.startup = await startupCpu(browser, page);
    record.connect = {
      navToConnectedMs: nav.connected,
      navToScriptMs: nav.libStart,
      libLoadMs: nav.libLoaded - nav.libStart,
      constructToConnectedMs: nav.connected - nav.constructed,
      scriptToConnectedMs: nav.connected - nav.libStart,
      navToSubscribedMs: nav.subscribed,
    };
    await page.call('subscribe', { names: ['bench'] });
    record.small = await blast(ctx, browser, page, cfg.small, record);
    record.large = await blast(ctx, browser, page, cfg.large, record);

    // Latency at light load: one event every intervalMs, stamped by the server when sent.
    await quiet(browser, record);
    record.clock = await page.call('syncClock');
    await page.call('arm', { n: cfg.latency.n, latency: true });
    const before = cpuTicks(browser.pid);
    const trickled = ctx.blaster.trickle({ channel: 'bench', ...cfg.latency });
    const [lat] = await Promise.all([page.call('wait', {}, 120000), trickled]);
    const cpu = diffTicks(before, cpuTicks(browser.pid));
    record.latency = {
      n: cfg.latency.n,
      complete: lat.complete,
      count: lat.count,
      lost: lat.lost,
      doubled: lat.doubled,
      p50Ms: quantile(lat.latencies, 0.5),
      p99Ms: quantile(lat.latencies, 0.99),
      maxMs: quantile(lat.latencies, 1),
      minMs: quantile(lat.latencies, 0),
      cpuUsPerMsg: (cpu.total * usPerTick) / cfg.latency.n,
    };

    // Reconnect: the server restarts; time from it listening again to every channel confirmed.
    const extra = cfg.reconnect.channels - 1;
    await page.call('subscribe', { prefix: 're-', count: extra });
    await quiet(browser, record);
    await page.call('syncClock');
    await page.call('armReconnect');
    const connectionsBefore = ctx.blaster.stats.connections;
    const { downAt, upAt } = await ctx.blaster.restart(cfg.reconnect.downMs);
    const re = await page.call('waitReconnect', {}, cfg.reconnect.timeoutMs);
    record.reconnect = {
      channels: re.channels,
      downMs: upAt - downAt,
      upToConnectedMs: re.connectedAt - upAt,
      upToResubscribedMs: re.doneAt - upAt,
      attempts: ctx.blaster.stats.connections - connectionsBefore,
    };
    record.stray = (await page.call('stray')).stray;
    record.errors = await page.call('errors');
  } finally {
    await page.ws.close();
    await browser.close();
  }
  return record;
}

/**
 * Throughput and CPU per event as ratios of blasts run back to back. One browser per variant stays
 * open on its own channel, and each pair (a blast of each variant, the order rotating) runs
 * within a few seconds, so the machine's speed of the moment, which drifts ±30 % between rounds
 * on a shared host, is nearly the same for both sides of a ratio. Every browser is idle before
 * each blast, and only the blasting browser's CPU is counted.
 */
async function pairedRun(ctx, variants) {
  const cfg = ctx.cfg;
  const record = { kind: 'paired', variant: 'all', quietWaits: [], pairs: [] };
  const open = [];
  try {
    for (const variant of variants) {
      const { browser, page } = await openPage(ctx, variant, 'paired');
      open.push({ variant, browser, page });
      await page.call('subscribe', { names: [`paired-${variant}`] });
    }
    for (let k = 0; k < cfg.pairs; k++) {
      for (const part of ['small', 'large']) {
        const pair = { k, part };
        for (let j = 0; j < open.length; j++) {
          const { variant, browser, page } = open[(j + k) % open.length];
          const others = open.filter((o) => o.browser !== browser);
          await Promise.all(others.map((o) => quiet(o.browser, record)));
          pair[variant] = await blast(ctx, browser, page, { ...cfg[part], channel: `paired-${variant}` }, record);
        }
        record.pairs.push(pair);
      }
    }
    record.errors = (await Promise.all(open.map((o) => o.page.call('errors')))).flat();
  } finally {
    for (const o of open) {
      await o.page.ws.close();
      await o.browser.close();
    }
  }
  return record;
}

/** Per-pair ratios of the paired run: each of our modes over pusher-js and over raw, and each
 *  variant's own figures, for both payload sizes. */
function summarizePaired(run, variants) {
  if (!run || run.error) return null;
  const out = {};
  for (const part of ['small', 'large']) {
    const pairs = run.pairs.filter((p) => p.part === part);
    out[part] = {};
    for (const figure of ['msgsPerSec', 'cpuUsPerMsg']) {
      const own = Object.fromEntries(variants.map((v) => [v, summarize(pairs.map((p) => p[v]?.[figure]))]));
      const over = (ours, base) => summarize(pairs.map((p) => p[ours]?.[figure] / p[base]?.[figure]));
      const ratios = Object.fromEntries(
        OURS.filter((v) => variants.includes(v)).map((v) => [
          v,
          { overJs: over(v, 'pusher-js'), overRaw: over(v, 'raw') },
        ]),
      );
      out[part][figure] = { own, ratios };
    }
  }
  return { pairs: run.pairs.length / 2, ...out };
}

/** Memory: JS heap after gc (minus the page's own, measured before the library loads) and wasm
 *  linear memory, connected, with 1 and `channels` channels, after unsubscribing all, and after
 *  a second subscribe/unsubscribe cycle (what stays is what leaks). */
async function memoryRun(ctx, variant, kind) {
  const cfg = ctx.cfg;
  const record = { kind: `memory-${kind}`, variant };
  const prefix = kind === 'presence' ? 'presence-mem-' : 'mem-';
  const { browser, page } = await openPage(ctx, variant, 'memory');
  try {
    const base = page.hello.baseline;
    const point = async () => {
      const h = await page.call('heap');
      return { js: h.js - base.js, wasm: h.wasm, total: h.js - base.js + h.wasm, tables: h.tables };
    };
    record.baselineJs = base.js;
    record.connected = await point();
    await page.call('subscribe', { prefix, count: 1 });
    record.one = await point();
    record.subscribeMs = (await page.call('subscribe', { prefix, from: 1, count: cfg.channels - 1 })).ms;
    record.many = await point();
    // What each channel after the first costs (the medians of these over rounds).
    record.perChannel = {
      js: (record.many.js - record.one.js) / (cfg.channels - 1),
      wasm: (record.many.wasm - record.one.wasm) / (cfg.channels - 1),
    };
    if (kind === 'presence') record.membersSeen = await page.call('members', { name: `${prefix}0` });
    // Unsubscribe all, then `cycles - 1` more subscribe-all/unsubscribe-all cycles: the heap
    // after each. What the later cycles add to the first is what leaks.
    record.cycles = [];
    for (let k = 0; k < cfg.cycles; k++) {
      if (k > 0) await page.call('subscribe', { prefix, count: cfg.channels });
      await page.call('unsubscribe', { prefix, count: cfg.channels });
      await sleep(100);
      record.cycles.push(await point());
    }
    record.unsubscribed = record.cycles[0];
    const last = record.cycles[record.cycles.length - 1];
    record.growthPerCycle = {
      js: (last.js - record.cycles[0].js) / Math.max(1, cfg.cycles - 1),
      wasm: (last.wasm - record.cycles[0].wasm) / Math.max(1, cfg.cycles - 1),
    };
    record.errors = await page.call('errors');
  } finally {
    await page.ws.close();
    await browser.close();
  }
  return record;
}

function sizeOf(file, files) {
  const bytes = files.get(file).body;
  return {
    file: file.replace(/^\//, ''),
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

/**
 * What was loaded for the library until `connected`, measured on the bytes served, split at
 * `new Pusher()`: the page's Resource Timing entries that started before the constructor was
 * called (`before`: what a page loads and runs before `new Pusher()` returns) and after, plus the
 * files the bench server served to the browser until `connected` that the page did not fetch
 * itself (a SharedWorker's script and the engine it imports; a page's Resource Timing does not
 * show a worker's requests).
 */
function transferSizes(mainRuns, snapshot) {
  const out = {};
  const library = (p) => snapshot.has(p) && !p.startsWith('/bench/');
  for (const variant of VARIANTS) {
    const run = mainRuns.find((r) => r.variant === variant && r.info && r.startup);
    if (!run) continue;
    // Started by the constructor (an engine's dynamic import) is after: it does not wait for it.
    const constructed = run.info.times.constructing;
    const byPage = run.info.resources.filter((r) => library(r.name));
    const pagePaths = new Set(byPage.map((r) => r.name));
    const files = [];
    for (const r of byPage) {
      if (files.some((f) => `/${f.file}` === r.name)) continue;
      files.push({
        ...sizeOf(r.name, snapshot),
        by: 'page',
        phase: r.startTime < constructed ? 'before' : 'after',
        startMs: r.startTime,
      });
    }
    for (const p of new Set(run.startup.served.filter((r) => r.found).map((r) => r.path))) {
      if (library(p) && !pagePaths.has(p))
        files.push({ ...sizeOf(p, snapshot), by: 'worker', phase: 'after', startMs: null });
    }
    const total = (phase) => {
      const of = files.filter((f) => phase === undefined || f.phase === phase);
      return {
        raw: of.reduce((s, f) => s + f.raw, 0),
        gzip: of.reduce((s, f) => s + f.gzip, 0),
        brotli: of.reduce((s, f) => s + f.brotli, 0),
      };
    };
    out[variant] = {
      files,
      requests: files.length,
      ...total(),
      before: total('before'),
      after: total('after'),
      bodyBytesSeenByPage: byPage.reduce((s, r) => s + r.encodedBodySize, 0),
    };
  }
  return out;
}

const get = (obj, p) => p.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

function summarizeRuns(runs, variants) {
  const summary = {};
  for (const [key, , unit, kind, p, , opts = {}] of METRICS) {
    summary[key] = {};
    for (const v of variants) {
      if (opts.na?.includes(v)) {
        summary[key][v] = { ...summarize([]), na: true };
        continue;
      }
      const values = runs
        .filter((r) => r.variant === v && r.kind === kind && !r.error)
        .map((r) => get(r, p))
        .map((x) => (unit === 'KB' && Number.isFinite(x) ? x / 1024 : x));
      summary[key][v] = summarize(values);
    }
  }
  return summary;
}

function problems(runs) {
  const out = [];
  for (const r of runs) {
    if (r.error) out.push(`${r.variant} ${r.kind} round ${r.round + 1}: failed: ${r.error.split('\n')[0]}`);
    const measured = [
      ['small', r.small, r.variant],
      ['large', r.large, r.variant],
      ['latency', r.latency, r.variant],
    ];
    for (const pair of r.pairs ?? []) {
      for (const v of VARIANTS) if (pair[v]) measured.push([`paired ${pair.part} ${pair.k + 1}`, pair[v], v]);
    }
    for (const [part, m, variant] of measured) {
      if (!m) continue;
      if (!m.complete || m.lost || m.doubled || m.count !== m.n) {
        out.push(
          `${variant} ${part} round ${r.round + 1}: ${m.count}/${m.n} delivered, ${m.lost} lost, ${m.doubled} doubled`,
        );
      }
    }
    if (r.stray)
      out.push(
        `${r.variant} ${r.kind} round ${r.round + 1}: ${r.stray} events delivered outside a measurement (doubled?)`,
      );
    if (r.membersSeen != null && r.expectMembers != null && r.membersSeen !== r.expectMembers) {
      out.push(
        `${r.variant} presence round ${r.round + 1}: members.count ${r.membersSeen}, expected ${r.expectMembers}`,
      );
    }
    for (const e of r.errors ?? []) out.push(`${r.variant} ${r.kind} round ${r.round + 1}: page: ${e.slice(0, 300)}`);
  }
  return out;
}

function warnings(runs) {
  const out = [];
  for (const r of runs) {
    // Not a failure: the figure is left out of the medians.
    if (r.kind === 'main' && !r.error && r.startup?.mainThreadMs == null) {
      out.push(
        `${r.variant} main round ${r.round + 1}: the page's renderer was not told apart by its spin: no main-thread CPU figure`,
      );
    }
    if (r.notQuiet)
      out.push(
        `${r.variant} ${r.kind} round ${r.round + 1}: Chromium was not idle before ${r.notQuiet} measurement(s) (waited 15 s)`,
      );
  }
  return out;
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: Number(fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? cpus.length),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memTotalMB: Math.round(os.totalmem() / 2 ** 20),
    kernel: os.release(),
    node: process.version,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const cfg = { ...(args.quick ? QUICK : FULL) };
  if (args.rounds) cfg.rounds = args.rounds;
  if (args.channels) cfg.channels = args.channels;
  if (args.cycles) cfg.cycles = args.cycles;
  if (args.pairs) cfg.pairs = args.pairs;
  const variants = args.variants;
  const kinds = args.only ?? KINDS;
  for (const f of ['index.js', 'engine.js', 'worker.js']) {
    if (!fs.existsSync(path.join(REPO_ROOT, 'pkg', f))) throw new Error(`pkg/${f} is missing: run scripts/build.sh`);
  }

  const files = snapshotFiles();
  const engine = files.get('/pkg/engine.js').body.toString('latin1');
  if (engine.includes('__PUSHER_WASM_BYTES__'))
    throw new Error('pkg/engine.js is half-built (a build is running?): try again');
  const blaster = await startBlaster({ members: cfg.members });
  const control = await startControlServer({ files });
  const network = await emulatedNetwork(control, blaster, args.rtt ?? 0);
  const ctx = { cfg, blaster, control, pageUrl: network.pageUrl, pusherPort: network.pusherPort };
  const started = new Date();
  const load = { before: os.loadavg() };
  const runs = [];
  const log = (s) => process.stdout.write(s);
  log(
    `pusher-wasm bench${args.quick ? ' (quick)' : ''}: ${cfg.rounds} round(s), ${variants.join(', ')}; ${chromiumVersion()}\n`,
  );

  const attempt = async (round, variant, kind, fn) => {
    const t = Date.now();
    log(`  round ${round + 1} ${kind.padEnd(15)} ${variant.padEnd(12)}`);
    let record;
    try {
      record = await fn();
    } catch (err) {
      record = { kind, variant, error: String(err?.stack ?? err) };
    }
    record.round = round;
    runs.push(record);
    log(
      record.error
        ? ` FAILED: ${record.error.split('\n')[0]}\n`
        : ` ${((Date.now() - t) / 1000).toFixed(1)} s${brief(record)}\n`,
    );
  };

  try {
    for (let round = 0; round < cfg.rounds; round++) {
      // Interleaved, and the order rotates so no variant always goes first.
      const order = variants.map((_, k) => variants[(k + round) % variants.length]);
      if (kinds.includes('main')) for (const v of order) await attempt(round, v, 'main', () => mainRun(ctx, v));
      if (kinds.includes('memory')) {
        for (const v of order) await attempt(round, v, 'memory-public', () => memoryRun(ctx, v, 'public'));
        for (const v of order) {
          await attempt(round, v, 'memory-presence', async () => {
            const r = await memoryRun(ctx, v, 'presence');
            r.expectMembers = cfg.members; // the blaster's members, the subscriber (user 1) among them
            return r;
          });
        }
      }
    }
    if (kinds.includes('paired')) await attempt(0, 'all', 'paired', () => pairedRun(ctx, variants));
  } finally {
    await network.close();
    await control.close();
    await blaster.close();
  }
  load.after = os.loadavg();

  const results = {
    date: started.toISOString(),
    quick: args.quick,
    machine: machine(),
    loadavg: load,
    browser: chromiumVersion(),
    chromiumArgs: [...CHROMIUM_ARGS, ...BENCH_ARGS],
    pusherJsVersion: JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/pusher-js/package.json'), 'utf8'))
      .version,
    pusherWasmCommit: gitHead(),
    pusherWasmDirty: gitDirty(),
    pusherWasmFiles: Object.fromEntries(
      ['index.js', 'engine.js', 'worker.js'].map((f) => [f, sizeOf(`/pkg/${f}`, control.files).sha256]),
    ),
    config: { ...cfg, rttMs: args.rtt ?? 0 },
    variants,
    sizes: transferSizes(
      runs.filter((r) => r.kind === 'main'),
      control.files,
    ),
    summary: summarizeRuns(runs, variants),
    paired: summarizePaired(
      runs.find((r) => r.kind === 'paired'),
      variants,
    ),
    problems: problems(runs),
    warnings: warnings(runs),
    runs,
  };
  fs.mkdirSync(args.out, { recursive: true });
  fs.writeFileSync(path.join(args.out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(args.out, 'latest.md'), renderMarkdown(results, METRICS));
  fs.writeFileSync(path.join(args.out, 'plot.svg'), renderSvg(results));
  log('\n' + renderConsole(results, METRICS) + '\n');
  log(`\nwritten: ${path.relative(process.cwd(), path.join(args.out, 'latest.json'))}, latest.md, plot.svg\n`);
  // The committed table and plot come from full runs only.
  const full =
    !args.quick && !args.rtt && VARIANTS.every((v) => variants.includes(v)) && KINDS.every((k) => kinds.includes(k));
  if (args.docs && full && results.problems.length === 0) {
    fs.writeFileSync(path.join(REPO_ROOT, DOCS_TABLE), renderBenchTable(results));
    fs.writeFileSync(path.join(REPO_ROOT, DOCS_PLOT), renderSvg(results));
    log(
      `written: ${DOCS_TABLE} and ${DOCS_PLOT}; \`node bench/lib/report.mjs --readme\` copies the table into README.md\n`,
    );
  } else if (args.docs && !args.quick) {
    log(`not written: ${DOCS_TABLE} (${full ? 'problems seen' : 'not a full run: every variant and kind of run'})\n`);
  }
  if (results.problems.length) {
    log(`\nPROBLEMS (${results.problems.length}):\n${results.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

/**
 * With `--rtt MS`: the page's origin (the control server) and the WebSocket's host (the blaster)
 * behind TCP proxies that delay every chunk by half the round trip each way, and the first bytes
 * of a new connection by one round trip more, for TCP's handshake, which a proxy on loopback does
 * not cost (no TLS: `ws://`, as on loopback). Without it, the servers themselves.
 */
async function emulatedNetwork(control, blaster, rttMs) {
  if (!rttMs) return { pageUrl: control.url, pusherPort: blaster.port, close: async () => {} };
  const proxies = await Promise.all([control.port, blaster.port].map((targetPort) => startTcpProxy({ targetPort })));
  for (const proxy of proxies) {
    proxy.setLatency(rttMs / 2);
    proxy.setConnectDelay(rttMs);
  }
  return {
    pageUrl: `http://127.0.0.1:${proxies[0].port}`,
    pusherPort: proxies[1].port,
    close: () => Promise.all(proxies.map((p) => p.close())),
  };
}

function brief(r) {
  if (r.kind === 'paired') return `  ${r.pairs.length / 2} pair(s) of blasts per size`;
  if (r.kind === 'main') {
    const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    return `  connected ${f(r.connect?.navToConnectedMs)} ms, main thread ${f(r.startup?.mainThreadMs, 1)} ms; 100 B ${f(r.small?.msgsPerSec)}/s ${f(r.small?.cpuUsPerMsg)} µs; 2 KB ${f(
      r.large?.msgsPerSec,
    )}/s ${f(r.large?.cpuUsPerMsg)} µs; p50 ${f(r.latency?.p50Ms, 2)} p99 ${f(r.latency?.p99Ms, 2)} ms; reconnect ${f(r.reconnect?.upToResubscribedMs)} ms`;
  }
  const kb = (x) => (Number.isFinite(x) ? (x / 1024).toFixed(0) : '-');
  return `  connected ${kb(r.connected?.js)}+${kb(r.connected?.wasm)} KB; 1 ch ${kb(r.one?.js)}+${kb(r.one?.wasm)} KB; many ${kb(r.many?.js)}+${kb(
    r.many?.wasm,
  )} KB; after unsubscribing ${(r.cycles ?? []).map((c) => kb(c.js)).join(', ')} KB`;
}

// The commit measured (git itself: in a worktree `.git` is a file), and whether the package's
// sources had uncommitted changes.
function git(...args) {
  try {
    return execFileSync('git', ['-C', REPO_ROOT, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}
const gitHead = () => git('rev-parse', 'HEAD');
const gitDirty = () =>
  Boolean(
    git('status', '--porcelain', '--', 'src', 'Cargo.toml', 'Cargo.lock', 'scripts/build.sh', 'scripts/package.mjs'),
  );

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(2);
});
