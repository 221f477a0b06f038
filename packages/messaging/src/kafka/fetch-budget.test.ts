import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FetchBudget } from './fetch-budget.ts';

function source() {
  let paused = false;
  const calls: string[] = [];
  return {
    calls,
    pause: () => {
      paused = true;
      calls.push('pause');
    },
    resume: () => {
      paused = false;
      calls.push('resume');
    },
    isPaused: () => paused,
  };
}

describe('FetchBudget', () => {
  it('pauses at the bound and resumes only under half of it', () => {
    const s = source();
    const budget = new FetchBudget(4);
    budget.attach(s);
    for (let i = 0; i < 4; i++) budget.take();
    assert.deepEqual(s.calls, ['pause']);
    budget.release(2);
    assert.deepEqual(s.calls, ['pause'], '2 held is not under half of 4');
    budget.release(1);
    assert.deepEqual(s.calls, ['pause', 'resume']);
    assert.equal(budget.held, 1);
  });

  it('never resumes once closed', () => {
    const s = source();
    const budget = new FetchBudget(2);
    budget.attach(s);
    budget.take();
    budget.take();
    budget.close();
    budget.release(2);
    assert.equal(s.isPaused(), true);
    assert.deepEqual(s.calls, ['pause', 'pause']);
  });
});
