import type { Socket } from 'node:net';
import { resetSocket } from './reset-socket.ts';

/** How a link treats what it forwards; read again for every chunk and on every `kick`. */
export interface LinkPolicy {
  /** While true nothing is delivered: what arrives is queued (up to the bound) and waits. */
  frozen(): boolean;
  /** Delay of the chunk that just arrived, ms. */
  delayMs(): number;
}

/** How the source went away, forwarded to the destination in its turn. */
type Close = 'end' | 'reset' | 'destroy';
type Item = { due: number; chunk: Buffer } | { due: number; close: Close };

/** Bytes a link holds at most before it pauses its source (TCP backpressure reaches the sender). */
const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * One direction of a proxied connection: what `from` sends is written to `to` in order, each
 * chunk once its delay passed, nothing while frozen; `from` ending or being reset reaches `to` in
 * its turn too (FIN → `end`, RST → reset). Holds at most `maxQueuedBytes`: beyond that, `from`
 * is paused until the queue drains (while frozen, until the thaw). `kick` re-reads the policy
 * (call it after a mode change).
 */
export function createLink(
  from: Socket,
  to: Socket,
  policy: LinkPolicy,
  maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
): { kick(): void } {
  const queue: Item[] = [];
  let queuedBytes = 0;
  let lastDue = 0;
  let ended = false;
  let done = false;
  let draining = false;
  let timer: NodeJS.Timeout | undefined;

  // Never earlier than the chunk before it: latency with jitter must not reorder a TCP stream.
  const nextDue = () => (lastDue = Math.max(Date.now() + policy.delayMs(), lastDue));
  const push = (item: Item) => {
    queue.push(item);
    pump();
  };

  from.on('error', () => {}); // followed by 'close' (hadError), forwarded as a reset
  from.on('data', (chunk: Buffer) => {
    queuedBytes += chunk.length;
    if (queuedBytes >= maxQueuedBytes) from.pause();
    push({ due: nextDue(), chunk });
  });
  from.on('end', () => {
    ended = true;
    push({ due: nextDue(), close: 'end' });
  });
  from.on('close', (hadError: boolean) => {
    if (hadError) push({ due: nextDue(), close: 'reset' });
    else if (!ended) push({ due: nextDue(), close: 'destroy' });
  });
  // The destination is gone: nothing left to deliver (the other link tells `from`).
  to.on('close', () => stop());

  function stop() {
    done = true;
    clearTimeout(timer);
    queue.length = 0;
  }

  function pump(): void {
    clearTimeout(timer);
    timer = undefined;
    if (done || draining) return;
    // Still reading while frozen (up to the bound), so that a source that went away is noticed.
    if (policy.frozen()) return;
    const now = Date.now();
    for (let head = queue[0]; head !== undefined; head = queue[0]) {
      if (head.due > now) {
        timer = setTimeout(pump, head.due - now);
        break;
      }
      queue.shift();
      if ('close' in head) return finish(head.close);
      queuedBytes -= head.chunk.length;
      if (!to.write(head.chunk)) {
        draining = true;
        to.once('drain', () => {
          draining = false;
          pump();
        });
        return;
      }
    }
    if (queuedBytes < maxQueuedBytes && !from.destroyed) from.resume();
  }

  function finish(close: Close) {
    stop();
    if (close === 'end') to.end();
    else if (close === 'reset') resetSocket(to);
    else to.destroy();
  }

  return { kick: pump };
}
