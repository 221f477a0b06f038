import { jitter, type Log } from '@surge/resilience';

/**
 * Runs `round` now and then every `intervalMs` (±10 % jitter, so a fleet does not run in step),
 * one round at a time; a failed round is logged and the next one retries. `stop` waits for the
 * running round. The timer never keeps the process alive.
 */
export function startPeriodicJob(opts: {
  name: string;
  intervalMs: number;
  round: (isStopped: () => boolean) => Promise<void>;
  log: Log;
  /** Delay of the first round, ms. Default 0. */
  firstDelayMs?: number;
}): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const isStopped = () => stopped;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = opts
        .round(isStopped)
        .catch((err: unknown) =>
          opts.log.warn({ err, job: opts.name }, `${opts.name} round failed; the next round retries`),
        )
        .finally(() => schedule(jitter(opts.intervalMs, 0.1)));
    }, ms);
    timer.unref();
  };
  schedule(opts.firstDelayMs ?? 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
