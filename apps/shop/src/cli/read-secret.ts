const ENTER = new Set(['\r', '\n']);
const ERASE = new Set(['\u007f', '\b']);
const INTERRUPT = '\u0003';
const END = '\u0004';

/**
 * Asks for a secret on a terminal without echoing it: the terminal is put in raw mode, so the
 * characters typed are not shown, and restored afterwards. Backspace erases, Enter (or Ctrl-D)
 * ends, Ctrl-C rejects. The prompt goes to `output` (stderr by default, so stdout stays for the
 * command's result).
 * @throws Error `E_INTERRUPTED` on Ctrl-C
 */
export function readSecret(
  prompt: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let secret = '';
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(secret);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === INTERRUPT) return done(Object.assign(new Error('interrupted'), { code: 'E_INTERRUPTED' }));
        if (ENTER.has(ch) || ch === END) return done();
        if (ERASE.has(ch)) secret = [...secret].slice(0, -1).join('');
        else secret += ch;
      }
    };
    output.write(prompt);
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}
