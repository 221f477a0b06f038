import { createKeyedThrottle, errorSummary, type Log } from '@surge/resilience';

/**
 * Warnings that repeat while a dependency is down (the consumers cannot start, a commit or a lag
 * probe fails): at most one line per kind per `intervalMs`, counting the ones held back, with the
 * error as one short `errorSummary` line instead of its serialization (issue 8, finding 13: a
 * 9.6 KB line every ~4 s while Kafka was down). A kind is the message with its numbers removed,
 * so `commit failed on t/3@120` and `…@121` are one kind.
 */
export function createOutageWarnings(log: Log, intervalMs = 30_000) {
  const throttles = createKeyedThrottle(intervalMs);
  /** @param kind what makes two warnings the same; default the message without its numbers */
  return (
    err: unknown,
    msg: string,
    fields: Record<string, unknown> = {},
    kind = msg.replace(/[0-9]+/g, '#'),
  ): void => {
    const suppressed = throttles.pass(kind);
    if (suppressed !== undefined) log.warn({ ...fields, suppressed, error: errorSummary(err) }, msg);
  };
}
