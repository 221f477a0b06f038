import fc from 'fast-check';

/** The part of JSON Schema (OpenAPI 3.0 flavour, as @fastify/swagger emits it) the generator knows. */
export interface JsonSchema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'object' | 'array';
  nullable?: boolean;
  enum?: readonly unknown[];
  const?: unknown;
  anyOf?: readonly JsonSchema[];
  oneOf?: readonly JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean;
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
}

/** Keywords that constrain nothing a value must satisfy. */
const ANNOTATIONS = new Set(['$id', 'title', 'description', 'default', 'examples', 'example', 'deprecated']);
const KNOWN = new Set<string>([
  ...ANNOTATIONS,
  ...['type', 'nullable', 'enum', 'const', 'anyOf', 'oneOf', 'minLength', 'maxLength', 'pattern', 'format'],
  ...['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'properties', 'required'],
  ...['additionalProperties', 'minProperties', 'maxProperties', 'items', 'minItems', 'maxItems'],
]);

/**
 * Characters of valid strings: printable ASCII most of the time, and some letters beyond it (one
 * UTF-16 unit and one code point each, so every way of counting a length agrees). Hostile
 * characters (controls, astral, lone surrogates) belong to the mutations (hostile-input.ts), not
 * to values the schema accepts.
 */
const CHAR = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ß', 'ø', 'Ж', 'λ', '日', '本', 'ü', 'ñ', 'ı') },
);

const LABEL = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);

/** Addresses TypeBox's `email` format accepts (RFC 5322 dot-atoms at a DNS name). */
const DOT_ATOMS = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(?:\.[A-Za-z0-9_+-]{1,10}){0,2}$/),
    fc.array(LABEL, { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[a-z]{2,6}$/),
  )
  .map(([local, labels, tld]) => `${local}@${[...labels, tld].join('.')}`);
/** Also the longest address the schema allows (254), which every column it lands in must hold. */
const EMAIL = fc.oneof(
  { weight: 5, arbitrary: DOT_ATOMS },
  {
    weight: 1,
    arbitrary: fc.constant(`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`),
  },
);

/** Any of `chars` joined, `minLength`..`maxLength` code points; now and then exactly at a bound. */
const lengthBetween = (minLength: number, maxLength: number) =>
  fc
    .oneof(
      { weight: 4, arbitrary: fc.array(CHAR, { minLength, maxLength }) },
      { weight: 1, arbitrary: fc.array(CHAR, { minLength: maxLength, maxLength }) },
      { weight: 1, arbitrary: fc.array(CHAR, { minLength, maxLength: minLength }) },
    )
    .map((cs) => cs.join(''));

function stringOf(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = s.maxLength ?? Math.max(minLength, 64);
  let base: fc.Arbitrary<string>;
  if (s.format === 'email') base = EMAIL;
  else if (s.format === 'uuid') base = fc.uuid();
  else if (s.format === 'date-time') {
    base = fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
      .map((d) => d.toISOString());
  } else if (s.format !== undefined) throw new Error(`json-schema-arbitrary: unsupported format ${s.format}`);
  else if (s.pattern?.startsWith('^') && s.pattern.endsWith('$'))
    base = fc.stringMatching(new RegExp(s.pattern));
  else base = lengthBetween(minLength, maxLength);
  // Lengths count code points, as TypeBox does; an unanchored pattern (such as \S) is checked, not built.
  const pattern = s.pattern === undefined ? undefined : new RegExp(s.pattern, 'u');
  return base.filter((v) => {
    const n = [...v].length;
    return n >= minLength && n <= maxLength && (pattern === undefined || pattern.test(v));
  });
}

function integerOf(s: JsonSchema): fc.Arbitrary<number> {
  const min = Math.max(s.minimum ?? -Number.MAX_SAFE_INTEGER, (s.exclusiveMinimum ?? -Infinity) + 1);
  const max = Math.min(s.maximum ?? Number.MAX_SAFE_INTEGER, (s.exclusiveMaximum ?? Infinity) - 1);
  // fc.integer stops at 32 bits; bigInt reaches the safe range and is biased towards its bounds.
  return fc.bigInt({ min: BigInt(Math.ceil(min)), max: BigInt(Math.floor(max)) }).map(Number);
}

function objectOf(s: JsonSchema, tie: (s: JsonSchema) => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const props = s.properties ?? {};
  const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, tie(v)])), {
    requiredKeys: [...(s.required ?? [])],
  });
  return record.filter((o) => {
    const n = Object.keys(o).length;
    return n >= (s.minProperties ?? 0) && n <= (s.maxProperties ?? Infinity);
  });
}

/**
 * An arbitrary of values `schema` accepts, for the subset of JSON Schema our request schemas
 * use. A keyword it does not know throws, so a new schema can never be fuzzed with values that
 * only look valid (no maintained JSON Schema → fast-check library covers fast-check 4).
 */
export function schemaArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  const unknown = Object.keys(schema).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0)
    throw new Error(`json-schema-arbitrary: unsupported keyword(s) ${unknown.join(', ')}`);
  const value = ((): fc.Arbitrary<unknown> => {
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map(schemaArbitrary));
    switch (schema.type) {
      case 'string':
        return stringOf(schema);
      case 'integer':
        return integerOf(schema);
      case 'number':
        return fc.double({
          noNaN: true,
          noDefaultInfinity: true,
          ...(schema.minimum === undefined ? {} : { min: schema.minimum }),
          ...(schema.maximum === undefined ? {} : { max: schema.maximum }),
        });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'object':
        return objectOf(schema, schemaArbitrary);
      case 'array':
        return fc.array(schema.items ? schemaArbitrary(schema.items) : fc.jsonValue(), {
          minLength: schema.minItems ?? 0,
          maxLength: schema.maxItems ?? Math.max(schema.minItems ?? 0, 5),
        });
      default:
        throw new Error(`json-schema-arbitrary: unsupported type ${String(schema.type)}`);
    }
  })();
  return schema.nullable ? fc.option(value, { nil: null }) : value;
}
