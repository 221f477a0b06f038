import { Admin } from '@platformatic/kafka';

/**
 * A Kafka admin client used only to probe the cluster for readiness: a metadata request that
 * must answer within `timeoutMs`. It reconnects on the next probe after an outage.
 */
export function createKafkaProbe(opts: { brokers: string[]; clientId: string; timeoutMs: number }) {
  const admin = new Admin({
    clientId: `${opts.clientId}-probe`,
    bootstrapBrokers: opts.brokers,
    connectTimeout: opts.timeoutMs,
    requestTimeout: opts.timeoutMs,
    timeout: opts.timeoutMs,
    retries: 0,
  });
  return {
    async check(): Promise<void> {
      await admin.metadata({ topics: [], forceUpdate: true, retries: 0 });
    },
    close: () => admin.close(),
  };
}
