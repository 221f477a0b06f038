import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** What one use of an idempotency key found. */
export type KeyUse =
  | { kind: 'new'; finish(status: number, body: unknown): void; abandon(): void }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'in-use' }
  | { kind: 'reused' };

type Entry = { fingerprint: string } & (
  { state: 'running' } | { state: 'done'; status: number; body: unknown }
);

/**
 * Idempotency keys as processors keep them: the first request with a key runs, a concurrent one
 * is refused while it runs, a later one with the same parameters gets the stored result (status
 * and body), one with other parameters is refused. Results are kept `ttlMs` (24 h); a request
 * that failed before it did anything (`abandon`: an injected 5xx) stores nothing, so its retry runs.
 */
export function createIdempotencyKeys(opts: { ttlMs?: number; max?: number } = {}) {
  const entries = new LRUCache<string, Entry>({
    max: opts.max ?? 1_000_000,
    ttl: opts.ttlMs ?? 24 * 3_600_000,
  });
  return {
    use(scope: string, key: string, fingerprint: string): KeyUse {
      const id = `${scope}\u0000${key}`;
      const found = entries.get(id);
      if (found) {
        if (found.fingerprint !== fingerprint) return { kind: 'reused' };
        if (found.state === 'running') return { kind: 'in-use' };
        return { kind: 'replay', status: found.status, body: found.body };
      }
      entries.set(id, { fingerprint, state: 'running' });
      return {
        kind: 'new',
        finish: (status, body) => entries.set(id, { fingerprint, state: 'done', status, body }),
        abandon: () => entries.delete(id),
      };
    },
    clear: () => entries.clear(),
  };
}

export type IdempotencyKeys = ReturnType<typeof createIdempotencyKeys>;

/** Method, path and the body with its object keys sorted: the same request, however it was serialised. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`)
    .digest('base64url');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
