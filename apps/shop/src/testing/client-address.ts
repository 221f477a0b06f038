import { randomInt } from 'node:crypto';

/**
 * A client address no other test uses (198.18.0.0/15, the benchmarking range), for `inject`'s
 * `remoteAddress`: per-IP rate limits live in the shared Redis, so each test is its own client.
 * Nothing is ever sent to it.
 */
export const testClientAddress = (): string =>
  `198.${18 + randomInt(2)}.${randomInt(256)}.${randomInt(1, 255)}`;
