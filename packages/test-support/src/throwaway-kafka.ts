import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
// The repository's own broker script (ADR 0002): a second node with its own ports and data dir.
const KAFKA_SH = fileURLToPath(new URL('../../../scripts/infra/kafka.sh', import.meta.url));

/**
 * A Kafka node of the test's own on `port` (controller on `port + 1`) — never the shared 9092.
 * Not started until `up()`; `down()` keeps its data, so `up()` again is a restart.
 */
export function throwawayKafka(port: number) {
  const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1) };
  const up = async () => void (await run('bash', [KAFKA_SH, 'up'], { env, timeout: 180_000 }));
  const down = async () => void (await run('bash', [KAFKA_SH, 'down'], { env, timeout: 60_000 }));
  return {
    brokers: [`127.0.0.1:${port}`],
    up,
    down,
    async restart() {
      await down();
      await up();
    },
  };
}

export type ThrowawayKafka = ReturnType<typeof throwawayKafka>;
