// The entry of the `pusher-wasm` npm package.
//
// It instantiates the WebAssembly module synchronously from bytes inlined in this file, so
// `new Pusher(...)` works right after the import, in any bundler and in a plain
// <script type="module">, with no init() call, no top-level await and no second request.
// Then it sets window.Pusher, as pusher-js does (Laravel Echo falls back to it).
import { initSync, setLogTarget } from 'pusher-wasm:glue';
import { wasmBytes } from 'pusher-wasm:inline';
import Pusher from './pusher.js';
import { Channel } from './channel.js';
import { Channels } from './channels.js';
import { ConnectionManager } from './connection.js';
import { Members, PresenceChannel } from './presence.js';

initSync({ module: wasmBytes() });
setLogTarget(Pusher);

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
