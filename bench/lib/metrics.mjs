// The variants, and the figures the bench reports, in table order.

/** raw WebSocket, pusher-js, and pusher-wasm with its engine in the page and in a SharedWorker. */
export const VARIANTS = ['raw', 'pusher-js', 'pusher-wasm', 'pusher-wasm-shared'];
/** Ours: each gets ratio columns over pusher-js and over raw. */
export const OURS = ['pusher-wasm', 'pusher-wasm-shared'];

// The figures: [key, label, unit, record kind, path in the record, better: 'low'|'high',
// options]; options.rawRatio false: no ratio over raw (raw has no such cost); options.na: the
// variants for which the figure cannot be measured (shown as n/a, bench/README.md says why).
// Memory of pusher-wasm-shared: its JS heap is the page's (the facade); its wasm memory is the
// SharedWorker's; the worker's JS heap cannot be read without DevTools, so no total.
const NO_WORKER_HEAP = { na: ['pusher-wasm-shared'] };
export const METRICS = [
  ['connect', 'Time to connected (navigation start)', 'ms', 'main', 'connect.navToConnectedMs', 'low'],
  ['connectScript', 'Time to connected (page script start)', 'ms', 'main', 'connect.scriptToConnectedMs', 'low'],
  [
    'libLoad',
    'Library fetch + compile + run (until the import resolves)',
    'ms',
    'main',
    'connect.libLoadMs',
    'low',
    { rawRatio: false },
  ],
  [
    'constructToConnected',
    'new Pusher() → connected',
    'ms',
    'main',
    'connect.constructToConnectedMs',
    'low',
    { rawRatio: false },
  ],
  ['mainThread', 'Main-thread CPU, navigation → connected', 'ms', 'main', 'startup.mainThreadMs', 'low'],
  [
    'workerThread',
    '  SharedWorker thread CPU, navigation → connected',
    'ms',
    'main',
    'startup.workerThreadMs',
    'low',
    { rawRatio: false },
  ],
  [
    'rendererThreads',
    'All renderer threads CPU, navigation → connected',
    'ms',
    'main',
    'startup.rendererThreadsMs',
    'low',
  ],
  ['tputSmall', 'Throughput, 100 B events', 'msg/s', 'main', 'small.msgsPerSec', 'high'],
  ['cpuSmall', 'Browser CPU per 100 B event', 'µs', 'main', 'small.cpuUsPerMsg', 'low'],
  ['rendererSmall', '  of which the renderers', 'µs', 'main', 'small.rendererUsPerMsg', 'low'],
  ['tputLarge', 'Throughput, 2 KB events', 'msg/s', 'main', 'large.msgsPerSec', 'high'],
  ['cpuLarge', 'Browser CPU per 2 KB event', 'µs', 'main', 'large.cpuUsPerMsg', 'low'],
  ['rendererLarge', '  of which the renderers', 'µs', 'main', 'large.rendererUsPerMsg', 'low'],
  ['latP50', 'Dispatch latency p50 (100 msg/s)', 'ms', 'main', 'latency.p50Ms', 'low'],
  ['latP99', 'Dispatch latency p99 (100 msg/s)', 'ms', 'main', 'latency.p99Ms', 'low'],
  ['memConnJs', 'JS heap, connected', 'KB', 'memory-public', 'connected.js', 'low'],
  ['memConnWasm', 'wasm memory, connected', 'KB', 'memory-public', 'connected.wasm', 'low'],
  ['memOneJs', 'JS heap, 1 channel', 'KB', 'memory-public', 'one.js', 'low'],
  ['memManyJs', 'JS heap, N channels', 'KB', 'memory-public', 'many.js', 'low'],
  ['memManyWasm', 'wasm memory, N channels', 'KB', 'memory-public', 'many.wasm', 'low'],
  ['memManyTotal', 'JS + wasm, N channels', 'KB', 'memory-public', 'many.total', 'low', NO_WORKER_HEAP],
  ['memPerChJs', 'JS heap per further channel', 'KB', 'memory-public', 'perChannel.js', 'low'],
  ['memPerChWasm', 'wasm memory per further channel', 'KB', 'memory-public', 'perChannel.wasm', 'low'],
  ['memUnsubJs', 'JS heap, all unsubscribed', 'KB', 'memory-public', 'unsubscribed.js', 'low'],
  [
    'memGrowJs',
    'JS heap growth per further subscribe/unsubscribe cycle',
    'KB',
    'memory-public',
    'growthPerCycle.js',
    'low',
  ],
  [
    'memGrowWasm',
    'wasm memory growth per further subscribe/unsubscribe cycle',
    'KB',
    'memory-public',
    'growthPerCycle.wasm',
    'low',
  ],
  ['memPresOneJs', 'JS heap, 1 presence channel', 'KB', 'memory-presence', 'one.js', 'low'],
  ['memPresOneWasm', 'wasm memory, 1 presence channel', 'KB', 'memory-presence', 'one.wasm', 'low'],
  ['memPresManyJs', 'JS heap, N presence channels', 'KB', 'memory-presence', 'many.js', 'low'],
  ['memPresManyWasm', 'wasm memory, N presence channels', 'KB', 'memory-presence', 'many.wasm', 'low'],
  ['memPresManyTotal', 'JS + wasm, N presence channels', 'KB', 'memory-presence', 'many.total', 'low', NO_WORKER_HEAP],
  ['memPresPerChJs', 'JS heap per further presence channel', 'KB', 'memory-presence', 'perChannel.js', 'low'],
  ['memPresPerChWasm', 'wasm memory per further presence channel', 'KB', 'memory-presence', 'perChannel.wasm', 'low'],
  ['memPresUnsubJs', 'JS heap, presence, all unsubscribed', 'KB', 'memory-presence', 'unsubscribed.js', 'low'],
  ['memPresGrowJs', 'JS heap growth per further presence cycle', 'KB', 'memory-presence', 'growthPerCycle.js', 'low'],
  ['reconnectConn', 'Server back → connected', 'ms', 'main', 'reconnect.upToConnectedMs', 'low'],
  ['reconnect', 'Server back → all channels resubscribed', 'ms', 'main', 'reconnect.upToResubscribedMs', 'low'],
];
