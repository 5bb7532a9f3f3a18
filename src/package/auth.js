// The app's auth endpoints, with pusher-js 8.6.0's options and request, over `fetch`:
// `channelAuthorization` / `userAuthentication` {endpoint, transport, params, headers,
// paramsProvider, headersProvider, customHandler}, and, when `channelAuthorization` is absent, the
// deprecated `authEndpoint`, `auth {params, headers}` and `authorizer` that Laravel Echo passes.
// A handler is `(params, callback)`; `callback(error, data)` reaches the wasm client, which
// decides what the answer means.
import { HTTPAuthError } from './errors.js';

const KINDS = {
  channel: 'channel-authorization',
  user: 'user-authentication',
};

function checkTransport(transport) {
  if (transport !== 'ajax' && transport !== 'jsonp') {
    throw `'${transport}' is not a recognized auth transport`;
  }
}

/** The channel authorization handler for these options (pusher-js's `buildChannelAuthorizer`). */
export function channelAuthorizer(options, pusher) {
  /** @type {any} */
  let auth;
  if ('channelAuthorization' in options) {
    auth = { transport: 'ajax', endpoint: '/pusher/auth', ...options.channelAuthorization };
    if (auth.customHandler != null) return auth.customHandler;
  } else {
    auth = { transport: options.authTransport || 'ajax', endpoint: options.authEndpoint || '/pusher/auth' };
    if (options.auth) {
      if ('params' in options.auth) auth.params = options.auth.params;
      if ('headers' in options.auth) auth.headers = options.auth.headers;
    }
    if ('authorizer' in options) {
      // pusher-js's ChannelAuthorizerProxy: a new authorizer per request, from the channel object.
      const deprecated = {
        authTransport: auth.transport,
        authEndpoint: auth.endpoint,
        auth: { params: auth.params, headers: auth.headers },
      };
      return (params, callback) =>
        options.authorizer(pusher.channel(params.channelName), deprecated).authorize(params.socketId, callback);
    }
  }
  checkTransport(auth.transport);
  return (params, callback) => request(KINDS.channel, auth, channelQuery(params), callback);
}

/** The user authentication handler for these options (pusher-js's `buildUserAuthenticator`). */
export function userAuthenticator(options) {
  const auth = { transport: 'ajax', endpoint: '/pusher/user-auth', ...options.userAuthentication };
  if (auth.customHandler != null) return auth.customHandler;
  checkTransport(auth.transport);
  return (params, callback) => request(KINDS.user, auth, query(params.socketId), callback);
}

const query = (socketId) => 'socket_id=' + encodeURIComponent(socketId);
const channelQuery = (params) => query(params.socketId) + '&channel_name=' + encodeURIComponent(params.channelName);

function appendParams(body, params) {
  for (const key in params) body += '&' + encodeURIComponent(key) + '=' + encodeURIComponent(params[key]);
  return body;
}

/** POSTs the form to the endpoint with the page's cookies (same origin); only 200 is success. */
async function request(kind, auth, body, callback) {
  let result;
  try {
    body = appendParams(body, auth.params);
    if (auth.paramsProvider != null) body = appendParams(body, auth.paramsProvider());
    // Appended, as XMLHttpRequest.setRequestHeader does: a header set both statically and by
    // the provider is sent with both values.
    const headers = new Headers({ 'Content-Type': 'application/x-www-form-urlencoded' });
    for (const name in auth.headers) headers.append(name, auth.headers[name]);
    if (auth.headersProvider != null) {
      const more = auth.headersProvider();
      for (const name in more) headers.append(name, more[name]);
    }
    let response;
    let text = '';
    try {
      response = await fetch(auth.endpoint, { method: 'POST', headers, body, credentials: 'same-origin' });
      text = await response.text();
    } catch (error) {
      response = { status: 0 };
    }
    if (response.status !== 200) {
      const hint =
        kind === KINDS.channel
          ? 'Clients must be authorized to join private or presence channels. See: https://pusher.com/docs/channels/server_api/authorizing-users/'
          : 'See: https://pusher.com/docs/channels/server_api/authenticating_users';
      result = [
        new HTTPAuthError(
          response.status,
          `Unable to retrieve auth string from ${kind} endpoint - received status: ${response.status} from ${auth.endpoint}. ${hint}`,
        ),
        null,
      ];
    } else {
      try {
        result = [null, JSON.parse(text)];
      } catch {
        result = [
          new HTTPAuthError(
            200,
            `JSON returned from ${kind} endpoint was invalid, yet status code was 200. Data was: ${text}`,
          ),
          null,
        ];
      }
    }
  } catch (error) {
    // A params or headers provider threw.
    result = [error, null];
  }
  callback(result[0], result[1]);
}

/**
 * What a failed authorization tells the wasm client: the error's `message` (as pusher-js
 * reports it; for a callback value without one, that value as text, where pusher-js reports
 * `undefined`), and the HTTP status; nothing when `error` is no error (falsy, as pusher-js
 * checks it).
 */
export function failure(error) {
  if (!error) return [];
  const message = typeof error.message === 'string' ? error.message : String(error);
  return [message, error instanceof HTTPAuthError ? error.status : undefined];
}
