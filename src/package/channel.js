// `Channel`: what `pusher.subscribe(name)` returns.
import {
  CHANNEL,
  CHANNEL_FLAGS,
  EventsDispatcher,
  SLOT,
  SUBSCRIPTION_COUNT,
  read,
} from './dispatcher.js';
import { BadEventName, UnsupportedFeature } from './errors.js';

const SUBSCRIBED = 1;
const PENDING = 2;
const CANCELLED = 4;

export class Channel extends EventsDispatcher {
  constructor(pusher, client, name, id) {
    super(client, CHANNEL, name, id);
    /** The channel name. */
    this.name = name;
    /** The Pusher instance it belongs to. */
    this.pusher = pusher;
  }

  /** Whether the server confirmed the subscription on the current connection. */
  get subscribed() {
    return (flags(this) & SUBSCRIBED) !== 0;
  }

  /** Whether a subscribe (or its authorization) is on its way. */
  get subscriptionPending() {
    return (flags(this) & PENDING) !== 0;
  }

  /** Whether the user unsubscribed while the subscription was pending. */
  get subscriptionCancelled() {
    return (flags(this) & CANCELLED) !== 0;
  }

  /** The last `subscription_count` the server sent; undefined before any. */
  get subscriptionCount() {
    const s = this[SLOT];
    const count = read(s.client, SUBSCRIPTION_COUNT, s.channel, s.id);
    return Number.isNaN(count) ? undefined : count;
  }

  /**
   * A client event: throws unless `event` starts with `client-` (and on encrypted channels);
   * whether it was sent (false when not connected, or over `maxClientEventsPerSecond`).
   */
  trigger(event, data) {
    const s = this[SLOT];
    const sent = s.client.send(true, String(event), JSON.stringify(data), s.channel);
    if (sent === -1) throw new BadEventName(`Event '${event}' does not start with 'client-'`);
    if (sent === -2) {
      throw new UnsupportedFeature('Client events are not currently supported for encrypted channels');
    }
    return sent === 1;
  }

  /** The same as `pusher.subscribe(channel.name)`. */
  subscribe() {
    this.pusher.subscribe(this.name);
  }

  /** The same as `pusher.unsubscribe(channel.name)`. */
  unsubscribe() {
    this.pusher.unsubscribe(this.name);
  }
}

function flags(channel) {
  const s = channel[SLOT];
  return read(s.client, CHANNEL_FLAGS, s.channel, s.id);
}
