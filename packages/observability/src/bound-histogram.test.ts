import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BoundHistogram } from './bound-histogram.ts';

const buckets = [0.001, 0.01, 0.1, 1];
const labelNames = ['method', 'route'] as const;
// Edge values: on a bound, between bounds, above the last one, zero, and a non-finite value.
const observations: [string, string, number][] = [
  ['GET', '/a', 0.001],
  ['GET', '/a', 0.0005],
  ['GET', '/a', 0.05],
  ['GET', '/a', 7],
  ['POST', '/b', 0],
  ['POST', '/b', 1],
  ['GET', '/a', 0.01],
];

describe('BoundHistogram', () => {
  it('exposes exactly what prom-client’s Histogram exposes for the same observations', async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({ name: 'h', help: 'x', labelNames, buckets, registers: [theirs] });
    const bound = new BoundHistogram({ name: 'h', help: 'x', labelNames, buckets, registers: [ours] });
    const children = new Map<string, ReturnType<typeof bound.labels>>();
    for (const [method, route, v] of observations) {
      reference.labels({ method, route }).observe(v);
      const key = `${method} ${route}`;
      if (!children.has(key)) children.set(key, bound.labels({ method, route }));
      children.get(key)?.observe(v);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    // The JSON form too (what a cluster aggregator merges), apart from prom-client's empty exemplars.
    const withoutExemplars = (metrics: unknown) =>
      JSON.parse(JSON.stringify(metrics, (k, v: unknown) => (k === 'exemplar' ? undefined : v))) as unknown;
    assert.deepEqual(
      withoutExemplars(await ours.getMetricsAsJSON()),
      withoutExemplars(await theirs.getMetricsAsJSON()),
    );
  });

  it('ignores non-finite values instead of corrupting the sum', async () => {
    const registry = new Registry();
    const h = new BoundHistogram({ name: 'h', help: 'x', labelNames, buckets, registers: [registry] });
    const c = h.labels({ method: 'GET', route: '/' });
    c.observe(Number.NaN);
    c.observe(Number.POSITIVE_INFINITY);
    c.observe(0.5);
    const text = await registry.metrics();
    assert.match(text, /h_count\{method="GET",route="\/"\} 1\n/);
    assert.match(text, /h_sum\{method="GET",route="\/"\} 0.5\n/);
  });

  it('resets to zero with the registry, and the children keep counting', async () => {
    const registry = new Registry();
    const h = new BoundHistogram({ name: 'h', help: 'x', labelNames, buckets, registers: [registry] });
    const c = h.labels({ method: 'GET', route: '/' });
    c.observe(0.5);
    registry.resetMetrics();
    c.observe(0.005);
    const text = await registry.metrics();
    assert.match(text, /h_count\{method="GET",route="\/"\} 1\n/);
    assert.match(text, /h_bucket\{le="0.001",method="GET",route="\/"\} 0\n/);
    assert.match(text, /h_bucket\{le="0.01",method="GET",route="\/"\} 1\n/);
  });

  it('refuses unordered buckets and missing labels', () => {
    const registers: Registry[] = [];
    assert.throws(
      () => new BoundHistogram({ name: 'h', help: 'x', labelNames, buckets: [1, 0.5], registers }),
      /ascending/,
    );
    const h = new BoundHistogram({ name: 'h', help: 'x', labelNames, buckets, registers });
    assert.throws(() => h.labels({ method: 'GET' } as never), /label route is missing/);
  });
});
