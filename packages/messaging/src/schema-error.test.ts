import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isFatal, isTransient } from '@surge/resilience';
import { MalformedRecordError } from './cloudevents.ts';
import { SchemaError } from './schema-error.ts';

describe('poison records carry the fatal marker', () => {
  it('schema errors and malformed records are fatal, never transient', () => {
    for (const e of [new SchemaError('bad'), new MalformedRecordError('not JSON')]) {
      assert.equal(isFatal(e), true, e.name);
      assert.equal(isTransient(e), false, e.name);
    }
  });
});
