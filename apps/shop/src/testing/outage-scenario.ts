import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { sql } from 'kysely';
import type { FaultMode, FaultProxy } from '@surge/resilience';
import { eventually, pause } from '@surge/test-support';
import { assertUnavailable, call, summary, type Answer } from './outage-http.ts';
import type { ScratchDatabase } from './scratch-database.ts';
import type { ServiceProcess } from './spawn-service.ts';
import { newUser } from './test-app.ts';

/** The kinds of routes an outage affects differently (docs/architecture.md, degradation table). */
export const ROUTE_CLASSES = ['cachedRead', 'register', 'me', 'login', 'refresh', 'adminWrite'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** `ok`: the route's success status; `unavailable`: 503 DEPENDENCY_UNAVAILABLE + Retry-After. */
export type Outcome = 'ok' | 'unavailable';

type Dependency = 'mysql' | 'redis' | 'kafka';

/** One fault of one dependency, as measured: what each route class answered, how long healing took. */
export interface MatrixRow {
  dependency: Dependency;
  mode: string;
  /** Fault → readiness reporting `warn` for the dependency, ms (cut and black hole only). */
  detectedMs?: number;
  answers: Record<RouteClass | 'live' | 'ready', string>;
  /** Heal → the first success of each route class, probed in this order, ms (cumulative). */
  healedMs: Record<RouteClass, number>;
  /** Heal → every registration so far welcomed (the workers caught up), ms. */
  caughtUpMs: number;
}

const SUCCESS: Record<RouteClass, number> = {
  cachedRead: 200,
  register: 201,
  me: 200,
  login: 200,
  refresh: 200,
  adminWrite: 201,
};

interface ReadyBody {
  status: string;
  checks: Record<string, Array<{ status: string; degradedFeatures?: string[] }>>;
}

/**
 * Runs each fault `mode` of `dependency` in turn against a running service whose connections to
 * it pass `proxy`, and checks the degradation table of docs/architecture.md for each: while a
 * cut, a black hole or resets last, readiness reports the dependency as `warn` (200, ADR 0006), liveness
 * stays 200, and each route class answers as `whileDown` says; under latency every route
 * answers its success status or a clean 503, never a 500. After each heal every route class
 * succeeds again without a restart. At the end the process is still running, logged nothing
 * fatal or unhandled, and every registration answered 201 — before, during or after a fault —
 * got its welcome notification exactly once (nothing accepted is lost). Returns the measured
 * matrix.
 */
export async function runOutageScenario(
  t: TestContext,
  s: {
    dependency: Dependency;
    proxy: FaultProxy;
    service: ServiceProcess;
    scratch: ScratchDatabase;
    whileDown: Record<RouteClass, Outcome>;
    modes: readonly FaultMode[];
    /** Each fault lasts at least this long, ms (e.g. past a consumer's session timeout). Default 0. */
    minFaultMs?: number;
  },
): Promise<MatrixRow[]> {
  const { baseUrl } = s.service;
  const { child } = s.service;
  const alive = () =>
    assert.ok(
      child.exitCode === null && child.signalCode === null,
      `the service exited (${child.exitCode ?? child.signalCode}):\n${s.service.output()}`,
    );
  const registered: string[] = [];
  const register = async () => {
    const a = await call(baseUrl, 'POST', '/v1/users', { body: newUser('outage') });
    if (a.status === 201) registered.push(String(a.body.id));
    return a;
  };
  const login = (u: { email: string; password: string }) =>
    call(baseUrl, 'POST', '/v1/sessions', { body: { email: u.email, password: u.password } });
  const ready = async () => {
    const a = await call(baseUrl, 'GET', '/health/ready');
    return { answer: a, body: a.body as unknown as ReadyBody };
  };

  // The shop: an admin (registered, promoted in MySQL, logged in), a product read once (cached),
  // and a buyer whose sessions the probes use.
  const adminUser = newUser('admin');
  const adminRegistration = await call(baseUrl, 'POST', '/v1/users', { body: adminUser });
  assert.equal(adminRegistration.status, 201, JSON.stringify(adminRegistration));
  registered.push(String(adminRegistration.body.id));
  await s.scratch.db
    .updateTable('users')
    .set({ role: 'admin' })
    .where('id', '=', String(adminRegistration.body.id))
    .execute();
  const adminToken = String((await login(adminUser)).body.accessToken);
  const product = await call(baseUrl, 'POST', '/v1/admin/products', {
    token: adminToken,
    body: { name: 'Outage-proof kettle', priceCents: 2_999 },
  });
  assert.equal(product.status, 201, JSON.stringify(product));
  const productPath = `/v1/products/${String(product.body.id)}`;
  assert.equal((await call(baseUrl, 'GET', productPath)).status, 200);
  const buyer = newUser('buyer');
  const buyerCreated = await call(baseUrl, 'POST', '/v1/users', { body: buyer });
  assert.equal(buyerCreated.status, 201);
  registered.push(String(buyerCreated.body.id));

  /** A new session of the buyer, or undefined while login fails or issues no refresh token. */
  const trySession = async () => {
    const a = await login(buyer);
    if (a.status !== 200 || typeof a.body.refreshToken !== 'string') return undefined;
    return { access: String(a.body.accessToken), refresh: a.body.refreshToken };
  };
  /** A session made while the dependency works (the `me` and `refresh` probes use it). */
  const session = async () => {
    const made = await trySession();
    assert.ok(made, 'login issues a refresh token while everything is up');
    return made;
  };
  const probe = (cls: RouteClass, ses: { access: string; refresh: string }): Promise<Answer> => {
    switch (cls) {
      case 'cachedRead':
        return call(baseUrl, 'GET', productPath);
      case 'register':
        return register();
      case 'me':
        return call(baseUrl, 'GET', '/v1/me', { token: ses.access });
      case 'login':
        return login(buyer);
      case 'refresh':
        return call(baseUrl, 'POST', '/v1/sessions/refresh', { body: { refreshToken: ses.refresh } });
      case 'adminWrite':
        return call(baseUrl, 'POST', '/v1/admin/products', {
          token: adminToken,
          body: { name: `Made during a ${s.dependency} fault`, priceCents: 1 },
        });
    }
  };

  /** How many of `registered` have their welcome notification. */
  const welcomed = async () => {
    const row = await s.scratch.db
      .selectFrom('notifications')
      .select(sql<number | string>`COUNT(DISTINCT user_id)`.as('n'))
      .where('user_id', 'in', registered)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const allWelcomed = (what: string) =>
    eventually(what, async () => ((await welcomed()) >= registered.length ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 250,
      progress: () => `${registered.length} registered`,
    });

  const rows: MatrixRow[] = [];
  for (const mode of s.modes) {
    const label = mode.kind === 'latency' ? `latency ${mode.ms}±${mode.jitterMs ?? 0} ms` : mode.kind;
    const ses = await session();
    // Accepted just before the fault: its welcome must survive it.
    assert.equal((await register()).status, 201, `registration before ${label}`);

    await s.proxy.set(mode);
    const faultAt = Date.now();
    const outage = mode.kind !== 'latency';
    let detectedMs: number | undefined;
    if (outage) {
      await eventually(
        `ready to report ${s.dependency} as warn (${label})`,
        async () => {
          const r = await ready();
          return r.body.checks?.[`${s.dependency}:responseTime`]?.[0]?.status === 'warn' ? r : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      detectedMs = Date.now() - faultAt;
      // ADR 0006: a shared outage is warn (200) overall, naming what is degraded.
      const { answer, body } = await ready();
      assert.equal(answer.status, 200, JSON.stringify(body));
      assert.equal(body.status, 'warn', JSON.stringify(body));
      const check = body.checks[`${s.dependency}:responseTime`]?.[0];
      assert.ok(
        (check?.degradedFeatures ?? []).length > 0,
        `degraded features listed: ${JSON.stringify(check)}`,
      );
    }
    const answers = {} as MatrixRow['answers'];
    for (const cls of ROUTE_CLASSES) {
      // A refresh token rotates once; each probe of it during the fault uses the session made for it.
      const a = await probe(cls, ses);
      answers[cls] = summary(a);
      const what = `${cls} during ${s.dependency} ${label}`;
      if (!outage) {
        if (a.status !== SUCCESS[cls]) assertUnavailable(what, a);
      } else if (s.whileDown[cls] === 'ok') {
        assert.equal(a.status, SUCCESS[cls], `${what}: ${JSON.stringify(a)}`);
      } else {
        assertUnavailable(what, a);
      }
    }
    const live = await call(baseUrl, 'GET', '/health/live');
    assert.equal(live.status, 200, 'liveness never depends on a dependency');
    answers.live = summary(live);
    const r = await ready();
    assert.equal(r.answer.status, 200, `a shared outage keeps readiness 200: ${JSON.stringify(r.body)}`);
    answers.ready = `${r.answer.status} ${r.body.status}`;
    alive();
    await pause(Math.max(0, faultAt + (s.minFaultMs ?? 0) - Date.now()));
    alive();

    await s.proxy.heal();
    const healAt = Date.now();
    const healedMs = {} as MatrixRow['healedMs'];
    for (const cls of ROUTE_CLASSES) {
      await eventually(
        `${cls} to succeed again after ${s.dependency} ${label} healed`,
        async () => {
          // A refresh needs a token that was not tried during the fault.
          const using = cls === 'refresh' ? await trySession() : ses;
          return using && (await probe(cls, using)).status === SUCCESS[cls] ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 250 },
      );
      healedMs[cls] = Date.now() - healAt;
    }
    await eventually(
      `ready to pass again after ${label}`,
      async () => ((await ready()).body.status === 'pass' ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    await allWelcomed(`every welcome so far after ${s.dependency} ${label} healed`);
    const caughtUpMs = Date.now() - healAt;
    alive();
    const row: MatrixRow = { dependency: s.dependency, mode: label, answers, healedMs, caughtUpMs };
    if (detectedMs !== undefined) row.detectedMs = detectedMs;
    rows.push(row);
    t.diagnostic(JSON.stringify(row));
  }

  // Nothing accepted is lost: every 201 got its welcome, none twice.
  await allWelcomed(`a welcome for each of ${registered.length} registrations`);
  const twice = await s.scratch.db
    .selectFrom('notifications')
    .select(['user_id', sql<number | string>`COUNT(*)`.as('n')])
    .where('user_id', 'in', registered)
    .groupBy('user_id')
    .having(sql`COUNT(*)`, '>', 1)
    .execute();
  assert.deepEqual(twice, [], 'no registration welcomed twice');
  alive();
  assert.doesNotMatch(
    s.service.output(),
    /"level":60|fatal error|unhandled error|PromiseRejectionHandledWarning|UnhandledPromiseRejection/,
    'nothing fatal or unhandled in the log',
  );
  return rows;
}
