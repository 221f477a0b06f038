import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { convertStrictly } from './strict-convert.ts';

/** True when every property of an object schema is a plain string (nothing to convert). */
const allStrings = (schema: TSchema): boolean => {
  const props = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  return props !== undefined && Object.values(props).every((p) => p.type === 'string');
};

/**
 * Strict TypeBox validation (no coercion of bodies, unknown fields are errors), like
 * `@fastify/type-provider-typebox`'s compiler, except that params, querystring and headers are
 * converted from strings only when the schema has a non-string field (a conversion on every
 * `/:id` lookup was measurable on the hot read path, P2 in docs/benchmarks.md), and strictly:
 * an integer field takes `20`, never `1.5`, `true` or `0x2` (strict-convert.ts).
 */
export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const convert = httpPart !== 'body' && !allStrings(schema);
  return (value: unknown) => {
    const candidate = convert ? convertStrictly(schema, value) : value;
    return check.Check(candidate) ? { value: candidate } : { error: check.Errors(candidate) };
  };
};
