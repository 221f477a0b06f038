import { parseArgs } from 'node:util';
import { startGateway } from './gateway-server.ts';

const USAGE = `usage: npm run gateway

Runs the payment gateway simulator: a card processor's API for local runs and tests.
  GATEWAY_HOST        address of both listeners (default 127.0.0.1)
  GATEWAY_PORT        the processor API (default 4100): POST /charges, POST /refunds, GET /charges
  GATEWAY_ADMIN_PORT  knobs and stats (default 4101): GET|PUT /behaviour, GET /stats, POST /reset
  GATEWAY_API_KEY     the Bearer key clients must send (default sk_test_surge)
  LOG_LEVEL           pino level (default info)
Test tokens: tok_visa, tok_mastercard (charged); tok_chargeDeclined, tok_insufficientFunds,
tok_expiredCard (declined). See apps/payment-gateway/README.md.`;

let help = false;
try {
  help = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, strict: true }).values.help === true;
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (help) {
  console.log(USAGE);
  process.exit(0);
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    console.error(`${name} must be a port number (0–65535), got ${JSON.stringify(raw)}`);
    process.exit(78);
  }
  return n;
}

const gateway = await startGateway({
  host: process.env.GATEWAY_HOST || '127.0.0.1',
  port: port('GATEWAY_PORT', 4100),
  adminPort: port('GATEWAY_ADMIN_PORT', 4101),
  apiKey: process.env.GATEWAY_API_KEY || 'sk_test_surge',
  logLevel: process.env.LOG_LEVEL || 'info',
}).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  console.error(
    e.code === 'EADDRINUSE'
      ? `payment gateway: ${e.message ?? 'address in use'} (another gateway running? set GATEWAY_PORT / GATEWAY_ADMIN_PORT)`
      : err,
  );
  process.exit(1);
});
console.log(
  JSON.stringify({ msg: 'payment gateway listening', url: gateway.url, adminUrl: gateway.adminUrl }),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
