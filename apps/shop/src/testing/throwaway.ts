import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './spawn-service.ts';

const run = promisify(execFile);
const KAFKA_SH = fileURLToPath(new URL('../../../../scripts/infra/kafka.sh', import.meta.url));

/**
 * A second Kafka node on its own ports, for tests that stop and start a broker. Never the shared
 * one on 9092 (other tests and CI rely on it).
 */
export function throwawayKafka(port: number) {
  const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1) };
  return {
    brokers: `127.0.0.1:${port}`,
    up: () => run('bash', [KAFKA_SH, 'up'], { env, timeout: 180_000 }),
    down: () => run('bash', [KAFKA_SH, 'down'], { env, timeout: 60_000 }),
  };
}

/** A second redis-server on a free port, with no persistence; `stop` kills it like an outage. */
export async function throwawayRedis() {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'surge-redis-'));
  let child: ReturnType<typeof spawn> | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 100; i++) {
      try {
        await run('redis-cli', ['-p', String(port), 'ping']);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`throwaway redis on ${port} did not start`);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
