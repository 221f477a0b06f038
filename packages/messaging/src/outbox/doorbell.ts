import { sleep } from '@surge/resilience';

/**
 * Lets a polling loop sleep until its next poll or until someone rings, whichever comes first.
 * A ring while the loop is busy is remembered, so the next `wait` returns at once: a commit that
 * lands during a batch is picked up by the next one, not a poll interval later.
 */
export class Doorbell {
  #rung = false;
  #wake: (() => void) | undefined;

  ring(): void {
    this.#rung = true;
    this.#wake?.();
  }

  /** Forgets earlier rings: call right before reading, since that read sees what they announced. */
  clear(): void {
    this.#rung = false;
  }

  /** Resolves after `ms`, on a ring, or when `signal` aborts; never rejects. */
  async wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#rung || signal?.aborted) return;
    const ring = new AbortController();
    this.#wake = () => ring.abort();
    try {
      await sleep(ms, signal ? AbortSignal.any([signal, ring.signal]) : ring.signal);
    } finally {
      this.#wake = undefined;
    }
  }
}
