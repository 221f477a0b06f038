import type { ColumnType, Generated } from 'kysely';
import type { OutboxTable } from '@surge/messaging';

/** Kysely's view of the MySQL tables; migrations in ./migrations are the source of truth. */
export interface Database {
  users: UsersTable;
  notifications: NotificationsTable;
  audit_log: AuditLogTable;
  dead_letters: DeadLettersTable;
  outbox: OutboxTable;
  products: ProductsTable;
  flash_sales: FlashSalesTable;
  orders: OrdersTable;
  payments: PaymentsTable;
  job_fences: JobFencesTable;
  kysely_migration: { name: string; timestamp: string };
}

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  role: 'user' | 'admin';
  created_at: ColumnType<Date, Date, never>;
  /** Monotonic row counter: a stable keyset for admin listings. */
  seq: Generated<number>;
  /** Bumped by every role or account-state change (migration 0006; access-token claim `av`). */
  account_version: Generated<number>;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string;
  created_at: Date;
}

export interface AuditLogTable {
  event_id: string;
  event_type: string;
  subject: string | null;
  source: string;
  data: string;
  occurred_at: Date;
  recorded_at: Date;
}

export interface DeadLettersTable {
  seq: Generated<number>;
  id: string;
  dlt_topic: string;
  /** `null` for a last-resort row: the dead letter never reached its `.dlt` topic. */
  dlt_partition: number | null;
  dlt_offset: string | null;
  original_topic: string;
  original_partition: number | null;
  original_offset: string | null;
  consumer_group: string | null;
  attempts: number | null;
  error_class: string | null;
  error_message: string | null;
  event_id: string | null;
  event_type: string | null;
  msg_key: string;
  /** Rows before ADR 0014: the dead-lettered message as JSON (`Message`), what replay republishes. */
  message: string | null;
  /** The original record as bytes (`stored-record.ts`), what replay republishes; cut when `truncated`. */
  record: string | null;
  /** Bytes and hex SHA-256 of the original value (null: none, a tombstone). */
  value_bytes: number | null;
  value_sha256: string | null;
  /** What the stored copy lacks, comma-separated of `value`, `key`, `headers`; null when whole. */
  truncated: string | null;
  /** Why the dead letter never reached its `.dlt` topic (a last-resort row). */
  dlt_publish_error: string | null;
  failed_at: Date;
  replayed_at: Date | null;
  replay_count: Generated<number>;
}

export interface ProductsTable {
  id: string;
  name: string;
  description: string | null;
  /** Integer cents; mysql2 returns BIGINT as number within 2^53. */
  price_cents: number;
  /** Incremented by every change; carried by `product.changed` so consumers can order them. */
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface FlashSalesTable {
  id: string;
  product_id: string;
  stock: number;
  /** Units in non-rejected orders; only ever moved by guarded updates (`sold + ? <= stock`). */
  sold: number;
  price_cents: number;
  starts_at: Date;
  ends_at: Date;
  per_user_limit: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type OrderStatus = 'confirmed' | 'rejected' | 'paid' | 'cancelled';

export interface OrdersTable {
  id: string;
  user_id: string;
  sale_id: string;
  quantity: number;
  price_cents: number;
  status: OrderStatus;
  reject_reason: string | null;
  placed_at: Date;
  created_at: Date;
  updated_at: Date;
  /** Set once when a cancelled order's units went back to `flash_sales.sold` (migration 0013). */
  units_returned_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type PaymentStatus = 'captured' | 'refund_pending' | 'refunded';

export interface PaymentsTable {
  charge_id: string;
  order_id: string;
  user_id: string;
  amount_cents: number;
  currency: string;
  status: PaymentStatus;
  refund_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface JobFencesTable {
  name: string;
  token: number | string;
  updated_at: Date;
}
