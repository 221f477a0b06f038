import assert from 'node:assert/strict';

/**
 * A hang detector, not a timing threshold: however a dependency fails, every request is answered
 * within this (G8: nothing hangs). How fast each one was is reported, never asserted.
 */
export const ANSWER_WITHIN_MS = 15_000;

export interface Answer {
  status: number;
  /** Reported in the matrix only. */
  ms: number;
  retryAfter: string | null;
  contentType: string;
  body: Record<string, unknown>;
}

/** One HTTP call, answered within {@link ANSWER_WITHIN_MS} or failing the test as a hang. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
  } catch (err) {
    // A timeout here is a hang; a refused connection, a dead listener (or process).
    const why = String((err as { cause?: unknown }).cause ?? err);
    throw new Error(`${method} ${path} got no answer within ${ANSWER_WITHIN_MS} ms: ${why}`, { cause: err });
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: asserted by the caller where it matters
  }
  return {
    status: res.status,
    ms: Math.round(performance.now() - started),
    retryAfter: res.headers.get('retry-after'),
    contentType: res.headers.get('content-type') ?? '',
    body,
  };
}

export const summary = (a: Answer) =>
  `${a.status}${typeof a.body.code === 'string' ? ` ${a.body.code}` : ''} ${a.ms} ms`;

/** 503 DEPENDENCY_UNAVAILABLE as problem+json with a Retry-After: an outage, never a 500. */
export function assertUnavailable(what: string, a: Answer) {
  assert.equal(a.status, 503, `${what}: ${JSON.stringify(a)}`);
  assert.match(a.contentType, /^application\/problem\+json/, what);
  assert.equal(a.body.code, 'DEPENDENCY_UNAVAILABLE', what);
  assert.match(a.retryAfter ?? '', /^[1-9][0-9]*$/, `${what}: Retry-After`);
}
