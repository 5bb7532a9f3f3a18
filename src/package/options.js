// The constructor's arguments: pusher-js's checks (throwing its strings), then the option values
// the core needs, as `Client`'s constructor takes them. Each is undefined when absent or, as in
// pusher-js's `opts.x || default`, falsy (except `maxClientEventsPerSecond`, where 0 turns the
// guard off); the defaults themselves live in the core. Unknown keys are ignored (Laravel Echo
// passes its whole options object).

const PORT = 'a port number (1-65535)';
const POSITIVE = 'a positive number';

/**
 * `[key, cluster, wsHost, wsPort, wssPort, wsPath, forceTLS, activityTimeout, pongTimeout,
 * unavailableTimeout, maxClientEventsPerSecond, connectionRecovery]`, or a throw: the strings
 * pusher-js throws for a missing key, options object or cluster, and a TypeError naming the
 * option for a bad value.
 */
export function clientArguments(key, options) {
  if (key == null) throw 'You must pass your app key when you instantiate Pusher.';
  if (options == null) throw 'You must pass an options object';
  if (options.cluster == null) throw 'Options object must provide a cluster';
  const text = (name) => {
    const value = options[name];
    return value ? String(value) : undefined;
  };
  const forceTLS = options.forceTLS;
  return [
    String(key),
    String(options.cluster),
    text('wsHost'),
    port(options, 'wsPort'),
    port(options, 'wssPort'),
    text('wsPath'),
    typeof forceTLS === 'boolean' ? forceTLS : undefined,
    positive('activityTimeout', options.activityTimeout, POSITIVE),
    positive('pongTimeout', options.pongTimeout, POSITIVE),
    positive('unavailableTimeout', options.unavailableTimeout, POSITIVE),
    count(options, 'maxClientEventsPerSecond'),
    flag(options, 'connectionRecovery'),
  ];
}

/** A positive number (a numeric string is accepted, as JavaScript would coerce it). */
function positive(name, value, expected) {
  if (!value) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (Number.isFinite(n) && n > 0) return n;
  throw optionError(name, expected, value);
}

function port(options, name) {
  const value = options[name];
  const n = positive(name, value, PORT);
  if (n === undefined || (n <= 65535 && Number.isInteger(n))) return n;
  throw optionError(name, PORT, value);
}

/** A count that may be 0 (which means "none"), unlike the `|| default` options. */
function count(options, name) {
  const value = options[name];
  if (value == null) return undefined;
  if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  throw optionError(name, 'a whole number, 0 or more', value);
}

/** A boolean option of ours: absent (or null) is false. */
function flag(options, name) {
  const value = options[name];
  if (value == null) return false;
  if (typeof value === 'boolean') return value;
  throw optionError(name, 'true or false', value);
}

function optionError(name, expected, value) {
  return new TypeError(`Pusher option '${name}' must be ${expected}, got ${String(value)}`);
}
