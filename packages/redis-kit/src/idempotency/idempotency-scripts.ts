import { defineScript } from '../scripts/define-script.ts';
import { replyCodes, UnexpectedScriptReplyError } from '../scripts/reply-codes.ts';

/** A response as stored and replayed: status, the headers the caller chose to keep, body bytes. */
export interface StoredResponse {
  /** HTTP status, 100..499. */
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as it was sent. */
  readonly body: Buffer;
}

/** What `idempotency-acquire-1.lua` answered, before the store adds the holder's methods. */
export type AcquireReply =
  | { kind: 'acquired'; attempt: number; firstAttempt: string | undefined }
  | { kind: 'inProgress'; retryAfterMs: number }
  | { kind: 'mismatch' }
  | { kind: 'replay'; response: StoredResponse };

const text = (v: unknown): string | undefined =>
  Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined;

const acquireCode = replyCodes('idempotency-acquire-1', {
  ACQUIRED: 'acquired',
  IN_PROGRESS: 'inProgress',
  MISMATCH: 'mismatch',
  REPLAY: 'replay',
});

function parseHeaders(json: string | undefined): Record<string, string> | undefined {
  if (json === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return Object.values(parsed).every((v) => typeof v === 'string')
      ? (parsed as Record<string, string>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Maps the raw reply of `idempotency-acquire-1.lua` (run with buffer replies); throws on anything else. */
export function parseAcquireReply(reply: unknown): AcquireReply {
  const fail = () => new UnexpectedScriptReplyError('idempotency-acquire-1', reply);
  if (!Array.isArray(reply)) throw fail();
  const [code, a, b, c] = reply as unknown[];
  const kind = acquireCode(text(code));
  switch (kind) {
    case 'acquired': {
      if (typeof a !== 'number' || (b !== 0 && b !== 1)) throw fail();
      return { kind, attempt: a, firstAttempt: b === 1 ? text(c) : undefined };
    }
    case 'inProgress':
      if (typeof a !== 'number') throw fail();
      return { kind, retryAfterMs: a };
    case 'mismatch':
      return { kind };
    case 'replay': {
      const headers = parseHeaders(text(b));
      if (typeof a !== 'number' || headers === undefined || !Buffer.isBuffer(c)) throw fail();
      return { kind, response: { status: a, headers, body: c } };
    }
  }
}

export const acquireScript = defineScript(
  new URL('./idempotency-acquire-1.lua', import.meta.url),
  parseAcquireReply,
  { replies: 'buffers' },
);

export const completeScript = defineScript(
  new URL('./idempotency-complete-1.lua', import.meta.url),
  replyCodes('idempotency-complete-1', { 1: 'stored', 0: 'not-held' }),
);

export const abandonScript = defineScript(
  new URL('./idempotency-abandon-1.lua', import.meta.url),
  replyCodes('idempotency-abandon-1', { 1: 'abandoned', 0: 'not-held' }),
);
