import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
// The repository's own broker script (ADR 0002): a second node with its own ports and data dir.
const KAFKA_SH = fileURLToPath(new URL('../../../scripts/infra/kafka.sh', import.meta.url));

/**
 * A Kafka node of the test's own on `port` (controller on `port + 1`) — never the shared 9092.
 * Pick ports below 32768: Linux hands out 32768–60999 as ephemeral ports, so a fixed port there
 * is sometimes already taken by some client's socket (a broker failed to bind 49092 in CI). In use:
 * 19092 (health), 29192 (kafka-faults), 29292 (kafka-outage), 29392 (kafka contract), 29492
 * (dead-letter-outage).
 * Not started until `up()`; `down()` keeps its data, so `up()` again is a restart.
 * @param opts.advertisedPort the port the broker tells clients to use: a fault proxy's, started
 *   before `up()` (the readiness probe goes through it too), so that every client connection
 *   passes the proxy; `brokers` is then the proxy. Default `port`.
 */
export function throwawayKafka(port: number, opts: { advertisedPort?: number } = {}) {
  const advertised = opts.advertisedPort ?? port;
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_ADVERTISED_PORT: String(advertised),
  };
  const up = async () => void (await run('bash', [KAFKA_SH, 'up'], { env, timeout: 180_000 }));
  const down = async () => void (await run('bash', [KAFKA_SH, 'down'], { env, timeout: 60_000 }));
  return {
    brokers: [`127.0.0.1:${advertised}`],
    up,
    down,
    async restart() {
      await down();
      await up();
    },
  };
}

export type ThrowawayKafka = ReturnType<typeof throwawayKafka>;
