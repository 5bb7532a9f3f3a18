// The entry of the `pusher-wasm` npm package.
//
// It instantiates the WebAssembly module synchronously from bytes inlined in this file, so
// `new Pusher(...)` works right after the import, in any bundler and in a plain
// <script type="module">, with no init() call, no top-level await and no second request.
// Then it gives the wasm classes pusher-js's statics and chaining, and sets window.Pusher as
// pusher-js does (Laravel Echo falls back to it).

import {
  initSync,
  PusherCore,
  Channel,
  Channels,
  ConnectionManager,
  setLogTarget,
} from 'pusher-wasm:glue';
import { wasmBytes } from 'pusher-wasm:inline';

initSync({ module: wasmBytes() });

// pusher-js's bind/unbind family returns `this`, so calls can be chained.
for (const cls of [PusherCore, Channel, ConnectionManager]) {
  for (const name of ['bind', 'unbind', 'bind_global', 'unbind_global', 'unbind_all']) {
    const method = cls.prototype[name];
    cls.prototype[name] = function () {
      method.apply(this, arguments);
      return this;
    };
  }
}

export default class Pusher extends PusherCore {
  constructor(key, options) {
    super(key, options);
    this.__attach(this);
    Pusher.instances.push(this);
  }
}

/** Every Pusher created, as pusher-js's `Pusher.instances`. */
Pusher.instances = [];
/** Always true: the client connects on construction, as pusher-js once the page is ready. */
Pusher.isReady = true;
/** Log to the console (`Pusher.log` wins when set). */
Pusher.logToConsole = false;
setLogTarget(Pusher);

if (typeof window !== 'undefined') {
  window.Pusher = Pusher;
}

export { Pusher, Channel, Channels, ConnectionManager };
