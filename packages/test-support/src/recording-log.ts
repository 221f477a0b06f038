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
