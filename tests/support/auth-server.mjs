// Auth endpoints and multi-page runs for the authorized-channel e2e tests
// (tests/e2e/auth, presence, encrypted, signin).
//
//   const { env, sdk, auth, fake, close } = await startAuthEnv();  // all of the below, started
//   const auth = installAuthServer(env, { sdk });     // POST /pusher/auth and /pusher/user-auth
//   auth.set('private-x', { status: 403 });            // or from a page: node('auth.set', ...)
//   auth.requests                                      // every request the endpoints saw
//   const runs = await runPagesOnBoth(env, 2, async (pages) => { ... }, { handlers });
//
// The endpoints sign with the `pusher` server SDK (`authorizeChannel`, `authenticateUser`). How
// they answer is chosen per channel name (or 'user' for user authentication) with `set`; the
// default is a valid answer. For presence channels the member comes from the request's own
// params: `user_id` and `user_info` (JSON), so each page can say who it is through
// `channelAuthorization.params`.

import assert from 'node:assert/strict';
import PusherServer from 'pusher';
import { openClientPage, withTimeout } from './browser.mjs';
import { normalize, selectedClients, startEnv } from './scenario.mjs';
import { startFakeServer } from '../fake-server/index.mjs';

/** The encryption master key the tests' SDK uses (32 bytes, base64). */
export const MASTER_KEY_BASE64 = Buffer.alloc(32, 7).toString('base64');
/** Another one, to hand out a shared secret that does not match the events. */
export const WRONG_MASTER_KEY_BASE64 = Buffer.alloc(32, 9).toString('base64');

/** An SDK for `server` ({appId, key, secret, host, port}) that can encrypt and sign. */
export function makeSdk(server, masterKeyBase64 = MASTER_KEY_BASE64) {
  return new PusherServer({
    appId: server.appId ?? 'app-id',
    key: server.key ?? 'app-key',
    secret: server.secret ?? 'app-secret',
    host: server.host ?? '127.0.0.1',
    port: String(server.port ?? 1),
    useTLS: false,
    encryptionMasterKeyBase64: masterKeyBase64,
  });
}

/**
 * Modes (`auth.set(name, mode)`):
 *   'ok'            the SDK's answer (default)
 *   'badjson'       200 with a body that is not JSON
 *   'wrong-secret'  a valid signature with the shared_secret of another master key
 *   'no-secret'     a valid signature without shared_secret
 *   'no-channel-data'  presence: a valid private-channel signature, no channel_data
 *   { status, body? }  that status (and body, default 'denied')
 *   { json }        200 with this JSON
 * A mode may be a list: one entry per request, the last one repeating.
 */
/**
 * What the authorized-channel suites start before their tests: the harness with sockudo
 * (`startEnv`), an SDK signing for that server, the auth endpoints, and a fake server.
 * `close()` stops all of it; what was started is stopped also when a later step fails.
 */
export async function startAuthEnv() {
  const env = await startEnv({ sockudo: true });
  try {
    const sdk = makeSdk(env.sockudo);
    const auth = installAuthServer(env, { sdk });
    const fake = await startFakeServer();
    const close = async () => {
      await fake.close();
      await env.close();
    };
    return { env, sdk, auth, fake, close };
  } catch (error) {
    await env.close();
    throw error;
  }
}

export function installAuthServer(env, { sdk, channelPath = '/pusher/auth', userPath = '/pusher/user-auth' } = {}) {
  const wrongSdk = makeSdk({ ...sdkServer(sdk) }, WRONG_MASTER_KEY_BASE64);
  const auth = {
    requests: [],
    modes: new Map(),
    /** Responses held by the `hang` mode. */
    hung: [],
    reset() {
      this.requests.length = 0;
      this.modes.clear();
      this.releaseHung();
    },
    /** Answers every held request (503). */
    releaseHung() {
      for (const answer of this.hung.splice(0)) answer();
    },
    set(name, mode) {
      this.modes.set(name, Array.isArray(mode) ? mode.slice() : [mode]);
    },
    modeFor(name) {
      const list = this.modes.get(name);
      if (!list || list.length === 0) return 'ok';
      return list.length > 1 ? list.shift() : list[0];
    },
  };

  const record = (kind, req, body) => {
    const form = Object.fromEntries(new URLSearchParams(body));
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k === 'content-type' || k === 'cookie' || k.startsWith('x-')) headers[k] = v;
    }
    const entry = { kind, path: new URL(req.url, 'http://x').pathname, method: req.method, headers, body, form };
    auth.requests.push(entry);
    return entry;
  };

  const send = (res, status, text, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(text);
  };

  const channelHandler = async (req, res, body) => {
    const { form } = record('channel', req, body);
    const channel = form.channel_name;
    const mode = auth.modeFor(channel);
    const presence = channel?.startsWith('presence-')
      ? { user_id: form.user_id ?? 'anonymous', user_info: form.user_info ? JSON.parse(form.user_info) : undefined }
      : undefined;
    if (presence && presence.user_info === undefined) delete presence.user_info;
    if (mode === 'ok') return send(res, 200, JSON.stringify(sdk.authorizeChannel(form.socket_id, channel, presence)));
    // An endpoint that never answers (until `auth.releaseHung()`): a request in flight.
    if (mode === 'hang') {
      auth.hung.push(() => send(res, 503, 'released'));
      return;
    }
    if (mode === 'badjson') return send(res, 200, 'this is not json', 'text/plain');
    if (mode === 'wrong-secret') {
      const good = sdk.authorizeChannel(form.socket_id, channel, presence);
      const wrong = wrongSdk.authorizeChannel(form.socket_id, channel, presence);
      return send(res, 200, JSON.stringify({ ...good, shared_secret: wrong.shared_secret }));
    }
    if (mode === 'no-secret') {
      const { shared_secret: _, ...rest } = sdk.authorizeChannel(form.socket_id, channel, presence);
      return send(res, 200, JSON.stringify(rest));
    }
    if (mode === 'no-channel-data') {
      // A signature over socket_id:channel only, as for a private channel.
      const { auth: signature } = sdk.authorizeChannel(form.socket_id, channel);
      return send(res, 200, JSON.stringify({ auth: signature }));
    }
    if (mode && typeof mode === 'object' && 'json' in mode) return send(res, 200, JSON.stringify(mode.json));
    if (mode && typeof mode === 'object' && 'status' in mode) {
      return send(res, mode.status, mode.body ?? 'denied', 'text/plain');
    }
    throw new Error(`auth-server: unknown mode ${JSON.stringify(mode)}`);
  };

  const userHandler = async (req, res, body) => {
    const { form } = record('user', req, body);
    const mode = auth.modeFor('user');
    const user = { id: form.user_id ?? 'user-1', ...(form.user_info ? { user_info: JSON.parse(form.user_info) } : {}) };
    if (mode === 'ok') return send(res, 200, JSON.stringify(sdk.authenticateUser(form.socket_id, user)));
    if (mode === 'badjson') return send(res, 200, 'this is not json', 'text/plain');
    if (mode && typeof mode === 'object' && 'json' in mode) return send(res, 200, JSON.stringify(mode.json));
    if (mode && typeof mode === 'object' && 'status' in mode) {
      return send(res, mode.status, mode.body ?? 'denied', 'text/plain');
    }
    throw new Error(`auth-server: unknown user mode ${JSON.stringify(mode)}`);
  };

  auth.paths = { channel: channelPath, user: userPath };
  auth.route = (path, kind = 'channel') => env.http.route('POST', path, kind === 'user' ? userHandler : channelHandler);
  auth.route(channelPath, 'channel');
  auth.route(userPath, 'user');

  /** Node-side handlers for pages: node('auth.set', name, mode), node('auth.requests'). */
  auth.handlers = () => ({
    'auth.set': (name, mode) => void auth.set(name, mode),
    'auth.requests': () => structuredClone(auth.requests),
    'auth.count': (kind) => auth.requests.filter((r) => !kind || r.kind === kind).length,
    /** Resolves once `count` requests of `kind` (and channel, when given) were seen. */
    'auth.waitFor': (kind, count, channel) =>
      waitUntil(
        () =>
          auth.requests.filter((r) => r.kind === kind && (!channel || r.form.channel_name === channel)).length >= count,
        `${count} ${kind} auth request(s)${channel ? ' for ' + channel : ''}`,
      ),
  });
  return auth;
}

function sdkServer(sdk) {
  const c = sdk.config;
  return { appId: c.appId, key: c.token.key, secret: c.token.secret, host: c.host, port: c.port };
}

async function waitUntil(check, what, timeout = 5000) {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Console errors Chromium itself logs for a failed or refused fetch/XHR (not the client's own). */
export const NETWORK_CONSOLE_ERROR =
  /^Failed to load resource: (the server responded with a status of \d+|net::ERR_[A-Z_]+)/;

/** Asserts the run's console errors are only Chromium's own network lines. */
export function onlyNetworkConsoleErrors(errors) {
  const other = errors.filter((e) => !NETWORK_CONSOLE_ERROR.test(e) && !/WebSocket connection to .* failed/.test(e));
  assert.deepEqual(other, [], 'console errors other than failed requests');
}

/**
 * Runs `driver(pages, client)` once per selected client with `count` pages of that client open
 * at once (each its own browser context). `pages[i].run(fn, args)` evaluates a scenario function
 * in page i (state survives between calls on window); `pages[i].close()` closes the page (its
 * WebSocket goes away, as when a tab is closed). The driver returns the observations.
 *
 * @returns {Promise<Record<string, { client, obs, raw, pages: Array<{ pageErrors, consoleErrors, websockets, offHostRequests }> }>>}
 */
export async function runPagesOnBoth(env, count, driver, opts = {}) {
  const runs = {};
  for (const client of selectedClients()) {
    if (opts.setup) await opts.setup(client);
    const handlers = typeof opts.handlers === 'function' ? opts.handlers(client) : opts.handlers;
    const sessions = await Promise.all(
      Array.from({ length: count }, () => openClientPage(env.browser, env.http.url, client, { handlers })),
    );
    const pages = sessions.map((s, index) => ({
      index,
      session: s,
      closed: false,
      run(fn, args = {}, timeoutMs = 15000) {
        return withTimeout(
          s.page.evaluate(fn, { ...args, client, page: index }),
          timeoutMs,
          `page ${index} of ${client}: ${fn.name || 'step'}`,
        );
      },
      async close() {
        this.closed = true;
        await s.close();
      },
    }));
    let raw;
    try {
      raw = await withTimeout(driver(pages, client), opts.timeoutMs ?? 40000, `multi-page scenario on ${client}`);
    } catch (err) {
      const diag = sessions
        .flatMap((s, i) => [
          ...s.pageErrors.map((e) => `page ${i} pageerror: ${e}`),
          ...s.consoleErrors.map((e) => `page ${i} console.error: ${e}`),
        ])
        .join('\n');
      err.message = `[${client}] ${err.message}${diag ? '\n' + diag : ''}`;
      await Promise.all(sessions.map((s) => s.close()));
      throw err;
    }
    await Promise.all(sessions.map((s) => s.close()));
    const run = {
      client,
      mode: sessions[0].mode,
      raw,
      obs: normalize(raw),
      pages: sessions.map((s) => ({
        pageErrors: s.pageErrors,
        consoleErrors: s.consoleErrors,
        console: s.console,
        websockets: s.websockets,
        offHostRequests: s.offHostRequests,
      })),
    };
    if (opts.teardown) await opts.teardown(client, run);
    run.pages.forEach((p, i) => {
      if (!opts.allowPageErrors) assert.deepEqual(p.pageErrors, [], `[${client}] uncaught errors in page ${i}`);
      if (!opts.allowConsoleErrors) assert.deepEqual(p.consoleErrors, [], `[${client}] console errors in page ${i}`);
      assert.deepEqual(p.offHostRequests, [], `[${client}] requests off 127.0.0.1 from page ${i}`);
    });
    runs[client] = run;
  }
  return runs;
}
