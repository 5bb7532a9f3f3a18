// `pusher.user`: sign-in, events the server sends to the signed-in user, and the watchlist.
import { EventsDispatcher, SLOT } from './dispatcher.js';

const USER = 3;
const WATCHLIST = 4;

export class WatchlistFacade extends EventsDispatcher {
  constructor(client) {
    super(client, WATCHLIST);
  }
}

export class UserFacade extends EventsDispatcher {
  constructor(pusher, client) {
    super(client, USER);
    /** The Pusher instance. */
    this.pusher = pusher;
    /** Online/offline events of the users the signed-in user watches. */
    this.watchlist = new WatchlistFacade(client);
  }

  /** The same as `pusher.signin()`. */
  signin() {
    this[SLOT].client.signin();
  }

  /** The signed-in user's id on this connection, or null. */
  get id() {
    return this[SLOT].client.userId() ?? null;
  }
}
