// Chromium for the benchmark, launched as a plain process with the page's URL on its command
// line: no DevTools protocol, no driver, nothing instrumenting the page (see bench/README.md,
// "Instrumentation"). The page reports its own results over a WebSocket to the bench server.
//
//   const browser = await launchChromium(url);
//   cpuTicks(browser.pid)           // user+sys clock ticks of Chromium's whole process tree
//   await waitQuiet(browser.pid)    // until the tree has been idle for a while
//   rendererThreads(browser.pid)    // run time (ns) of every renderer thread, main threads apart
//   await browser.close();
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

// The same flags as tests/support/browser.mjs, so the bench runs the browser the tests run.
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// What the bench adds: `gc()` for the heap figures and exact (not bucketed) performance.memory.
// Neither changes how JavaScript or wasm is compiled or run.
export const BENCH_ARGS = ['--js-flags=--expose-gc', '--enable-precise-memory-info'];

export const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export function chromiumVersion() {
  try {
    return execFileSync(CHROMIUM_BIN, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

// Browsers still running, by process group: ended (and their profiles removed) if the bench
// exits early, so a crash or Ctrl-C leaves no Chromium behind.
const live = new Map();
process.once('exit', () => {
  for (const [pid, profile] of live) {
    signalGroup(pid, 'SIGKILL');
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));

/**
 * Starts Chromium on `url` with a fresh profile, in a process group of its own (so closing it
 * ends exactly the processes it started).
 * @param {string} url
 * @param {{ extraArgs?: string[] }} [opts]
 */
export async function launchChromium(url, opts = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pusher-bench-profile-'));
  const args = [...CHROMIUM_ARGS, ...BENCH_ARGS, `--user-data-dir=${profile}`, ...(opts.extraArgs ?? []), url];
  const child = spawn(CHROMIUM_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 20000) stderr += d;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  live.set(child.pid, profile);
  let closed = false;
  return {
    pid: child.pid,
    profile,
    exited,
    stderr: () => stderr,
    async close() {
      if (closed) return;
      closed = true;
      signalGroup(child.pid, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!done) {
        signalGroup(child.pid, 'SIGKILL');
        await Promise.race([exited, sleep(2000)]);
      }
      // Renderers may outlive the browser by a moment.
      for (let i = 0; i < 20 && treePids(child.pid).length > 0; i++) await sleep(100);
      fs.rmSync(profile, { recursive: true, force: true });
      live.delete(child.pid);
    },
  };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {}
}

function readStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields start after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): ppid is field 4, pgrp 5, utime 14, stime 15, cutime 16, cstime 17.
    return {
      pid,
      ppid: Number(rest[1]),
      pgrp: Number(rest[2]),
      utime: Number(rest[11]),
      stime: Number(rest[12]),
      cutime: Number(rest[13]),
      cstime: Number(rest[14]),
    };
  } catch {
    return null;
  }
}

function allStats() {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** The stats of `root` and all its descendants (Chromium's renderers descend from its zygote). */
function treeStats(root) {
  const stats = allStats();
  const children = new Map();
  for (const s of stats) {
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(s);
  }
  const out = [];
  const rootStat = stats.find((s) => s.pid === root);
  if (!rootStat) return out;
  const stack = [rootStat];
  while (stack.length) {
    const s = stack.pop();
    out.push(s);
    for (const c of children.get(s.pid) ?? []) stack.push(c);
  }
  return out;
}

export function treePids(root) {
  return treeStats(root).map((s) => s.pid);
}

function processType(pid) {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const m = cmd.match(/--type=([a-z-]+)/);
    if (!m) return 'browser';
    if (m[1] === 'utility') {
      const sub = cmd.match(/--utility-sub-type=([A-Za-z.]+)/);
      return sub ? `utility:${sub[1].replace(/\.mojom\..*$/, '')}` : 'utility';
    }
    return m[1];
  } catch {
    return 'gone';
  }
}

/**
 * CPU time (user + sys, clock ticks) of Chromium's process tree: every live process's own time
 * plus the time of the children it has reaped (cutime/cstime), so a process that ends during a
 * measurement still counts once. `byType` splits it by Chromium process type.
 */
export function cpuTicks(root) {
  let total = 0;
  const byType = {};
  for (const s of treeStats(root)) {
    const t = s.utime + s.stime + s.cutime + s.cstime;
    total += t;
    const type = processType(s.pid);
    byType[type] = (byType[type] ?? 0) + t;
  }
  return { total, byType };
}

export function diffTicks(a, b) {
  const byType = {};
  for (const k of new Set([...Object.keys(a.byType), ...Object.keys(b.byType)])) {
    byType[k] = (b.byType[k] ?? 0) - (a.byType[k] ?? 0);
  }
  return { total: b.total - a.total, byType };
}

/**
 * The run time of every thread of Chromium's renderer processes, from the scheduler
 * (`/proc/<pid>/task/<tid>/schedstat`, first field: nanoseconds on a CPU; exact, where `stat`
 * counts 10 ms ticks). A renderer's main thread (Blink's CrRendererMain) is the thread whose id is
 * the process id: the kernel knows it by the binary's name (`chromium`), since renaming a
 * process's first thread would rename the process. Other threads carry Chromium's names, cut to
 * 15 bytes (`SharedWorker th`, `Compositor`, ...).
 * @returns {Map<number, { mainNs: number, threads: { tid: number, name: string, ns: number }[] }>}
 *   by renderer process id
 */
export function rendererThreads(root) {
  const out = new Map();
  for (const pid of treePids(root)) {
    if (processType(pid) !== 'renderer') continue;
    let tids;
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    const threads = [];
    for (const tid of tids) {
      try {
        const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const ns = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        threads.push({ tid: Number(tid), name, ns });
      } catch {
        // The thread ended meanwhile.
      }
    }
    out.set(pid, { mainNs: threads.find((t) => t.tid === pid)?.ns ?? 0, threads });
  }
  return out;
}

/**
 * Waits until Chromium's process tree has used at most `maxTicks` ticks in each of `windows`
 * consecutive windows of `windowMs` (idle: the spare renderer started, the page settled).
 * Resolves with { quiet, waitedMs }.
 */
export async function waitQuiet(root, { windowMs = 250, windows = 2, maxTicks = 1, timeoutMs = 15000 } = {}) {
  const start = Date.now();
  let streak = 0;
  let prev = cpuTicks(root).total;
  while (Date.now() - start < timeoutMs) {
    await sleep(windowMs);
    const now = cpuTicks(root).total;
    streak = now - prev <= maxTicks ? streak + 1 : 0;
    prev = now;
    if (streak >= windows) return { quiet: true, waitedMs: Date.now() - start };
  }
  return { quiet: false, waitedMs: Date.now() - start };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
