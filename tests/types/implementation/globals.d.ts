// What the package's JavaScript (src/package/*.js) uses that TypeScript's DOM library does not
// declare: for type-checking the implementation only (tsconfig.implementation.json).

/** The wasm-bindgen glue and the inlined wasm, which scripts/package.mjs provides. */
declare module 'pusher-wasm:glue' {
  export class Engine {
    constructor(output: (...args: any[]) => void, openSocket?: (url: string) => WebSocket | undefined);
    open(session: number, ...args: any[]): void;
    close(session: number): void;
    command(session: number, op: number, name: string): void;
    send(session: number, clientEvent: boolean, event: string, data?: string, channel?: string): void;
    authDone(session: number, channel: string | undefined, socketId: string, answer: any, message?: string, status?: number): void;
    page(event: number): void;
    logging(session: number, on: boolean): void;
    panicForTesting?(): void;
  }
  export function initSync(options: { module: WebAssembly.Module }): void;
}
declare module 'pusher-wasm:inline' {
  export function wasmBytes(): Uint8Array;
}

interface Window {
  /** Set by the package, as pusher-js sets it. */
  Pusher: any;
  /** A Laravel page's globals (`csrfToken`). */
  Laravel?: { csrfToken?: string };
  /** A SharedWorker's connect handler (worker.js runs as one). */
  onconnect: ((event: MessageEvent) => void) | null;
}

interface WorkerOptions {
  /** Chrome 140+: the SharedWorker outlives its last page for a while. */
  extendedLifetime?: boolean;
}

/** Libraries Echo's interceptors use when the page has them. */
declare const Vue: any;
declare const axios: any;
declare const jQuery: any;
declare const Turbo: any;
