/** A database call that did not answer in time. Transient: MySQL may be slow or unreachable. */
export class OutboxTimeoutError extends Error {
  override readonly name = 'OutboxTimeoutError';
  readonly code = 'E_OUTBOX_TIMEOUT';
  readonly transient = true;
}

/**
 * Rejects with `OutboxTimeoutError` when `work` has not settled after `ms`. The work itself is not
 * cancelled (mysql2 cannot cancel a query): the caller stops waiting, and a late rejection of
 * `work` is still handled (`Promise.race` subscribed to it).
 * @param what names the call in the error message
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OutboxTimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
