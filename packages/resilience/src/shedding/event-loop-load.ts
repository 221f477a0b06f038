import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { LoadSample } from './adaptive-shedder.ts';

export interface EventLoopLoad {
  /** The sample of the last complete interval (zeros before the first one). */
  sample(): LoadSample;
  /** Stops sampling. */
  close(): void;
}

/**
 * This process's event-loop load, sampled every `intervalMs` (default 250): the utilisation
 * (`performance.eventLoopUtilization`, the share of the interval spent running callbacks rather
 * than waiting for I/O) and the 99th percentile of the event-loop delay (`monitorEventLoopDelay`:
 * how late timers ran, which also shows the process being starved of CPU by others). Reading a
 * sample costs nothing; the timer is unref'd, so it never keeps the process alive.
 */
export function createEventLoopLoad(opts: { intervalMs?: number } = {}): EventLoopLoad {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let previous: EventLoopUtilization = performance.eventLoopUtilization();
  let current: LoadSample = { utilization: 0, delayMs: 0 };
  const timer = setInterval(() => {
    const elu = performance.eventLoopUtilization(previous);
    previous = performance.eventLoopUtilization();
    // The histogram is in nanoseconds; it starts at the resolution even when the loop is idle.
    current = { utilization: elu.utilization, delayMs: delay.percentile(99) / 1e6 };
    delay.reset();
  }, opts.intervalMs ?? 250);
  timer.unref();
  return {
    sample: () => current,
    close() {
      clearInterval(timer);
      delay.disable();
    },
  };
}
