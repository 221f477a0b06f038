import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { silentLog, type Log } from './log.ts';

describe('Log', () => {
  it('a pino logger (and a child of one) is a Log as it is, fields and message in place', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const log: Log = logger.child({ component: 'test' });
    log.warn({ attempt: 2, err: new Error('down') }, 'retrying');
    log.debug({}, 'detail');
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.msg, 'retrying');
    assert.equal(lines[0]!.attempt, 2);
    assert.equal(lines[0]!.component, 'test');
    assert.equal((lines[0]!.err as { message: string }).message, 'down');
    assert.equal(lines[1]!.level, 20);
  });

  it('silentLog accepts every level and writes nothing', () => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      assert.equal(silentLog[level]({ x: 1 }, 'ignored'), undefined);
    }
    assert.ok(Object.isFrozen(silentLog));
  });
});
