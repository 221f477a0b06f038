import { setTimeout as delay } from 'node:timers/promises';
import type { Message } from '../message.ts';
import type { Publisher } from '../ports.ts';

/**
 * Publishes until the publisher accepts, for use around a broker restart: a publish may fail
 * while clients reconnect, and the caller's job is then to retry. A retried publish may have
 * landed the first time, which is why the contract compares id sets, not counts.
 */
export async function publishUntilAccepted(
  publisher: Publisher,
  topic: string,
  messages: readonly Message[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await publisher.publish(topic, messages, { signal: AbortSignal.timeout(5_000) });
      return;
    } catch (err) {
      if (Date.now() >= deadline) {
        throw new Error(`publish not accepted within ${timeoutMs} ms (${attempt} attempts)`, { cause: err });
      }
      await delay(Math.min(100 * attempt, 1_000));
    }
  }
}
