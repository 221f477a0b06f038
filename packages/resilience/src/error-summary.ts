/** Default bound of a summary, in characters. */
const MAX_CHARS = 300;

const messageOf = (e: unknown): string =>
  e instanceof Error ? e.message : typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e));

const codeOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The errors at the bottom of `err`'s `cause` and `AggregateError.errors` chains. */
function rootsOf(err: unknown, seen = new Set<unknown>()): unknown[] {
  if (err === null || typeof err !== 'object' || seen.has(err)) return [err];
  seen.add(err);
  const errors = (err as { errors?: unknown }).errors;
  const below = [
    ...(Array.isArray(errors) ? (errors as unknown[]) : []),
    ...((err as { cause?: unknown }).cause === undefined ? [] : [(err as { cause?: unknown }).cause]),
  ];
  return below.length === 0 ? [err] : below.flatMap((e) => rootsOf(e, seen));
}

/**
 * One short line for a log field: what failed and, once each, why at the bottom of its causes —
 * `Listing topics failed. ← connect ECONNREFUSED 127.0.0.1:9092 (ECONNREFUSED)`. For warnings
 * that repeat while a dependency is down, where the serialized error (a client's nested
 * `AggregateError`s, four stacks each) ran to ~10 KB a line (issue 8, finding 13). No stack.
 * @param maxChars bound of the result; default 300
 */
export function errorSummary(err: unknown, maxChars = MAX_CHARS): string {
  const top = messageOf(err);
  const reasons = new Set<string>();
  for (const root of rootsOf(err)) {
    if (root === err) continue;
    const code = codeOf(root);
    const message = messageOf(root);
    reasons.add(code === undefined || message.includes(code) ? message : `${message} (${code})`);
  }
  const line = [top, ...[...reasons].filter((r) => r !== top)].join(' ← ');
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}
