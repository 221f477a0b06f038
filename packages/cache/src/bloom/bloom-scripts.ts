import { defineScript, replyCodes } from '@surge/redis-kit';

const file = (name: string) => new URL(name, import.meta.url);

/** The Bloom filter's scripts, their replies named once (see each script's header). */
export const bloomScripts = {
  add: defineScript(file('./bloom-add-1.lua'), replyCodes('bloom-add-1', { 1: 'added', 0: 'no-bitmap' })),
  check: defineScript(
    file('./bloom-check-1.lua'),
    replyCodes('bloom-check-1', { 1: 'maybe', 0: 'absent', '-1': 'not-built' }),
  ),
  begin: defineScript(file('./bloom-begin-2.lua'), replyCodes('bloom-begin-2', { 1: 'started', 0: 'busy' })),
  fill: defineScript(file('./bloom-fill-2.lua'), replyCodes('bloom-fill-2', { 1: 'filled', 0: 'lost' })),
  swap: defineScript(file('./bloom-swap-3.lua'), replyCodes('bloom-swap-3', { 1: 'swapped', 0: 'lost' })),
  abort: defineScript(
    file('./bloom-abort-2.lua'),
    replyCodes('bloom-abort-2', { 1: 'released', 0: 'not-held' }),
  ),
} as const;
