import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  createAdaptiveShedder,
  createEventLoopLoad,
  OverloadedError,
  type AdaptiveShedder,
  type ShedPriority,
} from '@surge/resilience';
import type { Config } from '../config.ts';
import type { OverloadReporter } from '../infra/overload-reporter.ts';
import { routePriority } from './route-priority.ts';

export interface LoadSheddingOptions {
  config: Config['loadShedding'];
  overload: OverloadReporter;
  /** Replaces the event-loop-driven shedder (tests). */
  shedder?: AdaptiveShedder;
}

/**
 * Adaptive load shedding (ADR 0011), the first thing a request meets after its id: an onRequest
 * hook asks the shedder to admit the request at its route's priority (route-priority.ts); a
 * refused one is answered 503 `OVERLOADED` with `Retry-After` before authentication, parsing or
 * any dependency — the cheapest answer there is — and counted in
 * `surge_shed_requests_total{route,priority}`. An admitted request leaves the shedder's count when
 * its response is done or its connection closes, whichever comes first.
 */
export const loadShedding = fp(
  async (app: FastifyInstance, opts: LoadSheddingOptions) => {
    if (!opts.config.enabled && opts.shedder === undefined) return;
    const load = opts.shedder ? undefined : createEventLoopLoad();
    const shedder =
      opts.shedder ??
      createAdaptiveShedder({
        load: () => load?.sample() ?? { utilization: 0, delayMs: 0 },
        utilizationThreshold: opts.config.utilizationThreshold,
        delayThresholdMs: opts.config.delayThresholdMs,
        coolDownMs: opts.config.coolDownMs,
      });
    // One error for every shed request: nothing reads its stack, and one per request would
    // capture a stack for each of thousands of refusals a second.
    const shed = new OverloadedError('load-shedder', 'shed', Math.max(1000, opts.config.coolDownMs));
    // Resolved once per route at registration, so a request reads one property (unmatched
    // requests, which never pass here, are `normal`).
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, priority: routePriority(route.url, route.config?.priority) };
    });

    app.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions;
      const priority: ShedPriority = route.config.priority ?? 'normal';
      const admission = shedder.admit(priority);
      if (admission === undefined) {
        opts.overload.shed(route.url ?? 'unmatched', priority, () => ({
          ...shedder.stats(),
          ...load?.sample(),
        }));
        done(shed);
        return;
      }
      // 'close' comes after the response was written or when the connection died first: always,
      // and once (`done` needs no `this`, and a second call would do nothing).
      reply.raw.on('close', admission.done);
      done();
    });
    app.addHook('onClose', (_app, done) => {
      load?.close();
      done();
    });
    return Promise.resolve();
  },
  { name: 'surge-load-shedding' },
);
