import fc from 'fast-check';
import type { FuzzRequest } from './fuzz-request.ts';
import type { JsonSchema } from './json-schema-arbitrary.ts';
import {
  assemble,
  jsonBodySchema,
  validParts,
  type FuzzHints,
  type FuzzOperation,
  type RequestParts,
} from './openapi-requests.ts';

/** A request valid but for one part its schema refuses under any reading, and what that part is. */
export interface Violation {
  request: FuzzRequest;
  why: string;
}

const SAMPLES: readonly unknown[] = [0, 1.5, true, 'x', null, [], {}];

/** JSON values of a type the schema does not allow (so no reading of it accepts them). */
function otherTypes(s: JsonSchema): unknown[] {
  const alternatives = s.anyOf ?? s.oneOf ?? [s];
  const allowed = (v: unknown) =>
    alternatives.some((a) => {
      if (a.const !== undefined || a.enum) return true;
      if (v === null) return a.type === 'null' || a.nullable === true;
      if (a.type === 'integer') return Number.isInteger(v);
      if (a.type === 'number') return typeof v === 'number';
      if (a.type === 'array') return Array.isArray(v);
      if (a.type === 'object') return typeof v === 'object' && !Array.isArray(v);
      return typeof v === a.type;
    });
  return SAMPLES.filter((v) => !allowed(v));
}

/** Query values that are not a decimal integer, or one outside the parameter's bounds. */
const notIntegers = (s: JsonSchema) => [
  ...['1.5', 'true', '0x2', '0b1', '1e2', 'abc', 'NaN', 'Infinity'],
  ...(s.minimum === undefined ? [] : [String(s.minimum - 1)]),
  ...(s.maximum === undefined ? [] : [String(s.maximum + 1)]),
];

/** Path parameters a pattern refuses: letters, case, a missing or an extra character. */
const BAD_IDS = [
  'not-a-uuid',
  '0190B2C4-7C2A-7D1E-8F00-1A2B3C4D5E6F',
  '0190b2c47c2a7d1e8f001a2b3c4d5e6f',
  'x',
];

const withBody = (p: RequestParts, v: unknown): RequestParts => ({
  ...p,
  body: { body: JSON.stringify(v), contentType: 'application/json' },
});

/**
 * Requests from `validParts` with exactly one part broken: a body field missing, unknown or of
 * another type, a query integer that is not one, a path id that fails its pattern. Undefined when
 * the operation has nothing a schema constrains. Each must be refused (400), never accepted:
 * accepting one is a lenient validator (coercion, mass assignment).
 */
export function violations(o: FuzzOperation, hints: FuzzHints): fc.Arbitrary<Violation> | undefined {
  const base = validParts(o, hints);
  const cases: Array<fc.Arbitrary<Violation>> = [];
  const make = (parts: fc.Arbitrary<RequestParts>, why: string) =>
    cases.push(parts.map((p) => ({ request: assemble(o, p), why })));

  const body = jsonBodySchema(o.op);
  const props = Object.entries(body?.properties ?? {});
  if (body?.type === 'object' && body.additionalProperties === false) {
    const unknown = fc.stringMatching(/^[a-z][a-zA-Z]{0,11}$/).filter((k) => !props.some(([p]) => p === k));
    const parsed = base.map((p) => JSON.parse(String(p.body.body)) as Record<string, unknown>);
    make(
      fc.tuple(base, parsed, unknown).map(([p, v, k]) => withBody(p, { ...v, [k]: 1 })),
      'an unknown body field',
    );
    for (const [name, schema] of props) {
      const others = otherTypes(schema);
      if (others.length > 0) {
        make(
          fc
            .tuple(base, parsed, fc.constantFrom(...others))
            .map(([p, v, x]) => withBody(p, { ...v, [name]: x })),
          `body field ${name} of another type`,
        );
      }
    }
    for (const name of body.required ?? []) {
      make(
        fc.tuple(base, parsed).map(([p, v]) => {
          const { [name]: _gone, ...rest } = v;
          return withBody(p, rest);
        }),
        `required body field ${name} missing`,
      );
    }
  }
  for (const p of o.op.parameters ?? []) {
    if (p.in === 'query' && p.schema.type === 'integer') {
      const bad = fc.constantFrom(...notIntegers(p.schema));
      make(
        fc.tuple(base, bad).map(([parts, v]) => ({
          ...parts,
          query: [parts.query.replace(new RegExp(`(^|&)${p.name}=[^&]*`), ''), `${p.name}=${v}`]
            .filter(Boolean)
            .join('&')
            .replace(/^&/, ''),
        })),
        `query ${p.name} not an integer in range`,
      );
    }
    if (p.in === 'path' && p.schema.pattern !== undefined) {
      make(
        fc.tuple(base, fc.constantFrom(...BAD_IDS)).map(([parts, id]) => ({
          ...parts,
          path: o.template.replace(`{${p.name}}`, id).replace(/\{[^}]+\}/g, id),
        })),
        `path ${p.name} failing its pattern`,
      );
    }
  }
  return cases.length === 0 ? undefined : fc.oneof(...cases);
}
