import { SchemaError } from '../schema-error.ts';
import type { EventRegistry } from '../events.ts';
import type { Middleware } from './middleware.ts';

/**
 * Rejects, as fatal `SchemaError` (dead-letter at once, never retried), a delivery that could not
 * be decoded, has an unknown `ce_type`, or whose data fails its event type's schema.
 */
export function validate(registry: EventRegistry): Middleware {
  return (next) => async (delivery, signal) => {
    if (delivery.malformed !== undefined) throw new SchemaError(`malformed record: ${delivery.malformed}`);
    registry.validate(delivery);
    await next(delivery, signal);
  };
}
