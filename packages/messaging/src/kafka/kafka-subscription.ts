import type { ConsumerGroupJoinPayload } from '@platformatic/kafka';
import type { SubscribeOptions, Subscription } from '../ports.ts';
import { FetchBudget } from './fetch-budget.ts';
import { consumeTopic, createGroupConsumer, type KafkaRecord } from './kafka-consumer.ts';
import type { KafkaSubscriberSettings } from './kafka-subscriber-options.ts';
import { startLagReporting } from './lag-reporter.ts';
import { OffsetCommits } from './offset-commits.ts';
import { PartitionLanes } from './partition-lanes.ts';
import { receive, type ReceivedRecord } from './record-decoder.ts';
import { deliverBatchOnce, redeliverUntilAcked } from './redelivery.ts';
import { reportStuckPartitions } from './stuck-partitions.ts';

/**
 * One group member reading one topic: joins the group, hands records to per-partition lanes,
 * follows rebalances, measures lag, and closes gracefully. Resolves once the stream is open.
 */
export async function startKafkaSubscription(
  s: KafkaSubscriberSettings,
  { topic, group, handler, batch }: SubscribeOptions,
): Promise<Subscription> {
  const report = s.onError;
  /** The handlers' signal: aborted when close stops waiting for them, or once they ended. */
  const hardStop = new AbortController();
  const budget = new FetchBudget(s.maxBuffered);
  const commits = new OffsetCommits(topic, report);
  const lanes = new PartitionLanes<ReceivedRecord>({
    deliver: redeliverUntilAcked({
      handler,
      hardStop: hardStop.signal,
      baseMs: s.redeliveryBaseMs,
      maxMs: s.redeliveryMaxMs,
      report,
    }),
    acked: (received) => commits.commit(received.record),
    budget,
    ...(batch && batch.maxRecords > 1
      ? {
          batch: {
            deliver: deliverBatchOnce({ handler: batch.handler, hardStop: hardStop.signal, report }),
            maxRecords: batch.maxRecords,
          },
        }
      : {}),
  });
  const consumer = createGroupConsumer(s, group, report);
  // Before consuming: the first join happens while `consume` runs.
  consumer.on('consumer:group:join', (payload: ConsumerGroupJoinPayload) => {
    // Joins without an assignment (the KIP-848 protocol announces them) say nothing about it.
    if (!payload.assignments) return;
    const owned = payload.assignments.find((a) => a.topic === topic)?.partitions ?? [];
    lanes.assigned(new Set(owned));
  });
  const stream = await consumeTopic(consumer, topic).catch(async (err: unknown) => {
    await consumer.close().catch(() => {});
    throw err;
  });
  budget.attach(stream);
  stream.on('data', (record: KafkaRecord) => lanes.offer(receive(record)));
  stream.on('error', (err) => report(err, `consumer stream error on ${topic} (group ${group})`));
  const stopLag = s.metrics
    ? startLagReporting(consumer, {
        registry: s.metrics,
        group,
        topic,
        intervalMs: s.lagIntervalMs,
        report,
      })
    : () => {};
  const stopStuck = s.metrics
    ? reportStuckPartitions(s.metrics, { group, topic, heads: () => lanes.heads() })
    : () => {};

  async function close(): Promise<void> {
    stopLag();
    stopStuck();
    budget.close();
    const timer = setTimeout(() => hardStop.abort(new Error('close timed out')), s.closeTimeoutMs);
    // In-flight deliveries finish and commit; queued ones stay uncommitted for the next owner.
    await lanes.stop();
    clearTimeout(timer);
    hardStop.abort();
    // Closing the stream flushes the commits still pending.
    await stream.close().catch((err: unknown) => report(err, 'closing stream'));
    await consumer.close().catch((err: unknown) => report(err, 'closing consumer'));
  }
  let closing: Promise<void> | undefined;
  return { close: () => (closing ??= close()) };
}
