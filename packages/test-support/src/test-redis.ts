import { randomUUID } from 'node:crypto';

/** The shared Redis of the integration tests; `REDIS_URL` points them elsewhere. */
export const testRedisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test uses, so test files run in parallel against one Redis. */
export const uniquePrefix = (what: string): string => `surge-test:${what}:${randomUUID().slice(0, 8)}`;
