// A local cluster, as an app that outgrew one server runs it: Redis, sockudo nodes sharing their
// state through sockudo's Redis adapter, and HAProxy in front (TCP, round robin, health checks).
//
//   const cluster = await startCluster();         // 2 nodes, free ports
//   cluster.port                                  // the balancer: point clients here
//   cluster.nodes[i]                              // startSockudo() handles (kill(), start(), ...)
//   cluster.sdk(i)                                // the `pusher` server SDK on node i's HTTP API
//   await cluster.connections(i)                  // open WebSockets on node i (its GET /stats)
//   await cluster.waitAdapters()                  // every running node subscribed in Redis
//   await cluster.stop()
//
// Used by tests/cluster/ and `npm run cluster` (scripts/cluster.sh).

import PusherServer from 'pusher';
import { startHaproxy } from './haproxy.mjs';
import { startRedis } from './redis.mjs';
import { APP, startSockudo } from './sockudo.mjs';

const PREFIX = 'sockudo';
/** The adapter's Redis channel for broadcasts, which each node subscribes to (redis_transport.rs). */
export const BROADCAST_CHANNEL = `${PREFIX}_adapter:#broadcast`;

/**
 * @param {{ nodes?: number, port?: number, nodePorts?: number[], redisPort?: number }} [opts]
 *   Ports default to free ones.
 */
export async function startCluster(opts = {}) {
  const count = opts.nodes ?? 2;
  const started = { redis: null, nodes: [], balancer: null };
  const stop = async () => {
    await started.balancer?.stop().catch(() => {});
    for (const node of started.nodes) await node.stop().catch(() => {});
    await started.redis?.stop().catch(() => {});
  };
  try {
    started.redis = await startRedis({ port: opts.redisPort });
    const redis = { host: started.redis.host, port: started.redis.port, prefix: PREFIX };
    for (let i = 0; i < count; i++) {
      started.nodes.push(await startSockudo({ redis, port: opts.nodePorts?.[i] }));
    }
    started.balancer = await startHaproxy({
      port: opts.port,
      servers: started.nodes.map((node, i) => ({ name: nodeName(i), port: node.port })),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const { redis, nodes, balancer } = started;

  const cluster = {
    ...APP,
    host: balancer.host,
    port: balancer.port,
    url: balancer.url,
    redis,
    nodes,
    balancer,
    nodeName,
    /** The `pusher` server SDK talking to node `i`'s HTTP API, or to the balancer without `i`. */
    sdk(i) {
      const target = i === undefined ? balancer : nodes[i];
      return new PusherServer({ ...APP, host: target.host, port: String(target.port), useTLS: false });
    },
    /** How many WebSockets node `i` holds, from its own `GET /stats` (its sockets, not the cluster's). */
    async connections(i) {
      const res = await fetch(`${nodes[i].httpUrl}/stats`);
      if (!res.ok) throw new Error(`${nodeName(i)} /stats: HTTP ${res.status}`);
      return (await res.json()).totals.connections;
    },
    /** Connections of every running node, `null` for a stopped one. */
    async allConnections() {
      return Promise.all(nodes.map((node, i) => (node.running ? cluster.connections(i) : null)));
    },
    /**
     * Resolves once the running nodes' adapters are subscribed to the broadcast channel in Redis
     * (after a node or Redis came back, a publish before that would reach only some nodes).
     */
    async waitAdapters(timeoutMs = 15000) {
      const want = nodes.filter((n) => n.running).length;
      const deadline = Date.now() + timeoutMs;
      let seen = null;
      while (Date.now() < deadline) {
        try {
          seen = (await redis.command('PUBSUB', 'NUMSUB', BROADCAST_CHANNEL))[1];
          if (seen === want) return;
        } catch {}
        await new Promise((r) => setTimeout(r, 50)); // poll interval of the Redis query
      }
      throw new Error(`${seen} of ${want} nodes subscribed to ${BROADCAST_CHANNEL} after ${timeoutMs} ms`);
    },
    stop,
  };
  await cluster.waitAdapters();
  return cluster;
}

function nodeName(i) {
  return `node${i + 1}`;
}
