import { readFileSync } from 'node:fs';
import type { Cluster, Redis, Result } from 'ioredis';

const lua = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');

/** Script name → file and key count; the count is in the file name (BullMQ convention). */
const SCRIPTS = {
  surgeBloomAdd: { numberOfKeys: 1, lua: lua('./bloom-add-1.lua') },
  surgeBloomCheck: { numberOfKeys: 1, lua: lua('./bloom-check-1.lua') },
  surgeBloomBegin: { numberOfKeys: 2, lua: lua('./bloom-begin-2.lua') },
  surgeBloomFill: { numberOfKeys: 2, lua: lua('./bloom-fill-2.lua') },
  surgeBloomSwap: { numberOfKeys: 3, lua: lua('./bloom-swap-3.lua') },
  surgeBloomAbort: { numberOfKeys: 2, lua: lua('./bloom-abort-2.lua') },
} as const;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    surgeBloomAdd(bitmap: string, ...offsets: number[]): Result<number, Context>;
    surgeBloomCheck(live: string, ...offsets: number[]): Result<number, Context>;
    surgeBloomBegin(
      pointer: string,
      building: string,
      lastBit: number,
      ttlMs: number,
    ): Result<number, Context>;
    surgeBloomFill(
      pointer: string,
      building: string,
      ttlMs: number,
      ...offsets: number[]
    ): Result<number, Context>;
    surgeBloomSwap(pointer: string, building: string, live: string): Result<number, Context>;
    surgeBloomAbort(pointer: string, building: string): Result<number, Context>;
  }
}

/** Defines the Bloom filter scripts on `redis` (idempotent; EVALSHA with EVAL fallback). */
export function defineBloomScripts(redis: Redis | Cluster): void {
  for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
}

/** Return codes of the scripts, mapped once; see each script's header. */
const CODES = {
  add: { 1: 'added', 0: 'no-bitmap' },
  check: { 1: 'maybe', 0: 'absent', [-1]: 'not-built' },
  begin: { 1: 'started', 0: 'busy' },
  fill: { 1: 'filled', 0: 'lost' },
  swap: { 1: 'swapped', 0: 'lost' },
  abort: { 1: 'released', 0: 'not-held' },
} as const;

type Codes = typeof CODES;
type Named<S extends keyof Codes> = Codes[S][keyof Codes[S]];

/** Names the return code of one of the scripts; throws on a code the script cannot return. */
export function bloomResult<S extends keyof Codes>(script: S, code: unknown): Named<S> {
  const table: Readonly<Partial<Record<number, string>>> = CODES[script];
  const named = table[Number(code)];
  if (named === undefined) throw new Error(`bloom: unexpected ${script} script result ${String(code)}`);
  return named as Named<S>;
}
