// The SharedWorker of the pusher-wasm-shared variant's memory runs: the package's own worker
// (pkg/worker.js, imported first and unchanged), plus what bench/page.html does for an engine
// in the page, here for the engine in the worker, which the page cannot reach: it records every
// `WebAssembly.Instance` made (construction only: nothing on the hot path) and answers, over a
// BroadcastChannel (no port of the package's is touched), with the byte length of their memories
// and the length of their tables. The page passes this script as the `worker` option in memory
// runs only; the other runs use the package's worker as a user would (`shared: true` alone).
//
// The worker's JS heap is not answered: a SharedWorker has neither `performance.memory` nor
// (not being cross-origin isolated) `performance.measureUserAgentSpecificMemory()`.
import '/pkg/worker.js';

// The engine compiles its module asynchronously before instantiating it, so this is in place
// before the instance is made.
const instances = [];
WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    instances.push(instance);
    return instance;
  },
});

const bench = new BroadcastChannel('pusher-wasm-bench');
bench.onmessage = ({ data }) => {
  if (data?.type !== 'wasm') return;
  let wasm = 0;
  const tables = {};
  for (const instance of instances) {
    for (const [name, value] of Object.entries(instance.exports)) {
      if (value instanceof WebAssembly.Memory) wasm += value.buffer.byteLength;
      else if (value instanceof WebAssembly.Table) tables[name] = value.length;
    }
  }
  bench.postMessage({ type: 'wasm-reply', n: data.n, wasm, tables, instances: instances.length });
};
