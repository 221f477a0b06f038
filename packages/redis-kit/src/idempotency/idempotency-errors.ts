/** Stable codes of {@link IdempotencyKeyError}; the service maps them to 400. */
export type IdempotencyKeyErrorCode = 'IDEMPOTENCY_KEY_MISSING' | 'IDEMPOTENCY_KEY_INVALID';

/**
 * The `Idempotency-Key` header is absent (`IDEMPOTENCY_KEY_MISSING`) or not a key
 * (`IDEMPOTENCY_KEY_INVALID`: empty, longer than 255 characters, or not a structured-field String
 * nor a bare key). `message` says what is wrong and is safe to show to the client.
 */
export class IdempotencyKeyError extends Error {
  override readonly name = 'IdempotencyKeyError';
  readonly code: IdempotencyKeyErrorCode;
  constructor(code: IdempotencyKeyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** True for an {@link IdempotencyKeyError} (by `code`, so copies of this package match). */
export const isIdempotencyKeyError = (e: unknown): e is IdempotencyKeyError =>
  typeof e === 'object' &&
  e !== null &&
  ((e as { code?: unknown }).code === 'IDEMPOTENCY_KEY_MISSING' ||
    (e as { code?: unknown }).code === 'IDEMPOTENCY_KEY_INVALID');

/**
 * A response too large to store (body + headers over the store's `maxResponseBytes`) or a
 * `firstAttempt` value over `maxFirstAttemptBytes`: code `E_IDEMPOTENCY_RECORD_TOO_LARGE`. Thrown before anything is
 * sent to Redis; the key stays held by the caller, who should `abandon` it.
 */
export class IdempotencyRecordTooLargeError extends RangeError {
  override readonly name = 'IdempotencyRecordTooLargeError';
  readonly code = 'E_IDEMPOTENCY_RECORD_TOO_LARGE';
  /** What was too large, bytes. */
  readonly bytes: number;
  /** The bound, bytes. */
  readonly maxBytes: number;
  constructor(what: string, bytes: number, maxBytes: number) {
    super(`idempotency store: ${what} is ${bytes} bytes, more than the ${maxBytes} allowed`);
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}
