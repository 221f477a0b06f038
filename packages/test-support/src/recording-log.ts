import { Writable } from 'node:stream';
import type { Log, LogFields } from '@surge/resilience';

export interface LogLine {
  level: keyof Log;
  msg: string;
  fields: LogFields;
}

/** A `Log` that keeps every line, for tests that assert what a component logged. */
export function recordingLog(): { log: Log; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: keyof Log) =>
    (fields: LogFields, msg: string): void =>
      void lines.push({ level, msg, fields });
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/**
 * A stream for a JSON-lines logger (pino's destination) that keeps every line parsed, for tests
 * that assert what a real logger wrote: `pino({ level }, sink)`.
 */
export function jsonLineSink(): { sink: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { sink, lines };
}
