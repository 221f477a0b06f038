import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Options config.ts adds to its schema fields so an invalid value can be reported by the
 * variable an operator sets, with what it accepts (issue 8, finding 13), instead of TypeBox's
 * path and one line per union branch.
 */
export interface VariableAnnotation {
  /** The environment variable that sets this field. */
  env?: string;
  /** What the variable accepts, in words, when the schema alone does not say it well. */
  expected?: string;
  /** Never echo the value (keys, passwords). URLs are echoed with their password masked. */
  secret?: boolean;
}

type Annotated = TSchema & VariableAnnotation & Record<string, unknown>;

const MAX_SHOWN_CHARS = 80;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** ` from 0 to 65535`, ` ≥ 1000`, ` > 0 and ≤ 0.5`, or nothing. */
const range = (s: Annotated): string => {
  const [min, max] = [num(s.minimum), num(s.maximum)];
  const [gt, lt] = [num(s.exclusiveMinimum), num(s.exclusiveMaximum)];
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`≥ ${min}`);
  if (gt !== undefined) parts.push(`> ${gt}`);
  if (max !== undefined) parts.push(`≤ ${max}`);
  if (lt !== undefined) parts.push(`< ${lt}`);
  return parts.length > 0 ? ` ${parts.join(' and ')}` : '';
};

/** What a schema accepts, in words: `one of api, worker, all`, `an integer from 0 to 65535`. */
export function expectation(schema: TSchema): string {
  const s = schema as Annotated;
  if (s.expected !== undefined) return s.expected;
  const variants = s.anyOf as Annotated[] | undefined;
  if (variants?.every((v) => 'const' in v))
    return `one of ${variants.map((v) => String(v.const)).join(', ')}`;
  switch (s.type) {
    case 'integer':
      return `an integer${range(s)}`;
    case 'number':
      return `a number${range(s)}`;
    case 'boolean':
      return 'true or false (or 1 or 0)';
    case 'string':
      if (typeof s.pattern === 'string') return `a string matching ${s.pattern}`;
      if (typeof s.minLength === 'number' && s.minLength > 0) return 'a non-empty string';
      return 'a string';
    default:
      return 'a valid value';
  }
}

/** The raw value as it may appear in a message: hidden when secret, passwords in URLs masked. */
function shown(raw: string | undefined, schema: Annotated): string {
  if (raw === undefined) return '';
  if (schema.secret === true) return ' (value not shown)';
  const masked = raw.replace(/(:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
  const cut = masked.length > MAX_SHOWN_CHARS ? `${masked.slice(0, MAX_SHOWN_CHARS)}…` : masked;
  return ` (got ${JSON.stringify(cut)})`;
}

/**
 * One line per invalid variable — `PORT must be an integer from 0 to 65535 (got "abc")` — in
 * schema order. Each field annotated with `env` is checked on its own (TypeBox stops listing
 * errors after 8, and a union yields one per branch); a failure elsewhere is reported by path.
 */
export function schemaProblems(
  schema: TSchema,
  candidate: unknown,
  env: Record<string, string | undefined>,
): string[] {
  const lines: string[] = [];
  const visit = (s: Annotated, value: unknown, path: string): void => {
    if (s.env !== undefined) {
      if (!Value.Check(s, value)) lines.push(`${s.env} must be ${expectation(s)}${shown(env[s.env], s)}`);
      return;
    }
    const props = s.properties as Record<string, TSchema> | undefined;
    if (props !== undefined && typeof value === 'object' && value !== null) {
      for (const [name, child] of Object.entries(props)) {
        visit(child as Annotated, (value as Record<string, unknown>)[name], `${path}/${name}`);
      }
      return;
    }
    for (const e of Value.Errors(s, value)) lines.push(`${path}${e.instancePath} ${e.message}`);
  };
  visit(schema as Annotated, candidate, '');
  if (lines.length === 0 && !Value.Check(schema, candidate)) {
    for (const e of Value.Errors(schema, candidate)) lines.push(`${e.instancePath || '/'} ${e.message}`);
  }
  return lines;
}
