/**
 * What the cache stores for "the loader found nothing" (penetration protection, ADR 0005):
 * bentocache refuses `undefined`, and `null` may be a real value. A cached value that has this
 * exact shape reads back as `undefined`.
 */
export const NEGATIVE_ENTRY = Object.freeze({ '~surge-cache': 'not-found' });

export function isNegativeEntry(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)['~surge-cache'] === 'not-found'
  );
}
