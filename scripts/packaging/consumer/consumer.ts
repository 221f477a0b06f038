// A service outside the repository using the published toolkit, as a user would write it. The
// pack-and-import test copies it into a scratch project, type-checks and compiles it against the
// packages' published .d.ts, and runs the output with plain node (ADR 0007). Only pure calls:
// no Redis, Kafka or MySQL.
import assert from 'node:assert/strict';
import { bloomParams, createBloomFilter, createCache, type CacheOptions } from '@surge/cache';
import {
  CE,
  decodeMessage,
  encodeMessage,
  EventRegistry,
  SchemaError,
  createRouter,
  type Message,
} from '@surge/messaging';
import { createRedisLock, defineScript, replyCodes, UnexpectedScriptReplyError } from '@surge/redis-kit';
import {
  backoffMs,
  isFatal,
  isTransient,
  jitter,
  silentLog,
  TimeoutError,
  withTimeout,
  type Log,
} from '@surge/resilience';
import { runTransportContract, type TransportUnderTest } from '@surge/messaging/contract';
import { createMetricsRegistry, runHealthChecks, type HealthCheck } from '@surge/observability';

// @surge/messaging: the CloudEvents binary-mode codec round-trips, the registry refuses unknown types.
const placed: Message<{ orderId: string }> = {
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  type: 'consumer.order.placed.v1',
  source: '/consumer',
  time: '2026-01-02T03:04:05.000Z',
  key: 'order-1',
  data: { orderId: 'order-1' },
  headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
};
const record = encodeMessage(placed);
assert.equal(record.headers[CE.type], placed.type);
assert.equal(record.value, '{"orderId":"order-1"}');
assert.deepEqual(decodeMessage(record), placed);
// @ts-expect-error a WireRecord's value is a string (the published types are real, not `any`)
const _valueAsNumber: number = record.value;
const unknownType = (() => {
  try {
    new EventRegistry([]).validate(placed);
  } catch (err) {
    return err;
  }
  return undefined;
})();
assert.ok(unknownType instanceof SchemaError && isFatal(unknownType), 'unknown event type is fatal');
assert.equal(typeof createRouter, 'function');
const contractSuite: (t: TransportUnderTest) => void = runTransportContract;
assert.equal(typeof contractSuite, 'function');
// @ts-expect-error the contract suite takes a TransportUnderTest
const _suiteOfStrings: (t: string) => void = runTransportContract;

// @surge/resilience: backoff, jitter, timeouts and the markers are pure.
assert.ok(backoffMs(1) <= 5000 && backoffMs(100, { baseMs: 10, maxMs: 20 }) === 20);
assert.equal(
  jitter(60_000, 0.1, () => 0),
  54_000,
);
await assert.rejects(
  withTimeout(() => new Promise(() => {}), 10, { what: 'consumer' }),
  (e: unknown) => e instanceof TimeoutError && isTransient(e),
);
const quiet: Log = silentLog;
quiet.warn({ ok: true }, 'a Log takes fields, then the message');
// @ts-expect-error a Log takes fields first (pino's order)
quiet.warn('message', {});

// @surge/redis-kit: the packed Lua files are found beside the built modules and their headers checked.
assert.equal(typeof createRedisLock, 'function');
const codes = replyCodes('x-1', { 1: 'yes', 0: 'no' });
assert.equal(codes(1), 'yes');
assert.throws(() => codes(2), UnexpectedScriptReplyError);
assert.equal(typeof defineScript, 'function');

// @surge/cache: Bloom sizing (Broder & Mitzenmacher) is pure.
const bloom = bloomParams(1_000_000, 0.01);
assert.equal(bloom.bits, 9_585_059);
assert.equal(bloom.hashes, 7);
// @ts-expect-error bits is a number
const _bitsAsText: string = bloom.bits;
const cacheOptionsKeys: (keyof CacheOptions)[] = ['redis', 'prefix'];
assert.equal(cacheOptionsKeys.length, 2);
assert.equal(typeof createCache, 'function');
assert.equal(typeof createBloomFilter, 'function');

// @surge/observability: a registry with the default metrics under our prefix; health checks run.
const registry = createMetricsRegistry({ prefix: 'consumer_' });
assert.match(await registry.metrics(), /^consumer_process_cpu_user_seconds_total /m);
const checks: HealthCheck[] = [{ name: 'noop', check: async () => {} }];
const report = await runHealthChecks(checks, { timeoutMs: 1000 });
assert.equal(report.status, 'pass');
// @ts-expect-error a health status is a string union
const _statusAsNumber: number = report.status;

console.log('consumer ok');
