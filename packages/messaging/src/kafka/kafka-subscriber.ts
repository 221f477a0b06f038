import { GroupTopicMismatchError } from '../group-topic-mismatch-error.ts';
import type { SubscribeOptions, Subscriber, Subscription } from '../ports.ts';
import { kafkaSubscriberSettings, type KafkaSubscriberOptions } from './kafka-subscriber-options.ts';
import { startKafkaSubscription } from './kafka-subscription.ts';

/**
 * Kafka subscriber on `@platformatic/kafka`. At-least-once by construction: offsets are committed
 * only after the handler resolved (never auto-commit), new groups start at EARLIEST, and a record
 * whose handler rejected is redelivered in place with capped backoff — it is never skipped.
 * Partitions run concurrently; records of one partition run one at a time, in order. At most
 * `maxBuffered` records are held per subscription. `close` finishes in-flight handlers, commits
 * what they acked and leaves the group. A group consumes one topic: subscribing a group this
 * subscriber has used on another topic rejects with `GroupTopicMismatchError`.
 *
 * Parts: `kafka-subscription.ts` (one topic and group), `partition-lanes.ts` and
 * `partition-lane.ts` (assignment, per-partition order), `redelivery.ts`, `offset-commits.ts`,
 * `record-decoder.ts`, `fetch-budget.ts` (the buffering bound), `lag-reporter.ts`.
 * @throws TypeError on invalid options (see `KafkaSubscriberOptions` for defaults)
 */
export function createKafkaSubscriber(options: KafkaSubscriberOptions): Subscriber {
  const settings = kafkaSubscriberSettings(options);
  const subscriptions = new Set<Subscription>();
  /** The topic each group was first subscribed to, for this subscriber's lifetime. */
  const groupTopics = new Map<string, string>();

  return {
    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      const claimed = groupTopics.get(opts.group) ?? opts.topic;
      if (claimed !== opts.topic) {
        const earlier = { topic: claimed, by: 'an earlier subscription' };
        throw new GroupTopicMismatchError(opts.group, earlier, {
          topic: opts.topic,
          by: 'a new subscription',
        });
      }
      groupTopics.set(opts.group, opts.topic);
      const running = await startKafkaSubscription(settings, opts);
      const subscription: Subscription = {
        async close() {
          await running.close();
          subscriptions.delete(subscription);
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },
    async close() {
      await Promise.allSettled([...subscriptions].map((s) => s.close()));
    },
  };
}
