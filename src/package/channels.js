// `pusher.channels`: the channel objects by name (Laravel Echo reads `channels.channels[name]`),
// and what a channel's name makes it.
import { MAX_BYTES } from './codes.js';
import { BadChannelName } from './errors.js';

/** Names with this prefix are presence channels (their objects have `members`). */
export const PRESENCE = 'presence-';
/** Names with this prefix are end-to-end encrypted channels (no client events). */
export const ENCRYPTED = 'private-encrypted-';

/**
 * `name`, checked: pusher-js's BadChannelName for `#…` names (reserved for the server), and
 * ours for an empty name or one over the protocol's 164 bytes (UTF-8), which servers refuse.
 */
export function channelName(name) {
  if (typeof name !== 'string') {
    throw new TypeError(`A channel name must be a string, got ${String(name)}`);
  }
  if (name === '') throw new Error('A channel name must not be empty');
  if (name[0] === '#') throw new BadChannelName(`Cannot create a channel with name "${name}".`);
  // At most three bytes per UTF-16 unit: only long names need counting.
  if (name.length * 3 > MAX_BYTES && new TextEncoder().encode(name).length > MAX_BYTES) {
    throw new Error(`Channel name "${name}" is longer than ${MAX_BYTES} bytes`);
  }
  return name;
}

export class Channels {
  constructor() {
    /** The channel objects, by name. */
    this.channels = {};
  }

  /** The channel named `name`, or undefined. */
  find(name) {
    return this.channels[name];
  }

  /** Every channel object, in subscription order. */
  all() {
    return Object.values(this.channels);
  }
}
