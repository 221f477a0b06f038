import { createHash } from 'node:crypto';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { readScriptFile } from './script-file.ts';

/** What a script runs on: a client, or a Cluster (a script's keys then share one hash slot). */
export type RedisClient = Redis | Cluster;
/** A key or argument; a Buffer is sent as its bytes. */
export type ScriptArg = string | number | Buffer;

/** Options of {@link defineScript}. */
export interface DefineScriptOptions {
  /**
   * `'buffers'`: bulk-string replies reach `parse` as `Buffer`s (ioredis' `<command>Buffer`
   * variant), for scripts that return binary data. Integers stay numbers. Default `'strings'`
   * (UTF-8 decoded, which corrupts bytes that are not UTF-8).
   */
  replies?: 'strings' | 'buffers';
}

/** A Lua script with its key count and its reply mapping; see {@link defineScript}. */
export interface RedisScript<Result> {
  /** The ioredis command it is defined as: file name + hash of the source, unique per version. */
  readonly name: string;
  /** From the file name: `rotate-refresh-2.lua` takes 2 keys; `null` for `gcra-n.lua` (one or more). */
  readonly numberOfKeys: number | null;
  /** The script's source. */
  readonly lua: string;
  /**
   * Runs the script (EVALSHA, and EVAL once per connection when Redis answers NOSCRIPT: ioredis
   * `defineCommand`, defined on `redis` on first use) and maps its reply. Rejects with
   * `UnexpectedScriptReplyError` on a reply the mapping does not know, or with Redis' error.
   */
  run(redis: RedisClient, keys: readonly string[], args?: readonly ScriptArg[]): Promise<Result>;
  /**
   * Queues the script on a MULTI or pipeline; map its reply from `exec()` with `parse`. The
   * client must have the script defined before it created the pipeline ({@link defineScripts}):
   * ioredis copies the defined commands into a pipeline when it creates it.
   */
  queue(pipeline: ChainableCommander, keys: readonly string[], args?: readonly ScriptArg[]): void;
  /** Maps a raw reply; throws on one the script cannot return. */
  parse(reply: unknown): Result;
}

type Commands = Record<string, (...args: ScriptArg[]) => Promise<unknown>>;
type Queue = Record<string, (...args: ScriptArg[]) => unknown>;

/**
 * Loads the script at `file` — beside its module, with a key count in its name and a KEYS/ARGV/
 * Returns header (checked now; see `checkScript`) — and pairs it with `parse`, usually a
 * `replyCodes(…)` table. Call at module top level:
 * `const unlock = defineScript(new URL('./unlock-1.lua', import.meta.url), replyCodes(…))`.
 */
export function defineScript<Result>(
  file: URL,
  parse: (reply: unknown) => Result,
  opts: DefineScriptOptions = {},
): RedisScript<Result> {
  const { id, numberOfKeys, lua } = readScriptFile(file);
  const sha = createHash('sha1').update(lua).digest('hex').slice(0, 10);
  const name = `surge_${id.replaceAll('-', '_')}_${sha}`;
  // ioredis defines both on defineCommand (and copies both into pipelines).
  const command = opts.replies === 'buffers' ? `${name}Buffer` : name;
  // A script with a fixed key count is defined with it (ioredis sends it); a variadic one
  // (`-n.lua`) is defined without, so the key count goes first in every call.
  const argv = (keys: readonly string[], args: readonly ScriptArg[]): ScriptArg[] => {
    if (numberOfKeys === null) {
      if (keys.length === 0) throw new TypeError(`${id}.lua takes one or more keys, got none`);
      return [keys.length, ...keys, ...args];
    }
    if (keys.length !== numberOfKeys) {
      throw new TypeError(`${id}.lua takes ${numberOfKeys} keys, got ${keys.length}`);
    }
    return [...keys, ...args];
  };
  const script: RedisScript<Result> = {
    name,
    numberOfKeys,
    lua,
    async run(redis, keys, args = []) {
      const call = argv(keys, args);
      const commands = redis as unknown as Commands;
      if (typeof commands[name] !== 'function') defineScripts(redis, [script]);
      return parse(await commands[command]!(...call));
    },
    queue(pipeline, keys, args = []) {
      const call = argv(keys, args);
      const queued = (pipeline as unknown as Queue)[command];
      if (typeof queued !== 'function') {
        throw new TypeError(`${id}.lua is not defined on this pipeline's client: call defineScripts first`);
      }
      queued.apply(pipeline, call);
    },
    parse,
  };
  return script;
}

/** Defines scripts on `redis` now (idempotent), so pipelines created afterwards can `queue` them. */
export function defineScripts(redis: RedisClient, scripts: ReadonlyArray<RedisScript<unknown>>): void {
  for (const { name, numberOfKeys, lua } of scripts) {
    if (typeof (redis as unknown as Commands)[name] !== 'function') {
      redis.defineCommand(name, numberOfKeys === null ? { lua } : { numberOfKeys, lua });
    }
  }
}
