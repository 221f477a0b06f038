import fc from 'fast-check';

/**
 * Who a request claims to be. Tokens are resolved when the request is sent (each a fresh real
 * session, so a logout in one run cannot revoke the credential of the next), which keeps the
 * printed counterexample short and the seed enough to reproduce it.
 */
export type Credential =
  | 'none'
  | 'user'
  | 'admin'
  /** Signed by us, for a user id that does not exist. */
  | 'ghost'
  /** Signed by us, admin role, for a user id that does not exist. */
  | 'ghost-admin'
  | 'expired'
  /** Signed by another key under our key id. */
  | 'foreign';

/** One generated request, in the form it travels in (path and query already percent-encoded). */
export interface FuzzRequest {
  /** The operation it was generated from (`operationId`, or `METHOD /path` when hidden). */
  operation: string;
  method: string;
  path: string;
  /** Without the `?`; '' for none. */
  query: string;
  credential: Credential;
  /** An Authorization header sent instead of `credential` (garbage). */
  authorization?: string;
  headers: Readonly<Record<string, string>>;
  body?: string | Buffer;
}

export const urlOf = (r: Pick<FuzzRequest, 'path' | 'query'>) =>
  r.query === '' ? r.path : `${r.path}?${r.query}`;

const preview = (body: string | Buffer) => {
  const text =
    typeof body === 'string' ? body : `<${body.length} bytes> ${body.toString('hex').slice(0, 120)}`;
  return text.length > 300
    ? `${JSON.stringify(text.slice(0, 300))}… (${text.length} chars)`
    : JSON.stringify(text);
};

/** The request as a reader reproduces it: request line, headers, body (escaped, cut at 300 chars). */
export function describeRequest(r: FuzzRequest): string {
  const url = urlOf(r);
  const lines = [`${r.method} ${url.length > 300 ? `${url.slice(0, 300)}… (${url.length} chars)` : url}`];
  if (r.authorization !== undefined)
    lines.push(`authorization: ${JSON.stringify(r.authorization).slice(0, 200)}`);
  else if (r.credential !== 'none') lines.push(`authorization: Bearer <${r.credential} token>`);
  for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${JSON.stringify(v).slice(0, 200)}`);
  if (r.body !== undefined) lines.push('', preview(r.body));
  return `[${r.operation}]\n  ${lines.join('\n  ')}`;
}

/** Gives generated requests a readable form in fast-check's counterexample report. */
export const printable = (r: FuzzRequest): FuzzRequest =>
  Object.assign(r, { [fc.toStringMethod]: () => describeRequest(r) });
