export { runHealthChecks } from './health.ts';
export type { CheckResult, HealthCheck, HealthCheckOptions, HealthReport, HealthStatus } from './health.ts';
export { createHttpMetrics } from './http-metrics.ts';
export type { HttpMetrics } from './http-metrics.ts';
export { createMetricsRegistry } from './registry.ts';
