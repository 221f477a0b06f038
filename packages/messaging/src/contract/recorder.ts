import type { Delivery } from '../message.ts';
import type { Handler } from '../ports.ts';

/** One step of a handler call: it started, it resolved (ack) or it rejected. */
export interface HandlerEvent {
  kind: 'start' | 'ack' | 'reject';
  delivery: Delivery;
}

/** What the contract's handlers saw, in the order it happened. */
export interface Recorder {
  /** Records each call, runs `behavior` (throwing rejects the delivery), records the outcome. */
  readonly handler: Handler;
  readonly events: readonly HandlerEvent[];
  /** Ids inside a handler right now. */
  readonly inFlight: ReadonlySet<string>;
  /** Ids a handler started while another call for the same id was still running. */
  readonly overlaps: ReadonlySet<string>;
  /** Deliveries whose handler resolved, in order. */
  acked(): Delivery[];
  ackedIds(): Set<string>;
  /** Of `ids`, those not acked yet. */
  missing(ids: readonly string[]): string[];
  /** `"n/total acked, missing e.g. …"`, for wait failures. */
  progress(ids: readonly string[]): string;
}

/** A recording handler; `behavior` decides per delivery (default: accept). */
export function recorder(behavior?: (d: Delivery, signal: AbortSignal) => Promise<void> | void): Recorder {
  const events: HandlerEvent[] = [];
  const running = new Map<string, number>();
  const inFlight = new Set<string>();
  const overlaps = new Set<string>();
  const acked = new Set<string>();

  const handler: Handler = async (delivery, signal) => {
    events.push({ kind: 'start', delivery });
    const depth = (running.get(delivery.id) ?? 0) + 1;
    running.set(delivery.id, depth);
    if (depth > 1) overlaps.add(delivery.id);
    inFlight.add(delivery.id);
    try {
      await behavior?.(delivery, signal);
      events.push({ kind: 'ack', delivery });
      acked.add(delivery.id);
    } catch (err) {
      events.push({ kind: 'reject', delivery });
      throw err;
    } finally {
      const left = (running.get(delivery.id) ?? 1) - 1;
      if (left === 0) {
        running.delete(delivery.id);
        inFlight.delete(delivery.id);
      } else running.set(delivery.id, left);
    }
  };

  const missing = (ids: readonly string[]) => ids.filter((id) => !acked.has(id));
  return {
    handler,
    events,
    inFlight,
    overlaps,
    acked: () => events.filter((e) => e.kind === 'ack').map((e) => e.delivery),
    ackedIds: () => new Set(acked),
    missing,
    progress(ids) {
      const left = missing(ids);
      const sample = left.slice(0, 3).join(', ');
      return `${ids.length - left.length}/${ids.length} acked${left.length ? `, missing e.g. ${sample}` : ''}`;
    },
  };
}
