import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recordingLog } from '@surge/test-support';
import { createOutageWarnings } from './outage-warnings.ts';

describe('outage warnings (issue 8, finding 13: a 9.6 KB warning every ~4 s while Kafka was down)', () => {
  it('one short line per kind per interval, counting the ones held back', (t) => {
    t.mock.timers.enable({ apis: ['Date'] });
    const log = recordingLog();
    const warn = createOutageWarnings(log.log, 30_000);
    const err = new AggregateError(
      [
        new AggregateError(
          [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' })],
          'Cannot connect to any broker.',
        ),
      ],
      'Listing topics failed.',
    );
    for (let i = 0; i < 9; i++) {
      warn(err, 'cannot start the consumers', { attempt: i });
      t.mock.timers.tick(4_000);
    }
    const lines = log.lines.filter((l) => l.msg === 'cannot start the consumers');
    assert.deepEqual(
      lines.map((l) => [l.fields.attempt, l.fields.suppressed]),
      [
        [0, 0],
        [8, 7],
      ],
    );
    assert.equal(lines[0]?.fields.error, 'Listing topics failed. ← connect ECONNREFUSED 127.0.0.1:9092');
    assert.ok(JSON.stringify(lines[0]).length < 300);
  });

  it('messages differing only in numbers are one kind; other messages their own', (t) => {
    t.mock.timers.enable({ apis: ['Date'] });
    const log = recordingLog();
    const warn = createOutageWarnings(log.log, 30_000);
    warn(new Error('x'), 'commit failed on t/3@120');
    warn(new Error('x'), 'commit failed on t/3@121');
    warn(new Error('x'), 'measuring lag of t');
    assert.deepEqual(
      log.lines.map((l) => l.msg),
      ['commit failed on t/3@120', 'measuring lag of t'],
    );
  });
});
