// One measured page: a fresh browser started on the lobby, navigated to the bench page once
// Chromium is idle; and one blast of events with the browser's CPU time around it.
import { launchChromium, cpuTicks, diffTicks, waitQuiet, rendererThreads, TICKS_PER_SECOND } from './chromium.mjs';

const usPerTick = 1e6 / TICKS_PER_SECOND;
let runCounter = 0;

/**
 * A fresh browser on the bench page; resolves once the page has connected and said hello.
 * `launch(url)` starts the browser ({ pid, exited, stderr(), close() }; pid: the root of its
 * process tree); by default Chromium with the URL on its command line and nothing attached.
 */
export async function openPage(ctx, variant, run, { launch = launchChromium } = {}) {
  const id = `${run}-${variant}-${++runCounter}`;
  const url = `${ctx.pageUrl}/bench/page.html?variant=${variant}&run=${run}&id=${encodeURIComponent(id)}&pusherPort=${ctx.pusherPort}`;
  const browser = await launch(`${url}&lobby=1`);
  const exited = browser.exited.then((e) => {
    throw new Error(
      `Chromium exited (${e.code ?? e.signal}) before the page reported: ${browser.stderr().slice(-2000)}`,
    );
  });
  exited.catch(() => {});
  try {
    // Started on the lobby; once the browser is idle (spare renderer up, start-up done), the
    // lobby navigates to the measured page.
    const lobby = await Promise.race([ctx.control.waitForPage(id, 45000, 'lobby'), exited]);
    const q = await waitQuiet(browser.pid);
    // The renderers' thread times and the files served, from the navigation to the moment the
    // page opens its control socket (a main run's page does so right after `connected`).
    const startup = { atGo: rendererThreads(browser.pid), atSocket: null, served: null };
    const served = ctx.control.requests.length;
    ctx.control.onPageSocket(id, () => {
      startup.atSocket = rendererThreads(browser.pid);
      startup.served = ctx.control.requests.slice(served);
    });
    lobby.ws.send(JSON.stringify({ type: 'go' }));
    const page = await Promise.race([ctx.control.waitForPage(id, 45000), exited]);
    page.lobbyQuiet = q;
    page.startup = startup;
    if (page.hello.failed)
      throw new Error(`page failed to start: ${page.hello.failed}\n${(page.hello.errors ?? []).join('\n')}`);
    return { browser, page };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

export async function quiet(browser, record) {
  const q = await waitQuiet(browser.pid);
  record.quietWaits.push(q.waitedMs);
  if (!q.quiet) record.notQuiet = (record.notQuiet ?? 0) + 1;
}

/** One blast: n events back to back on `channel` (which only this page subscribed to); the page
 *  counts them, the driver reads Chromium's CPU: all of it, and (once `record.startup` found the
 *  page's renderer) the page's main thread's and the SharedWorker threads'. */
export async function blast(ctx, browser, page, { n, size, channel = 'bench' }, record) {
  await quiet(browser, record);
  await page.call('arm', { n });
  const threadsBefore = rendererThreads(browser.pid);
  const before = cpuTicks(browser.pid);
  const sent = ctx.blaster.blast({ channel, n, size });
  const [result] = await Promise.all([page.call('wait', {}, 120000), sent]);
  const cpu = diffTicks(before, cpuTicks(browser.pid));
  const startup = record.startup;
  const threads = threadCpu(threadsBefore, rendererThreads(browser.pid), startup?.identified ? startup.pagePid : null);
  const server = await sent;
  const rate = result.ms > 0 ? ((result.count - 1) / result.ms) * 1000 : null;
  return {
    n,
    size,
    complete: result.complete,
    count: result.count,
    lost: result.lost,
    doubled: result.doubled,
    ms: result.ms,
    // Until the blaster's single write was taken by the kernel: for 100 B events (2 MB) a few
    // ms, for 2 KB events (10 MB, more than the socket buffers) as long as the client reads.
    serverWriteMs: server.writtenAt - server.sentAt,
    firstAfterArmMs: result.firstAfterArmMs,
    msgsPerSec: rate,
    cpuUsPerMsg: (cpu.total * usPerTick) / n,
    rendererUsPerMsg: ((cpu.byType.renderer ?? 0) * usPerTick) / n,
    mainUsPerMsg: threads.mainNs == null ? null : threads.mainNs / 1e3 / n,
    workerUsPerMsg: threads.workerThreads ? threads.workerNs / 1e3 / n : null,
    cpuTicks: cpu,
  };
}

/**
 * The run time between two `rendererThreads` readings: of the main thread of `pagePid` (null
 * when the page's renderer is not known), of every SharedWorker thread, and of every thread.
 */
function threadCpu(before, after, pagePid) {
  const ranBefore = (pid, tid) => before.get(pid)?.threads.find((t) => t.tid === tid)?.ns ?? 0;
  let workerNs = 0;
  let workerThreads = 0;
  let allNs = 0;
  for (const [pid, p] of after) {
    for (const t of p.threads) {
      const d = t.ns - ranBefore(pid, t.tid);
      allNs += d;
      if (t.name.startsWith('SharedWorker')) {
        workerNs += d;
        workerThreads++;
      }
    }
  }
  const page = pagePid == null ? undefined : after.get(pagePid);
  const mainNs = page ? page.mainNs - (before.get(pagePid)?.mainNs ?? 0) : null;
  return { mainNs, workerNs, workerThreads, allNs };
}

const ms = (ns) => ns / 1e6;

/**
 * What the page's start cost the renderers, from the lobby's navigation to `connected` (the
 * moment the page opened its control socket; see openPage): the run time of the page's main
 * thread, of SharedWorker threads, and of every renderer thread. The page's renderer process is
 * the one whose main thread runs while the page spins for `spinMs` (after the measurement):
 * Chromium usually keeps the lobby's process for the page, but may swap it, and the renderer of a
 * SharedWorker, and the spare one, have main threads too.
 */
export async function startupCpu(browser, page, spinMs = 40) {
  const { atGo, atSocket, served } = page.startup;
  if (!atSocket) return null;
  // On a busy machine another renderer (a spare one starting) may run meanwhile: spin again,
  // up to three times, until one main thread has run at least twice as long as any other.
  const before = rendererThreads(browser.pid);
  let ranked = [];
  for (let k = 0; k < 3; k++) {
    await page.call('spin', { ms: spinMs });
    const after = rendererThreads(browser.pid);
    ranked = [...after].map(([pid, p]) => [pid, p.mainNs - (before.get(pid)?.mainNs ?? 0)]).sort((a, b) => b[1] - a[1]);
    if (ranked.length && ranked[0][1] >= 2 * (ranked[1]?.[1] ?? 0)) break;
  }
  const [pagePid, spun] = ranked[0] ?? [null, 0];
  const identified = spun > 0 && spun >= 2 * (ranked[1]?.[1] ?? 0);
  const threads = threadCpu(atGo, atSocket, identified ? pagePid : null);
  return {
    pagePid,
    // The page's renderer is the lobby's (a process that existed at the navigation).
    pageProcessExisted: atGo.has(pagePid),
    spinCpuMs: ms(spun),
    identified,
    mainThreadMs: threads.mainNs == null ? null : ms(threads.mainNs),
    workerThreadMs: threads.workerThreads ? ms(threads.workerNs) : null,
    workerThreads: threads.workerThreads,
    rendererThreadsMs: ms(threads.allNs),
    served,
  };
}
