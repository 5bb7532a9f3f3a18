// The demo's backend: a local sockudo (the Pusher-protocol server), the static files of www/
// and pkg/, and the few routes the page calls. Events are triggered with the official `pusher`
// server SDK, as a Laravel app's broadcaster would.
//
//   node scripts/demo-server.mjs [--port 8080] [--sockudo-port 6001]
//
// `startDemo()` does the same for the demo's own test (tests/e2e/demo.test.mjs).
import { pathToFileURL } from 'node:url';
import PusherServer from 'pusher';
import { startSockudo, APP } from '../tests/support/sockudo.mjs';
import { startHttpServer } from '../tests/support/http-server.mjs';

/** Starts sockudo and the demo's HTTP server; ports default to free ones. */
export async function startDemo({ port = 0, sockudoPort } = {}) {
  const sockudo = await startSockudo(sockudoPort ? { port: sockudoPort } : {});
  const server = new PusherServer({ ...APP, host: sockudo.host, port: String(sockudo.port), useTLS: false });
  const http = await startHttpServer({ port });

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

  // Restarts sockudo, so the page can show a reconnect.
  http.route('POST', '/api/restart', async (req, res) => {
    await sockudo.restart({ signal: 'SIGKILL' });
    json(res, 200, { ok: true });
  });

  return {
    url: `http://${http.host}:${http.port}/www/`,
    sockudo,
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
  const demo = await startDemo({ port: option('--port', 8080), sockudoPort: option('--sockudo-port', 6001) });
  console.log(`pusher-wasm demo: ${demo.url}`);
  console.log(`sockudo (Pusher protocol) on ws://${demo.sockudo.host}:${demo.sockudo.port}, app key "${APP.key}"`);
  console.log('Ctrl-C to stop.');
  const stop = async () => {
    await demo.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
