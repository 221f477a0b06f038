import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitUntil, within } from './wait-until.ts';

describe('waitUntil', () => {
  it('resolves as soon as the condition holds', async () => {
    let calls = 0;
    await waitUntil(() => ++calls >= 3, 1000, 'three calls', 1);
    assert.equal(calls, 3);
  });

  it('rejects at the deadline with what it waited for, described at that moment', async () => {
    let seen = 0;
    await assert.rejects(
      waitUntil(
        () => (seen++, false),
        30,
        () => `deliveries (${seen} polls)`,
        5,
      ),
      (err: Error) => /timed out after 30 ms waiting for deliveries \(\d+ polls\)/.test(err.message),
    );
  });

  it('rejects with the error of a throwing condition', async () => {
    await assert.rejects(
      waitUntil(
        () => {
          throw new Error('boom');
        },
        1000,
        'never',
      ),
      /boom/,
    );
  });
});

describe('within', () => {
  it('passes the value through, or rejects at the deadline naming what was awaited', async () => {
    assert.equal(await within(Promise.resolve(7), 100, 'seven'), 7);
    await assert.rejects(
      within(new Promise(() => {}), 10, 'the child to start'),
      /waiting for the child to start/,
    );
  });
});
