/**
 * Keeps the entries a member holds (read, not yet acked) from looking idle: every `intervalMs`
 * it touches them (XCLAIM to itself, JUSTID). Without it, a batch queued behind a slow handler
 * would pass `claimIdleMs` and another member would claim and process it concurrently.
 * Runs beside the read loop, so it also covers a handler that runs for minutes.
 */
export function startKeepalive(opts: {
  held: () => readonly string[];
  touch: (ids: readonly string[]) => Promise<void>;
  intervalMs: number;
  onError: (err: unknown) => void;
}): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    const ids = opts.held();
    // One touch at a time: a slow Redis must not pile them up.
    if (busy || ids.length === 0) return;
    busy = true;
    opts
      .touch(ids)
      .catch(opts.onError)
      .finally(() => (busy = false));
  }, opts.intervalMs);
  // The loop owns the process's lifetime, not this timer.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
