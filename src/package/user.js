// `pusher.user`: sign-in, events the server sends to the signed-in user, and the watchlist.
import { EventsDispatcher } from './dispatcher.js';

/** Online/offline events of the users the signed-in user watches. */
export class WatchlistFacade extends EventsDispatcher {}

export class UserFacade extends EventsDispatcher {
  #id = null;
  #data = null;

  constructor(pusher) {
    super();
    /** The Pusher instance. */
    this.pusher = pusher;
    /** Online/offline events of the users the signed-in user watches. */
    this.watchlist = new WatchlistFacade();
    /** Whether `signin()` was called (sign-in then happens on every connection). */
    this.signin_requested = false;
  }

  /** Signs the user in, now and after every reconnect. */
  signin() {
    this.pusher.signin();
  }

  /** The signed-in user's `user_data` (parsed), null until signed in on this connection. */
  get user_data() {
    return this.#data;
  }

  /** The signed-in user's id on this connection, or null. */
  get id() {
    return this.#id;
  }

  /** The engine says who is signed in (nobody: the connection is gone). */
  signedIn(id = null, data = null) {
    this.#id = id;
    this.#data = data;
  }
}
