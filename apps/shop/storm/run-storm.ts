import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/schema.ts';
import type { TokenService } from '../src/modules/sessions/tokens.ts';
import { createBuyers } from './storm-buyers.ts';
import { createSale } from './storm-shop.ts';
import { driveStorm } from './storm-driver.ts';
import { checkInvariants, type Check } from './storm-invariants.ts';
import { payAndExpire } from './storm-payments.ts';
import { formatReport } from './storm-report.ts';

export interface StormOptions {
  /** The service, or several api instances of one deployment (requests in turn; admin calls to the first). */
  baseUrl: string | readonly string[];
  db: Kysely<Database>;
  redis: Redis;
  /** Signs the storm's tokens with the service's key (storm-buyers.ts says why). */
  tokens: TokenService;
  /** Default 20,000. */
  attempts?: number;
  /** Default 1,000. */
  units?: number;
  /** Default 2,000. */
  buyers?: number;
  /** Default 2. */
  perUserLimit?: number;
  /** Concurrent clients. Default 200. */
  concurrency?: number;
  /** How long the pipeline may take to store every accepted order after the last answer. Default 120,000 ms. */
  drainTimeoutMs?: number;
  /** Reuse this sale instead of creating one (several storms on one sale). */
  saleId?: string;
  /**
   * Then pay part of the accepted orders and let the rest expire (storm-payments.ts). `windowMs`
   * is the service's ORDER_PAYMENT_WINDOW_MS; the gateway's books are read back.
   */
  pay?: {
    gateway: { url: string; apiKey: string };
    windowMs: number;
    leaderboardScope: string;
    share?: number;
  };
}

export interface StormResult {
  saleId: string;
  checks: Check[];
  report: string;
  passed: boolean;
}

/**
 * One storm (docs/operations.md, "Storm"): a sale (created through the admin API unless given),
 * buyers, the crowd through the HTTP API, the pipeline drained, G1–G5 checked from Redis and
 * MySQL directly, a report.
 */
export async function runStorm(opts: StormOptions): Promise<StormResult> {
  const units = opts.units ?? 1_000;
  const perUserLimit = opts.perUserLimit ?? 2;
  const [admin] = await createBuyers(opts.db, opts.tokens, 1, 'admin');
  const adminUrl = typeof opts.baseUrl === 'string' ? opts.baseUrl : opts.baseUrl[0];
  if (adminUrl === undefined) throw new RangeError('runStorm needs at least one base URL');
  let saleId = opts.saleId;
  if (saleId === undefined) {
    saleId = (await createSale(adminUrl, admin!, { units, perUserLimit })).saleId;
  }
  const sale = await opts.db
    .selectFrom('flash_sales')
    .select(['stock', 'per_user_limit'])
    .where('id', '=', saleId)
    .executeTakeFirstOrThrow();
  const buyers = await createBuyers(opts.db, opts.tokens, opts.buyers ?? 2_000);
  const { attempts, elapsedMs } = await driveStorm({
    baseUrl: opts.baseUrl,
    saleId,
    buyers,
    attempts: opts.attempts ?? 20_000,
    concurrency: opts.concurrency ?? 200,
    perUserLimit: Number(sale.per_user_limit),
  });

  // Drain: every accepted order stored (order-writer is asynchronous).
  const accepted = [...new Set(attempts.flatMap((a) => (a.status === 202 && a.orderId ? [a.orderId] : [])))];
  const drainStarted = performance.now();
  const deadline = Date.now() + (opts.drainTimeoutMs ?? 120_000);
  for (;;) {
    const stored = accepted.length === 0 ? [] : await countStored(opts.db, accepted);
    if (stored.length === accepted.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const drainMs = performance.now() - drainStarted;
  const checks = await checkInvariants({
    db: opts.db,
    redis: opts.redis,
    saleId,
    stock: Number(sale.stock),
    perUserLimit: Number(sale.per_user_limit),
    attempts,
    buyerIds: new Set(buyers.map((b) => b.id)),
  });
  let notes: string[] = [];
  if (opts.pay) {
    const byId = new Map(buyers.map((b) => [b.id, b]));
    const orders = attempts.flatMap((a) =>
      a.status === 202 && a.kind === 'fresh' && a.orderId ? [{ orderId: a.orderId, userId: a.userId }] : [],
    );
    const paid = await payAndExpire({
      baseUrls: typeof opts.baseUrl === 'string' ? [opts.baseUrl] : opts.baseUrl,
      db: opts.db,
      redis: opts.redis,
      saleId,
      stock: Number(sale.stock),
      orders: [...new Map(orders.map((o) => [o.orderId, o])).values()],
      buyers: byId,
      gateway: opts.pay.gateway,
      windowMs: opts.pay.windowMs,
      leaderboardScope: opts.pay.leaderboardScope,
      ...(opts.pay.share === undefined ? {} : { share: opts.pay.share }),
    });
    checks.push(...paid.checks);
    notes = paid.lines;
  }
  const report = formatReport({
    notes,
    saleId,
    stock: Number(sale.stock),
    perUserLimit: Number(sale.per_user_limit),
    buyers: buyers.length,
    attempts,
    elapsedMs,
    drainMs,
    checks,
  });
  return { saleId, checks, report, passed: checks.every((c) => c.pass) };
}

async function countStored(db: Kysely<Database>, ids: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; i < ids.length; i += 1_000) {
    const rows = await db
      .selectFrom('orders')
      .select('id')
      .where('id', 'in', ids.slice(i, i + 1_000))
      .execute();
    found.push(...rows.map((r) => r.id));
  }
  return found;
}
