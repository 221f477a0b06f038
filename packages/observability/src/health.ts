import { withTimeout } from '@surge/resilience';

/**
 * Readiness checks reported in the `application/health+json` shape
 * (draft-inadarei-api-health-check): `checks` keyed `"<component>:responseTime"`, overall
 * `status` `pass` | `warn` | `fail`, where `pass` and `warn` are answered with a 2xx and `fail`
 * with a 5xx (docs/adr/0006-readiness-semantics.md).
 */
export interface HealthCheck {
  /** Component name, e.g. `redis`; becomes the `redis:responseTime` key. */
  name: string;
  /** `datastore`, `component` or `system`. Default `component`. */
  componentType?: string;
  /** Resolves when the dependency answers; rejects (or exceeds the timeout) when it does not. */
  check: (signal: AbortSignal) => Promise<void>;
}

export type HealthStatus = 'pass' | 'fail' | 'warn';

export interface CheckResult {
  componentType: string;
  observedValue: number;
  observedUnit: 'ms';
  status: HealthStatus;
  time: string;
  /** The error, when the check did not pass. */
  output?: string;
  /** What this instance cannot do, or does in a lesser way, while the dependency is down. */
  degradedFeatures?: readonly string[];
}

export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, CheckResult[]>;
}

export interface HealthCheckOptions {
  /** Budget of each check in milliseconds; a check still running then fails. */
  timeoutMs: number;
  /**
   * The features each *shared* dependency's outage degrades, by check name. A failing check named
   * here is `warn` (every instance sees the same outage, so none should leave the load balancer
   * for it); a failing check not named here is `fail`. Default: none, every failure is `fail`.
   */
  degradedWhenDown?: Readonly<Record<string, readonly string[]>>;
  /** Monotonic clock in milliseconds, for tests. Default `performance.now`. */
  now?: () => number;
}

async function runOne(c: HealthCheck, opts: HealthCheckOptions): Promise<CheckResult> {
  const now = opts.now ?? performance.now.bind(performance);
  const started = now();
  let output: string | undefined;
  try {
    // A check that ignores its signal is still abandoned at the deadline.
    await withTimeout((signal) => c.check(signal), opts.timeoutMs, { what: `${c.name} check` });
  } catch (err) {
    output = err instanceof Error ? err.message : String(err);
  }
  const degraded = opts.degradedWhenDown?.[c.name];
  const base = {
    componentType: c.componentType ?? 'component',
    observedValue: Math.round((now() - started) * 100) / 100,
    observedUnit: 'ms' as const,
    time: new Date().toISOString(),
  };
  if (output === undefined) return { ...base, status: 'pass' };
  if (degraded === undefined) return { ...base, status: 'fail', output };
  return { ...base, status: 'warn', output, degradedFeatures: degraded };
}

/** `fail` over `warn` over `pass`. */
const worst = (statuses: HealthStatus[]): HealthStatus =>
  statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';

/**
 * Runs every check in parallel, each bounded by `timeoutMs`, and reports the worst status: `fail`
 * when a check outside `degradedWhenDown` fails, else `warn` when a shared dependency is down
 * (its check lists the degraded features), else `pass`.
 */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  opts: HealthCheckOptions,
): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c) => [`${c.name}:responseTime`, await runOne(c, opts)] as const),
  );
  return {
    status: worst(results.map(([, r]) => r.status)),
    checks: Object.fromEntries(results.map(([k, r]) => [k, [r]])),
  };
}
