import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountState } from '../users/account-state.ts';
import { createAccountStateReader } from './account-state-reader.ts';

const demoted: AccountState = { version: 3, role: 'user', status: 'active' };

/** A fake Redis side: `states` answers reads, `down` makes them fail; `reads` counts them. */
function fakeStates(states: Record<string, AccountState>) {
  const fake = {
    down: false,
    reads: 0,
    read(userId: string): Promise<AccountState | undefined> {
      fake.reads += 1;
      return fake.down ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(states[userId]);
    },
  };
  return fake;
}

describe('account state reader', () => {
  it('reads Redis once per user per cacheMs, then again', async () => {
    let clock = 1; // lru-cache treats a start time of 0 as 'no TTL'
    const states = fakeStates({ a: demoted });
    const reader = createAccountStateReader(states, { cacheMs: 1000, onError: () => {}, now: () => clock });
    assert.deepEqual(await reader.get('a'), demoted);
    assert.equal(await reader.get('b'), undefined, 'no change published');
    await reader.get('a');
    await reader.get('b');
    assert.equal(states.reads, 2);
    clock = 1002;
    await reader.get('a');
    assert.equal(states.reads, 3);
  });

  it('keeps the last known state while Redis fails; a user never seen is unavailable', async () => {
    let clock = 1; // lru-cache treats a start time of 0 as 'no TTL'
    const errors: unknown[] = [];
    const states = fakeStates({ a: demoted });
    const reader = createAccountStateReader(states, {
      cacheMs: 1000,
      onError: (e) => errors.push(e),
      now: () => clock,
    });
    await reader.get('a');
    states.down = true;
    clock = 5000;
    assert.deepEqual(await reader.get('a'), demoted);
    assert.equal(await reader.get('never-seen'), 'unavailable');
    assert.equal(errors.length, 2);
    states.down = false;
    clock = 10_000;
    assert.deepEqual(await reader.get('never-seen'), undefined);
  });

  it('cacheMs 0 reads Redis on every call', async () => {
    const states = fakeStates({});
    const reader = createAccountStateReader(states, { cacheMs: 0, onError: () => {} });
    await reader.get('a');
    await reader.get('a');
    assert.equal(states.reads, 2);
    states.down = true;
    assert.equal(await reader.get('a'), 'unavailable');
  });
});
