/**
 * A record larger than the topic or the publisher accepts (Kafka's `MESSAGE_TOO_LARGE`, or the
 * publisher's own check before sending). Retrying the same record cannot succeed: fatal
 * (resilience's `fatal` marker).
 */
export class RecordTooLargeError extends Error {
  readonly code = 'E_RECORD_TOO_LARGE';
  override readonly name = 'RecordTooLargeError';
  readonly fatal = true;
  /** Bytes of the record as `recordBytes` counts them; `undefined` when the broker refused it. */
  readonly bytes: number | undefined;
  /** The limit it exceeded, when known. */
  readonly maxBytes: number | undefined;

  constructor(message: string, p: { bytes?: number; maxBytes?: number; cause?: unknown } = {}) {
    super(message, p.cause === undefined ? {} : { cause: p.cause });
    this.bytes = p.bytes;
    this.maxBytes = p.maxBytes;
  }
}

/** Guard by the stable code (works across copies of this package). */
export const isRecordTooLarge = (e: unknown): e is RecordTooLargeError =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'E_RECORD_TOO_LARGE';
