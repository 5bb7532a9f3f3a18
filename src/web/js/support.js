// The few things the wasm shim needs from plain JavaScript. Kept tiny on purpose.

// What the facade's `output` threw must not vanish: throw it again from a task of its own, where
// window.onerror and error trackers see it.
export function rethrow(error) {
  setTimeout(() => {
    throw error;
  });
}

// A Rust panic is about to trap the module: say so in the console of wherever the engine runs
// (the page, or the SharedWorker); every session also gets an INTERNAL_ERROR message.
export function reportPanic(message) {
  console.error('Pusher : ' + message);
}
