// Overload acceptance (docs/benchmarks.md, "Overload"; ADR 0011): the service in production defaults,
// flooded by wrk in its own process, while this process probes what must keep answering.
//   npm run bench -- overload              wrk -t4 -c300 -d10s on GET /v1/me/notifications (a user's token)
//   npm run bench -- overload login-flood  autocannon -c50 -d20 of wrong-password logins; each client gives up
//                                          (closes its connection) after 2 s, as the attack's did
// Before each flood the same probes run on the idle service: that is the baseline ("ceiling") the
// flood figures compare with. Also prints the server-side p99 of the flooded route by status class
// (from its latency histogram) and the refusal counters (for the login flood, `abandoned`: calls
// skipped because their client had gone). Settings: BENCH_SECONDS, BENCH_CONNECTIONS,
// BENCH_THREADS; any variable of the service can be passed through, e.g. LOAD_SHEDDING=false.
import { histogramBuckets, percentileBetween } from './harness/latency-histogram.ts';
import { load, type LoadResult } from './harness/load.ts';
import { probe, summary, type ProbeStats } from './harness/probe.ts';
import { startServiceWithProduct } from './harness/service-with-product.ts';

const scenario = process.argv[2] ?? 'flood';
if (scenario !== 'flood' && scenario !== 'login-flood') throw new Error(`unknown scenario ${scenario}`);
const loginFlood = scenario === 'login-flood';
const seconds = Number(process.env.BENCH_SECONDS ?? (loginFlood ? 20 : 10));
const connections = Number(process.env.BENCH_CONNECTIONS ?? (loginFlood ? 50 : 300));
const threads = Number(process.env.BENCH_THREADS ?? 4);
const passThrough = Object.fromEntries(
  [
    'LOAD_SHEDDING',
    'MYSQL_POOL_SIZE',
    'MYSQL_QUEUE_LIMIT',
    'PASSWORD_HASH_CONCURRENCY',
    'PASSWORD_HASH_QUEUE_LIMIT',
  ]
    .filter((k) => process.env[k] !== undefined)
    .map((k) => [k, String(process.env[k])]),
);

// As behind a load balancer (TRUST_PROXY): the probe's logins come from distinct people at distinct
// addresses, as a real user's would, so the per-account and per-IP login limits (ADR 0010) judge
// each on its own; the flood comes straight from 127.0.0.1 with one user's token.
const { service, post } = await startServiceWithProduct(`overload-${scenario}`, {
  TRUST_PROXY: '127.0.0.1',
  ...passThrough,
});
const PROBE_USERS = 60;
async function registerProbeUser(i: number) {
  const u = {
    email: `overload-probe-${i}-${crypto.randomUUID()}@bench.surge`,
    password: 'correct horse battery staple',
    displayName: `Probe ${i}`,
  };
  const forwardedFor = `198.51.100.${i + 1}`; // TEST-NET-2: one address per person
  const res = await fetch(`${service.baseUrl}/v1/users`, {
    method: 'POST',
    signal: AbortSignal.timeout(30_000),
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify(u),
  });
  if (res.status !== 201) throw new Error(`registering probe user ${i}: ${res.status} ${await res.text()}`);
  return { ...u, forwardedFor };
}
const probeUsers: Awaited<ReturnType<typeof registerProbeUser>>[] = [];
// One at a time: password hashing has a small queue (PASSWORD_HASH_QUEUE_LIMIT), 503 beyond it.
for (let i = 0; i < PROBE_USERS; i++) probeUsers.push(await registerProbeUser(i));
let nextProbeUser = 0;
const user = {
  email: `overload-${crypto.randomUUID()}@bench.surge`,
  password: 'correct horse battery staple',
  displayName: 'Overload',
};
await post('/v1/users', user);
const { accessToken } = (await post('/v1/sessions', { email: user.email, password: user.password })) as {
  accessToken: string;
};
const auth = { authorization: `Bearer ${accessToken}` };
const base = service.baseUrl;
const route = loginFlood ? '/v1/sessions' : '/v1/me/notifications';
const scrape = async () => (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();

/** The probes: liveness, a real login (another user each time), and (flood) the protected route itself, one at a time each. */
function startProbes(): () => Promise<Record<string, ProbeStats>> {
  const stops = [
    probe('health/live', 100, (signal) => fetch(`${base}/health/live`, { signal })),
    probe('login', 500, (signal) => {
      // Each login is another person's (round robin over the probe users), from their address.
      const who = probeUsers[nextProbeUser++ % probeUsers.length]!;
      return fetch(`${base}/v1/sessions`, {
        signal,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': who.forwardedFor },
        body: JSON.stringify({ email: who.email, password: who.password }),
      });
    }),
    ...(loginFlood
      ? []
      : [probe('notifications', 100, (signal) => fetch(`${base}${route}`, { signal, headers: auth }))]),
  ];
  return async () => Object.fromEntries(await Promise.all(stops.map((s) => s())));
}

const idleProbes = startProbes();
await new Promise((r) => setTimeout(r, 3000));
const idle = await idleProbes();

const before = await scrape();
const during = startProbes();
const flood: LoadResult = await load(`${base}${route}`, {
  seconds,
  connections,
  threads,
  countStatuses: true,
  timeoutSec: 2,
  ...(loginFlood
    ? {
        tool: 'autocannon' as const,
        method: 'POST',
        body: JSON.stringify({ email: user.email, password: 'wrong password, guessed again' }),
      }
    : { headers: auth }),
});
const loaded = await during();
const after = await scrape();

const generator = loginFlood
  ? `autocannon -c${connections} -d${seconds} -t2`
  : `wrk -t${threads} -c${connections} -d${seconds}s`;
console.log(
  `overload ${scenario}: ${generator} on ${loginFlood ? 'POST' : 'GET'} ${route}` +
    `${loginFlood ? ' (wrong password)' : ''}, production profile, defaults (TRUST_PROXY=127.0.0.1 for the probes' addresses)${Object.keys(passThrough).length ? ` except ${JSON.stringify(passThrough)}` : ''}`,
);
const statuses = flood.statuses ?? {};
const total = Object.values(statuses).reduce((a, b) => a + b, 0);
console.log(
  `flood: ${total} responses (${flood.rps.toFixed(0)}/s), by status ${JSON.stringify(statuses)}; ` +
    `503 with Retry-After ${flood.retryAfter503 ?? '(not counted by autocannon)'} of ${statuses[503] ?? 0}; 500s ${statuses[500] ?? 0}; ` +
    `client timeouts ${flood.timeouts}; wrk p99 (all answers) ${flood.p99Ms.toFixed(1)} ms`,
);
for (const statusClass of ['2xx', '4xx', '5xx']) {
  const labels = { route, status_class: statusClass };
  const name = 'surge_http_request_duration_seconds';
  const b0 = histogramBuckets(before, name, labels);
  const b1 = histogramBuckets(after, name, labels);
  const p = percentileBetween(b0, b1, 99);
  const slow = p.count - ((b1.get(2.5) ?? 0) - (b0.get(2.5) ?? 0));
  if (p.count > 0) {
    console.log(
      `server-side ${statusClass} of ${route}: ${p.count} answers, p99 ≤ ${p.ms} ms (bucket), over 2.5 s: ${slow}`,
    );
  }
}
for (const [name, s] of Object.entries(loaded)) {
  console.log(`probe ${name.padEnd(13)} idle ${summary(idle[name])}  ·  during the flood ${summary(s)}`);
}
const counters = after
  .split('\n')
  .filter((l) => /^surge_(shed_requests|bulkhead_rejections)_total\{/.test(l))
  .join('\n  ');
console.log(`refusal counters at the end:\n  ${counters || '(none)'}`);
await service.stop();
