/**
 * Fields of one log line. Put an error under `err` (pino serializes it with its stack and cause).
 */
export type LogFields = Record<string, unknown>;

/** One level: structured fields first, then the message — pino's (and bunyan's) argument order. */
export type LogFn = (fields: LogFields, msg: string) => void;

/**
 * The one log interface every Surge package accepts (option `log`). A pino `Logger` (or a child
 * of one) fits as it is: `createCache({ redis, log: logger })`. Packages log only what they
 * recover from by themselves — retries, fail-open answers, lost locks — never the caller's data,
 * and never more than one line per event (repeated failures are throttled, see `createThrottle`).
 *
 * Anything else needs one adapter, e.g. `console`:
 * `{ debug: (f, m) => console.debug(m, f), info: …, warn: …, error: … }`.
 */
export interface Log {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const ignore: LogFn = () => {};

/** Discards everything: the default of every `log` option. */
export const silentLog: Log = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });
