// Presence channels: `channel.members`, as pusher-js's `Members`. The members live in the wasm
// client (which applies joins and leaves once per id); this object reads them.
import { Channel } from './channel.js';
import { SLOT } from './dispatcher.js';

export class Members {
  constructor(client, name, id) {
    Object.defineProperty(this, SLOT, { value: { client, channel: name, id } });
  }

  #snapshot() {
    const s = this[SLOT];
    return s.client.presence(s.channel, s.id);
  }

  /** `user_info` by user id. Laravel Echo's `here()` reads `Object.keys(members.members)`. */
  get members() {
    return this.#snapshot().members;
  }

  /** How many members there are. */
  get count() {
    return this.#snapshot().count;
  }

  /** My user id (from the authorization's `channel_data`), null until known. */
  get myID() {
    return this.#snapshot().myID;
  }

  /** `{id, info}` of my own membership, null until subscribed. */
  get me() {
    return this.#snapshot().me;
  }

  /** `{id, info}` of member `id`, or null. */
  get(id) {
    const members = this.members;
    return Object.prototype.hasOwnProperty.call(members, id) ? { id, info: members[id] } : null;
  }

  /** Calls `callback({id, info})` for every member. */
  each(callback) {
    const members = this.members;
    for (const id of Object.keys(members)) callback({ id, info: members[id] });
  }
}

export class PresenceChannel extends Channel {
  constructor(pusher, client, name, id) {
    super(pusher, client, name, id);
    /** The members. */
    this.members = new Members(client, name, id);
    client.attachMembers(name, id, this.members);
  }
}
