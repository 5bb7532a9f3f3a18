// The engine's entry: the wasm client (with its module inlined), started asynchronously and
// driven by calls `[CALL, session, ...]`. A page loads it with a dynamic import on its first
// `new Pusher(...)`; a SharedWorker (worker.js) imports it for every tab.
import { Engine, initSync } from 'pusher-wasm:glue';
import { wasmBytes } from 'pusher-wasm:inline';
import { AUTH_DONE, CLOSE, COMMAND, LOGGING, OPEN, PAGE, PANIC_FOR_TESTING, SEND } from './codes.js';

/**
 * Compiles and starts the engine (off the main thread where the browser can); resolves with the
 * function that takes its calls. Its messages go to `output(session, OUTPUT, a, b, c, d, e)`;
 * `openSocket(url)` (a page's engine) may return a socket the page opened before the engine was up.
 */
export async function createEngine(output, openSocket) {
  // Compiled asynchronously (off the main thread), then instantiated: wasm-bindgen's async init
  // would bring a `new URL('….wasm', import.meta.url)` that bundlers try to resolve.
  initSync({ module: await WebAssembly.compile(/** @type {BufferSource} */ (wasmBytes())) });
  const engine = new Engine(output, openSocket);
  return (m) => {
    switch (m[0]) {
      case OPEN:
        return engine.open(m[1], ...m[2], m[3], m[4]);
      case CLOSE:
        return engine.close(m[1]);
      case COMMAND:
        return engine.command(m[1], m[2], m[3] ?? '');
      case SEND:
        return engine.send(m[1], m[2], m[3], m[4], m[5]);
      case AUTH_DONE:
        return engine.authDone(m[1], m[2], m[3], m[4], m[5], m[6]);
      case PAGE:
        return engine.page(m[2]);
      case LOGGING:
        return engine.logging(m[1], m[2]);
      case PANIC_FOR_TESTING:
        return engine.panicForTesting?.();
    }
  };
}
