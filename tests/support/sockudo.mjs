// Starts a real Pusher-protocol server (sockudo 5.2.0) for the e2e tests.
//
//   const server = await startSockudo();
//   server.url       // 'ws://127.0.0.1:PORT'
//   await server.restart();   // stop, then start again on the same port
//   await server.stop();
//
// It picks a free port, writes its JSON config into a temporary folder, starts
// `sockudo --config FILE` with a scrubbed environment (sockudo reads dozens of env vars such as
// PORT, HOST or DEBUG that would override the file), and resolves once a real WebSocket client has
// received `pusher:connection_established` from it. Nothing in the config reaches the network:
// metrics, cluster health, webhooks batching, OpenTelemetry and the unix socket are off, and all
// drivers are in memory.
//
// With `redis: { host, port }` the node is one of a cluster instead: its adapter (how nodes share
// channels, presence and broadcasts), cache, queue and rate limiter go through that Redis, and the
// adapter's cluster health (heartbeats between nodes, so a dead node's members are removed) is on.
// tests/support/cluster.mjs starts such nodes behind a balancer.

import { logTail, startChild, stopChild } from './child-process.mjs';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export const APP = Object.freeze({ appId: 'app-id', key: 'app-key', secret: 'app-secret' });

/** Where scripts/setup.sh installs sockudo: SOCKUDO_ROOT of scripts/versions.sh, by its rule. */
function installedSockudo() {
  const versions = fs.readFileSync(new URL('../../scripts/versions.sh', import.meta.url), 'utf8');
  const value = (name) => versions.match(new RegExp(`^${name}=(\\S+)`, 'm'))[1];
  const features = value('SOCKUDO_FEATURES').replaceAll(',', '-');
  const folder = `sockudo-${value('SOCKUDO_VERSION')}-${features}`;
  return path.join(os.homedir(), '.cache', 'pusher-wasm', folder, 'bin', 'sockudo');
}

export const SOCKUDO_BIN = process.env.SOCKUDO_BIN ?? installedSockudo();
const HOST = '127.0.0.1';

/** Resolves a TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The drivers of a cluster node, all over one Redis (sockudo 5.2.0's option names, from its
 * `sockudo-core` `options` module): `database.redis` is the connection every Redis driver uses
 * unless it has a `url_override`. The rate limiter counts across the nodes; every connection
 * comes through the balancer from 127.0.0.1, so its limits are generous.
 */
export function redisDrivers({ host, port, prefix = 'sockudo' }) {
  return {
    database: { redis: { host, port, db: 0, key_prefix: `${prefix}:` } },
    adapter: {
      driver: 'redis',
      redis: {
        prefix: `${prefix}_adapter`,
        // aggregated requests (channel info, presence members) wait at most this long for the
        // other nodes
        requests_timeout: 2000,
        // the pub/sub connection is checked this often, and resubscribed when Redis restarted
        pubsub_ping_interval_ms: 1000,
      },
      cluster_health: { enabled: true, heartbeat_interval_ms: 1000, node_timeout_ms: 3000, cleanup_interval_ms: 1000 },
    },
    cache: { driver: 'redis', redis: { prefix: `${prefix}_cache` } },
    queue: { driver: 'redis', redis: { prefix: `${prefix}_queue`, concurrency: 2 } },
    rate_limiter: {
      enabled: true,
      driver: 'redis',
      api_rate_limit: { max_requests: 100000, window_seconds: 60 },
      websocket_rate_limit: { max_requests: 100000, window_seconds: 60 },
      redis: { prefix: `${prefix}_rl` },
    },
  };
}

/**
 * sockudo's connection recovery, as `tests/e2e/recovery.test.mjs` runs it: a replay buffer of at
 * most `max_buffer_size` events per channel, each kept `buffer_ttl_seconds` (sockudo's cleanup
 * task panics below 4 s). Needs a sockudo built with the `recovery` feature (scripts/setup.sh).
 */
export const RECOVERY = Object.freeze({ enabled: true, buffer_ttl_seconds: 30, max_buffer_size: 1000 });

export function sockudoConfig({ port, app = {}, activityTimeout = 120, redis = null, recovery = null }) {
  return {
    debug: false,
    host: HOST,
    port,
    mode: 'development',
    shutdown_grace_period: 0,
    activity_timeout: activityTimeout,
    rate_limiter: { enabled: false },
    metrics: { enabled: false },
    cluster_health: { enabled: false },
    opentelemetry: { enabled: false },
    unix_socket: { enabled: false },
    webhooks: { batching: { enabled: false } },
    queue: { driver: 'memory' },
    adapter: { driver: 'local' },
    cache: { driver: 'memory' },
    logging: { colors_enabled: false, include_target: false },
    ...(redis ? redisDrivers(redis) : {}),
    ...(recovery ? { connection_recovery: recovery === true ? RECOVERY : recovery } : {}),
    app_manager: {
      driver: 'memory',
      array: {
        apps: [
          {
            id: APP.appId,
            key: APP.key,
            secret: APP.secret,
            enabled: true,
            enable_client_messages: true,
            enable_user_authentication: true,
            max_channel_name_length: 164,
            ...app,
          },
        ],
      },
    },
  };
}

/**
 * @param {{ port?: number, app?: object, activityTimeout?: number, readyTimeoutMs?: number,
 *   redis?: { host: string, port: number, prefix?: string },
 *   recovery?: true | { enabled: boolean, buffer_ttl_seconds: number, max_buffer_size: number } }} [opts]
 *   `app` is merged into the app entry of the config (e.g. `{ enable_client_messages: false }`).
 *   `redis` makes the node a cluster member over that Redis (see `redisDrivers`).
 *   `recovery` turns on connection recovery (`true`: `RECOVERY`'s settings).
 */
export async function startSockudo(opts = {}) {
  const port = opts.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-e2e-'));
  const configFile = path.join(dir, 'config.json');
  const logFile = path.join(dir, 'sockudo.log');
  fs.writeFileSync(configFile, JSON.stringify(sockudoConfig({ ...opts, port }), null, 2));
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20000;

  let child = null; // the running server, from startChild

  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    RUST_LOG: process.env.SOCKUDO_LOG ?? 'warn',
    NO_COLOR: '1',
  };

  async function start() {
    child = startChild(SOCKUDO_BIN, ['--config', configFile], { cwd: dir, env, logFile });
    await waitReady(port, readyTimeoutMs, child.died, logFile);
  }

  async function stopProcess(signal = 'SIGTERM') {
    if (!child) return;
    const me = child;
    child = null;
    await stopChild(me, signal);
  }

  await start();

  return {
    host: HOST,
    port,
    ...APP,
    url: `ws://${HOST}:${port}`,
    httpUrl: `http://${HOST}:${port}`,
    configFile,
    logFile,
    get pid() {
      return child?.proc.pid ?? null;
    },
    /** Contents of the server's log so far (for failure messages). */
    log() {
      try {
        return fs.readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    /**
     * Stops the server and starts it again on the same port. `signal: 'SIGTERM'` (default) lets
     * sockudo close every socket with 4200 first; 'SIGKILL' makes the sockets drop (1006).
     * `downMs` keeps the port closed that long before starting again.
     */
    async restart({ signal = 'SIGTERM', downMs = 0 } = {}) {
      await stopProcess(signal);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    /** Stops the process only (`SIGKILL`: as if the machine died); `start()` brings it back. */
    async kill(signal = 'SIGKILL') {
      await stopProcess(signal);
    },
    /** Starts it again after `kill()`, on the same port and config; resolves once it is ready. */
    async start() {
      if (!child) await start();
    },
    get running() {
      return child !== null;
    },
    async stop() {
      await stopProcess('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls until a WebSocket client gets `pusher:connection_established`, bounded by `timeoutMs`;
 * `died()` (from `startChild`) says whether the server exited meanwhile.
 */
async function waitReady(port, timeoutMs, died, logFile) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  while (Date.now() < deadline) {
    if (died()) {
      throw new Error(`sockudo exited during start-up (${JSON.stringify(died())}):\n${logTail(logFile, 40)}`);
    }
    try {
      await probe(port, Math.max(200, Math.min(2000, deadline - Date.now())));
      return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50)); // poll interval, not a wait for behaviour
  }
  throw new Error(
    `sockudo not ready on port ${port} after ${timeoutMs} ms (${lastError?.message}):\n${logTail(logFile, 40)}`,
  );
}

function probe(port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${HOST}:${port}/app/${APP.key}?protocol=7&client=probe&version=0`);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('probe timed out'));
    }, timeoutMs);
    ws.on('message', (data) => {
      clearTimeout(timer);
      let msg;
      try {
        msg = JSON.parse(String(data));
      } catch {}
      ws.terminate();
      if (msg?.event === 'pusher:connection_established') resolve();
      else reject(new Error(`unexpected first frame ${String(data)}`));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.on('close', () => {
      clearTimeout(timer);
      reject(new Error('closed before handshake'));
    });
  });
}
