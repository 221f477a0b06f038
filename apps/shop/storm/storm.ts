import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { createDatabase, parseMysqlUrl } from '../src/db/database.ts';
import { loadOrCreateDevKeys } from '../src/modules/sessions/dev-keys.ts';
import { createTokenService } from '../src/modules/sessions/tokens.ts';
import { runStorm } from './run-storm.ts';

const HELP = `usage: npm run storm -- [options]

Drives a running Surge service with a crowd of buyers through its HTTP API, waits for the order
pipeline to drain, then checks G1–G5 from Redis and MySQL directly and prints a report. Exits 1
on any violation. Reads the service's own environment (SURGE_PROFILE, MYSQL_URL, REDIS_URL,
JWT_PRIVATE_KEY, JWT_PUBLIC_KEY, JWT_KEY_ID …; see .env.example): it signs its buyers' tokens with
the service's key (in the dev profile, the checkout's shared dev keys that \`npm start\` uses).
Against \`npm start\`: SURGE_PROFILE=dev npm run storm. Its load counts against the placement rate
limits like any client's: raise RATE_LIMIT_PLACEMENT_* on the service for a storm from one host.

  --url <url>[,<url>…] the service (default http://127.0.0.1:3000); several api instances of
                       one deployment comma-separated: requests go to them in turn
  --attempts <n>       buy attempts (default 20000)
  --units <n>          stock of the sale it creates (default 1000)
  --buyers <n>         buyers (default 2000)
  --limit <n>          per-user limit (default 2)
  --concurrency <n>    concurrent clients (default 200)
  --sale <id>          storm an existing sale instead of creating one
  --runs <n>           storms in a row on one sale (default 1)
  --pay                then pay part of the accepted orders (some declined, some retried,
                       some replayed) and let the rest expire; checks stock, refunds, charges at
                       the gateway (PAYMENT_GATEWAY_URL) and the leaderboards after the last
                       deadline. Run the service with a short ORDER_PAYMENT_WINDOW_MS (e.g. 20000)
                       and give the storm the same value
  --pay-share <0..1>   share of accepted orders paid for (default 0.5)
  -h, --help           this text`;

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:3000' },
        attempts: { type: 'string', default: '20000' },
        units: { type: 'string', default: '1000' },
        buyers: { type: 'string', default: '2000' },
        limit: { type: 'string', default: '2' },
        concurrency: { type: 'string', default: '200' },
        sale: { type: 'string' },
        runs: { type: 'string', default: '1' },
        pay: { type: 'boolean', default: false },
        'pay-share': { type: 'string', default: '0.5' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (err) {
    // An unknown option or a missing value: the operator's mistake, not a crash.
    process.stderr.write(`storm: ${(err as Error).message}\n\n${HELP}\n`);
    process.exit(2);
  }
})();
const { values } = parsed;
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const count = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`storm: --${name} must be a positive integer, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
};

const urls = values.url.split(',').map((u) => u.trim().replace(/\/$/, ''));
if (urls.some((u) => !URL.canParse(u) || !/^https?:/.test(u))) {
  process.stderr.write(
    `storm: --url must be http(s) URLs, comma-separated, got ${JSON.stringify(values.url)}\n`,
  );
  process.exit(2);
}

const config = loadConfig(process.env);
// The service's keys: configured, or (outside production) the checkout's shared dev keys.
if (config.jwt.privateKeyPem === '' && config.profile === 'production') {
  process.stderr.write('storm: set JWT_PRIVATE_KEY and JWT_PUBLIC_KEY to the service’s keys\n');
  process.exit(2);
}
const keys = config.jwt.privateKeyPem === '' ? await loadOrCreateDevKeys(config.jwt.devKeysDir) : config.jwt;
const { db } = createDatabase({ url: config.mysqlUrl, timeoutMs: 10_000 });
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
const tokens = await createTokenService({ ...config.jwt, ...keys });
const payShare = Number(values['pay-share']);
if (!(payShare >= 0 && payShare <= 1)) {
  process.stderr.write(
    `storm: --pay-share must be between 0 and 1, got ${JSON.stringify(values['pay-share'])}\n`,
  );
  process.exit(2);
}
const pay = values.pay
  ? {
      gateway: { url: config.payments.gatewayUrl, apiKey: config.payments.gatewayApiKey },
      windowMs: config.orderPaymentWindowMs,
      leaderboardScope: parseMysqlUrl(config.mysqlUrl).database,
      share: payShare,
    }
  : undefined;
let saleId = values.sale;
let failed = false;
try {
  for (let run = 1; run <= count('runs', values.runs); run++) {
    const result = await runStorm({
      baseUrl: urls,
      db,
      redis,
      tokens,
      attempts: count('attempts', values.attempts),
      units: count('units', values.units),
      buyers: count('buyers', values.buyers),
      perUserLimit: count('limit', values.limit),
      concurrency: count('concurrency', values.concurrency),
      ...(saleId === undefined ? {} : { saleId }),
      ...(pay ? { pay } : {}),
    });
    saleId = result.saleId;
    process.stdout.write(`\n== storm ${run}\n${result.report}\n`);
    failed ||= !result.passed;
  }
} finally {
  redis.disconnect();
  await db.destroy();
}
process.exit(failed ? 1 : 0);
