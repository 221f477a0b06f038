// M1 (docs/benchmarks.md): the service's memory while Kafka is down — production profile and defaults, its
// brokers pointed at a port where nothing listens (a broker that is gone), while wrk reads a
// warm product and a client keeps registering users (each writes a `user.registered` outbox row
// the relay cannot send). Samples RSS once a second and prints start, peak and end (< 256 MiB).
//   npm run bench -- m1-kafka-outage     (BENCH_SECONDS=60, BENCH_CONNECTIONS=50; control run with
//   Kafka up: BENCH_KAFKA_BROKERS=127.0.0.1:9092)
import { freePort } from '@surge/test-support';
import { load } from './harness/load.ts';
import { startServiceWithProduct } from './harness/service-with-product.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const {
  service,
  productUrl: url,
  post,
} = await startServiceWithProduct('m1', {
  // A port nothing listens on: every Kafka call fails as it would with the brokers gone.
  KAFKA_BROKERS: process.env.BENCH_KAFKA_BROKERS ?? `127.0.0.1:${await freePort()}`,
  // One client registering non-stop from 127.0.0.1 is what the per-IP registration limit stops.
  RATE_LIMIT_REGISTER_IP: 'off',
});

const start = service.memory().rssMiB;
let peak = start;
const sampler = setInterval(() => (peak = Math.max(peak, service.memory().rssMiB)), 1000);
let registered = 0;
const deadline = Date.now() + seconds * 1000;
const registering = (async () => {
  while (Date.now() < deadline) {
    await post('/v1/users', {
      email: `m1-${crypto.randomUUID()}@bench.surge`,
      password: 'correct horse battery staple',
      displayName: 'Memory',
    });
    registered++;
  }
})();
const reads = await load(url, { seconds, connections });
await registering;
clearInterval(sampler);
const end = service.memory();
console.log(
  `M1 Kafka down for ${seconds} s: ${reads.rps.toFixed(0)} product reads/s (errors ${reads.errors}), ` +
    `${registered} registrations (outbox rows waiting for Kafka)`,
);
console.log(
  `M1 service RSS start ${start.toFixed(0)} MiB, peak ${Math.max(peak, end.rssMiB).toFixed(0)} MiB, ` +
    `end ${end.rssMiB.toFixed(0)} MiB (VmHWM ${end.peakMiB.toFixed(0)}; target < 256)`,
);
// Where the resident memory is: V8's heap, buffers outside it, the rest (code, threads, malloc).
const metrics = await (
  await fetch(`${service.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })
).text();
const gauge = (name: string) =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20;
console.log(
  `M1 at the end: V8 heap used ${gauge('surge_nodejs_heap_size_used_bytes').toFixed(0)} MiB of ` +
    `${gauge('surge_nodejs_heap_size_total_bytes').toFixed(0)} MiB, external ${gauge('surge_nodejs_external_memory_bytes').toFixed(0)} MiB`,
);
await service.stop();
