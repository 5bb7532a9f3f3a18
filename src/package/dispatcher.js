// The bind family every pusher-js emitter has, with pusher-js 8.6.0's rules:
// - `bind(event, callback, context?)` appends; the same callback bound twice runs twice.
// - `unbind()` removes every event binding (global ones stay); `unbind(event?, callback?,
//   context?)` removes the bindings matching every argument given (a falsy one matches all).
// - `bind_global(callback)` gets `(eventName, data)` for every event, before its own callbacks;
//   `unbind_global(callback?)` removes that one, or all; `unbind_all()` removes everything.
// - A callback runs with `this` = its context (or the global object) and `(data, metadata)`,
//   `(data)` when there is no metadata and data is truthy, else `()`.
// Where pusher-js is weak (README, "Differences"): a callback that is not a function throws at
// `bind` (11), and a callback that throws does not stop the others (13): its exception is thrown
// again from a task of its own. An emit runs the callbacks bound when it started: the lists are
// replaced, never changed in place, so a dispatch copies nothing.
import { DEBUG, log } from './log.js';

const NONE = [];

function callback(value, method) {
  if (typeof value !== 'function') {
    throw new TypeError(`${method}: the callback must be a function`);
  }
  return value;
}

/** `String(value)`, as pusher-js's string keys make of any event name. */
export const text = (value) => (typeof value === 'string' ? value : String(value));

/** Runs `fn`; what it throws is thrown again from a task of its own. */
export function guarded(fn, self, a, b, count) {
  try {
    if (count === 2) fn.call(self, a, b);
    else if (count === 1) fn.call(self, a);
    else fn.call(self);
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}

export class EventsDispatcher {
  /** `event → [[callback, context], ...]`, made on the first `bind`. */
  #bindings = null;
  #globals = NONE;

  /** `bind(event, callback, context?)`. Returns this. */
  bind(event, fn, context) {
    const all = (this.#bindings ??= new Map());
    const name = text(event);
    all.set(name, [...(all.get(name) ?? NONE), [callback(fn, 'bind'), context]]);
    return this;
  }

  /** `unbind(event?, callback?, context?)`: each absent (falsy) argument matches everything. */
  unbind(event, fn, context) {
    const all = this.#bindings;
    if (!all) return this;
    if (!event && !fn && !context) {
      all.clear();
      return this;
    }
    for (const name of event ? [text(event)] : [...all.keys()]) {
      const kept = (all.get(name) ?? NONE).filter(([f, c]) => (fn && fn !== f) || (context && context !== c));
      if (kept.length) all.set(name, kept);
      else all.delete(name);
    }
    return this;
  }

  /** `bind_global(callback)`: `callback(eventName, data)` for every event. */
  bind_global(fn) {
    this.#globals = [...this.#globals, callback(fn, 'bind_global')];
    return this;
  }

  /** `unbind_global(callback?)`. */
  unbind_global(fn) {
    this.#globals = fn ? this.#globals.filter((f) => f !== fn) : NONE;
    return this;
  }

  /** `unbind_all()`: every binding, global ones included. */
  unbind_all() {
    this.#bindings?.clear();
    this.#globals = NONE;
    return this;
  }

  /** Whether anything listens to `event` (global callbacks included). */
  listens(event) {
    return this.#globals.length > 0 || !!this.#bindings?.has(event);
  }

  /**
   * Runs the callbacks of `event`. `metadata` is given for channel events only. Returns whether
   * the event had callbacks of its own.
   */
  emit(event, data, metadata) {
    const globals = this.#globals;
    for (let i = 0; i < globals.length; i++) guarded(globals[i], undefined, event, data, 2);
    return this.emitBound(event, data, metadata);
  }

  /**
   * Runs the callbacks bound to `event` itself, not the global ones: for pusher-wasm's own
   * events, which code that forwards every event (`bind_global`, Echo's `listenToAll`) has never
   * seen from pusher-js.
   */
  emitBound(event, data, metadata) {
    const bound = this.#bindings?.get(event);
    if (!bound) return false;
    const count = metadata ? 2 : data ? 1 : 0;
    for (let i = 0; i < bound.length; i++) {
      guarded(bound[i][0], bound[i][1] || globalThis, data, metadata, count);
    }
    return true;
  }
}

/** A channel's emitter logs events nobody listens to, as pusher-js's does. */
export function emitOnChannel(channel, event, data, metadata) {
  if (!channel.emit(event, data, metadata)) {
    log(DEBUG, `No callbacks on ${channel.name} for ${event}`);
  }
}
