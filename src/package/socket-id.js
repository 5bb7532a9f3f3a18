// `X-Socket-ID` on the app's own requests, so that Laravel's `broadcast(...)->toOthers()` leaves
// the sender's connection out:
//
//   const uninstall = installSocketIdFetch(echo);            // same-origin fetch() gets it
//   api.interceptors.request.use(socketIdInterceptor(echo)); // an axios instance made later
//
// The target is anything with the socket id: a `Pusher` (pusher-wasm's or pusher-js's), an Echo
// (ours or laravel-echo's: `socketId()`), or a function returning the id. The header goes only to
// the page's own origin (a custom header makes a cross-origin request need a CORS preflight,
// and the id is nobody else's business), only while connected (the client keeps the previous
// id while it reconnects; it names no connection), and never replaces a header of that name
// the request already has.

/**
 * The socket id of `target`'s live connection: undefined before the first connection and while
 * not connected (the client keeps the last id then, which names no connection any more).
 */
export function socketIdOf(target) {
  if (typeof target === 'function') return target() || undefined;
  const state = connectionOf(target)?.state;
  if (typeof state === 'string' && state !== 'connected') return undefined;
  if (typeof target?.socketId === 'function') return target.socketId() || undefined;
  return target?.connection?.socket_id || undefined;
}

function checkTarget(target, what) {
  const ok =
    typeof target === 'function' ||
    typeof target?.socketId === 'function' ||
    (target?.connection !== null && typeof target?.connection === 'object');
  if (!ok) throw new TypeError(`${what}: expected a Pusher, an Echo or a function returning the socket id`);
}

/** The connection to wait on, for a Pusher or an Echo (ours or laravel-echo's). */
function connectionOf(target) {
  return target?.connection ?? target?.connector?.pusher?.connection ?? target?.pusher?.connection;
}

/** Resolves with the socket id once there is one, or with undefined after `ms`. */
function waitForSocketId(target, ms) {
  const connection = connectionOf(target);
  if (typeof connection?.bind !== 'function') return Promise.resolve(socketIdOf(target));
  return new Promise((resolve) => {
    const done = () => {
      connection.unbind('connected', done);
      clearTimeout(timer);
      resolve(socketIdOf(target));
    };
    const timer = setTimeout(done, ms);
    connection.bind('connected', done);
  });
}

/** Whether `url` (absolute, or relative to the page) is on the page's own origin. */
export function isSameOrigin(url) {
  if (typeof location === 'undefined' || !location.origin || location.origin === 'null') return false;
  try {
    return new URL(String(url), location.href).origin === location.origin;
  } catch {
    return false;
  }
}

/** Whether `headers` (a Headers, an AxiosHeaders or a plain object) has `name`, in any case. */
export function hasHeaderNamed(headers, name) {
  if (!headers) return false;
  if (typeof headers.has === 'function') return headers.has(name);
  const lower = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === lower && headers[key] != null);
}

/** The URL an axios request config goes to (`baseURL` joined with a relative `url`). */
export function axiosUrl(config) {
  const url = config?.url ?? '';
  const base = config?.baseURL;
  if (!base || /^([a-z][a-z\d+\-.]*:)?\/\//i.test(url)) return url;
  return url ? base.replace(/\/+$/, '') + '/' + url.replace(/^\/+/, '') : base;
}

/** The URL of a jQuery.ajax request (jQuery's default is the page itself). */
export function jqueryUrl(options) {
  return options?.url ?? (typeof location !== 'undefined' ? location.href : '');
}

function requestUrl(input) {
  if (typeof input === 'string') return input;
  if (typeof URL !== 'undefined' && input instanceof URL) return input.href;
  if (typeof input?.url === 'string') return input.url;
  return String(input);
}

/**
 * Wraps `fetch` so that same-origin requests carry `X-Socket-ID` once `target` is connected.
 * Returns a function that removes the wrapper again. Options: `header` (the name, default
 * `X-Socket-ID`), `waitMs` (a request made before the first connection waits up to that long for
 * it instead of going without the header; default 0).
 */
export function installSocketIdFetch(target, { header = 'X-Socket-ID', waitMs = 0 } = {}) {
  checkTarget(target, 'installSocketIdFetch');
  const scope = globalThis;
  const original = scope.fetch;
  if (typeof original !== 'function') throw new TypeError('installSocketIdFetch: there is no fetch to wrap');
  let active = true;
  const wrapped = function fetch(input, init) {
    if (!active || !isSameOrigin(requestUrl(input))) return original(input, init);
    const given =
      init && init.headers !== undefined ? init.headers : input instanceof Request ? input.headers : undefined;
    if (new Headers(given).has(header)) return original(input, init);
    const send = (id) => {
      if (!id) return original(input, init);
      const headers = new Headers(given);
      headers.set(header, id);
      return original(input, { ...init, headers });
    };
    const id = socketIdOf(target);
    return id || !(waitMs > 0) ? send(id) : waitForSocketId(target, waitMs).then(send);
  };
  scope.fetch = wrapped;
  return function uninstall() {
    // Someone may have wrapped fetch after us: then we only step aside.
    if (scope.fetch === wrapped) scope.fetch = original;
    active = false;
  };
}

/**
 * An axios request interceptor that adds `X-Socket-ID` to same-origin requests once `target`
 * is connected: `instance.interceptors.request.use(socketIdInterceptor(echo))`.
 */
export function socketIdInterceptor(target, { header = 'X-Socket-ID' } = {}) {
  checkTarget(target, 'socketIdInterceptor');
  return function socketIdInterceptor(config) {
    const id = socketIdOf(target);
    if (!id || !isSameOrigin(axiosUrl(config))) return config;
    const headers = config.headers ?? (config.headers = {});
    if (hasHeaderNamed(headers, header)) return config;
    if (typeof headers.set === 'function') headers.set(header, id);
    else headers[header] = id;
    return config;
  };
}
