import fc from 'fast-check';
import { wrongValue } from './hostile-input.ts';
import type { JsonSchema } from './json-schema-arbitrary.ts';

/** Object keys a client might slip in: mass assignment, prototype pollution, near-misses. */
const EXTRA_KEY = fc.oneof(
  fc.constantFrom('role', 'id', 'isAdmin', 'userId', 'version', '__proto__', 'constructor', 'prototype', ''),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
);

/** Values just outside (and at) an integer field's bounds, and integers in disguise. */
const nearBounds = (s: JsonSchema): fc.Arbitrary<unknown> => {
  const min = s.minimum ?? -Number.MAX_SAFE_INTEGER;
  const max = s.maximum ?? Number.MAX_SAFE_INTEGER;
  return fc.constantFrom(min, max, min - 1, max + 1, max + 2, min + 0.5, -0, String(min), `${max}`, 1e21);
};

/** Sets `key` as an own enumerable property, even `__proto__` (which `o[key] =` would not). */
const withKey = (o: Record<string, unknown>, key: string, value: unknown) => {
  const copy = { ...o };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
};

/**
 * Mutations of a schema-valid object body (the request-body schema of one operation): a
 * required field missing, an unknown field added, a field of the wrong type, an integer past its
 * bounds. Each is a value a strict validator must refuse, or (an optional field dropped) accept.
 */
export function mutatedObject(
  schema: JsonSchema,
  valid: fc.Arbitrary<unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(schema.properties ?? {});
  const keys = props.map(([k]) => k);
  const integers = props.filter(([, p]) => p.type === 'integer');
  const asObject = valid.map((v) =>
    v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {},
  );
  const mutations: Array<fc.Arbitrary<Record<string, unknown>>> = [
    fc.tuple(asObject, EXTRA_KEY, wrongValue).map(([o, k, v]) => withKey(o, k, v)),
  ];
  if (keys.length > 0) {
    mutations.push(
      fc.tuple(asObject, fc.constantFrom(...keys)).map(([o, k]) => {
        const { [k]: _dropped, ...rest } = o;
        return rest;
      }),
      fc.tuple(asObject, fc.constantFrom(...keys), wrongValue).map(([o, k, v]) => withKey(o, k, v)),
    );
  }
  if (integers.length > 0) {
    mutations.push(
      fc
        .tuple(asObject, fc.constantFrom(...integers))
        .chain(([o, [k, s]]) => nearBounds(s).map((v) => withKey(o, k, v))),
    );
  }
  return fc.oneof(...mutations);
}
