/**
 * A semaphore counted in bytes: bounds the memory of messages a publisher holds while waiting for
 * acks (M1, docs/benchmarks.md). `acquire` waits in FIFO order until the bytes fit, or rejects when its signal
 * aborts; `release` returns bytes and wakes waiters.
 */
export class ByteBudget {
  readonly capacity: number;
  #used = 0;
  readonly #waiters: Array<{ bytes: number; resolve: () => void }> = [];

  /** @param capacity bytes that may be held at once */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
  }

  get used(): number {
    return this.#used;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Rejects at once with a RangeError when `bytes` can never fit. */
  async acquire(bytes: number, signal?: AbortSignal): Promise<void> {
    if (bytes > this.capacity) throw new RangeError(`${bytes} bytes exceed the budget of ${this.capacity}`);
    signal?.throwIfAborted();
    if (this.#waiters.length === 0 && this.#used + bytes <= this.capacity) {
      this.#used += bytes;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        bytes,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        this.#drain();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
    this.#drain();
  }

  #drain(): void {
    while (this.#waiters.length > 0) {
      const next = this.#waiters[0];
      if (!next || this.#used + next.bytes > this.capacity) return;
      this.#waiters.shift();
      this.#used += next.bytes;
      next.resolve();
    }
  }
}
