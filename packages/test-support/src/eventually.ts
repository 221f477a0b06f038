/** Sleeps `ms` milliseconds. */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something other than `undefined`, and returns that. At the
 * deadline it throws, naming `what` and the last value `describe` made of the probe's progress
 * (so a failure says how far it got, not only that it timed out). A probe that throws fails at once.
 *
 * @param opts.timeoutMs default 60 000 ms
 * @param opts.intervalMs pause between probes, default 200 ms
 * @param opts.progress describes the state when the deadline passes, e.g. `() => \`${n} of 10000\``
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; progress?: () => string } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const progress = opts.progress ? ` (${opts.progress()})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${progress}`);
    }
    await pause(opts.intervalMs ?? 200);
  }
}
