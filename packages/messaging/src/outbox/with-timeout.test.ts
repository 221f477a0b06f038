import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { OutboxTimeoutError, withTimeout } from './with-timeout.ts';

describe('withTimeout (fake clock)', () => {
  it('withTimeout rejects with a transient OutboxTimeoutError and passes results through', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      assert.equal(await withTimeout(Promise.resolve(7), 10, 'x'), 7);
      const never = new Promise<number>(() => {});
      const p = withTimeout(never, 50, 'select');
      mock.timers.tick(50);
      await assert.rejects(p, (e: unknown) => e instanceof OutboxTimeoutError && e.transient);
    } finally {
      mock.timers.reset();
    }
  });
});
