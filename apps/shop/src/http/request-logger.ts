import type { IncomingMessage } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, Logger } from 'pino';
import { traceIdOfRaw } from './trace.ts';

/** The app's logger is pino (context.ts); Fastify types it as its base logger. */
type Log = Logger;

/**
 * `request.log` that becomes a pino child (with `reqId` and `traceId`) only when a line is
 * actually written at an enabled level. Fastify asks for a child logger on every request;
 * building one serialises its bindings, which is real work on a hot path whose requests
 * (cache hits) almost never log (issue 7: the per-request machinery cost P2 its ratio).
 */
class LazyRequestLogger {
  readonly #parent: Log;
  readonly #bindings: Bindings;
  readonly #opts: ChildLoggerOptions;
  readonly #raw: IncomingMessage;
  #real: Log | undefined;

  constructor(parent: Log, bindings: Bindings, opts: ChildLoggerOptions, raw: IncomingMessage) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#opts = opts;
    this.#raw = raw;
  }

  #materialize(): Log {
    this.#real ??= this.#parent.child(
      { ...this.#bindings, traceId: traceIdOfRaw(this.#raw, String(this.#bindings.reqId)) },
      this.#opts,
    );
    return this.#real;
  }

  #write(level: Level, args: unknown[]): void {
    if (!this.#parent.isLevelEnabled(level)) return;
    const real = this.#materialize();
    // pino's log methods read `this`: call them on the child itself.
    Reflect.apply(real[level], real, args);
  }

  get level(): LevelWithSilentOrString {
    return this.#real?.level ?? this.#parent.level;
  }
  set level(level: LevelWithSilentOrString) {
    this.#materialize().level = level;
  }
  isLevelEnabled(level: LevelWithSilentOrString): boolean {
    return (this.#real ?? this.#parent).isLevelEnabled(level);
  }
  // Prototype methods, not arrow fields: nothing is allocated per request until a line is logged.
  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}
  child(bindings: Bindings, opts?: ChildLoggerOptions): Log {
    return this.#materialize().child(bindings, opts);
  }
}

/** Fastify `childLoggerFactory`: a lazy per-request logger (see LazyRequestLogger). */
export const lazyRequestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  opts,
  rawReq,
) => new LazyRequestLogger(logger as Log, bindings, opts, rawReq);
