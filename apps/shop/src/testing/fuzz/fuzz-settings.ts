import type fc from 'fast-check';

/**
 * How much the fuzz tests try, and from where: `FUZZ_RUNS` requests per operation (default 40;
 * raise it locally, e.g. `FUZZ_RUNS=2000`), `FUZZ_SEED` to replay a failure (each failure
 * prints the seed it ran with). Test knobs, not service configuration: they never reach config.ts.
 */
/** FNV-1a of `name`, mixed into `seed`: stable, so `FUZZ_SEED` replays every property. */
const seedFor = (seed: number, name: string) => {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193);
  return (seed ^ h) | 0;
};

export function fuzzSettings(env: Readonly<Record<string, string | undefined>> = process.env) {
  const runs = Number(env.FUZZ_RUNS ?? 40);
  const seed = Number(env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`FUZZ_RUNS must be a positive integer, got ${env.FUZZ_RUNS}`);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${env.FUZZ_SEED}`);
  return {
    runs,
    seed,
    /**
     * fast-check parameters for `numRuns` runs of the property named `name`: a seed of its own
     * derived from the run's (so properties do not all make the same choices), a per-run timeout.
     */
    params: (name: string, numRuns: number): fc.Parameters<unknown> => ({
      numRuns,
      seed: seedFor(seed, name),
      // A request that hangs is a failure with its counterexample, not a stuck test file.
      timeout: 15_000,
      // The broken promise and the answer it got, beside the counterexample.
      includeErrorInReport: true,
    }),
    /** How to rerun a failure: goes into every failure message. */
    replay: `FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`,
  };
}
