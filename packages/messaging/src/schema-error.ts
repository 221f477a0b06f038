/**
 * A record that does not match its event type's schema: it can never be processed, so it is
 * fatal (resilience's `fatal` marker) and the router dead-letters it at once (packages/messaging/README.md).
 */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  readonly fatal = true;
}
