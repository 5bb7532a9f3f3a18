// `Channel`: what `pusher.subscribe(name)` returns, with pusher-js's flags as plain properties.
// Whether this page's subscription stands is the facade's to say (pusher-js's rules for one
// instance); the engine subscribes at the server while any page holds the channel.
import { EventsDispatcher, text } from './dispatcher.js';
import { ENCRYPTED } from './channels.js';
import { BadEventName, UnsupportedFeature } from './errors.js';

export class Channel extends EventsDispatcher {
  constructor(name, pusher) {
    super();
    /** The channel name. */
    this.name = name;
    /** The Pusher instance it belongs to. */
    this.pusher = pusher;
    /** Whether the server confirmed the subscription on the current connection. */
    this.subscribed = false;
    /** Whether a subscribe (or its authorization) is on its way. */
    this.subscriptionPending = false;
    /** Whether the user unsubscribed while the subscription was pending. */
    this.subscriptionCancelled = false;
    /**
     * The last `subscription_count` the server sent. The property appears with the first one,
     * as in pusher-js (declared here, not set).
     * @type {number | null}
     */
    this.subscriptionCount;
  }

  /**
   * A client event: throws unless `event` starts with `client-` (and on encrypted channels);
   * whether it was sent (false when not connected, or over `maxClientEventsPerSecond`).
   */
  trigger(event, data) {
    if (this.name.startsWith(ENCRYPTED)) {
      throw new UnsupportedFeature('Client events are not currently supported for encrypted channels');
    }
    const name = text(event);
    if (!name.startsWith('client-')) {
      throw new BadEventName(`Event '${name}' does not start with 'client-'`);
    }
    return this.pusher.sendClientEvent(name, data, this.name);
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
