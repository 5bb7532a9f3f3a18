// pusher-js's error classes. Their names are set explicitly: the package is minified, and
// `err.constructor.name` must read as in pusher-js.
function errorClass(name) {
  const cls = class extends Error {};
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/** Thrown by `channel.trigger` for an event name that does not start with `client-`. */
export const BadEventName = errorClass('BadEventName');
/** Thrown by `subscribe` for a name that cannot be a channel (`#…`). */
export const BadChannelName = errorClass('BadChannelName');
/** Thrown by `trigger` on an encrypted channel. */
export const UnsupportedFeature = errorClass('UnsupportedFeature');

/** An auth endpoint answered with another status than 200 (or with invalid JSON). */
export class HTTPAuthError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
Object.defineProperty(HTTPAuthError, 'name', { value: 'HTTPAuthError' });
