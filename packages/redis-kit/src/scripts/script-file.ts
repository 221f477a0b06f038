import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Lua script file checked against the conventions (CONTRIBUTING.md, BullMQ): see {@link readScriptFile}. */
export interface ScriptFile {
  /** File name without `.lua`, e.g. `rotate-refresh-2`. */
  readonly id: string;
  /** From the file name; `null` for a script named `<name>-n.lua`, which takes any number of keys. */
  readonly numberOfKeys: number | null;
  readonly lua: string;
}

const FILE_NAME = /^([a-z0-9]+(?:-[a-z0-9]+)*)-(\d+|n)\.lua$/;

/**
 * Checks a script's source against the conventions and returns its key count:
 * - the file name ends in its key count: `unlock-1.lua` takes KEYS[1], `bloom-swap-3.lua` three,
 *   `gcra-n.lua` any number from one (its header then says `KEYS[1..n]`);
 * - it starts with a `--` comment header that names every key (`KEYS[1]` … or `KEYS[1..n]`), says
 *   `ARGV` when the body reads ARGV, and says what it `Returns`.
 * Throws a TypeError naming the file and what is missing, so a script without its header fails
 * at import time, not in production.
 */
export function checkScript(fileName: string, lua: string): ScriptFile {
  const match = FILE_NAME.exec(fileName);
  if (!match) throw new TypeError(`${fileName}: a Lua script is named <kebab-name>-<key count>.lua`);
  const numberOfKeys = match[2] === 'n' ? null : Number(match[2]);
  const header = /^(?:--[^\n]*(?:\n|$))+/.exec(lua)?.[0] ?? '';
  const missing: string[] = [];
  if (numberOfKeys === null) {
    if (!header.includes('KEYS[1..n]')) missing.push('KEYS[1..n]');
  } else {
    const range = /KEYS\[1\.\.(\d+)\]/.exec(header);
    for (let i = 1; i <= numberOfKeys; i++) {
      if (!header.includes(`KEYS[${i}]`) && !(range && Number(range[1]) >= i)) missing.push(`KEYS[${i}]`);
    }
  }
  if (/\bARGV\b/.test(lua.slice(header.length)) && !header.includes('ARGV')) missing.push('ARGV');
  if (!/\bReturns\b/.test(header)) missing.push('Returns');
  if (missing.length > 0) {
    throw new TypeError(`${fileName}: the header comment must describe ${missing.join(', ')}`);
  }
  return Object.freeze({ id: `${match[1]}-${match[2]}`, numberOfKeys, lua });
}

/** Reads and checks the script at `file` (a `new URL('./x-1.lua', import.meta.url)`). */
export function readScriptFile(file: URL): ScriptFile {
  return checkScript(basename(fileURLToPath(file)), readFileSync(file, 'utf8'));
}
