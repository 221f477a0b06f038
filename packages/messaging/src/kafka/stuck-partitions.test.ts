import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { reportStuckPartitions } from './stuck-partitions.ts';

async function values(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('surge_consumer_stuck_seconds')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.partition), v.value]));
}

describe('surge_consumer_stuck_seconds', () => {
  it('grows while the same record holds a partition, drops to 0 when it moves, disappears when revoked', async () => {
    const registry = new Registry();
    let t = 1_000_000;
    let heads: Array<[number, bigint | undefined]> = [
      [0, 5n],
      [1, undefined],
    ];
    const stop = reportStuckPartitions(registry, {
      group: 'g',
      topic: 't',
      heads: () => heads,
      now: () => t,
    });
    assert.deepEqual(await values(registry), { 0: 0, 1: 0 });
    t += 30_000;
    assert.deepEqual(await values(registry), { 0: 30, 1: 0 }, 'offset 5 still in its handler');
    t += 30_000;
    heads = [
      [0, 6n],
      [1, undefined],
    ];
    assert.deepEqual(await values(registry), { 0: 0, 1: 0 }, 'partition 0 moved on');
    heads = [[0, 6n]];
    t += 10_000;
    assert.deepEqual(await values(registry), { 0: 10 }, 'partition 1 was revoked');
    stop();
    assert.deepEqual(await values(registry), {});
  });

  it('two subscriptions share the gauge of one registry', async () => {
    const registry = new Registry();
    const a = reportStuckPartitions(registry, { group: 'a', topic: 't', heads: () => [[0, 1n]] });
    const b = reportStuckPartitions(registry, { group: 'b', topic: 't', heads: () => [[2, 1n]] });
    assert.deepEqual(await values(registry), { 0: 0, 2: 0 });
    a();
    b();
  });
});
