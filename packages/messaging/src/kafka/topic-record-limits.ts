import { Admin, ConfigResourceTypes } from '@platformatic/kafka';
import { withTimeout } from '@surge/resilience';

/** Kafka's default `max.message.bytes` (broker `message.max.bytes`): 1 MiB plus 12 bytes of log overhead. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** Topics whose limit is remembered; beyond it the memory is cleared (topics are few). */
const MAX_TOPICS = 1000;

/**
 * The largest record each topic accepts, learned from the broker: the topic's effective
 * `max.message.bytes` (its own setting, else the broker's `message.max.bytes`, default
 * 1,048,588), read once per topic with DescribeConfigs and capped by `maxRecordBytes` (the
 * publisher's own limit, like the Java producer's `max.request.size`). When the broker cannot say
 * (unreachable, no DescribeConfigs permission) the cap is the answer and the next call asks again.
 */
export function topicRecordLimits(p: {
  brokers: readonly string[];
  clientId: string;
  /** The publisher's own limit, bytes. */
  maxRecordBytes: number;
  /** Budget of one DescribeConfigs, ms. */
  timeoutMs: number;
}) {
  const learned = new Map<string, Promise<number | undefined>>();
  let admin: Admin | undefined;

  async function describe(topic: string): Promise<number | undefined> {
    admin ??= new Admin({
      clientId: `${p.clientId}-limits`,
      bootstrapBrokers: [...p.brokers],
      timeout: p.timeoutMs,
      requestTimeout: p.timeoutMs,
      retries: 1,
    });
    const client = admin;
    const [described] = await withTimeout(
      () =>
        client.describeConfigs({
          resources: [
            {
              resourceType: ConfigResourceTypes.TOPIC,
              resourceName: topic,
              configurationKeys: ['max.message.bytes'],
            },
          ],
        }),
      p.timeoutMs,
      { what: `DescribeConfigs ${topic}` },
    );
    const value = Number(described?.configs.find((c) => c.name === 'max.message.bytes')?.value);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  }

  return {
    /** The limit of `topic`, bytes (as `recordBytes` counts). Never rejects. */
    async get(topic: string): Promise<number> {
      let known = learned.get(topic);
      if (!known) {
        if (learned.size >= MAX_TOPICS) learned.clear();
        known = describe(topic).catch(() => {
          learned.delete(topic);
          return undefined;
        });
        learned.set(topic, known);
      }
      return Math.min(p.maxRecordBytes, (await known) ?? p.maxRecordBytes);
    },
    /** Asks the broker again next time (it refused a record that fitted what it said). */
    forget(topic: string): void {
      learned.delete(topic);
    },
    async close(): Promise<void> {
      await admin?.close().catch(() => {});
    },
  };
}
