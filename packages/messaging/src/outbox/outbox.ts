import { sql, type Kysely } from 'kysely';
import type { Message } from '../message.ts';
import { encodeOutboxMessage } from './outbox-codec.ts';
import { assertTableName } from './outbox-table.ts';

/** Writes events into the outbox table inside the caller's transaction (docs/architecture.md "Two outboxes"). */
export interface Outbox {
  readonly table: string;
  /**
   * Inserts `messages`, in order, in the caller's transaction: they commit or roll back with the
   * business write. Throws when `trx` is not a transaction (the write and the event would no
   * longer be atomic), for a topic name Kafka would refuse, or for an id longer than 36 chars.
   * A message whose `id` is already in the table fails the insert (unique `ce_id`).
   */
  add<DB>(trx: Kysely<DB>, topic: string, messages: Message | readonly Message[]): Promise<void>;
  /**
   * Wakes relays of this process at once instead of at their next poll. Call it after the
   * transaction committed (Kysely has no after-commit hook); optional, relays also poll.
   */
  notify(): void;
  /** Registers a listener of `notify`; returns the function that removes it. Used by the relay. */
  onNotify(listener: () => void): () => void;
}

// Kafka's own rule for topic names (kafka.common.internals.Topic).
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
// Rows per INSERT statement: keeps one statement far below max_allowed_packet.
const ROWS_PER_INSERT = 500;

/**
 * Creates the outbox writer.
 * @param opts.table the table made by `createOutboxTable`. Default `outbox`.
 */
export function createOutbox(opts: { table?: string } = {}): Outbox {
  const table = opts.table ?? 'outbox';
  assertTableName(table);
  const listeners = new Set<() => void>();

  return {
    table,
    async add(trx, topic, messages) {
      if (!trx.isTransaction) throw new Error('outbox.add needs the transaction of the business write');
      if (!TOPIC.test(topic)) throw new RangeError(`invalid Kafka topic name: ${topic}`);
      const list: readonly Message[] = Array.isArray(messages) ? messages : [messages as Message];
      for (const m of list) {
        if (m.id.length === 0 || m.id.length > 36) throw new RangeError(`message id must be 1..36 chars`);
      }
      for (let i = 0; i < list.length; i += ROWS_PER_INSERT) {
        const rows = list.slice(i, i + ROWS_PER_INSERT).map(
          // msg_key and type are for looking rows up; the relay publishes from `message`, so
          // truncating them to their column width loses nothing.
          (m) =>
            sql`(${m.id}, ${topic}, ${m.key.slice(0, 255)}, ${m.type.slice(0, 255)}, ${encodeOutboxMessage(m)})`,
        );
        await sql`
          INSERT INTO ${sql.table(table)} (id, topic, msg_key, type, message)
          VALUES ${sql.join(rows)}
        `.execute(trx);
      }
    },
    notify() {
      for (const listener of listeners) listener();
    },
    onNotify(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
