/** A script answered something its header says it cannot: a bug or a script of another version. */
export class UnexpectedScriptReplyError extends Error {
  override readonly name = 'UnexpectedScriptReplyError';
  readonly code = 'E_SCRIPT_REPLY';
  readonly script: string;
  readonly reply: unknown;
  constructor(script: string, reply: unknown) {
    super(`${script}: unexpected reply ${JSON.stringify(reply) ?? String(reply)}`);
    this.script = script;
    this.reply = reply;
  }
}

/**
 * Maps the codes a script returns — integers (`1`, `0`, `-1`) or status strings (`'ROTATED'`) —
 * to named results, once, beside the script: `replyCodes('unlock-1', { 1: 'released', 0: 'not-held' })`.
 * The returned function throws {@link UnexpectedScriptReplyError} for any other reply.
 */
export function replyCodes<const Codes extends Readonly<Record<string, string>>>(
  script: string,
  codes: Codes,
): (reply: unknown) => Codes[keyof Codes] {
  const table = new Map<string, Codes[keyof Codes]>(
    Object.entries(codes) as Array<[string, Codes[keyof Codes]]>,
  );
  return (reply) => {
    const named =
      typeof reply === 'number' || typeof reply === 'string' ? table.get(String(reply)) : undefined;
    if (named === undefined) throw new UnexpectedScriptReplyError(script, reply);
    return named;
  };
}
