/** Headers every dead-letter record carries (packages/messaging/README.md), beside the original record's headers. */
export const DLT = {
  topic: 'dlt_original_topic',
  partition: 'dlt_original_partition',
  offset: 'dlt_original_offset',
  timestamp: 'dlt_original_timestamp',
  group: 'dlt_consumer_group',
  attempts: 'dlt_attempts',
  errorClass: 'dlt_error_class',
  errorMessage: 'dlt_error_message',
  failedAt: 'dlt_failed_at',
  /** Bytes of the original value; absent when it had none (a tombstone). */
  valueBytes: 'dlt_original_value_bytes',
  /** Hex SHA-256 of the original value, whole, even when the copy is truncated. */
  valueSha256: 'dlt_original_value_sha256',
  /**
   * Present only when the copy is not the whole original (it did not fit the dead-letter topic's
   * record size): what was cut, comma-separated, of `value`, `key`, `headers`. The value is then a
   * prefix of the original's bytes.
   */
  truncated: 'dlt_truncated',
  /** With `key` truncated: bytes of the original key. */
  keyBytes: 'dlt_original_key_bytes',
  /** With `headers` truncated: the original's header count and their bytes (names and values). */
  headerCount: 'dlt_original_header_count',
  headersBytes: 'dlt_original_headers_bytes',
} as const;

/** The header names the dead-letter format adds; a record's own `dlt_*` headers are replaced. */
export const DLT_PREFIX = 'dlt_';

/** The dead-letter topic of a topic. */
export const deadLetterTopic = (topic: string) => `${topic}.dlt`;

/** True for a dead-letter topic's name: its records are never dead-lettered again (no `.dlt.dlt`). */
export const isDeadLetterTopic = (topic: string) => topic.endsWith('.dlt');
