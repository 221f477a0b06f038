type Seq = number | string;

/**
 * Marks of published batches running in the background, at most `depth` at once (each holds a
 * pooled connection). Marks are independent `UPDATE`s of disjoint rows, so they may overlap one
 * another and the next publish; their errors surface in order, at the next `push` or `drain`.
 */
export class MarkPipeline {
  readonly #depth: number;
  readonly #mark: (seqs: readonly Seq[]) => Promise<void>;
  #inFlight: Array<{ seqs: readonly Seq[]; done: Promise<void>; settled: boolean }> = [];

  /**
   * @param depth marks in flight at once (≥ 1)
   * @param mark marks rows sent; rejects on database errors
   */
  constructor(depth: number, mark: (seqs: readonly Seq[]) => Promise<void>) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError('depth must be an integer ≥ 1');
    this.#depth = depth;
    this.#mark = mark;
  }

  /** Seqs of marks not finished yet: a read must leave them out (they are still unsent). */
  get seqs(): Seq[] {
    return this.#inFlight.filter((m) => !m.settled).flatMap((m) => m.seqs);
  }

  /** Starts marking `seqs`, first waiting for the oldest mark when `depth` are in flight (rejects with its error). */
  async push(seqs: readonly Seq[]): Promise<void> {
    while (this.#inFlight.length >= this.#depth || this.#inFlight[0]?.settled) {
      await this.#inFlight.shift()?.done;
    }
    if (seqs.length === 0) return;
    const entry = { seqs, done: this.#mark(seqs), settled: false };
    const settle = () => {
      entry.settled = true;
    };
    entry.done.then(settle, settle); // the rejection itself is observed by `push` or `drain`
    this.#inFlight.push(entry);
  }

  /** Waits for every mark in order; rejects with the first error. */
  async drain(): Promise<void> {
    while (this.#inFlight.length > 0) await this.#inFlight.shift()?.done;
  }

  /** Waits for every mark to settle, ignoring errors (on the way out after another error). */
  async settle(): Promise<void> {
    const pending = this.#inFlight.map((m) => m.done);
    this.#inFlight = [];
    await Promise.allSettled(pending);
  }
}
