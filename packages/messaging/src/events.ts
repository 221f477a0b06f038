import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { v7 as uuidv7 } from 'uuid';
import type { Message } from './message.ts';
import { SchemaError } from './schema-error.ts';

/** One event type: its CloudEvents type, its topic, and the one schema producer and consumer share. */
export interface EventType<S extends TSchema = TSchema> {
  /** `ce_type`, e.g. `surge.user.registered.v1`; the version is part of the name. */
  readonly type: string;
  readonly topic: string;
  readonly schema: S;
  /** Throws `SchemaError` (fatal: dead-letter, never retry) when `data` does not match. */
  assert(data: unknown): asserts data is Static<S>;
  /** Returns `data` typed, or throws `SchemaError`. */
  parse(data: unknown): Static<S>;
  /** Like `assert`, without narrowing: for callers that hold the type only as `EventType`. */
  check(data: unknown): void;
  /** Builds a message with a fresh UUIDv7 id and the current time; validates `data`. */
  create(
    data: Static<S>,
    opts: { key: string; source: string; subject?: string; headers?: Record<string, string> },
  ): Message<Static<S>>;
}

export function defineEvent<S extends TSchema>(def: {
  type: string;
  topic: string;
  schema: S;
}): EventType<S> {
  const compiled = Compile(def.schema);
  function assert(data: unknown): asserts data is Static<S> {
    if (compiled.Check(data)) return;
    const problems = compiled
      .Errors(data)
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new SchemaError(`${def.type}: ${problems.join('; ')}`);
  }
  return {
    ...def,
    assert,
    check: (data: unknown) => assert(data),
    parse(data: unknown): Static<S> {
      assert(data);
      return data;
    },
    create(data, opts) {
      assert(data);
      return {
        id: uuidv7(),
        type: def.type,
        source: opts.source,
        time: new Date().toISOString(),
        ...(opts.subject === undefined ? {} : { subject: opts.subject }),
        key: opts.key,
        data,
        headers: opts.headers ?? {},
      };
    },
  };
}

/** Looks event types up by `ce_type`; validates messages on publish and on consume. */
export class EventRegistry {
  readonly #byType = new Map<string, EventType>();

  constructor(events: readonly EventType[]) {
    for (const e of events) {
      if (this.#byType.has(e.type)) throw new Error(`event type ${e.type} registered twice`);
      this.#byType.set(e.type, e);
    }
  }

  get(type: string): EventType | undefined {
    return this.#byType.get(type);
  }

  /** Throws `SchemaError` for an unknown type or data that does not match its schema. */
  validate(m: Pick<Message, 'type' | 'data'>): void {
    const event = this.#byType.get(m.type);
    if (!event) throw new SchemaError(`unknown event type ${m.type}`);
    event.check(m.data);
  }

  get topics(): string[] {
    return [...new Set([...this.#byType.values()].map((e) => e.topic))];
  }
}
