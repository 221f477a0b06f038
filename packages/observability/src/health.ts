import { withTimeout } from '@surge/resilience';

/**
 * Readiness checks reported in the `application/health+json` shape
 * (draft-inadarei-api-health-check): `checks` keyed `"<component>:responseTime"`.
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
  output?: string;
}

export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, CheckResult[]>;
}

/**
 * Runs every check in parallel, each bounded by `timeoutMs` (a check that ignores its signal is
 * still abandoned at the deadline), and reports `fail` when any check fails.
 */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  opts: { timeoutMs: number; now?: () => number },
): Promise<HealthReport> {
  const now = opts.now ?? performance.now.bind(performance);
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, CheckResult]> => {
      const started = now();
      let output: string | undefined;
      try {
        await withTimeout((signal) => c.check(signal), opts.timeoutMs, { what: `${c.name} check` });
      } catch (err) {
        output = err instanceof Error ? err.message : String(err);
      }
      const result: CheckResult = {
        componentType: c.componentType ?? 'component',
        observedValue: Math.round((now() - started) * 100) / 100,
        observedUnit: 'ms',
        status: output === undefined ? 'pass' : 'fail',
        time: new Date().toISOString(),
        ...(output === undefined ? {} : { output }),
      };
      return [`${c.name}:responseTime`, result];
    }),
  );
  const status: HealthStatus = results.some(([, r]) => r.status === 'fail') ? 'fail' : 'pass';
  return { status, checks: Object.fromEntries(results.map(([k, r]) => [k, [r]])) };
}
