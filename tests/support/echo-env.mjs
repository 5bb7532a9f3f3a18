// Laravel Echo end-to-end: the environment (sockudo, a Laravel-like app server) and a runner that
// runs each scenario with three variants and compares them.
//
//   const env = await startEchoEnv();
//   const runs = await runEcho(env, async (a) => {          // one page per variant
//     const echo = new Echo({ ...a.echo });                  // window.Echo: the variant's Echo class
//     ...
//     return observations;
//   });
//   checkEcho(runs, (obs, run) => { ...explicit asserts... }, { ours: (oracle) => improved });
//   const runs = await runEchoPages(env, 2, async (pages) => { await pages[0].run(fn, args) ... });
//
// Variants (ECHO_VARIANTS=js,wasm,ours selects; CLIENTS=pusher-js|pusher-wasm also filters):
//   laravel-echo+pusher-js    laravel-echo 2.5.0 from npm over pusher-js 8.6.0: the oracle
//   laravel-echo+pusher-wasm  laravel-echo 2.5.0 over pusher-wasm (/pkg/index.js)
//   pusher-wasm-echo          pusher-wasm's own `Echo` (`import { Echo } from 'pusher-wasm'`)
// Each page is the harness page of its client (tests/e2e/pages/harness.html, so `H` and `node`
// are there) plus, loaded by `prepare`: the Echo class as `window.Echo`, the page helpers of
// tests/support/echo-page.mjs as `window.E`, and for pusher-js its encryption build
// (pusher-with-encryption.js, which a Laravel app using encryptedPrivate() loads).
//
// The app server (on the harness's static server, like a Laravel app's routes):
//   POST /broadcasting/auth       channel authorization, signed with the `pusher` SDK; the user is
//                                 the bearer token (`bearerToken: 'user-1'`), as Sanctum would
//   POST /broadcasting/user-auth  user authentication for `signin()`
//   POST /messages                triggers {channel, event, data} with the SDK, excluding the
//                                 connection named by X-Socket-ID (`broadcast()->toOthers()`)
// and a second origin (`env.other.url`, another port) with the same /messages route, CORS-open,
// to check what cross-origin requests carry. `env.requests` logs every request of both.

import assert from 'node:assert/strict';
import PusherServer from 'pusher';
import { engineMode, openClientPage, withTimeout } from './browser.mjs';
import { startHttpServer } from './http-server.mjs';
import { startEnv, normalize, stripDiagnostics, selectedClients } from './scenario.mjs';

export const MASTER_KEY_BASE64 = Buffer.alloc(32, 5).toString('base64');

export const VARIANTS = Object.freeze([
  { name: 'laravel-echo+pusher-js', alias: 'js', client: 'pusher-js', echo: 'laravel-echo' },
  { name: 'laravel-echo+pusher-wasm', alias: 'wasm', client: 'pusher-wasm', echo: 'laravel-echo' },
  { name: 'pusher-wasm-echo', alias: 'ours', client: 'pusher-wasm', echo: 'ours' },
]);
export const ORACLE = VARIANTS[0].name;
export const WASM = VARIANTS[1].name;
export const OURS = VARIANTS[2].name;

/** The users the app knows, by bearer token. */
export const USERS = Object.freeze({
  'user-1': { id: 1, name: 'Ada' },
  'user-2': { id: 2, name: 'Grace' },
  'user-3': { id: 3, name: 'Linus' },
});

export function selectedVariants(only) {
  const raw = (process.env.ECHO_VARIANTS ?? '').trim();
  const wanted = raw ? raw.split(/[\s,]+/) : null;
  const clients = selectedClients();
  return VARIANTS.filter(
    (v) =>
      clients.includes(v.client) &&
      (!wanted || wanted.includes(v.name) || wanted.includes(v.alias)) &&
      (!only || only.includes(v.name) || only.includes(v.alias)),
  );
}

/** Starts Chromium, the static server, sockudo, the app routes and the second origin. */
export async function startEchoEnv() {
  const env = await startEnv({ sockudo: true });
  try {
    env.echoSdk = new PusherServer({
      appId: env.sockudo.appId,
      key: env.sockudo.key,
      secret: env.sockudo.secret,
      host: env.sockudo.host,
      port: String(env.sockudo.port),
      useTLS: false,
      encryptionMasterKeyBase64: MASTER_KEY_BASE64,
    });
    env.requests = [];
    installAppRoutes(env, env.http, 'app');
    env.other = await startHttpServer();
    installAppRoutes(env, env.other, 'other');
  } catch (err) {
    await env.close();
    throw err;
  }
  const closeBase = env.close;
  env.close = async () => {
    await closeBase();
    await env.other?.close().catch(() => {});
  };
  /** Echo options for sockudo, as a Laravel app's resources/js/echo.js has them. */
  env.echoOptions = (extra = {}) => ({
    broadcaster: 'reverb',
    key: env.sockudo.key,
    wsHost: env.sockudo.host,
    wsPort: env.sockudo.port,
    wssPort: env.sockudo.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    // PUSHER_WASM_MODE=shared: as an app asks for the shared engine (pusher-js ignores the key).
    ...(engineMode() === 'shared' ? { shared: true } : {}),
    ...extra,
  });
  env.args = (extra = {}) => ({
    echo: env.echoOptions(),
    key: env.sockudo.key,
    options: {
      cluster: '',
      wsHost: env.sockudo.host,
      wsPort: env.sockudo.port,
      forceTLS: false,
      enabledTransports: ['ws'],
    },
    origin: env.http.url,
    otherOrigin: env.other.url,
    ...extra,
  });
  env.handlers = () => echoHandlers(env);
  return env;
}

const send = (res, status, body, headers = {}) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
};

function userOf(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return m ? USERS[m[1]] : undefined;
}

function record(env, origin, req, body) {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith('x-') || k === 'authorization' || k === 'content-type') headers[k] = v;
  }
  let form = {};
  if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    form = Object.fromEntries(new URLSearchParams(body));
  } else if (body.startsWith('{')) {
    try {
      form = JSON.parse(body);
    } catch {}
  }
  const entry = { origin, method: req.method, path: new URL(req.url, 'http://x').pathname, headers, form };
  env.requests.push(entry);
  return entry;
}

/** The app's routes: broadcasting auth (routes/channels.php rules), user auth, /messages. */
function installAppRoutes(env, server, origin) {
  const sdk = env.echoSdk;
  server.route('POST', '/broadcasting/auth', async (req, res, body) => {
    const { form } = record(env, origin, req, body);
    const user = userOf(req);
    const channel = form.channel_name ?? '';
    const name = channel.replace(/^(private-encrypted-|private-|presence-)/, '');
    // routes/channels.php: no user → 403; `forbidden…` → 403; App.Models.User.{id} → that user.
    if (!user || name.startsWith('forbidden')) return send(res, 403, '');
    const own = /^App\.Models\.User\.(\d+)$/.exec(name);
    if (own && Number(own[1]) !== user.id) return send(res, 403, '');
    // (sockudo refuses a numeric user_id, which Laravel would send: the id goes as a string.)
    const presence = channel.startsWith('presence-')
      ? { user_id: String(user.id), user_info: { id: user.id, name: user.name } }
      : undefined;
    return send(res, 200, sdk.authorizeChannel(form.socket_id, channel, presence));
  });
  server.route('POST', '/broadcasting/user-auth', async (req, res, body) => {
    const { form } = record(env, origin, req, body);
    const user = userOf(req);
    if (!user) return send(res, 403, '');
    return send(
      res,
      200,
      sdk.authenticateUser(form.socket_id, { id: String(user.id), user_info: { name: user.name } }),
    );
  });
  // `broadcast(new MessageSent($message))->toOthers()`: the X-Socket-ID connection is left out.
  server.route('*', '/messages', async (req, res, body) => {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
    };
    const entry = record(env, origin, req, body);
    if (req.method === 'OPTIONS') return send(res, 204, '', cors);
    const socketId = req.headers['x-socket-id'];
    const { channel, event, data } = entry.form;
    if (channel) {
      const result = await sdk.trigger(channel, event, data, socketId ? { socket_id: socketId } : undefined);
      if (result.status !== 200) throw new Error(`trigger: HTTP ${result.status}`);
    }
    return send(res, 200, { socketId: socketId ?? null }, cors);
  });
}

/** Node-side handlers for the pages: node('trigger', channel, event, data), node('requests'), ... */
export function echoHandlers(env) {
  const sdk = env.echoSdk;
  return {
    /** Publishes through the SDK (encrypting on private-encrypted- channels). */
    async trigger(channel, event, data, params) {
      const res = await sdk.trigger(channel, event, data, params);
      if (res.status !== 200) throw new Error(`trigger ${event} on ${channel}: HTTP ${res.status}`);
      return true;
    },
    async sendToUser(userId, event, data) {
      const res = await sdk.sendToUser(String(userId), event, data);
      if (res.status !== 200) throw new Error(`sendToUser ${event}: HTTP ${res.status}`);
      return true;
    },
    /** Restarts sockudo on the same port (SIGTERM: it closes every socket with 4200 first). */
    async restartServer(opts) {
      await env.sockudo.restart(opts ?? {});
      return true;
    },
    /** Requests the app saw (optionally only those to `path`), then forgets them. */
    takeRequests(path) {
      const out = env.requests.filter((r) => !path || r.path === path);
      env.requests = env.requests.filter((r) => path && r.path !== path);
      return structuredClone(out);
    },
  };
}

/** Loads the variant's Echo class (window.Echo) and the page helpers (window.E) into a page. */
async function prepare(page, variant) {
  await page.evaluate(async (v) => {
    const script = (src) =>
      new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = src;
        s.onload = resolve;
        s.onerror = () => reject(new Error('could not load ' + src));
        document.head.appendChild(s);
      });
    if (v.client === 'pusher-js') await script('/node_modules/pusher-js/dist/web/pusher-with-encryption.js');
    if (v.echo === 'ours') window.Echo = (await import('/pkg/index.js')).Echo;
    else window.Echo = (await import('/node_modules/laravel-echo/dist/echo.js')).default;
    if (typeof window.Echo !== 'function') throw new Error('no Echo class for ' + v.name);
    window.E = await import('/tests/support/echo-page.mjs');
    window.variant = v.name;
  }, variant);
}

/**
 * Runs `driver(pages, variant)` once per selected variant, with `count` fresh pages of it.
 * `pages[i].run(fn, args)` evaluates a scenario step in page i (`args` gets `variant`, `page`);
 * state survives between steps on window. `pages[i].close()` closes the page (a closed tab).
 */
export async function runEchoPages(env, count, driver, opts = {}) {
  const runs = {};
  for (const variant of selectedVariants(opts.variants)) {
    const handlers = { ...env.handlers(), ...(opts.handlers ?? {}) };
    env.requests = [];
    const sessions = await Promise.all(
      Array.from({ length: count }, () => openClientPage(env.browser, env.http.url, variant.client, { handlers })),
    );
    const pages = sessions.map((s, index) => ({
      index,
      session: s,
      run(fn, args = {}, timeoutMs = 15000) {
        return withTimeout(
          s.page.evaluate(fn, { ...args, variant: variant.name, page: index }),
          timeoutMs,
          `page ${index} of ${variant.name}: ${fn.name || 'step'}`,
        );
      },
      close: () => s.close(),
    }));
    let raw;
    try {
      await Promise.all(sessions.map((s) => prepare(s.page, variant)));
      raw = await withTimeout(driver(pages, variant.name), opts.timeoutMs ?? 30000, `scenario on ${variant.name}`);
    } catch (err) {
      const diag = sessions
        .flatMap((s, i) => [
          ...s.pageErrors.map((e) => `page ${i} pageerror: ${e}`),
          ...s.consoleErrors.map((e) => `page ${i} console.error: ${e}`),
        ])
        .join('\n');
      err.message = `[${variant.name}] ${err.message}${diag ? '\n' + diag : ''}`;
      await Promise.all(sessions.map((s) => s.close()));
      throw err;
    }
    await Promise.all(sessions.map((s) => s.close()));
    const run = {
      variant: variant.name,
      client: variant.client,
      mode: sessions[0].mode,
      raw,
      obs: normalize(raw),
      requests: env.requests,
      pages: sessions.map((s) => ({
        pageErrors: s.pageErrors,
        consoleErrors: s.consoleErrors,
        websockets: s.websockets,
        offHostRequests: s.offHostRequests,
      })),
    };
    run.websockets = run.pages[0].websockets;
    env.requests = [];
    run.pages.forEach((p, i) => {
      if (!opts.allowPageErrors) assert.deepEqual(p.pageErrors, [], `[${variant.name}] uncaught errors in page ${i}`);
      const consoleErrors = opts.allowConsoleErrors
        ? p.consoleErrors.filter((e) => !opts.allowConsoleErrors.test(e))
        : p.consoleErrors;
      assert.deepEqual(consoleErrors, [], `[${variant.name}] console errors in page ${i}`);
      assert.deepEqual(p.offHostRequests, [], `[${variant.name}] requests off 127.0.0.1 from page ${i}`);
    });
    runs[variant.name] = run;
  }
  return runs;
}

/** One page per variant: `scenario(args)` in it. */
export function runEcho(env, scenario, args = {}, opts = {}) {
  return runEchoPages(env, 1, (pages) => pages[0].run(scenario, args, opts.stepTimeoutMs ?? 20000), opts);
}

/** Chromium's own console line for a request answered with an error status (a 403 auth). */
export const FAILED_REQUEST = /^Failed to load resource: the server responded with a status of \d+/;

/**
 * Explicit expectations for every variant first, then: laravel-echo over pusher-wasm must show
 * what laravel-echo over pusher-js shows (`wasm(oracle)` when a README difference applies), and
 * pusher-wasm's Echo too, except where it deliberately does better (`ours(oracle)`).
 */
export function checkEcho(runs, expect, { ours, wasm } = {}) {
  for (const run of Object.values(runs)) {
    try {
      expect(stripDiagnostics(run.obs), run);
    } catch (err) {
      err.message = `[${run.variant}] ${err.message}`;
      throw err;
    }
  }
  const oracle = runs[ORACLE] && stripDiagnostics(runs[ORACLE].obs);
  if (!oracle) return;
  if (runs[WASM]) {
    assert.deepEqual(
      stripDiagnostics(runs[WASM].obs),
      wasm ? wasm(structuredClone(oracle)) : oracle,
      `${WASM} differs from ${ORACLE}`,
    );
  }
  if (runs[OURS]) {
    assert.deepEqual(
      stripDiagnostics(runs[OURS].obs),
      ours ? ours(structuredClone(oracle)) : oracle,
      `${OURS} differs from ${ORACLE}`,
    );
  }
}

/** The parsed frames a recorded page WebSocket sent, without pings. */
export function sentFrames(ws) {
  return ws.sent
    .map((f) => (typeof f === 'string' ? JSON.parse(f) : f))
    .filter((f) => f.event !== 'pusher:ping' && f.event !== 'pusher:pong');
}
