import type { TSchema } from 'typebox';

/** Canonical decimal text only: no `1.5`, `0x2`, `1e1`, `+5`, `05`, spaces or empty strings. */
const INTEGER = /^(0|-?[1-9][0-9]*)$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

type Field = TSchema & { type?: unknown };

/** One string as the schema's scalar type, or the string itself when it is not that type's text. */
function convert(field: Field, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  switch (field.type) {
    case 'integer':
      return INTEGER.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
    case 'number':
      return NUMBER.test(raw) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    default:
      return raw;
  }
}

/**
 * Params, querystring and headers arrive as strings; this converts the fields their schema types
 * as integer, number or boolean, from canonical text only. Anything else stays a string, so the
 * schema check fails and the client gets 400 VALIDATION_FAILED naming the field (issue 8,
 * finding 12: TypeBox's `Value.Convert` read `limit=1.5`, `true` and `0x2` as 1, 1 and 2).
 */
export function convertStrictly(schema: TSchema, value: unknown): unknown {
  const props = (schema as { properties?: Record<string, Field> }).properties;
  if (props === undefined || typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = { ...source };
  for (const [name, field] of Object.entries(props)) {
    if (name in source) out[name] = convert(field, source[name]);
  }
  return out;
}
