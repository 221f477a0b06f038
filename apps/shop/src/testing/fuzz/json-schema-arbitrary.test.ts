import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { PageQuery, UUID } from '../../http/pagination.ts';
import { RegisterBody } from '../../modules/users/schemas.ts';
import { schemaArbitrary, type JsonSchema } from './json-schema-arbitrary.ts';

/** The shapes our routes validate with, checked by the compiler the app validates with. */
const SCHEMAS: Record<string, TSchema> = {
  'registration body': RegisterBody,
  'page query': PageQuery,
  'id path parameter': Type.Object(
    { id: Type.String({ pattern: UUID.source }) },
    { additionalProperties: false },
  ),
  'partial product (nullable, minProperties, safe-integer bounds)': Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })),
      description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
      priceCents: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    },
    { additionalProperties: false, minProperties: 1 },
  ),
  formats: Type.Object(
    {
      id: Type.String({ format: 'uuid' }),
      at: Type.String({ format: 'date-time' }),
      tags: Type.Array(Type.Literal('a'), { minItems: 1, maxItems: 3 }),
    },
    { additionalProperties: false },
  ),
};

describe('schemaArbitrary: values the schema accepts', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`${name}: every generated value passes TypeBox's check`, () => {
      const check = Compile(schema);
      fc.assert(
        fc.property(schemaArbitrary(schema as JsonSchema), (v) => check.Check(v)),
        { numRuns: 300 },
      );
    });
  }

  it('reaches the bounds: the longest allowed string, the largest allowed integer', () => {
    const values = fc.sample(
      schemaArbitrary({
        type: 'object',
        properties: {
          s: { type: 'string', maxLength: 254, format: 'email' },
          n: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        },
        required: ['s', 'n'],
      }),
      { numRuns: 500, seed: 1 },
    ) as Array<{ s: string; n: number }>;
    assert.ok(values.some((v) => v.s.length === 254));
    assert.ok(values.some((v) => v.n === Number.MAX_SAFE_INTEGER));
  });

  it('refuses a keyword or format it does not know, rather than generate values that only look valid', () => {
    assert.throws(() => schemaArbitrary({ type: 'string', multipleOf: 2 } as JsonSchema), /multipleOf/);
    assert.throws(() => schemaArbitrary({ type: 'string', format: 'hostname' }), /hostname/);
  });
});
