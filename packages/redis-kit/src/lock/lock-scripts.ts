import { defineScript } from '../scripts/define-script.ts';
import { replyCodes, UnexpectedScriptReplyError } from '../scripts/reply-codes.ts';

/** `fenced-lock-2.lua`: the fencing token when taken, undefined when another holds the lock. */
export const acquireScript = defineScript(new URL('./fenced-lock-2.lua', import.meta.url), (reply) => {
  const [taken, value] = Array.isArray(reply) ? (reply as unknown[]) : [];
  if ((taken !== 0 && taken !== 1) || typeof value !== 'number') {
    throw new UnexpectedScriptReplyError('fenced-lock-2', reply);
  }
  return taken === 1 ? { fencingToken: value } : undefined;
});
export const renewScript = defineScript(
  new URL('./renew-lock-1.lua', import.meta.url),
  replyCodes('renew-lock-1', { 1: 'renewed', 0: 'not-held' }),
);
export const unlockScript = defineScript(
  new URL('./unlock-1.lua', import.meta.url),
  replyCodes('unlock-1', { 1: 'released', 0: 'not-held' }),
);
