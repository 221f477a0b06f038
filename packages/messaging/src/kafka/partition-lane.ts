/** What a lane needs from its subscription. */
export interface LaneWork<T> {
  /** Runs a record until acked; resolves false when it gave up (see `redeliverUntilAcked`). */
  deliver(record: T, revoked: AbortSignal): Promise<boolean>;
  /** The record's handler resolved and the partition is still ours: commit it. In offset order. */
  acked(record: T): void;
  /** Accounts for the records a lane holds (see `FetchBudget`). */
  budget: { take(): void; release(count: number): void };
}

/**
 * The records of one assigned partition, run one at a time in offset order; the only owner of
 * its queue. The first queued record is the one in its handler. Records it already holds or
 * already acked are dropped when offered again (a rebalance or reconnect can make the stream
 * re-send them), so redeliveries never reorder a partition. Every record taken is released from
 * the budget exactly once: when acked, or when dropped by `revoke`, `stop` or giving up.
 */
export class PartitionLane<T extends { offset: bigint }> {
  readonly partition: number;
  readonly #work: LaneWork<T>;
  readonly #queue: T[] = [];
  /** Highest offset queued or acked; -1 before the first record. */
  #highest = -1n;
  /** Aborted when the partition is revoked: in-flight work finishes but is not committed. */
  readonly #revoked = new AbortController();
  /** Runs before the first record: the previous lane of this partition finishing. */
  #after: Promise<void> | undefined;
  #draining = false;
  /** The last drain loop, for `idle`. */
  #running: Promise<void> = Promise.resolve();

  /** @param after a previous lane of the same partition still finishing its in-flight record */
  constructor(partition: number, work: LaneWork<T>, after?: Promise<void>) {
    this.partition = partition;
    this.#work = work;
    this.#after = after;
  }

  /** Queues a record unless it is a duplicate or the lane was revoked, and runs it in turn. */
  offer(record: T): void {
    if (record.offset <= this.#highest || this.#revoked.signal.aborted) return;
    this.#highest = record.offset;
    this.#queue.push(record);
    this.#work.budget.take();
    if (!this.#draining) {
      this.#draining = true;
      this.#running = this.#drain();
    }
  }

  /**
   * The partition moved to another member: drops what is queued (the new owner re-reads it from
   * the committed offset) and never commits again. Resolves once the in-flight handler ended.
   */
  revoke(): Promise<void> {
    this.#revoked.abort();
    this.#drop(this.#draining ? 1 : 0);
    return this.idle();
  }

  /** Closing: drops what is queued; the in-flight record finishes and commits. Resolves then. */
  stop(): Promise<void> {
    this.#drop(this.#draining ? 1 : 0);
    return this.idle();
  }

  /** The offset of the record in its handler (or waiting to be redelivered); `undefined` when idle. */
  head(): bigint | undefined {
    return this.#draining ? this.#queue[0]?.offset : undefined;
  }

  /** Resolves when no record of this lane is in a handler. Never rejects. */
  idle(): Promise<void> {
    return this.#running;
  }

  async #drain(): Promise<void> {
    try {
      if (this.#after) await this.#after;
      this.#after = undefined;
      const revoked = this.#revoked.signal;
      while (this.#queue.length > 0 && !revoked.aborted) {
        const record = this.#queue[0] as T;
        if (!(await this.#work.deliver(record, revoked)) || revoked.aborted) break;
        this.#queue.shift();
        this.#work.acked(record);
        this.#work.budget.release(1);
      }
    } finally {
      this.#drop(0);
      this.#draining = false;
    }
  }

  /** Drops queued records beyond the first `keep`, releasing them from the budget. */
  #drop(keep: number): void {
    const dropped = this.#queue.length - keep;
    if (dropped <= 0) return;
    this.#queue.length = keep;
    this.#work.budget.release(dropped);
  }
}
