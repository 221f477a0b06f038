import type { FastifyPluginAsync } from 'fastify';
import type { Migration } from 'kysely';
import type { BatchHandler, EventType, Handler, LastResort, TopicSpec } from '@surge/messaging';
import type { Context } from '../context.ts';

/**
 * A consumer of a feature: one handler in its own consumer group. Names are unprefixed; the
 * worker role applies `KAFKA_TOPIC_PREFIX` to the topic and the group (one place, one way).
 */
export interface ConsumerSpec {
  /** Stable name, used in metrics and logs. */
  name: string;
  topic: string;
  /** Consumer group; one per handler and topic (the router refuses a group over two topics). */
  group: string;
  handle: Handler;
  /**
   * Optional: the records a partition has buffered behind its head, together (a consumer that is
   * behind), at most `maxBatch` (default 100); a refused batch is handled record by record
   * through `handle` (messaging's `BatchHandler`).
   */
  handleBatch?: BatchHandler;
  maxBatch?: number;
  /** Validate deliveries against the event registry. Default true (false for dead-letter topics). */
  validate?: boolean;
}

/** A periodic or background job of the worker role. */
export interface JobSpec {
  name: string;
  /** Starts the job; the returned `stop` resolves once it has stopped. */
  start(): { stop(): Promise<void> };
}

/** What a feature contributes at run time, built once per process from the infrastructure. */
export interface Feature {
  /**
   * Registered before every feature's routes and not encapsulated, so what it decorates
   * (`app.authenticate`) is visible to all features.
   */
  appPlugin?: FastifyPluginAsync;
  /** The feature's HTTP routes (api role). */
  routes?: FastifyPluginAsync;
  /** Event consumers (worker role). */
  consumers?: readonly ConsumerSpec[];
  /** Background jobs (worker role). */
  jobs?: readonly JobSpec[];
  /**
   * Where the router stores a dead letter the broker refused to take (worker role; at most one
   * feature provides it: dead-letters, ADR 0014).
   */
  lastResort?: LastResort;
}

/**
 * A feature: everything it is, declared in its folder's entry file (`<feature>.module.ts`).
 * The static part (migrations, events, topics, error codes) is known before anything connects;
 * `create` builds the run-time part on the shared infrastructure.
 */
export interface FeatureModule<N extends string = string, F extends Feature = Feature> {
  readonly name: N;
  /** Migrations by stable name; names sort globally (`0005-flash-sales`), applied in that order. */
  readonly migrations?: Readonly<Record<string, Migration>>;
  /** Event types the feature produces: one schema for producer and consumers. */
  readonly events?: readonly EventType[];
  /** Topics the feature owns (each provisioned with its `.dlt`). */
  readonly topics?: readonly TopicSpec[];
  /** HTTP status of each domain error code the feature throws (see errors.ts). */
  readonly problems?: Readonly<Record<string, number>>;
  create(ctx: Context): F | Promise<F>;
}

/** Declares a module, keeping its literal name and feature type for `Features`. */
export const defineModule = <const N extends string, F extends Feature>(
  m: FeatureModule<N, F>,
): FeatureModule<N, F> => m;
