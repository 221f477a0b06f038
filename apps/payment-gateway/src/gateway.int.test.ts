import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startGateway, type RunningGateway } from './gateway-server.ts';

const API_KEY = 'sk_test_gateway_tests';

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: Record<string, string> };
  replayed: boolean;
}

describe('payment gateway simulator (real sockets)', () => {
  let gw: RunningGateway;
  before(async () => {
    gw = await startGateway({ port: 0, adminPort: 0, apiKey: API_KEY, logLevel: 'silent' });
  });
  after(() => gw.close());

  const call = async (
    method: string,
    path: string,
    opts: { body?: unknown; key?: string; apiKey?: string; timeoutMs?: number; raw?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.apiKey ?? API_KEY}` };
    if (opts.key !== undefined) headers['idempotency-key'] = opts.key;
    if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(gw.url + path, {
      method,
      headers,
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
    });
    return {
      status: res.status,
      body: (await res.json()) as Answer['body'],
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  };
  const charge = (token: string, key: string, orderId: string = crypto.randomUUID(), amount = 1_999) =>
    call('POST', '/charges', { key, body: { amount, currency: 'usd', token, orderId } });
  const chargesOf = async (orderId: string) =>
    (await call('GET', `/charges?orderId=${orderId}`)).body.data as Array<{ id: string; status: string }>;
  const setBehaviour = async (b: Record<string, unknown>) => {
    const res = await fetch(`${gw.adminUrl}/behaviour`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(b),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const normal = () =>
    setBehaviour({ latencyMs: 0, jitterMs: 0, errorRate: 0, outage: 'none', loseResponseRate: 0 });

  it('charges tok_visa once per key: a replay answers the same charge, other parameters are refused', async () => {
    const orderId = crypto.randomUUID();
    const key = crypto.randomUUID();
    const first = await charge('tok_visa', key, orderId);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.status, 'succeeded');
    assert.match(String(first.body.id), /^ch_[0-9A-Za-z]{24}$/);
    const again = await charge('tok_visa', key, orderId);
    assert.deepEqual([again.status, again.body, again.replayed], [201, first.body, true]);
    // Same parameters serialised in another key order are the same request.
    const reordered = await call('POST', '/charges', {
      key,
      raw: JSON.stringify({ orderId, token: 'tok_visa', currency: 'usd', amount: 1_999 }),
    });
    assert.equal(reordered.body.id, first.body.id);
    const other = await charge('tok_visa', key, orderId, 2_000);
    assert.equal(other.status, 422);
    assert.equal(other.body.error?.code, 'idempotency_key_reused');
    const all = await chargesOf(orderId);
    assert.deepEqual(
      all.map((c) => c.id),
      [first.body.id],
      'one charge at the processor for three requests',
    );
  });

  it('declines the decline tokens with their reasons, records the declined charge, replays the decline', async () => {
    for (const [token, reason] of [
      ['tok_chargeDeclined', 'generic_decline'],
      ['tok_insufficientFunds', 'insufficient_funds'],
      ['tok_expiredCard', 'expired_card'],
    ] as const) {
      const orderId = crypto.randomUUID();
      const key = crypto.randomUUID();
      const a = await charge(token, key, orderId);
      assert.equal(a.status, 402, token);
      assert.equal(a.body.error?.type, 'card_error');
      assert.equal(a.body.error?.code, 'card_declined');
      assert.equal(a.body.error?.decline_code, reason);
      const b = await charge(token, key, orderId);
      assert.deepEqual([b.status, b.body, b.replayed], [402, a.body, true]);
      const recorded = await chargesOf(orderId);
      assert.deepEqual(
        recorded.map((c) => [c.id, c.status]),
        [[a.body.error?.charge, 'failed']],
      );
    }
  });

  it('refuses bad requests with 4xx in the processor error shape', async () => {
    const key = () => crypto.randomUUID();
    const cases: Array<[string, Promise<Answer>, number, string]> = [
      [
        'no key',
        call('POST', '/charges', { body: { amount: 1, currency: 'usd', token: 'tok_visa', orderId: 'o' } }),
        400,
        'idempotency_key_missing',
      ],
      [
        'empty key',
        call('POST', '/charges', {
          key: '',
          body: { amount: 1, currency: 'usd', token: 'tok_visa', orderId: 'o' },
        }),
        400,
        'idempotency_key_invalid',
      ],
      [
        'long key',
        call('POST', '/charges', {
          key: 'k'.repeat(256),
          body: { amount: 1, currency: 'usd', token: 'tok_visa', orderId: 'o' },
        }),
        400,
        'idempotency_key_invalid',
      ],
      [
        'bad api key',
        charge('tok_visa', key()).then(() => call('GET', '/charges?orderId=x', { apiKey: 'sk_test_wrong' })),
        401,
        'invalid_api_key',
      ],
      ['unknown token', charge('tok_stolen', key()), 400, 'resource_missing'],
      ['prototype token', charge('constructor', key()), 400, 'resource_missing'],
      ['zero amount', charge('tok_visa', key(), 'o', 0), 400, 'parameter_invalid'],
      ['fractional amount', charge('tok_visa', key(), 'o', 1.5), 400, 'parameter_invalid'],
      ['bad JSON', call('POST', '/charges', { key: key(), raw: '{"amount":' }), 400, 'parameter_invalid'],
      [
        'huge body',
        call('POST', '/charges', { key: key(), raw: JSON.stringify({ pad: 'x'.repeat(20_000) }) }),
        413,
        'parameter_invalid',
      ],
      [
        'unknown parameter',
        call('POST', '/charges', {
          key: key(),
          body: { amount: 1, currency: 'usd', token: 'tok_visa', orderId: 'o', capture: false },
        }),
        400,
        'parameter_invalid',
      ],
      ['unknown charge', call('GET', '/charges/ch_nope'), 404, 'resource_missing'],
      ['unknown route', call('GET', '/nowhere'), 404, 'resource_missing'],
    ];
    for (const [what, answer, status, code] of cases) {
      const a = await answer;
      assert.equal(a.status, status, `${what}: ${JSON.stringify(a.body)}`);
      assert.equal(a.body.error?.code, code, `${what}: ${JSON.stringify(a.body)}`);
    }
  });

  it('refunds a charge once: the rest is refused, a replay answers the same refund', async () => {
    const c = await charge('tok_visa', crypto.randomUUID(), crypto.randomUUID(), 1_000);
    const part = await call('POST', '/refunds', {
      key: crypto.randomUUID(),
      body: { charge: c.body.id, amount: 400 },
    });
    assert.equal(part.status, 201, JSON.stringify(part.body));
    const tooMuch = await call('POST', '/refunds', {
      key: crypto.randomUUID(),
      body: { charge: c.body.id, amount: 601 },
    });
    assert.equal(tooMuch.body.error?.code, 'amount_too_large');
    const restKey = crypto.randomUUID();
    const rest = await call('POST', '/refunds', { key: restKey, body: { charge: c.body.id } });
    assert.equal(rest.body.amount, 600);
    const replay = await call('POST', '/refunds', { key: restKey, body: { charge: c.body.id } });
    assert.deepEqual([replay.body, replay.replayed], [rest.body, true]);
    const more = await call('POST', '/refunds', { key: crypto.randomUUID(), body: { charge: c.body.id } });
    assert.equal(more.body.error?.code, 'charge_already_refunded');
    const now = await call('GET', `/charges/${String(c.body.id)}`);
    assert.equal(now.body.amountRefunded, 1_000);
    assert.equal(now.body.refunded, true);
  });

  it('a concurrent request with a running key is refused with 409, and only one charge exists', async () => {
    await setBehaviour({ latencyMs: 200 });
    try {
      const orderId = crypto.randomUUID();
      const key = crypto.randomUUID();
      const answers = await Promise.all([charge('tok_visa', key, orderId), charge('tok_visa', key, orderId)]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409]);
      assert.equal((await chargesOf(orderId)).length, 1);
    } finally {
      await normal();
    }
  });

  it('"charged but the response is lost": the retry with the same key gets the one charge', async () => {
    const orderId = crypto.randomUUID();
    const key = crypto.randomUUID();
    await setBehaviour({ loseResponseRate: 1 });
    try {
      await assert.rejects(charge('tok_visa', key, orderId), 'the connection drops without an answer');
    } finally {
      await normal();
    }
    const charged = await chargesOf(orderId);
    assert.equal(charged.length, 1, 'it did charge');
    const retry = await charge('tok_visa', key, orderId);
    assert.deepEqual([retry.status, retry.body.id, retry.replayed], [201, charged[0]?.id, true]);
    assert.equal((await chargesOf(orderId)).length, 1, 'no second charge');
  });

  it('an injected 5xx charges nothing and is not stored: the retry with the same key runs', async () => {
    const orderId = crypto.randomUUID();
    const key = crypto.randomUUID();
    await setBehaviour({ errorRate: 1 });
    try {
      const a = await charge('tok_visa', key, orderId);
      assert.equal(a.status, 503);
    } finally {
      await normal();
    }
    assert.equal((await chargesOf(orderId)).length, 0, 'nothing charged by the 503');
    const b = await charge('tok_visa', key, orderId);
    assert.deepEqual([b.status, b.replayed], [201, false]);
  });

  it('outage "refuse" closes the port (connection refused), "hang" never answers; both heal', async () => {
    await setBehaviour({ outage: 'refuse' });
    try {
      const err = await charge('tok_visa', crypto.randomUUID()).then(
        () => undefined,
        (e: unknown) => e as { cause?: { code?: string } },
      );
      assert.equal(err?.cause?.code, 'ECONNREFUSED', JSON.stringify(err?.cause));
    } finally {
      await normal();
    }
    assert.equal((await charge('tok_visa', crypto.randomUUID())).status, 201, 'listening again');

    await setBehaviour({ outage: 'hang' });
    try {
      const started = Date.now();
      const err = await call('GET', '/charges?orderId=x', { timeoutMs: 300 }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      assert.equal(err?.name, 'TimeoutError', `the client gave up after ${Date.now() - started} ms`);
    } finally {
      await normal();
    }
    assert.equal((await charge('tok_visa', crypto.randomUUID())).status, 201, 'answering again');
    const stats = (await (await fetch(`${gw.adminUrl}/stats`)).json()) as Record<string, number | undefined>;
    assert.ok(
      (stats.hungRequests ?? 0) >= 1 && (stats.lostResponses ?? 0) >= 1 && (stats.injectedErrors ?? 0) >= 1,
      JSON.stringify(stats),
    );
  });

  it('the admin API refuses knobs out of range', async () => {
    for (const b of [{ errorRate: 2 }, { outage: 'sometimes' }, { latencyMs: -1 }, { nonsense: 1 }]) {
      const res = await fetch(`${gw.adminUrl}/behaviour`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b),
      });
      assert.equal(res.status, 400, JSON.stringify(b));
    }
    assert.equal(
      ((await (await fetch(`${gw.adminUrl}/behaviour`)).json()) as { errorRate: number }).errorRate,
      0,
    );
  });
});

describe('npm run gateway (the process)', () => {
  const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
  it('prints its usage on --help, and stops cleanly on SIGTERM', async () => {
    const help = spawn(process.execPath, [MAIN, '--help'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let usage = '';
    help.stdout.on('data', (d: Buffer) => (usage += d.toString()));
    assert.deepEqual(await once(help, 'exit'), [0, null]);
    assert.match(usage, /GATEWAY_PORT/);

    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, GATEWAY_PORT: '0', GATEWAY_ADMIN_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('listening')) await once(child.stdout, 'data');
    const { url } = JSON.parse(out.split('\n').find((l) => l.includes('listening')) ?? '{}') as {
      url: string;
    };
    const res = await fetch(`${url}/charges?orderId=x`, {
      headers: { authorization: 'Bearer sk_test_surge' },
    });
    assert.equal(res.status, 200, 'the default API key works');
    child.kill('SIGTERM');
    assert.deepEqual(await once(child, 'exit'), [0, null]);
  });
});
