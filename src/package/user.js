// `pusher.user`: sign-in, events the server sends to the signed-in user, and the watchlist.
import { EventsDispatcher, SIGNIN, SLOT, USER_DATA, USER_ID, command, read } from './dispatcher.js';

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
    /** Whether `signin()` was called (sign-in then happens on every connection). */
    this.signin_requested = false;
  }

  /** Signs the user in, now and after every reconnect. */
  signin() {
    this.signin_requested = true;
    command(this[SLOT].client, SIGNIN);
  }

  /** The signed-in user's `user_data` (parsed), null until signed in on this connection. */
  get user_data() {
    return read(this[SLOT].client, USER_DATA);
  }

  /** The signed-in user's id on this connection, or null. */
  get id() {
    return read(this[SLOT].client, USER_ID) ?? null;
  }
}
