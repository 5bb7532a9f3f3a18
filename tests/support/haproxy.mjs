// HAProxy (Debian's haproxy) in front of cluster nodes: TCP mode, round robin, health checks.
//
//   const lb = await startHaproxy({ servers: [{ name: 'node1', port: 6001 }, ...] });
//   lb.port                      // clients connect here
//   await lb.servers()           // [{ name, status: 'UP'|'DOWN'|..., sessions }] from the stats socket
//   await lb.waitStatus('node1', 'DOWN')
//   await lb.stop()
//
// The config it writes is the one docs/cluster.md shows (`haproxyConfig`). Each server is checked
// every 500 ms with `GET /up` (sockudo's health endpoint: the app and its adapter answer); two
// failures mark it down, one success up again. A connection that fails to reach a server is
// retried on the other one (`option redispatch`), so a node that just died costs a client nothing
// but the round trip. Open WebSockets are TCP tunnels: a server marked down keeps its sessions, a
// dead one drops them.

import { startChild, stopChild } from './child-process.mjs';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './sockudo.mjs';

export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';
const HOST = '127.0.0.1';

/** The configuration: a TCP frontend on `port`, round robin over `servers`, health-checked. */
export function haproxyConfig({ port, servers, statsSocket, host = HOST }) {
  return `global
    maxconn 4096
    stats socket ${statsSocket} mode 600 level admin

defaults
    mode tcp
    timeout connect 1s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    timeout check 1s
    # a connection that cannot reach its server is retried, on another server
    retries 2
    option redispatch 1

frontend pusher
    bind ${host}:${port}
    default_backend sockudo

backend sockudo
    balance roundrobin
    option httpchk
    http-check send meth GET uri /up
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1
${servers.map((s) => `    server ${s.name} ${s.host ?? HOST}:${s.port} check`).join('\n')}
`;
}

/** One command on the stats socket; resolves with its text answer. */
function statsCommand(socketPath, command) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let out = '';
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (d) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

/**
 * @param {{ servers: { name: string, port: number, host?: string }[], port?: number,
 *   readyTimeoutMs?: number }} opts
 */
export async function startHaproxy(opts) {
  const port = opts.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haproxy-e2e-'));
  const statsSocket = path.join(dir, 'stats.sock');
  const configFile = path.join(dir, 'haproxy.cfg');
  const logFile = path.join(dir, 'haproxy.log');
  const config = haproxyConfig({ port, servers: opts.servers, statsSocket });
  fs.writeFileSync(configFile, config);
  const child = startChild(HAPROXY_BIN, ['-db', '-f', configFile], { cwd: dir, logFile });
  const died = child.died;

  const lb = {
    host: HOST,
    port,
    url: `ws://${HOST}:${port}`,
    httpUrl: `http://${HOST}:${port}`,
    config,
    configFile,
    log: () => fs.readFileSync(logFile, 'utf8'),
    /** Each server's state from `show stat`: status (UP, DOWN, ...) and current sessions. */
    async servers() {
      const csv = await statsCommand(statsSocket, 'show stat');
      const lines = csv.split('\n').filter(Boolean);
      const head = lines[0].replace(/^# /, '').split(',');
      const col = (name) => head.indexOf(name);
      return lines
        .slice(1)
        .map((l) => l.split(','))
        .filter((f) => f[col('pxname')] === 'sockudo' && !['BACKEND', 'FRONTEND'].includes(f[col('svname')]))
        .map((f) => ({
          name: f[col('svname')],
          status: f[col('status')].split(' ')[0],
          sessions: Number(f[col('scur')]),
          total: Number(f[col('stot')]),
        }));
    },
    /** Resolves once the balancer's health checks show `name` as `status`; polls the stats. */
    async waitStatus(name, status, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      let last;
      while (Date.now() < deadline) {
        last = (await lb.servers()).find((s) => s.name === name);
        if (last?.status === status) return last;
        await new Promise((r) => setTimeout(r, 50)); // poll interval of the stats socket
      }
      throw new Error(`haproxy: ${name} not ${status} within ${timeoutMs} ms (${JSON.stringify(last)})`);
    },
    async stop() {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  // Ready once the stats socket answers and every server passed its first check.
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15000);
  for (;;) {
    if (died()) throw new Error(`haproxy exited during start-up (${JSON.stringify(died())}):\n${lb.log()}`);
    try {
      const servers = await lb.servers();
      if (servers.length === opts.servers.length && servers.every((s) => s.status === 'UP')) break;
    } catch {}
    if (Date.now() > deadline) {
      await lb.stop().catch(() => {});
      throw new Error(`haproxy not ready on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50)); // poll interval, not a wait for behaviour
  }
  return lb;
}
