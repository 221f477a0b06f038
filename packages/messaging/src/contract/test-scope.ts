import type { TestContext } from 'node:test';
import { within } from './wait-until.ts';

const CLOSE_BUDGET_MS = 20_000;

/** What a test opened and must close. */
export interface TestScope {
  /** Registers `closable` to be closed after the test; returns it. */
  add<T extends { close(): Promise<void> }>(closable: T): T;
  /** Registers a cleanup step. */
  defer(cleanup: () => unknown): void;
  /** Closes a registered closable now (a test step), so the cleanup does not close it again. */
  closeNow(closable: { close(): Promise<void> }): Promise<void>;
}

/**
 * Closes, after the test and even when it failed, everything the test registered, last opened
 * first (subscription, then subscriber, then publisher). Each step is bounded so a hung close
 * fails the test instead of hanging the run; all steps run, and their errors fail the test.
 */
export function testScope(t: TestContext): TestScope {
  const steps: Array<{ owner?: object; run: () => unknown }> = [];
  t.after(async () => {
    const errors: unknown[] = [];
    for (const step of steps.reverse()) {
      try {
        await within(Promise.resolve().then(step.run), CLOSE_BUDGET_MS, 'a cleanup step to finish');
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup after the test failed');
  });
  return {
    add(closable) {
      steps.push({ owner: closable, run: () => closable.close() });
      return closable;
    },
    defer(cleanup) {
      steps.push({ run: cleanup });
    },
    async closeNow(closable) {
      const i = steps.findIndex((s) => s.owner === closable);
      if (i >= 0) steps.splice(i, 1);
      await closable.close();
    },
  };
}
