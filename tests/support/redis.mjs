// A throwaway Redis (Debian's redis-server) for the cluster tests and `npm run cluster`.
//
//   const redis = await startRedis();      // a free port on 127.0.0.1, nothing written to disk
//   await redis.command('PUBSUB', 'NUMSUB', 'channel')   // one command, its decoded reply
//   await redis.restart();                 // SIGTERM, then start again on the same port
//   await redis.stop();
//
// It runs in the foreground under `setpriv --pdeathsig KILL` (it dies with this process), with no
// persistence, and resolves once it answers PING.

import { logTail, startChild, stopChild } from './child-process.mjs';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './sockudo.mjs';

export const REDIS_BIN = process.env.REDIS_BIN ?? '/usr/bin/redis-server';
const HOST = '127.0.0.1';

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

  async function start() {
    child = startChild(REDIS_BIN, args, { cwd: dir });
    const died = child.died;
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 10000);
    for (;;) {
      if (died())
        throw new Error(`redis-server exited during start-up (${JSON.stringify(died())}): ${logTail(logFile)}`);
      try {
        if ((await redisCommand(port, ['PING'], { timeoutMs: 500 })) === 'PONG') return;
      } catch {}
      if (Date.now() > deadline) throw new Error(`redis-server not ready on port ${port}: ${logTail(logFile)}`);
      await new Promise((r) => setTimeout(r, 50)); // poll interval, not a wait for behaviour
    }
  }

  async function stopProcess(signal) {
    if (!child) return;
    const me = child;
    child = null;
    await stopChild(me, signal);
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
