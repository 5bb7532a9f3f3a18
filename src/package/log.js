// Log lines, written as pusher-js 8.6.0's Logger writes them: `Pusher :  : ` and then the line's
// parts as a JSON array, to `Pusher.log` when it is set, else to the console when
// `Pusher.logToConsole` is. The engine renders its own lines; the facade writes them.
import { ERROR, WARN } from './codes.js';

export { DEBUG, ERROR, WARN } from './codes.js';

/** The class whose static `log` and `logToConsole` decide where lines go (the Pusher class). */
export const logOwner = { class: null };

/** Whether lines are written at all. */
export function logging() {
  const owner = logOwner.class;
  return !!(owner && (owner.log || owner.logToConsole));
}

/** Writes a line already rendered as a JSON array of its parts. */
export function writeLog(level, parts) {
  const owner = logOwner.class;
  const line = 'Pusher :  : ' + parts;
  if (owner?.log) owner.log(line);
  else if (owner?.logToConsole) {
    (level === ERROR ? console.error : level === WARN ? console.warn : console.log)(line);
  }
}

/** Writes a line made of `parts` (values JSON can write), when logging is on. */
export function log(level, ...parts) {
  if (logging()) writeLog(level, JSON.stringify(parts));
}
