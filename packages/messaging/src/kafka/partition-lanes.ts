import { PartitionLane, type LaneWork } from './partition-lane.ts';

/**
 * The lanes of the partitions this member owns for one topic; the only owner of the
 * partition → lane map. A lane is opened by the partition's first record. A revoked lane is
 * forgotten at once, but a lane opened again for its partition (it came back) starts only after
 * the revoked one's in-flight handler ended: one delivery per partition at a time, always.
 */
export class PartitionLanes<T extends { partition: number; offset: bigint }> {
  readonly #work: LaneWork<T>;
  readonly #lanes = new Map<number, PartitionLane<T>>();
  /** Revoked lanes whose in-flight handler may still run, by partition. */
  readonly #retiring = new Map<number, Promise<void>>();
  #stopped = false;

  constructor(work: LaneWork<T>) {
    this.#work = work;
  }

  /** Hands a consumed record to its partition's lane; ignored once stopping. */
  offer(record: T): void {
    if (this.#stopped) return;
    let lane = this.#lanes.get(record.partition);
    if (!lane) {
      const p = record.partition;
      lane = new PartitionLane(p, this.#work, this.#retiring.get(p));
      this.#lanes.set(p, lane);
    }
    lane.offer(record);
  }

  /** The group's new assignment for this topic: revokes the lanes of partitions no longer owned. */
  assigned(owned: ReadonlySet<number>): void {
    for (const [partition, lane] of this.#lanes) {
      if (owned.has(partition)) continue;
      this.#lanes.delete(partition);
      const idle = lane.revoke();
      this.#retiring.set(partition, idle);
      void idle.then(() => {
        if (this.#retiring.get(partition) === idle) this.#retiring.delete(partition);
      });
    }
  }

  /** Each owned partition and the offset of the record in its handler (`undefined`: idle). */
  *heads(): Iterable<[number, bigint | undefined]> {
    for (const [partition, lane] of this.#lanes) yield [partition, lane.head()];
  }

  /**
   * Closing: takes no more records, drops what is queued, and resolves once every in-flight
   * handler ended (their records committed, unless revoked).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...[...this.#lanes.values()].map((l) => l.stop()), ...this.#retiring.values()]);
  }
}
