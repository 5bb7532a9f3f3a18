// The demo's backend: a local sockudo (the Pusher-protocol server), the static files of www/
// and pkg/, and the routes the pages call. It stands in for a Laravel app: `/broadcasting/auth`
// and `/broadcasting/user-auth` sign with the official `pusher` server SDK (as Laravel's Pusher
// broadcaster does), every POST must carry the CSRF token, and `POST /messages` broadcasts to
// others, skipping the sender's connection named by its `X-Socket-ID` (`broadcast()->toOthers()`).
//
// Who is who: each browser tab picks a user (id and name) and sends it as `X-Demo-User`, where a
// Laravel app would use its session cookie; a header lets two tabs of one browser be two users.
//
//   node scripts/demo-server.mjs [--port 8080] [--sockudo-port 6001] [--cluster]
//
// With `--cluster` (`npm run cluster`) the server is a local cluster instead of one sockudo:
// Redis, two sockudo nodes sharing state through its Redis adapter, and HAProxy in front, on
// `--sockudo-port` (tests/support/cluster.mjs; docs/cluster.md). The pages and the SDK talk to
// the balancer; "Restart the server" kills one node (kill -9, in turn) and starts it again.
//
// `startDemo()` does the same for the demo's own test (tests/e2e/demo.test.mjs).
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import PusherServer from 'pusher';
import { startSockudo, APP } from '../tests/support/sockudo.mjs';
import { startCluster } from '../tests/support/cluster.mjs';
import { startHttpServer } from '../tests/support/http-server.mjs';

/** A cluster that stands where one sockudo would: the balancer's address, a node killed in turn. */
async function clusterServer(port) {
  const cluster = await startCluster(port ? { port } : {});
  let next = 0;
  return {
    cluster,
    host: cluster.host,
    port: cluster.port,
    async restart() {
      const node = cluster.nodes[next++ % cluster.nodes.length];
      await node.kill('SIGKILL');
      await node.start();
    },
    stop: () => cluster.stop(),
  };
}

/**
 * Starts sockudo (or, with `cluster`, a local cluster behind a balancer) and the demo's HTTP
 * server; ports default to free ones.
 */
export async function startDemo({ port = 0, sockudoPort, cluster = false } = {}) {
  const sockudo = cluster
    ? await clusterServer(sockudoPort)
    : await startSockudo(sockudoPort ? { port: sockudoPort } : {});
  const server = new PusherServer({ ...APP, host: sockudo.host, port: String(sockudo.port), useTLS: false });
  const http = await startHttpServer({ port });
  const csrfToken = randomBytes(16).toString('hex');
  const broadcasts = [];

  const json = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  http.route('GET', '/', (req, res) => {
    res.writeHead(302, { Location: '/www/' });
    res.end();
  });

  // What the page needs to connect: a Laravel app would render these into the Blade template.
  http.route('GET', '/api/config', (req, res) =>
    json(res, 200, { key: APP.key, wsHost: sockudo.host, wsPort: sockudo.port }),
  );

  http.route('POST', '/api/trigger', async (req, res, body) => {
    const { channel, event, data } = JSON.parse(body || '{}');
    if (typeof channel !== 'string' || typeof event !== 'string') {
      return json(res, 422, { error: 'channel and event are required' });
    }
    await server.trigger(channel, event, data ?? {});
    json(res, 200, { ok: true });
  });

  // ----- the chat: what a Laravel app with Echo would have -----

  // The session user, from the tab's header; a POST without the CSRF token is refused with
  // Laravel's 419.
  const session = (req, res) => {
    if (req.headers['x-csrf-token'] !== csrfToken) {
      json(res, 419, { message: 'CSRF token mismatch.' });
      return null;
    }
    const [id, ...name] = String(req.headers['x-demo-user'] ?? '').split(':');
    if (!/^\d+$/.test(id)) {
      json(res, 401, { message: 'Unauthenticated.' });
      return null;
    }
    return { id, name: name.join(':') || `User ${id}` };
  };

  http.route('GET', '/api/session', (req, res) =>
    json(res, 200, { csrfToken, key: APP.key, wsHost: sockudo.host, wsPort: sockudo.port }),
  );

  // routes/channels.php: who may join which channel.
  http.route('POST', '/broadcasting/auth', (req, res, body) => {
    const user = session(req, res);
    if (!user) return;
    const form = new URLSearchParams(body);
    const socketId = form.get('socket_id');
    const channel = form.get('channel_name');
    if (channel === 'presence-chat') {
      return json(
        res,
        200,
        server.authorizeChannel(socketId, channel, { user_id: user.id, user_info: { name: user.name } }),
      );
    }
    if (channel === `private-App.Models.User.${user.id}`) {
      return json(res, 200, server.authorizeChannel(socketId, channel));
    }
    json(res, 403, { message: 'This action is unauthorized.' });
  });

  http.route('POST', '/broadcasting/user-auth', (req, res, body) => {
    const user = session(req, res);
    if (!user) return;
    const socketId = new URLSearchParams(body).get('socket_id');
    json(res, 200, server.authenticateUser(socketId, { id: user.id, name: user.name }));
  });

  // MessageSent is broadcast to the others on the presence channel; an @mention also notifies
  // that user on their private channel (a Laravel database/broadcast notification).
  http.route('POST', '/messages', async (req, res, body) => {
    const user = session(req, res);
    if (!user) return;
    const { text, mentions = [] } = JSON.parse(body || '{}');
    if (typeof text !== 'string' || text.trim() === '')
      return json(res, 422, { message: 'The text field is required.' });
    const message = { id: broadcasts.length + 1, user: { id: user.id, name: user.name }, text, at: Date.now() };
    const socketId = req.headers['x-socket-id'];
    broadcasts.push({ message, excludedSocketId: socketId ?? null });
    await server.trigger('presence-chat', 'App\\Events\\MessageSent', message, socketId ? { socket_id: socketId } : {});
    for (const id of mentions) {
      if (id === user.id) continue;
      await server.trigger(
        `private-App.Models.User.${id}`,
        'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated',
        { id: `n${message.id}`, type: 'App\\Notifications\\Mentioned', from: user.name, text },
      );
    }
    json(res, 201, message);
  });

  // Restarts sockudo (in a cluster: one node), so the page can show a reconnect.
  http.route('POST', '/api/restart', async (req, res) => {
    await sockudo.restart({ signal: 'SIGKILL' });
    json(res, 200, { ok: true });
  });

  return {
    url: `http://${http.host}:${http.port}/www/`,
    sockudo,
    /** Every `POST /messages`, with the socket id it excluded. */
    broadcasts,
    async stop() {
      await http.close();
      await sockudo.stop();
    },
  };
}

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cluster = process.argv.includes('--cluster');
  const demo = await startDemo({ port: option('--port', 8080), sockudoPort: option('--sockudo-port', 6001), cluster });
  console.log(`pusher-wasm demo: ${demo.url}`);
  if (cluster) {
    const c = demo.sockudo.cluster;
    console.log(
      `HAProxy (TCP, round robin, health checks) on ws://${c.host}:${c.port}, app key "${APP.key}"; config ${c.balancer.configFile}`,
    );
    c.nodes.forEach((node, i) =>
      console.log(
        `  ${c.nodeName(i)}: sockudo on ${node.url} (HTTP API ${node.httpUrl}/stats), config ${node.configFile}`,
      ),
    );
    console.log(`Redis on ${c.redis.host}:${c.redis.port} (adapter, cache, queue and rate limiter of both nodes)`);
  } else {
    console.log(`sockudo (Pusher protocol) on ws://${demo.sockudo.host}:${demo.sockudo.port}, app key "${APP.key}"`);
  }
  console.log('Ctrl-C to stop.');
  const stop = async () => {
    await demo.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
