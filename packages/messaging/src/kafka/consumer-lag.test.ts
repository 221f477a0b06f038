import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { consumerLagGauge } from './consumer-lag.ts';

describe('consumerLagGauge', () => {
  it('sets lag per owned partition, drops partitions no longer owned, shares one gauge per registry', async () => {
    const registry = new Registry();
    const a = consumerLagGauge(registry);
    const b = consumerLagGauge(registry); // a second subscription on the same registry
    a.record('g1', new Map([['t', [5n, -1n, 0n]]]));
    b.record('g2', new Map([['t', [7n]]]));
    let text = await registry.metrics();
    assert.match(text, /surge_consumer_lag\{group="g1",topic="t",partition="0"\} 5/);
    assert.match(text, /surge_consumer_lag\{group="g1",topic="t",partition="2"\} 0/);
    assert.doesNotMatch(text, /group="g1",topic="t",partition="1"/);
    assert.match(text, /surge_consumer_lag\{group="g2",topic="t",partition="0"\} 7/);
    a.record('g1', new Map([['t', [-1n, -1n, 3n]]]));
    text = await registry.metrics();
    assert.doesNotMatch(text, /group="g1",topic="t",partition="0"/);
    assert.match(text, /surge_consumer_lag\{group="g1",topic="t",partition="2"\} 3/);
  });
});
