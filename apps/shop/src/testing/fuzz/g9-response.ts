/** A response as both senders (inject, raw socket) see it; header names in lower case. */
export interface SeenResponse {
  status: number;
  headers: Readonly<Record<string, string | number | string[] | undefined>>;
  body: string;
}

const header = (r: SeenResponse, name: string) => {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(', ') : v === undefined ? undefined : String(v);
};

/**
 * What G9 (docs/api.md, errors) promises of every answer, as a list of what it broke (empty: kept):
 * never a 5xx, except a 503 with `Retry-After` (an overload or outage policy answering); every
 * response carries `x-request-id`; every error is `application/problem+json` whose `code` is a
 * stable code, `status` the response's and `instance` the request id; a 405 names in `Allow` the
 * methods there are (not the one refused). `documented(status)` lists the codes the document
 * promises for that status, when the request reached a known operation.
 */
export function g9Violations(
  res: SeenResponse,
  opts: { method: string; documented?: (status: number) => readonly string[] | undefined },
): string[] {
  const broken: string[] = [];
  const requestId = header(res, 'x-request-id');
  if (res.status >= 500 && !(res.status === 503 && header(res, 'retry-after'))) {
    broken.push(`a ${res.status}${res.status === 503 ? ' without Retry-After' : ''}`);
  }
  if (!requestId) broken.push('no x-request-id header');
  if (res.status < 400) return broken;
  if (res.status === 405) {
    // RFC 9110 §15.5.6: Allow lists the methods the target supports, so never the one refused.
    const allow = (header(res, 'allow') ?? '').split(/, */);
    if (allow.includes(opts.method)) broken.push(`a 405 for ${opts.method} whose Allow lists ${opts.method}`);
    if (allow.join('') === '') broken.push('a 405 without Allow');
  }
  if (!/^application\/problem\+json(;|$)/.test(header(res, 'content-type') ?? '')) {
    broken.push(
      `a ${res.status} that is not application/problem+json (content-type ${header(res, 'content-type')})`,
    );
  }
  if (opts.method === 'HEAD') return broken;
  let problem: { code?: unknown; status?: unknown; instance?: unknown };
  try {
    problem = JSON.parse(res.body) as typeof problem;
  } catch {
    return [...broken, `a ${res.status} whose body is not JSON`];
  }
  if (typeof problem.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(problem.code)) {
    broken.push(`a ${res.status} without a stable code (code ${JSON.stringify(problem.code)})`);
  }
  if (problem.status !== res.status) broken.push(`problem status ${String(problem.status)} ≠ ${res.status}`);
  if (problem.instance !== requestId) broken.push('problem instance ≠ x-request-id');
  const documented = opts.documented?.(res.status);
  if (documented && typeof problem.code === 'string' && !documented.includes(problem.code)) {
    broken.push(
      `${res.status} ${problem.code} is not among the documented ${documented.join(', ') || 'none'}`,
    );
  }
  return broken;
}
