// Overload acceptance (docs/benchmarks.md, "Overload"): the service in production defaults, flooded by
// wrk in its own process, while this process probes what must keep answering.
//   npm run bench -- overload              wrk -t4 -c300 -d10s on GET /v1/me/notifications (a user's token)
//   npm run bench -- overload login-flood  wrk -c50 -d20s of wrong-password logins (2 s client timeout)
// Before each flood the same probes run on the idle service: that is the baseline ("ceiling") the
// flood figures compare with. Settings: BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS.
import { load, type LoadResult } from './harness/load.ts';
import { startServiceWithProduct } from './harness/service-with-product.ts';
import { probe, summary, type ProbeStats } from './harness/probe.ts';

const scenario = process.argv[2] ?? 'flood';
if (scenario !== 'flood' && scenario !== 'login-flood') throw new Error(`unknown scenario ${scenario}`);
const loginFlood = scenario === 'login-flood';
const seconds = Number(process.env.BENCH_SECONDS ?? (loginFlood ? 20 : 10));
const connections = Number(process.env.BENCH_CONNECTIONS ?? (loginFlood ? 50 : 300));
const threads = Number(process.env.BENCH_THREADS ?? 4);

const { service, post } = await startServiceWithProduct(`overload-${scenario}`);
const user = {
  email: `overload-${crypto.randomUUID()}@bench.surge`,
  password: 'correct horse battery staple',
  displayName: 'Overload',
};
await post('/v1/users', user);
const login = () => post('/v1/sessions', { email: user.email, password: user.password });
const { accessToken } = (await login()) as { accessToken: string };
const auth = { authorization: `Bearer ${accessToken}` };
const base = service.baseUrl;

/** The probes: liveness, a real login, and (flood) the protected route itself, one at a time each. */
function startProbes(): () => Promise<Record<string, ProbeStats>> {
  const stops = [
    probe('health/live', 100, (signal) => fetch(`${base}/health/live`, { signal })),
    probe('login', 500, (signal) =>
      fetch(`${base}/v1/sessions`, {
        signal,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: user.password }),
      }),
    ),
    ...(loginFlood
      ? []
      : [
          probe('notifications', 100, (signal) =>
            fetch(`${base}/v1/me/notifications`, { signal, headers: auth }),
          ),
        ]),
  ];
  return async () => Object.fromEntries(await Promise.all(stops.map((s) => s())));
}

const idleProbes = startProbes();
await new Promise((r) => setTimeout(r, 3000));
const idle = await idleProbes();

const during = startProbes();
const flood: LoadResult = loginFlood
  ? await load(`${base}/v1/sessions`, {
      seconds,
      connections,
      threads,
      countStatuses: true,
      method: 'POST',
      body: JSON.stringify({ email: user.email, password: 'wrong password, guessed again' }),
      timeoutSec: 2,
    })
  : await load(`${base}/v1/me/notifications`, {
      seconds,
      connections,
      threads,
      countStatuses: true,
      headers: auth,
    });
const loaded = await during();

const metrics = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
const shed = metrics
  .split('\n')
  .filter((l) => l.startsWith('surge_shed_requests_total{'))
  .join('\n  ');

const target = loginFlood ? 'POST /v1/sessions (wrong password)' : 'GET /v1/me/notifications';
console.log(
  `overload ${scenario}: wrk -t${threads} -c${connections} -d${seconds}s on ${target}, production profile and defaults`,
);
const statuses = flood.statuses ?? {};
const total = Object.values(statuses).reduce((a, b) => a + b, 0);
console.log(
  `flood: ${total} responses (${flood.rps.toFixed(0)}/s), by status ${JSON.stringify(statuses)}; ` +
    `503 with Retry-After ${flood.retryAfter503} of ${statuses[503] ?? 0}; 500s ${statuses[500] ?? 0}; ` +
    `client timeouts ${flood.timeouts}; wrk p99 (all responses) ${flood.p99Ms.toFixed(1)} ms`,
);
for (const [name, s] of Object.entries(loaded)) {
  console.log(`probe ${name.padEnd(13)} idle ${summary(idle[name])}  ·  during the flood ${summary(s)}`);
}
console.log(`shed counters at the end:\n  ${shed || '(none)'}`);
await service.stop();
