import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { spawnService, waitFor, type ServiceProcess } from '../testing/spawn-service.ts';
import type { FuzzRequest } from '../testing/fuzz/fuzz-request.ts';
import { fuzzSettings } from '../testing/fuzz/fuzz-settings.ts';
import { fuzzTarget } from '../testing/fuzz/fuzz-target.ts';
import { g9Violations, type SeenResponse } from '../testing/fuzz/g9-response.ts';
import { documentedCodes, operationRequests, type FuzzOperation } from '../testing/fuzz/openapi-requests.ts';
import { parseResponse, sendRaw } from '../testing/fuzz/raw-http.ts';
import { violations } from '../testing/fuzz/schema-violations.ts';
import { FRAMING_CASES, randomFraming, wireBytes } from '../testing/fuzz/wire-requests.ts';

/**
 * G9 by property (SPEC fuzz suite, issue 8): requests generated from the OpenAPI document —
 * schema-valid values, then hostile ones in every part (path, query, body, headers, credentials)
 * — against every operation, in-process (`inject`) and, for a share, as bytes on a real socket
 * to a spawned service. Never a 5xx (but a 503 with Retry-After), every error problem+json with
 * a documented code and the request id, and both processes stay up. A failure prints the seed
 * and the shrunk request; `FUZZ_SEED=… FUZZ_RUNS=…` replays it (testing/fuzz/fuzz-settings.ts).
 */
const settings = fuzzSettings();
const target = await fuzzTarget();
after(() => target.close());
const { operations, hints } = target;

// From here on, anything thrown outside a request's own promise is a crash the last test reports.
const crashes: unknown[] = [];
process.on('unhandledRejection', (err) => crashes.push(err));
process.on('uncaughtException', (err) => crashes.push(err));

const summary = (res: SeenResponse) =>
  `${res.status} ${String(res.headers['content-type'] ?? '-')} ${res.body.slice(0, 300)}`;

const codeOf = (res: SeenResponse) => {
  try {
    return (JSON.parse(res.body) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
};

/**
 * Checks `property` on `numRuns` values of `arb`; a failure reports fast-check's shrunk
 * counterexample and how to replay it. Reports the answers seen before any failure (status and
 * code), so a run shows what it reached.
 */
async function check<T>(
  ctx: TestContext,
  arb: fc.Arbitrary<T>,
  numRuns: number,
  property: (v: T) => Promise<SeenResponse>,
) {
  const seen = new Map<string, number>();
  let shrinking = false;
  const details = await fc.check(
    fc.asyncProperty(arb, async (v) => {
      let res: SeenResponse;
      try {
        res = await property(v);
      } catch (err) {
        shrinking = true;
        throw err;
      }
      const key = `${res.status}${res.status >= 400 ? ` ${String(codeOf(res))}` : ''}`;
      if (!shrinking) seen.set(key, (seen.get(key) ?? 0) + 1);
    }),
    settings.params(ctx.fullName, numRuns),
  );
  const tally = [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ×${n}`);
  ctx.diagnostic(`${details.numRuns} runs (seed ${details.seed}): ${tally.join(', ')}`);
  if (details.failed) {
    assert.fail(
      `${fc.defaultReportMessage(details)}\nReplay: ${settings.replay} node --test ${import.meta.filename}`,
    );
  }
}

function assertG9(o: FuzzOperation | undefined, r: { method: string }, res: SeenResponse, context = '') {
  const documented = o && documentedCodes(o, r.method);
  const broken = g9Violations(res, { method: r.method, ...(documented ? { documented } : {}) });
  if (broken.length > 0) throw new Error(`${broken.join('; ')}\n    answered ${summary(res)}${context}`);
  return res;
}

describe('every operation of the OpenAPI document, fuzzed in-process: a success or a documented 4xx problem+json, never a 5xx', () => {
  for (const o of operations) {
    it(`${o.name} (${o.method} ${o.template})`, (ctx) =>
      check(ctx, operationRequests(o, hints), settings.runs, async (r) =>
        assertG9(o, r, await target.inject(r)),
      ));
  }
  for (const o of target.hidden) {
    it(`${o.name}, hidden from the document`, (ctx) =>
      check(ctx, operationRequests(o, hints), Math.ceil(settings.runs / 4), async (r) =>
        assertG9(undefined, r, await target.inject(r)),
      ));
  }
});

/** Answers a request that keeps to the document's schemas and security must never get. */
const REFUSALS = new Set([
  'VALIDATION_FAILED',
  'BAD_URL',
  'URI_TOO_LONG',
  'MALFORMED_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'BODY_TOO_LARGE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'METHOD_NOT_ALLOWED',
]);

describe('the document tells the truth: a request valid by its schemas, with the credential it asks for, is not refused', () => {
  for (const o of operations) {
    it(o.name, (ctx) =>
      check(ctx, operationRequests(o, hints, true), Math.ceil(settings.runs / 2), async (r) => {
        const res = assertG9(o, r, await target.inject(r));
        const code = codeOf(res);
        if (typeof code === 'string' && REFUSALS.has(code)) throw new Error(`refused: ${summary(res)}`);
        return res;
      }),
    );
  }
});

describe('and the other way: a request its schemas refuse in one part is refused with 400 VALIDATION_FAILED, never accepted', () => {
  for (const o of operations) {
    const arb = violations(o, hints);
    if (arb === undefined) continue;
    it(o.name, (ctx) =>
      check(ctx, arb, Math.ceil(settings.runs / 2), async ({ request, why }) => {
        const res = assertG9(o, request, await target.inject(request));
        // A rate limit or a shedder may answer first (429, 503 with Retry-After): refused too.
        const policy = res.status === 429 || res.status === 503;
        if (!policy && (res.status !== 400 || codeOf(res) !== 'VALIDATION_FAILED')) {
          throw new Error(`${why}: answered ${summary(res)}`);
        }
        return res;
      }),
    );
  }
});

describe('as bytes on a real socket, to a spawned service: what only the HTTP parser sees', () => {
  let svc: ServiceProcess;
  let port: number;
  before(async () => {
    svc = await spawnService({
      MYSQL_URL: target.mysqlUrl,
      SURGE_ROLE: 'api',
      LOG_LEVEL: 'warn',
      KAFKA_TOPIC_PREFIX: `fuzz-${crypto.randomUUID().slice(0, 8)}-`,
      // The in-process app's keys: its tokens (and its sessions, in the same Redis) hold here too.
      JWT_PRIVATE_KEY: target.t.keys.privateKeyPem,
      JWT_PUBLIC_KEY: target.t.keys.publicKeyPem,
      JWT_KEY_ID: target.t.config.jwt.keyId,
    });
    await waitFor(svc, '/health/ready', 200, 60_000);
    port = Number(new URL(svc.baseUrl).port);
  });
  after(() => svc.child.kill('SIGKILL'));

  /** The service's last error lines: what a 5xx logged. */
  const errorLines = () =>
    svc
      .output()
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l))
      .slice(-3)
      .map((l) => `\n    log: ${l.slice(0, 500)}`)
      .join('');

  const viaSocket = async (bytes: Buffer, method: string): Promise<SeenResponse> => {
    const res = parseResponse(await sendRaw(port, bytes, { noBody: method === 'HEAD' }));
    if (res === undefined) throw new Error(`the connection closed without an HTTP response${errorLines()}`);
    return res;
  };

  it('generated requests to every operation', (ctx) => {
    const byName = new Map(operations.map((o) => [o.name, o]));
    const any: fc.Arbitrary<FuzzRequest> = fc.oneof(...operations.map((o) => operationRequests(o, hints)));
    return check(ctx, any, Math.ceil((settings.runs * operations.length) / 4), async (r) => {
      const authorization = r.authorization ?? (await target.creds.authorization(r.credential));
      const res = await viaSocket(wireBytes(r, authorization), r.method);
      target.sent(r);
      return assertG9(byName.get(r.operation), r, res, errorLines());
    });
  });

  it('malformed framing (issue 8, finding 9, and more of its kind)', async () => {
    const broken: string[] = [];
    for (const c of FRAMING_CASES) {
      const res = await viaSocket(c.bytes, 'GET').catch((err: Error) => err);
      const why = res instanceof Error ? [res.message] : g9Violations(res, { method: 'GET' });
      if (why.length > 0)
        broken.push(
          `${c.name}: ${why.join('; ')}${res instanceof Error ? '' : `\n    answered ${summary(res)}`}`,
        );
    }
    assert.equal(
      broken.length,
      0,
      `${broken.length} of ${FRAMING_CASES.length} malformed requests:\n${broken.join('\n')}`,
    );
  });

  it('random bytes and request lines', (ctx) =>
    check(ctx, randomFraming, settings.runs, async (c) =>
      assertG9(undefined, { method: 'GET' }, await viaSocket(c.bytes, 'GET')),
    ));

  it('the service process is still up and answers', async () => {
    assert.equal(svc.child.exitCode, null, svc.output());
    const live = await fetch(`${svc.baseUrl}/health/live`, { signal: AbortSignal.timeout(5000) });
    assert.equal(live.status, 200);
    assert.doesNotMatch(svc.output(), /"level":60/);
  });
});

it('the test process is up too: no unhandled rejection or uncaught exception, /health/live answers', async () => {
  assert.deepEqual(crashes, []);
  assert.equal((await target.t.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
});
