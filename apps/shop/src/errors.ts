/**
 * Domain errors: a stable `code` (part of the API contract: never rename one), a message for
 * humans, the `cause` kept. No HTTP status: the error handler alone maps codes to statuses
 * (http/error-handler.ts, with the codes each feature module declares).
 */
export class DomainError extends Error {
  readonly code: string;
  /** Seconds a client should wait before retrying (the failure is temporary). */
  readonly retryAfterSec: number | undefined;
  /** A stable sub-reason clients may branch on (`insufficient_funds` of PAYMENT_DECLINED). */
  readonly reason: string | undefined;

  constructor(
    code: string,
    message: string,
    opts: { cause?: unknown; retryAfterSec?: number; reason?: string } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'DomainError';
    this.code = code;
    this.retryAfterSec = opts.retryAfterSec;
    this.reason = opts.reason;
  }
}

/** Guard instead of `instanceof`, so errors from another copy of this module still match. */
export const isDomainError = (e: unknown): e is DomainError =>
  e instanceof Error && e.name === 'DomainError' && typeof (e as DomainError).code === 'string';

/** No such resource — or one the caller may not know exists (G10: same answer). */
export const notFound = (what: string) => new DomainError('NOT_FOUND', `no ${what} with this id`);

export const unauthorized = (detail = 'missing or invalid access token', cause?: unknown) =>
  new DomainError('UNAUTHORIZED', detail, { cause });

export const forbidden = (detail: string) => new DomainError('FORBIDDEN', detail);

/** A dependency this request needs is down: the client may retry shortly. */
export const dependencyUnavailable = (dependency: string, cause?: unknown) =>
  new DomainError('DEPENDENCY_UNAVAILABLE', `${dependency} is unavailable; retry shortly`, {
    cause,
    retryAfterSec: 1,
  });

export const invalidCursor = () => new DomainError('INVALID_CURSOR', 'the cursor is not valid');

/** The client sent more requests than a rate-limit policy allows; it may retry after `retryAfterSec`. */
export const rateLimited = (retryAfterSec: number) =>
  new DomainError('RATE_LIMITED', `too many requests; retry after ${retryAfterSec} s`, { retryAfterSec });
