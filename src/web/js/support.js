// The few things the wasm shim needs from plain JavaScript. Kept tiny on purpose.

// The Pusher class, whose static `log` and `logToConsole` decide where log lines go.
let logTarget = null;

export function setLogTarget(cls) {
  logTarget = cls;
}

export function logEnabled() {
  return !!(logTarget && (logTarget.log || logTarget.logToConsole));
}

// level: 0 debug, 1 warn, 2 error, as pusher-js's Logger. `message` is a JSON array of the line's
// parts; pusher-js 8.6.0 writes exactly this shape (its Logger stringifies its arguments array
// after an empty first part).
export function writeLog(level, message) {
  const line = 'Pusher :  : ' + message;
  if (logTarget.log) {
    logTarget.log(line);
  } else if (logTarget.logToConsole) {
    (level === 2 ? console.error : level === 1 ? console.warn : console.log)(line);
  }
}

// An exception thrown by a user callback must not stop the other callbacks or the client, but
// must not vanish either: throw it again from a task of its own, where window.onerror and error
// trackers see it as they would have with pusher-js.
export function rethrow(error) {
  setTimeout(() => {
    throw error;
  });
}

// A Rust panic is about to trap the module: say so loudly, through every channel we have.
export function reportPanic(message) {
  // Counted on the class too, so a test (or an app's health check) can see that it happened.
  if (logTarget) logTarget.internalErrors = (logTarget.internalErrors || 0) + 1;
  const line = 'Pusher : ' + message;
  if (logTarget && logTarget.log) logTarget.log(line);
  console.error(line);
  rethrow(new Error(message));
}
