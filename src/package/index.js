// The entry of the `pusher-wasm` npm package: the facade, pusher-js's API in plain JavaScript.
//
// Importing it loads no WebAssembly: the engine (src/package/engine.js, the wasm client) loads
// on the first `new Pusher(...)`, asynchronously, in this page or, with `shared: true`, in a
// SharedWorker (worker.js) every tab shares. `new Pusher(...)` works right after the import, with
// no init() call and no top-level await. Like pusher-js, it sets window.Pusher (Laravel Echo
// falls back to it).
import Pusher from './pusher.js';
import { Channel } from './channel.js';
import { Channels } from './channels.js';
import { ConnectionManager } from './connection.js';
import { Members, PresenceChannel } from './presence.js';

if (typeof window !== 'undefined') {
  window.Pusher = Pusher;
}

export default Pusher;
export { Pusher, Channel, Channels, ConnectionManager, PresenceChannel, Members };

// Laravel Echo's API on our own Pusher, and X-Socket-ID helpers (src/package/echo.js, socket-id.js).
export {
  Echo,
  EventFormatter,
  PusherConnector,
  NullConnector,
  PusherChannel,
  PusherPrivateChannel,
  PusherEncryptedPrivateChannel,
  PusherPresenceChannel,
} from './echo.js';
export { installSocketIdFetch, socketIdInterceptor } from './socket-id.js';
