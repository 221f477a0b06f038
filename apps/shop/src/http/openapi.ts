import { Type } from 'typebox';

/**
 * RFC 9457 problem details as every error response carries them (problem.ts builds them), shared
 * by every operation as `#/components/schemas/Problem` (api-docs.ts registers it). Strict: Fastify
 * serializes error bodies with it, so nothing else ever leaves in one.
 */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'https://surge.dev/problems/<code in kebab case>' }),
    title: Type.String({ description: 'The HTTP reason phrase' }),
    status: Type.Integer({ description: 'The HTTP status code' }),
    code: Type.String({ description: 'Stable machine-readable error code, e.g. EMAIL_TAKEN' }),
    detail: Type.Optional(Type.String({ description: 'What went wrong, for a human' })),
    instance: Type.String({ description: 'The request id (also in the x-request-id header)' }),
    reason: Type.Optional(
      Type.String({
        description: 'A stable sub-reason, e.g. the card’s decline code on 402 PAYMENT_DECLINED',
      }),
    ),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String({ description: 'e.g. body/password, params/id, querystring/limit' }),
          message: Type.String(),
        }),
        { description: 'Each failing field, on 400 VALIDATION_FAILED' },
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

/** For each status, the stable codes a response with that status can carry. */
export type ProblemCodes = Readonly<Partial<Record<number, readonly string[]>>>;

/** A query string that fails its schema. */
export const INVALID_QUERY: ProblemCodes = { 400: ['VALIDATION_FAILED'] };

/**
 * A path parameter that fails its schema (docs/api.md: a malformed id is 400), is not valid
 * percent-encoding, or is longer than the router allows (error-handler.ts `frameworkErrors`).
 */
export const PATH_PARAMS: ProblemCodes = { 400: ['BAD_URL', 'VALIDATION_FAILED'], 414: ['URI_TOO_LONG'] };

/**
 * A request whose body Fastify parses when one is sent (POST, PATCH, DELETE): the codes
 * error-handler.ts gives the content-type parser's errors.
 */
export const PARSED_BODY: ProblemCodes = {
  400: ['BAD_REQUEST', 'INVALID_CONTENT_LENGTH', 'MALFORMED_JSON'],
  413: ['BODY_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
};

/** A parsed body that is then checked against the route's body schema. */
export const VALIDATED_BODY: ProblemCodes = {
  ...PARSED_BODY,
  400: [...(PARSED_BODY[400] ?? []), 'VALIDATION_FAILED'],
};

/** Over a rate limit (docs/adr/0010-rate-limits.md); `Retry-After` and the `RateLimit` fields say when to retry. */
export const RATE_LIMITED: ProblemCodes = { 429: ['RATE_LIMITED'] };

/**
 * Behind `app.authenticate`: no, a malformed, an expired or a revoked bearer token; or over the
 * per-user budget every authenticated route has.
 */
export const AUTHENTICATED: ProblemCodes = { 401: ['UNAUTHORIZED'], ...RATE_LIMITED };

/** Behind `app.authenticate` and `app.requireRole('admin')`. */
export const ADMIN_ONLY: ProblemCodes = { 401: ['UNAUTHORIZED'], 403: ['FORBIDDEN'], ...RATE_LIMITED };

/** A dependency the route cannot do without is down (docs/architecture.md, degradation); `Retry-After` says when to retry. */
export const DEPENDENCY_DOWN: ProblemCodes = { 503: ['DEPENDENCY_UNAVAILABLE'] };

/**
 * Any route: an unexpected error, with nothing internal in the body (the log has the stack); and
 * 503 `OVERLOADED` with `Retry-After` when the service is at capacity (load shedding, or a full
 * bulkhead in front of a dependency: ADR 0011).
 */
const ANY_ROUTE: ProblemCodes = { 500: ['INTERNAL'], 503: ['OVERLOADED'] };

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation; `errors` lists each failing field',
  401: 'Missing, invalid, expired or revoked credentials',
  402: 'The payment was declined',
  403: 'The caller lacks the required role',
  404: 'No such resource (or not the caller’s)',
  409: 'The request conflicts with the current state',
  413: 'The body is larger than 16 KiB',
  414: 'A path parameter is longer than the router allows',
  415: 'The body is not application/json',
  422: 'The request is well-formed but cannot be processed',
  429: 'Too many requests; `Retry-After` and the `RateLimit` / `RateLimit-Policy` fields say when to retry',
  500: 'An unexpected error; nothing internal is revealed',
  503: 'The service is at capacity or a dependency is unavailable; `Retry-After` says when to retry',
};

/** The `schema.response` entry of one problem status (the content form keeps its media type). */
const problemResponse = (status: number, codes: readonly string[]) => ({
  description: DESCRIPTIONS[status] ?? 'Error',
  content: {
    'application/problem+json': {
      schema: {
        allOf: [
          { $ref: 'Problem#' },
          {
            type: 'object',
            properties: {
              status: { type: 'integer', enum: [status] },
              code: { type: 'string', enum: codes },
            },
          },
        ],
      },
    },
  },
});

/**
 * The error responses of a route for `schema.response`: every status of every set documented as
 * `application/problem+json` listing its possible codes (sets with the same status merge), plus
 * 500 `INTERNAL` and 503 `OVERLOADED`, which any route can answer.
 */
export function problems(...sets: ProblemCodes[]) {
  const merged = new Map<number, Set<string>>();
  for (const set of [...sets, ANY_ROUTE]) {
    for (const [status, codes] of Object.entries(set)) {
      const known = merged.get(Number(status)) ?? new Set<string>();
      for (const c of codes ?? []) known.add(c);
      merged.set(Number(status), known);
    }
  }
  return Object.fromEntries(
    [...merged].map(([status, codes]) => [status, problemResponse(status, [...codes].sort())]),
  );
}
