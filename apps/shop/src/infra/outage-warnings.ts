import { createThrottle, errorSummary, type Log, type Throttle } from '@surge/resilience';

/** Distinct kinds of warning remembered; beyond it a kind is not throttled (a bound, never reached). */
const MAX_KINDS = 200;

/**
 * Warnings that repeat while a dependency is down (the consumers cannot start, a commit or a lag
 * probe fails): at most one line per kind per `intervalMs`, counting the ones held back, with the
 * error as one short `errorSummary` line instead of its serialization (issue 8, finding 13: a
 * 9.6 KB line every ~4 s while Kafka was down). A kind is the message with its numbers removed,
 * so `commit failed on t/3@120` and `…@121` are one kind.
 */
export function createOutageWarnings(log: Log, intervalMs = 30_000) {
  const throttles = new Map<string, Throttle>();
  /** @param kind what makes two warnings the same; default the message without its numbers */
  return (
    err: unknown,
    msg: string,
    fields: Record<string, unknown> = {},
    kind = msg.replace(/[0-9]+/g, '#'),
  ): void => {
    let throttle = throttles.get(kind);
    if (throttle === undefined) {
      throttle = createThrottle(intervalMs);
      if (throttles.size < MAX_KINDS) throttles.set(kind, throttle);
    }
    const suppressed = throttle.pass();
    if (suppressed !== undefined) log.warn({ ...fields, suppressed, error: errorSummary(err) }, msg);
  };
}
