import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildParams, ChildReport } from './child-protocol.ts';

// The entry beside this file: `.ts` in the repository's sources, `.js` in the published build.
const MAIN = fileURLToPath(
  new URL(`./child-subscriber-main${extname(import.meta.filename)}`, import.meta.url),
);

/** A subscriber running in a child process, for tests that kill it with SIGKILL. */
export interface ChildSubscriber {
  /** Ids the child reported as processed, in order. */
  readonly processed: readonly string[];
  /** Resolves once the child subscribed; rejects if it failed or exited first. */
  readonly ready: Promise<void>;
  /** Kills the child with SIGKILL (no cleanup of any kind) and waits until it is gone. */
  kill(): Promise<void>;
  /** The child's stdout and stderr so far, for failure messages. */
  output(): string;
}

/**
 * The parent's `--conditions` flags: the child imports the transport's module, which must resolve
 * packages as the parent did. (Conditions set through NODE_OPTIONS arrive with the environment.)
 */
function conditionFlags(): string[] {
  const args = process.execArgv;
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg.startsWith('--conditions=')) flags.push(arg);
    else if ((arg === '--conditions' || arg === '-C') && i + 1 < args.length)
      flags.push(arg, args[++i] ?? '');
  }
  return flags;
}

/** Starts `child-subscriber-main` with `process.execPath`, importing `subscriberModule`. */
export function spawnChildSubscriber(subscriberModule: URL, params: ChildParams): ChildSubscriber {
  // A child that inherited the test runner's context would try to report to it.
  const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
  const child = spawn(
    process.execPath,
    [...conditionFlags(), MAIN, subscriberModule.href, JSON.stringify(params)],
    {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    },
  );
  // 'close' comes after the IPC channel and stdio are drained, so no report is missed.
  const closed = once(child, 'close');
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const processed: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: ChildReport) => {
      if (m.kind === 'processed') processed.push(m.id);
      else if (m.kind === 'ready') resolve();
      else reject(new Error(`child subscriber failed: ${m.message}`));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`child subscriber exited (${code ?? signal}) before it was ready:\n${out}`)),
    );
  });
  // Rejections after `ready` resolved are moot; avoid reporting them as unhandled.
  ready.catch(() => {});
  return {
    processed,
    ready,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await closed;
    },
  };
}
