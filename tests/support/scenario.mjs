// The oracle helper: run one scenario in a page with pusher-js 8.6.0 (the oracle) and in a page
// with pusher-wasm (ours), and compare.
//
// A scenario is an (async) function that runs inside the harness page via page.evaluate. It gets
// one JSON argument, uses window.Pusher, the helpers `H` and the Node bridge `node(name, ...args)`
// (see tests/e2e/pages/harness.html), and returns plain JSON observations.
//
//   const env = await startEnv({ sockudo: true });        // browser + static server (+ sockudo)
//   const runs = await runOnBoth(env, scenario, { ...env.clientArgs() }, { handlers: env.sdkHandlers() });
//   checkBoth(runs, (obs, run) => {                      // explicit expectations, per client
//     assert.deepEqual(obs.states, ['connecting', 'connected']);
//   });                                                  // then: ours deep-equals the oracle
//   await env.close();
//
// CLIENTS=pusher-js (or pusher-wasm, or both comma-separated; default both) selects the clients.
// Keys whose name starts with `_` in the observations are diagnostics: shown, never compared.
// `socket_id`/`socketId` values are replaced by '<socket_id>' when they look like one.

import assert from 'node:assert/strict';
import PusherServer from 'pusher';
import {
  launchBrowser,
  closeBrowser,
  observeSharedWorkers,
  openClientPage,
  withTimeout,
  CLIENT_NAMES,
} from './browser.mjs';
import { startHttpServer } from './http-server.mjs';
import { startSockudo } from './sockudo.mjs';

export const ORACLE = 'pusher-js';
export const OURS = 'pusher-wasm';

/** The clients selected by the CLIENTS env var (default: both, the oracle first). */
export function selectedClients() {
  const raw = (process.env.CLIENTS ?? '').trim();
  if (!raw) return [...CLIENT_NAMES];
  const wanted = raw.split(/[\s,]+/).filter(Boolean);
  for (const c of wanted) {
    if (!CLIENT_NAMES.includes(c)) throw new Error(`CLIENTS: unknown client ${c} (known: ${CLIENT_NAMES})`);
  }
  return CLIENT_NAMES.filter((c) => wanted.includes(c));
}

/** Default constructor options, as Laravel Echo's reverb broadcaster passes them. */
export function clientOptions(port, host = '127.0.0.1', extra = {}) {
  return { cluster: '', wsHost: host, wsPort: port, forceTLS: false, enabledTransports: ['ws'], ...extra };
}

/**
 * Starts what a test file needs: Chromium, the static server, and optionally sockudo.
 * @param {{ sockudo?: boolean|object }} [opts]  `sockudo: {...}` is passed to startSockudo.
 */
export async function startEnv(opts = {}) {
  const env = { browser: null, http: null, sockudo: null, sdk: null };
  try {
    env.http = await startHttpServer();
    env.browser = await launchBrowser();
    observeSharedWorkers(env.browser, env.http);
    if (opts.sockudo) {
      env.sockudo = await startSockudo(typeof opts.sockudo === 'object' ? opts.sockudo : {});
      env.sdk = new PusherServer({
        appId: env.sockudo.appId,
        key: env.sockudo.key,
        secret: env.sockudo.secret,
        host: env.sockudo.host,
        port: String(env.sockudo.port),
        useTLS: false,
      });
    }
  } catch (err) {
    await closeEnv(env);
    throw err;
  }
  env.close = () => closeEnv(env);
  /** Scenario arguments for a client talking to sockudo. */
  env.clientArgs = (extra = {}) => ({
    key: env.sockudo.key,
    port: env.sockudo.port,
    options: clientOptions(env.sockudo.port),
    ...extra,
  });
  /** Node-side handlers a scenario calls with `await node('trigger', channel, event, data)`. */
  env.sdkHandlers = () => sdkHandlers(env);
  return env;
}

async function closeEnv(env) {
  await closeBrowser(env.browser).catch(() => {});
  await env.http?.close().catch(() => {});
  await env.sockudo?.stop().catch(() => {});
}

/** Handlers that drive sockudo through the `pusher` server SDK. */
export function sdkHandlers(env) {
  return {
    /** Publishes through POST /apps/:id/events. A string `data` is sent as is (not re-encoded). */
    async trigger(channel, event, data, params) {
      const res = await env.sdk.trigger(channel, event, data, params);
      if (res.status !== 200) throw new Error(`trigger ${event} on ${channel}: HTTP ${res.status}`);
      return true;
    },
    /** Channel info from the HTTP API ({ occupied, ... }). */
    async channelInfo(channel) {
      const res = await env.sdk.get({ path: `/channels/${channel}`, params: {} });
      return res.json();
    },
    async restartServer(opts) {
      await env.sockudo.restart(opts ?? {});
      return true;
    },
  };
}

/**
 * Runs `scenario(args)` once per selected client, each in a fresh page (and browser context).
 *
 * @param {{ browser, http }} env
 * @param {Function} scenario   serialised into the page: it must not close over Node variables
 * @param {object} args          JSON argument given to the scenario (`args.client` is added)
 * @param {{
 *   handlers?: Record<string, Function> | ((client) => Record<string, Function>),
 *   setup?: (client) => any,          // runs before each client's page opens (reset a fake server)
 *   beforeClose?: (client, run) => any, // runs before each client's page closes (a shared-mode
 *                                      // tab's close releases its channels at the server)
 *   teardown?: (client, run) => any,  // runs after each client's page closed
 *   timeoutMs?: number,               // upper bound for one run (default 20 s)
 *   allowPageErrors?: boolean,       // default: uncaught page errors fail the run
 *   allowConsoleErrors?: boolean,    // default: console.error output fails the run
 *   normalize?: (obs) => any,         // replaces the default normalisation
 *   build?: 'testing',                // pusher-wasm's test build (target/pkg-testing/)
 *   mode?: 'page'|'shared',           // where pusher-wasm's engine runs (default: PUSHER_WASM_MODE)
 * }} [opts]
 * @returns {Promise<Record<string, { client, obs, raw, pageErrors, consoleErrors, websockets, offHostRequests }>>}
 */
export async function runOnBoth(env, scenario, args = {}, opts = {}) {
  const runs = {};
  for (const client of selectedClients()) {
    runs[client] = await runOne(env, client, scenario, args, opts);
  }
  return runs;
}

export async function runOne(env, client, scenario, args = {}, opts = {}) {
  if (opts.setup) await opts.setup(client);
  const handlers = typeof opts.handlers === 'function' ? opts.handlers(client) : opts.handlers;
  const session = await openClientPage(env.browser, env.http.url, client, {
    handlers,
    build: opts.build,
    mode: opts.mode,
  });
  let raw;
  try {
    raw = await withTimeout(
      session.page.evaluate(scenario, { ...args, client }),
      opts.timeoutMs ?? 20000,
      `scenario ${scenario.name || '(anonymous)'} on ${client}`,
    );
  } catch (err) {
    const diag = [
      ...session.pageErrors.map((e) => `pageerror: ${e}`),
      ...session.consoleErrors.map((e) => `console.error: ${e}`),
    ].join('\n');
    err.message = `[${client}] ${err.message}${diag ? '\n' + diag : ''}`;
    await session.close();
    throw err;
  }
  const run = {
    client,
    mode: session.mode,
    raw,
    obs: (opts.normalize ?? normalize)(raw),
    pageErrors: session.pageErrors,
    consoleErrors: session.consoleErrors,
    console: session.console,
    websockets: session.websockets,
    offHostRequests: session.offHostRequests,
  };
  if (opts.beforeClose) await opts.beforeClose(client, run);
  await session.close();
  if (opts.teardown) await opts.teardown(client, run);
  if (!opts.allowPageErrors) {
    assert.deepEqual(run.pageErrors, [], `[${client}] uncaught errors in the page`);
  }
  if (!opts.allowConsoleErrors) {
    assert.deepEqual(run.consoleErrors, [], `[${client}] console errors in the page`);
  }
  assert.deepEqual(run.offHostRequests, [], `[${client}] requests to hosts other than 127.0.0.1`);
  return run;
}

/**
 * Explicit expectations first (`expect(obs, run)` for each client that ran), then ours must
 * deep-equal the oracle. Use both: equal-but-wrong would pass the comparison alone.
 * `obs` has the `_` diagnostics stripped; they are still in `run.obs`.
 *
 * Where pusher-wasm deliberately does better than pusher-js (README, "Differences from
 * pusher-js"), `ours(oracleObs)` turns the oracle's observations into what pusher-wasm must
 * show; everything it leaves alone must still be equal. `oursObs(obs)` normalises ours first
 * (a message whose wording is not the point).
 */
export function checkBoth(runs, expect, { ours, oursObs } = {}) {
  for (const run of Object.values(runs)) {
    try {
      expect(stripDiagnostics(run.obs), run);
    } catch (err) {
      err.message = `[${run.client}] ${err.message}`;
      throw err;
    }
  }
  if (runs[ORACLE] && runs[OURS]) {
    const oracle = stripDiagnostics(runs[ORACLE].obs);
    const mine = stripDiagnostics(runs[OURS].obs);
    assert.deepEqual(
      oursObs ? oursObs(mine) : mine,
      ours ? ours(structuredClone(oracle)) : oracle,
      `${OURS} differs from ${ORACLE}`,
    );
  }
}

const SOCKET_ID = /^\d+\.\d+$/;
const SOCKET_ID_KEYS = new Set(['socket_id', 'socketId']);

/** Default normalisation: socket ids → '<socket_id>' (only when they look like one). */
export function normalize(value, key) {
  if (Array.isArray(value)) return value.map((v) => normalize(v));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v, k);
    return out;
  }
  if (SOCKET_ID_KEYS.has(key) && typeof value === 'string' && SOCKET_ID.test(value)) return '<socket_id>';
  return value;
}

/** Drops `_`-prefixed keys (diagnostics) recursively. */
export function stripDiagnostics(value) {
  if (Array.isArray(value)) return value.map(stripDiagnostics);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (!k.startsWith('_')) out[k] = stripDiagnostics(v);
    return out;
  }
  return value;
}

/** Parsed text frames of a recorded page WebSocket (`run.websockets[i].sent/received`). */
export function parsedFrames(frames) {
  return frames.map((f) => {
    if (typeof f !== 'string') return f;
    try {
      return JSON.parse(f);
    } catch {
      return { $unparsed: f };
    }
  });
}

/**
 * The recorded WebSockets that reached a server (received at least one frame). After a restart
 * our first retry comes 0.1–1.5 s after the drop and may find the port still closed: that
 * attempt is recorded too, with no frame.
 */
export function establishedSockets(websockets) {
  return websockets.filter((ws) => ws.received.length > 0);
}
