// The servers the tests start (sockudo, redis-server, haproxy) as child processes: they die with
// this process (setpriv --pdeathsig where there is setpriv, and a SIGKILL on exit or on a signal),
// and stop with a signal, then SIGKILL after 5 s.

import { spawn } from 'node:child_process';
import fs from 'node:fs';

const live = new Set();
let hooked = false;

function killAllOnExit() {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const proc of live) {
      try {
        proc.kill('SIGKILL');
      } catch {}
    }
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      killAll();
      process.kill(process.pid, sig);
    });
  }
}

/**
 * Starts `bin` with `args`; its output goes to `logFile` (or nowhere).
 * @returns {{ proc: import('node:child_process').ChildProcess,
 *   exited: Promise<{ code: number|null, signal: string|null }>, died: () => object|null }}
 *   `died()`: how it exited, or null while it runs.
 */
export function startChild(bin, args, { cwd, env, logFile } = {}) {
  killAllOnExit();
  const usePdeath = fs.existsSync('/usr/bin/setpriv');
  const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const proc = spawn(usePdeath ? '/usr/bin/setpriv' : bin, usePdeath ? ['--pdeathsig', 'KILL', bin, ...args] : args, {
    cwd,
    env,
    stdio: ['ignore', out, out],
  });
  if (logFile) fs.closeSync(out);
  live.add(proc);
  let died = null;
  const exited = new Promise((resolve) =>
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      died = { code, signal };
      resolve(died);
    }),
  );
  proc.once('error', () => {});
  return { proc, exited, died: () => died };
}

/** Stops a child from `startChild` with `signal`, then SIGKILL after 5 s; resolves once it exited. */
export async function stopChild({ proc, exited }, signal = 'SIGTERM') {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** The last `lines` lines of `file`, for failure messages. */
export function logTail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
