import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskSqlValues, serializeErrorForLog } from './log-errors.ts';

/** The shape mysql2 gives a failed query (fields as mysql2 3.x sets them). */
const mysqlError = (message: string, sql: string) =>
  Object.assign(new Error(message), {
    code: 'ER_DUP_ENTRY',
    errno: 1062,
    sqlState: '23000',
    sqlMessage: message,
    sql,
  });

const EMAIL = 'ada@example.com';

describe('error serializer for logs (issue 8, finding 12: personal data in logs)', () => {
  it('masks quoted values in MySQL messages and keeps quoted names', () => {
    assert.equal(
      maskSqlValues(`Duplicate entry '${EMAIL}' for key 'users.email'`),
      "Duplicate entry '?' for key 'users.email'",
    );
    assert.equal(
      maskSqlValues("Incorrect string value: '\\xF0\\x9F' for column 'display_name' at row 1"),
      "Incorrect string value: '?' for column 'display_name' at row 1",
    );
    assert.equal(
      maskSqlValues("Table 'surge.audit_log' doesn't exist"),
      "Table 'surge.audit_log' doesn't exist",
    );
    assert.equal(
      maskSqlValues(`You have an error in your SQL syntax; check the manual near '${EMAIL}')' at line 1`),
      "You have an error in your SQL syntax; check the manual near '?')' at line 1",
    );
  });

  it('drops sql and sqlMessage, keeps code, errno, sqlState and the stack frames', () => {
    const err = mysqlError(
      `Duplicate entry '${EMAIL}' for key 'email'`,
      `INSERT INTO users VALUES ('${EMAIL}')`,
    );
    const out = serializeErrorForLog(err) as Record<string, unknown>;
    assert.equal(out.sql, undefined);
    assert.equal(out.sqlMessage, undefined);
    assert.deepEqual([out.code, out.errno, out.sqlState], ['ER_DUP_ENTRY', 1062, '23000']);
    assert.equal(out.message, "Duplicate entry '?' for key 'email'");
    assert.match(String(out.stack), /^Error: Duplicate entry '\?' for key 'email'\n\s+at /);
    assert.doesNotMatch(JSON.stringify(out), /ada@example/);
  });

  it('masks the cause everywhere a wrapper repeats it (message, stack, aggregate errors)', () => {
    const cause = mysqlError(`Duplicate entry '${EMAIL}' for key 'email'`, `INSERT … '${EMAIL}'`);
    const wrapper = new Error(`gave up after 5 attempts: ${cause.message}`, { cause });
    const aggregate = new AggregateError([cause], 'both failed');
    for (const err of [wrapper, aggregate]) {
      assert.doesNotMatch(JSON.stringify(serializeErrorForLog(err)), /ada@example|INSERT/);
    }
  });

  it('keeps only the name of a failed Redis command', () => {
    const err = Object.assign(new Error('ERR wrong number of arguments'), {
      command: { name: 'evalsha', args: ['sha', '1', 'refresh:fam', 'secret-token'] },
    });
    const out = serializeErrorForLog(err) as { command: unknown };
    assert.deepEqual(out.command, { name: 'evalsha' });
  });

  it('leaves other errors as pino serializes them', () => {
    const out = serializeErrorForLog(Object.assign(new Error('boom'), { code: 'E_X' })) as Record<
      string,
      unknown
    >;
    assert.deepEqual([out.type, out.message, out.code], ['Error', 'boom', 'E_X']);
    assert.equal(serializeErrorForLog('not an error'), 'not an error');
  });
});
