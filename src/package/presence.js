// Presence channels: `channel.members`, as pusher-js's `Members`. The engine applies the rules
// (joins and leaves count once per id, who "I" am) and sends the members whenever they change;
// `members` is then the subscription's `presence.hash`, kept up to date, as in pusher-js.
import { Channel } from './channel.js';

export class Members {
  constructor() {
    /** `user_info` by user id. Laravel Echo's `here()` reads `Object.keys(members.members)`. */
    this.members = {};
    /** How many members there are. */
    this.count = 0;
    /** My user id (from the authorization's `channel_data`), null until known. */
    this.myID = null;
    /** `{id, info}` of my own membership, null until subscribed. */
    this.me = null;
  }

  /** `{id, info}` of member `id`, or null. */
  get(id) {
    return Object.prototype.hasOwnProperty.call(this.members, id) ? { id, info: this.members[id] } : null;
  }

  /** Calls `callback({id, info})` for every member. */
  each(callback) {
    for (const id of Object.keys(this.members)) callback(this.get(id));
  }

  /** Forgets everyone, me included: the subscription is gone with the connection. */
  reset() {
    this.members = {};
    this.count = 0;
    this.myID = null;
    this.me = null;
  }
}

export class PresenceChannel extends Channel {
  constructor(name, pusher) {
    super(name, pusher);
    /** The members. */
    this.members = new Members();
  }
}
