// A throwaway Redis (Debian's redis-server) for the cluster tests and `npm run cluster`.
//
//   const redis = await startRedis();      // a free port on 127.0.0.1, nothing written to disk
//   await redis.command('PUBSUB', 'NUMSUB', 'channel')   // one command, its decoded reply
//   await redis.restart();                 // SIGTERM, then start again on the same port
//   await redis.stop();
//
// It runs in the foreground under `setpriv --pdeathsig KILL` (it dies with this process), with no
// persistence, and resolves once it answers PING.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './sockudo.mjs';

export const REDIS_BIN = process.env.REDIS_BIN ?? '/usr/bin/redis-server';
const HOST = '127.0.0.1';

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
});

/** Sends one command and resolves with its reply (RESP2: strings, integers, arrays, null). */
export function redisCommand(port, args, { timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: HOST, port });
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis ${args[0]}: no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (err, value) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    socket.on('connect', () => {
      const parts = args.map(String);
      let out = `*${parts.length}\r\n`;
      for (const part of parts) out += `$${Buffer.byteLength(part)}\r\n${part}\r\n`;
      socket.write(out);
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseReply(buffer, 0);
      if (!parsed) return; // incomplete
      if (parsed.value instanceof Error) done(parsed.value);
      else done(null, parsed.value);
    });
    socket.on('error', (err) => done(err));
    socket.on('close', () => done(new Error(`redis ${args[0]}: connection closed`)));
  });
}

/** One RESP2 reply at `at`: `{ value, end }`, or null when the buffer holds less than one. */
function parseReply(buf, at) {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(`redis: ${line}`), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return null;
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, pos);
        if (!item) return null;
        items.push(item.value);
        pos = item.end;
      }
      return { value: items, end: pos };
    }
    default:
      return { value: new Error(`redis: unexpected reply ${JSON.stringify(line)}`), end: next };
  }
}

/** @param {{ port?: number, readyTimeoutMs?: number }} [opts] */
export async function startRedis(opts = {}) {
  const port = opts.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-e2e-'));
  const logFile = path.join(dir, 'redis.log');
  const args = [
    '--bind',
    HOST,
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--logfile',
    logFile,
  ];
  let child = null;
  let exited = null;

  async function start() {
    const usePdeath = fs.existsSync('/usr/bin/setpriv');
    const cmd = usePdeath ? '/usr/bin/setpriv' : REDIS_BIN;
    child = spawn(cmd, usePdeath ? ['--pdeathsig', 'KILL', REDIS_BIN, ...args] : args, {
      cwd: dir,
      stdio: 'ignore',
    });
    live.add(child);
    const me = child;
    exited = new Promise((resolve) =>
      me.once('exit', (code, signal) => {
        live.delete(me);
        resolve({ code, signal });
      }),
    );
    me.once('error', () => {});
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 10000);
    let died = null;
    exited.then((r) => (died = r));
    for (;;) {
      if (died) throw new Error(`redis-server exited during start-up (${JSON.stringify(died)}): ${tail(logFile)}`);
      try {
        if ((await redisCommand(port, ['PING'], { timeoutMs: 500 })) === 'PONG') return;
      } catch {}
      if (Date.now() > deadline) throw new Error(`redis-server not ready on port ${port}: ${tail(logFile)}`);
      await new Promise((r) => setTimeout(r, 50)); // poll interval, not a wait for behaviour
    }
  }

  async function stopProcess(signal) {
    if (!child) return;
    const me = child;
    const done = exited;
    child = null;
    if (me.exitCode === null && me.signalCode === null) {
      me.kill(signal);
      const timer = setTimeout(() => me.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    }
  }

  await start();
  return {
    host: HOST,
    port,
    logFile,
    command: (...cmd) => redisCommand(port, cmd),
    /** Stops Redis and starts it again on the same port: every client connection drops. */
    async restart({ signal = 'SIGTERM' } = {}) {
      await stopProcess(signal);
      await start();
    },
    async kill(signal = 'SIGKILL') {
      await stopProcess(signal);
    },
    async start() {
      if (!child) await start();
    },
    async stop() {
      await stopProcess('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
