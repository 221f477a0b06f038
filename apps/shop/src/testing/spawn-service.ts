import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from '@surge/test-support';
import { loadConfig } from '../config.ts';
import { createTokenService, generateKeyPem, type TokenService } from '../modules/sessions/tokens.ts';
import { GENEROUS_RATE_LIMITS, TEST_MYSQL_URL } from './test-app.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | null>;
  /** The process's JWT keys (generated unless `env` gave them). */
  jwtKeys: { privateKeyPem: string; publicKeyPem: string };
}

/** Runs `main.ts` as a real child process (production profile unless overridden), with `args`. */
export async function spawnService(
  env: Record<string, string> = {},
  opts: { args?: readonly string[] } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const keys = await generateKeyPem();
  // main.ts runs from the TypeScript sources, so `@surge/*` must resolve to theirs (ADR 0007); the
  // child's environment is built from scratch, so NODE_OPTIONS does not carry the condition here.
  const child = spawn(process.execPath, ['--conditions=@surge/source', MAIN, ...(opts.args ?? [])], {
    env: {
      PATH: process.env.PATH,
      MYSQL_URL: process.env.MYSQL_URL ?? TEST_MYSQL_URL,
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      ...(process.env.KAFKA_BROKERS ? { KAFKA_BROKERS: process.env.KAFKA_BROKERS } : {}),
      SURGE_PROFILE: 'production',
      PORT: String(port),
      LOG_LEVEL: 'info',
      JWT_PRIVATE_KEY: keys.privateKeyPem,
      JWT_PUBLIC_KEY: keys.publicKeyPem,
      ...GENEROUS_RATE_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const jwtKeys = {
    privateKeyPem: env.JWT_PRIVATE_KEY ?? keys.privateKeyPem,
    publicKeyPem: env.JWT_PUBLIC_KEY ?? keys.publicKeyPem,
  };
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => out, exited, jwtKeys };
}

/** Signs access tokens the spawned service accepts (its own key), e.g. for storm buyers. */
export async function serviceTokens(svc: ServiceProcess): Promise<TokenService> {
  const { jwt } = loadConfig({
    ...process.env,
    JWT_PRIVATE_KEY: svc.jwtKeys.privateKeyPem,
    JWT_PUBLIC_KEY: svc.jwtKeys.publicKeyPem,
  });
  return createTokenService(jwt);
}

/** Polls `path` until it answers `status` or the process exits; bounded by `timeoutMs`. */
export async function waitFor(
  svc: ServiceProcess,
  path: string,
  status = 200,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (svc.child.exitCode !== null) throw new Error(`service exited early:\n${svc.output()}`);
    try {
      const res = await fetch(svc.baseUrl + path, { signal: AbortSignal.timeout(2000) });
      if (res.status === status) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms:\n${svc.output()}`);
}
