import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { testRedisUrl } from '@surge/test-support';

/** A client of the shared test Redis; `quit()` it after the test. */
export const testRedis = () => new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });

/** A filter name no other test uses, so tests run in parallel on the shared Redis. */
export const uniqueFilterName = () => `test-${randomUUID()}`;

/** Deletes every key of the filter `name` (live, pointer, building bitmaps, lock). */
export async function dropFilterKeys(redis: Redis, name: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `surge:{bloom:${name}}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Keys of the filter `name`, sorted. */
export async function filterKeys(redis: Redis, name: string): Promise<string[]> {
  return (await redis.keys(`surge:{bloom:${name}}*`)).sort();
}

/** A TCP server that accepts connections and never answers: a Redis that hangs. */
export async function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  };
  return { port: (server.address() as { port: number }).port, close };
}

/** Ids `<prefix>-0` … `<prefix>-<count - 1>`. */
export const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** `mightContain` of many ids, `concurrency` at a time; returns how many answered true. */
export async function countMaybe(
  mightContain: (id: string) => Promise<boolean>,
  list: readonly string[],
  concurrency = 1000,
): Promise<number> {
  let maybe = 0;
  for (let i = 0; i < list.length; i += concurrency) {
    const answers = await Promise.all(list.slice(i, i + concurrency).map(mightContain));
    maybe += answers.filter(Boolean).length;
  }
  return maybe;
}
