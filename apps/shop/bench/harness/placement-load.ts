// A placement load generator in its own process (P1): autocannon as a library, each request with
// a unique Idempotency-Key and the Authorization header rotating over the tokens of a file.
// `rate` > 0 sends at that overall rate (autocannon corrects latencies for coordinated omission);
// 0 is closed-loop. Prints one JSON line: 202s per second, latency percentiles, statuses.
//   node placement-load.ts <url> <seconds> <connections> <rate> <tokens file> <key prefix>
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url = '', seconds = '10', connections = '50', rate = '0', tokensFile = '', prefix = 'k'] =
  process.argv.slice(2);
const tokens = readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean);
let n = 0;
const statuses: Record<number, number> = {};
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  timeout: 10,
  ...(Number(rate) > 0 ? { overallRate: Number(rate) } : {}),
  requests: [
    {
      method: 'POST',
      setupRequest: (req) => {
        n++;
        return {
          ...req,
          headers: {
            'content-type': 'application/json',
            authorization: tokens[n % tokens.length] ?? '',
            'idempotency-key': `${prefix}-${n}`,
          },
          body: '{"quantity":1}',
        };
      },
      onResponse: (status) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
      },
    },
  ],
});
const accepted = statuses[202] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    acceptedPerSec: accepted / Number(seconds),
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
