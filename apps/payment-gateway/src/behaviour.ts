/**
 * The runtime knobs of the simulator (the admin API sets them):
 * - `latencyMs` + up to `jitterMs`: processing time of each API call;
 * - `errorRate`: share of calls answered `503 api_error` before anything is done (safe to retry);
 * - `outage`: `refuse` closes the API port (connection refused), `hang` accepts and never answers;
 * - `loseResponseRate`: share of charges and refunds that are done, then the connection is
 *   dropped before the answer ("charged but the response is lost").
 */
export interface Behaviour {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  outage: 'none' | 'refuse' | 'hang';
  loseResponseRate: number;
}

export const NORMAL: Readonly<Behaviour> = {
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  outage: 'none',
  loseResponseRate: 0,
};

/** JSON schema of a (partial) behaviour, for the admin route. */
export const behaviourSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    latencyMs: { type: 'integer', minimum: 0, maximum: 120_000 },
    jitterMs: { type: 'integer', minimum: 0, maximum: 120_000 },
    errorRate: { type: 'number', minimum: 0, maximum: 1 },
    outage: { type: 'string', enum: ['none', 'refuse', 'hang'] },
    loseResponseRate: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

/** How long this call takes, ms. */
export function processingMs(b: Behaviour, random: () => number): number {
  return b.latencyMs + (b.jitterMs > 0 ? Math.floor(random() * (b.jitterMs + 1)) : 0);
}
