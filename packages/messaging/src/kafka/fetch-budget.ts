/** The part of a readable stream the budget drives. */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
}

/**
 * Bounds the records one subscription holds (queued or in a handler) across its partitions:
 * fetching pauses when `maxBuffered` are held and resumes once fewer than half are, so a slow
 * handler never lets the stream buffer without limit and a fast one does not pause per record.
 * The only owner of the count; every record taken is released exactly once.
 */
export class FetchBudget {
  readonly #max: number;
  #held = 0;
  #source: Pausable | undefined;
  #closed = false;

  /** @param maxBuffered records held before fetching pauses */
  constructor(maxBuffered: number) {
    this.#max = maxBuffered;
  }

  /** Records held right now. */
  get held(): number {
    return this.#held;
  }

  /** The stream to pause and resume; records are only taken once it exists. */
  attach(source: Pausable): void {
    this.#source = source;
  }

  /** One more record held: pauses fetching at the bound. */
  take(): void {
    if (++this.#held >= this.#max) this.#source?.pause();
  }

  /** `count` records no longer held (acked or dropped): resumes fetching under half the bound. */
  release(count: number): void {
    this.#held -= count;
    const source = this.#source;
    if (source && !this.#closed && this.#held < this.#max / 2 && source.isPaused()) source.resume();
  }

  /** Stops fetching for good (the subscription is closing). */
  close(): void {
    this.#closed = true;
    this.#source?.pause();
  }
}
