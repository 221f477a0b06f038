/** What a lane needs from its subscription. */
export interface LaneWork<T> {
  /** Runs a record until acked; resolves false when it gave up (see `redeliverUntilAcked`). */
  deliver(record: T, revoked: AbortSignal): Promise<boolean>;
  /** The record's handler resolved and the partition is still ours: commit it. In offset order. */
  acked(record: T): void;
  /** Accounts for the records a lane holds (see `FetchBudget`). */
  budget: { take(): void; release(count: number): void };
  /**
   * Several queued records at once (the subscription's batch handler): resolves true when all of
   * them were handled, false when the batch was refused — each then goes through `deliver`, one
   * at a time. Only records already queued are batched: a lane never waits to fill a batch.
   */
  batch?: { deliver(records: readonly T[], revoked: AbortSignal): Promise<boolean>; maxRecords: number };
}

/**
 * The records of one assigned partition, run one at a time in offset order; the only owner of
 * its queue. The first queued record is the one in its handler. Records it already holds or
 * already acked are dropped when offered again (a rebalance or reconnect can make the stream
 * re-send them), so redeliveries never reorder a partition. Every record taken is released from
 * the budget exactly once: when acked, or when dropped by `revoke`, `stop` or giving up. With
 * `work.batch`, the records queued behind the head go to the batch handler together (up to
 * `maxRecords`, in offset order); a refused batch is run again one record at a time.
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
  /** Records at the head of the queue in a handler now (a batch's size, or 1). */
  #inHandler = 0;
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
    this.#drop(this.#held());
    return this.idle();
  }

  /** Closing: drops what is queued; the in-flight record finishes and commits. Resolves then. */
  stop(): Promise<void> {
    this.#drop(this.#held());
    return this.idle();
  }

  /** Records a drop must keep: those in a handler, or the head about to start. */
  #held(): number {
    return this.#draining ? Math.max(this.#inHandler, 1) : 0;
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
      const batch = this.#work.batch;
      /** Records at the head whose batch was refused: they go one at a time. */
      let single = 0;
      while (this.#queue.length > 0 && !revoked.aborted) {
        const n = batch && single === 0 ? Math.min(this.#queue.length, batch.maxRecords) : 1;
        if (batch && n > 1) {
          const records = this.#queue.slice(0, n);
          this.#inHandler = n;
          const handled = await batch.deliver(records, revoked);
          this.#inHandler = 0;
          if (revoked.aborted) break;
          if (!handled) {
            single = n;
            continue;
          }
          this.#queue.splice(0, n);
          for (const record of records) this.#work.acked(record);
          this.#work.budget.release(n);
          continue;
        }
        const record = this.#queue[0] as T;
        this.#inHandler = 1;
        const acked = await this.#work.deliver(record, revoked);
        this.#inHandler = 0;
        if (!acked || revoked.aborted) break;
        this.#queue.shift();
        this.#work.acked(record);
        this.#work.budget.release(1);
        if (single > 0) single--;
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
