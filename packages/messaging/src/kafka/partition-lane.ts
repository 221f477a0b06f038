/**
 * The queue of one assigned partition: deliveries run one at a time, in offset order. A lane
 * drops records it already holds or already acked (a rebalance or reconnect can make the stream
 * re-send them) so redeliveries never reorder a partition.
 */
export class PartitionLane<T extends { offset: bigint }> {
  readonly partition: number;
  readonly queue: T[] = [];
  /** Highest offset queued or acked; -1 before the first record. */
  #highest = -1n;
  /** Set when the partition is revoked: in-flight work finishes but is not committed. */
  revoked = false;
  /** True while a drain loop runs; set before it starts, cleared synchronously when it ends. */
  busy = false;
  /** The last drain loop, for `close` to await. */
  running: Promise<void> | undefined;

  constructor(partition: number) {
    this.partition = partition;
  }

  /** Queues a record unless it is a duplicate; returns whether it was queued. */
  offer(record: T): boolean {
    if (record.offset <= this.#highest) return false;
    this.#highest = record.offset;
    this.queue.push(record);
    return true;
  }
}
