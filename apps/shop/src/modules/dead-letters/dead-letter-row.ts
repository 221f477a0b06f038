import type { Insertable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { CE, DLT, DLT_PREFIX, fitRecord, type Bytes, type RawRecord } from '@surge/messaging';
import type { DeadLettersTable } from '../../db/schema.ts';
import { encodeStoredRecord } from './stored-record.ts';

/**
 * Bytes of a record kept in `dead_letters.record` (before base64): a larger one is stored cut to
 * it, with its size and hash. 1 MiB: Kafka's default record size, so a default dead-letter topic's
 * records fit whole; base64 makes it ~1.4 MB, far below MySQL's default `max_allowed_packet` (64
 * MiB; MariaDB 16 MiB) and MEDIUMTEXT's 16 MiB.
 */
export const STORED_RECORD_MAX_BYTES = 1024 * 1024;

/** Where the dead letter was read from; `null` partition and offset for a last-resort row. */
export interface DeadLetterPosition {
  dltTopic: string;
  dltPartition: number | null;
  dltOffset: string | null;
  /** Epoch ms: when the `.dlt` record was written (the fallback of `dlt_failed_at`). */
  timestamp: number;
  /** Why the dead letter never reached its `.dlt` topic (last resort only). */
  publishError?: string;
}

const text = (b: Bytes | undefined): string | undefined =>
  b === undefined ? undefined : typeof b === 'string' ? b : Buffer.from(b).toString();
const int = (v: string | undefined) => (v === undefined || !/^\d{1,15}$/.test(v) ? null : Number(v));
const offset = (v: string | undefined) => (v === undefined || !/^\d{1,19}$/.test(v) ? null : v);
const date = (v: string | undefined, fallback: number) => {
  const d = new Date(v ?? fallback);
  return Number.isNaN(d.getTime()) ? new Date(fallback) : d;
};
const hex64 = (v: string | undefined) => (v !== undefined && /^[0-9a-f]{64}$/.test(v) ? v : undefined);

/**
 * The `dead_letters` row of a dead-letter record (the original record plus its `dlt_*` headers,
 * `dead-letter-headers.ts`): origin and error from the headers, the original record as bytes
 * (`record`, at most `STORED_RECORD_MAX_BYTES`), the original value's size and SHA-256 — those of
 * the dead-letter headers when the `.dlt` copy was already cut — and what is missing (`truncated`).
 * Never throws on odd input: every text column is cut to its size, numbers are checked.
 */
export function deadLetterRow(dlt: RawRecord, at: DeadLetterPosition): Insertable<DeadLettersTable> {
  const h = new Map<string, string | undefined>();
  for (const [name, value] of dlt.headerEntries) h.set(name, text(value));
  const original: RawRecord = {
    key: dlt.key,
    value: dlt.value,
    headerEntries: dlt.headerEntries.filter(([name]) => !name.startsWith(DLT_PREFIX)),
  };
  const stored = fitRecord(original, STORED_RECORD_MAX_BYTES);
  const cut = new Set([...(h.get(DLT.truncated)?.split(',') ?? []), ...stored.truncated]);
  const parts = ['value', 'key', 'headers'].filter((p) => cut.has(p));
  const valueBytes = int(h.get(DLT.valueBytes)) ?? stored.original.valueBytes ?? null;
  return {
    id: uuidv7(),
    dlt_topic: at.dltTopic.slice(0, 249),
    dlt_partition: at.dltPartition,
    dlt_offset: at.dltOffset,
    original_topic: (h.get(DLT.topic) ?? at.dltTopic.replace(/\.dlt$/, '')).slice(0, 249),
    original_partition: int(h.get(DLT.partition)),
    original_offset: offset(h.get(DLT.offset)),
    consumer_group: h.get(DLT.group)?.slice(0, 255) ?? null,
    attempts: int(h.get(DLT.attempts)),
    error_class: h.get(DLT.errorClass)?.slice(0, 255) ?? null,
    error_message: h.get(DLT.errorMessage)?.slice(0, 1000) ?? null,
    event_id: h.get(CE.id)?.slice(0, 64) || null,
    event_type: h.get(CE.type)?.slice(0, 255) || null,
    msg_key: (text(dlt.key) ?? '').slice(0, 255),
    message: null,
    record: encodeStoredRecord(stored.record),
    value_bytes: valueBytes,
    value_sha256: hex64(h.get(DLT.valueSha256)) ?? stored.original.valueSha256 ?? null,
    truncated: parts.length > 0 ? parts.join(',') : null,
    dlt_publish_error: at.publishError?.slice(0, 1000) ?? null,
    failed_at: date(h.get(DLT.failedAt), at.timestamp),
  };
}
