import { v7 as uuidv7 } from 'uuid';
import { DLT, type Handler, type Message } from '@surge/messaging';
import type { DeadLettersRepo } from './dead-letters-repo.ts';

const int = (v: string | undefined) => (v === undefined || !/^\d+$/.test(v) ? null : Number(v));
const date = (v: string | undefined, fallback: number) => {
  const d = new Date(v ?? fallback);
  return Number.isNaN(d.getTime()) ? new Date(fallback) : d;
};

/**
 * Records every dead-letter record in MySQL, so operators can list and replay them through the
 * admin API. Keyed by its position in the `.dlt` topic: a redelivery inserts nothing.
 */
export function deadLetterRecorder(repo: DeadLettersRepo): Handler {
  return async (d) => {
    const h = d.headers;
    const original: Message = {
      id: d.id,
      type: d.type,
      source: d.source,
      time: d.time,
      ...(d.subject === undefined ? {} : { subject: d.subject }),
      key: d.key,
      data: d.data,
      headers: Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith('dlt_'))),
    };
    await repo.recordOnce({
      id: uuidv7(),
      dlt_topic: d.topic,
      dlt_partition: d.partition,
      dlt_offset: d.offset,
      original_topic: h[DLT.topic] ?? d.topic.replace(/\.dlt$/, ''),
      original_partition: int(h[DLT.partition]),
      original_offset: h[DLT.offset] ?? null,
      consumer_group: h[DLT.group] ?? null,
      attempts: int(h[DLT.attempts]),
      error_class: h[DLT.errorClass]?.slice(0, 255) ?? null,
      error_message: h[DLT.errorMessage]?.slice(0, 1000) ?? null,
      event_id: d.id.slice(0, 64) || null,
      event_type: d.type.slice(0, 255) || null,
      msg_key: d.key.slice(0, 255),
      message: JSON.stringify(original),
      failed_at: date(h[DLT.failedAt], d.timestamp),
    });
  };
}
