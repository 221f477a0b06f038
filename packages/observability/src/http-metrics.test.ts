import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createHttpMetrics } from './http-metrics.ts';

describe('HTTP RED metrics', () => {
  it('counts requests per method, route template and status class as of each scrape', async () => {
    const registry = new Registry();
    const http = createHttpMetrics(registry, 't_');
    http.observe('GET', '/v1/products/:id', 200, 3);
    http.observe('GET', '/v1/products/:id', 204, 4);
    http.observe('GET', '/v1/products/:id', 404, 1);
    http.observe('POST', '/v1/orders', 503, 900);
    http.observe('POST', '/v1/orders', 999, 1); // nonsense status: counted as a server error
    let text = await registry.metrics();
    assert.match(
      text,
      /t_http_requests_total\{method="GET",route="\/v1\/products\/:id",status_class="2xx"\} 2\n/,
    );
    assert.match(
      text,
      /t_http_requests_total\{method="GET",route="\/v1\/products\/:id",status_class="4xx"\} 1\n/,
    );
    assert.match(text, /t_http_requests_total\{method="POST",route="\/v1\/orders",status_class="5xx"\} 2\n/);
    assert.match(
      text,
      /t_http_request_duration_seconds_count\{method="GET",route="\/v1\/products\/:id",status_class="2xx"\} 2\n/,
    );
    assert.match(
      text,
      /t_http_request_duration_seconds_bucket\{le="1",method="POST",route="\/v1\/orders",status_class="5xx"\} 2\n/,
    );
    // Counts keep growing across scrapes (nothing counted twice, nothing lost).
    http.observe('GET', '/v1/products/:id', 200, 3);
    text = await registry.metrics();
    assert.match(
      text,
      /t_http_requests_total\{method="GET",route="\/v1\/products\/:id",status_class="2xx"\} 3\n/,
    );
    text = await registry.metrics();
    assert.match(
      text,
      /t_http_requests_total\{method="GET",route="\/v1\/products\/:id",status_class="2xx"\} 3\n/,
    );
  });
});
