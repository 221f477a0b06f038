/** Options of {@link createIdempotencyStore}; every one has a default. */
export interface IdempotencyStoreOptions {
  /** Prefix of every record's Redis key. Default `'idempotency:'`. */
  keyPrefix?: string;
  /**
   * How long a stored response is replayed, ms, counted from `complete`; also how long a running
   * or abandoned record keeps its fingerprint and first-attempt value, counted from the last
   * `acquire` that took it. Default 86,400,000 (24 h, the service's documented retention). At least `leaseMs`.
   */
  ttlMs?: number;
  /**
   * How long a holder may run before another request with the key may take over, ms: a holder
   * that crashed (never completed nor abandoned) blocks its key this long (`inProgress`), then
   * the next request gets it with the same first-attempt value. Set it a few seconds longer than
   * the request's budget, so a live holder is never overtaken. Default 15,000 (a 10 s budget + 5 s).
   */
  leaseMs?: number;
  /** Bound on a stored response, bytes: body + JSON of the kept headers. Default 65,536. */
  maxResponseBytes?: number;
  /** Bound on a first-attempt value, bytes (UTF-8). Default 1,024. */
  maxFirstAttemptBytes?: number;
}

export type ResolvedIdempotencyStoreOptions = Readonly<Required<IdempotencyStoreOptions>>;

const positiveInt = (name: string, value: number): number => {
  if (!(Number.isSafeInteger(value) && value >= 1)) {
    throw new RangeError(`idempotency store: ${name} must be an integer >= 1, got ${value}`);
  }
  return value;
};

/** Applies the defaults and checks the options once; throws a RangeError naming a bad one. */
export function idempotencyStoreOptions(opts: IdempotencyStoreOptions = {}): ResolvedIdempotencyStoreOptions {
  const resolved = {
    keyPrefix: opts.keyPrefix ?? 'idempotency:',
    ttlMs: positiveInt('ttlMs', opts.ttlMs ?? 86_400_000),
    leaseMs: positiveInt('leaseMs', opts.leaseMs ?? 15_000),
    maxResponseBytes: positiveInt('maxResponseBytes', opts.maxResponseBytes ?? 65_536),
    maxFirstAttemptBytes: positiveInt('maxFirstAttemptBytes', opts.maxFirstAttemptBytes ?? 1_024),
  };
  if (resolved.ttlMs < resolved.leaseMs) {
    throw new RangeError(
      `idempotency store: ttlMs (${resolved.ttlMs}) must be >= leaseMs (${resolved.leaseMs})`,
    );
  }
  return Object.freeze(resolved);
}
