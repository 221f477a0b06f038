import { EventRegistry, type TopicSpec } from '@surge/messaging';
import type { Migration } from 'kysely';
import type { Context } from '../context.ts';
import { auditModule } from './audit/audit.module.ts';
import { catalogModule } from './catalog/catalog.module.ts';
import { deadLettersModule } from './dead-letters/dead-letters.module.ts';
import { deadlinesModule } from './deadlines/deadlines.module.ts';
import type { Feature } from './feature-module.ts';
import { flashSalesModule } from './flash-sales/flash-sales.module.ts';
import { leaderboardsModule } from './leaderboards/leaderboards.module.ts';
import { ordersModule } from './orders/orders.module.ts';
import { paymentsModule } from './payments/payments.module.ts';
import { reconciliationModule } from './reconciliation/reconciliation.module.ts';
import { notificationsModule } from './notifications/notifications.module.ts';
import { sessionsModule } from './sessions/sessions.module.ts';
import { usersModule } from './users/users.module.ts';

/**
 * The feature modules, in the order their routes register (sessions first: it provides
 * `app.authenticate`). Adding a feature: its folder, and one line here.
 */
export const modules = [
  sessionsModule,
  usersModule,
  notificationsModule,
  auditModule,
  catalogModule,
  flashSalesModule,
  ordersModule,
  paymentsModule,
  deadlinesModule,
  leaderboardsModule,
  deadLettersModule,
  reconciliationModule,
] as const;

type Module = (typeof modules)[number];

/** Every module's run-time part, by module name, typed. */
export type Features = { [M in Module as M['name']]: Awaited<ReturnType<M['create']>> };

/** Builds every module's run-time part on the shared infrastructure, in list order. */
export async function createFeatures(ctx: Context): Promise<Features> {
  const features: Record<string, Feature> = {};
  for (const m of modules) features[m.name] = await m.create(ctx);
  return features as Features;
}

/** Every event type of every module (one registry: producer and consumer share the schema). */
export const moduleEvents = () => new EventRegistry(modules.flatMap((m) => m.events ?? []));

/** Every module's topics. */
export const moduleTopics = (): TopicSpec[] => modules.flatMap((m) => m.topics ?? []);

/** HTTP status of every domain error code the modules declare. */
export const moduleProblems = (): Record<string, number> =>
  Object.assign({}, ...modules.map((m) => m.problems ?? {})) as Record<string, number>;

/** Module migrations merged with the platform's (db/migrations); names sort into one order. */
export function moduleMigrations(): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  for (const m of modules) {
    for (const [name, migration] of Object.entries(m.migrations ?? {})) {
      if (name in all) throw new Error(`migration ${name} declared twice (module ${m.name})`);
      all[name] = migration;
    }
  }
  return all;
}
