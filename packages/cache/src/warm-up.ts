import type { EntryOptions } from './options.ts';

export interface WarmUpOptions extends Partial<EntryOptions> {
  /** Keys loaded at once. Default: half of `maxConcurrentLoads` (the rest stays for live traffic). */
  concurrency?: number;
}

export interface WarmUpResult {
  /** Keys now cached (loaded, found cached, or cached as "not found"). */
  warmed: number;
  /** Keys whose load failed; the cache stays cold for them. */
  failed: { key: string; error: unknown }[];
}

/**
 * Runs `load` for every key, `concurrency` at a time, and reports what failed instead of throwing:
 * a sale about to open wants as much warm as possible and to know what is not.
 */
export async function warmUp(
  keys: Iterable<string>,
  load: (key: string, entry: Partial<EntryOptions>) => Promise<unknown>,
  options: WarmUpOptions & { concurrency: number },
): Promise<WarmUpResult> {
  const { concurrency, ...entry } = options;
  if (!(concurrency >= 1)) throw new TypeError(`warmUp concurrency must be ≥ 1, got ${concurrency}`);
  const pending = keys[Symbol.iterator]();
  const result: WarmUpResult = { warmed: 0, failed: [] };
  const worker = async () => {
    for (let next = pending.next(); !next.done; next = pending.next()) {
      const key = next.value;
      try {
        await load(key, entry);
        result.warmed++;
      } catch (error) {
        result.failed.push({ key, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.floor(concurrency) }, worker));
  return result;
}
