import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import { consumerDeserializers } from './kafka-serde.ts';
import type { KafkaSubscriberSettings } from './kafka-subscriber-options.ts';

type Text = string | Buffer;

/**
 * A consumed record: key, value and header values as strings when they are valid UTF-8, else as
 * bytes (`textOrBytes`). Each is `undefined` when absent (no key, a tombstone, a null header),
 * which the client's types do not say.
 */
export type KafkaRecord = Message<Text, Text, string, Text>;
export type KafkaRecordStream = MessagesStream<Text, Text, string, Text>;

/**
 * The group member of one subscription. Never auto-commits: offsets are committed by hand once
 * the handler resolved (at-least-once). Retries connecting forever; `close` is what stops it.
 * The client emits `error` when rejoining the group fails (after a broker outage outlasted the
 * session); an `error` event nobody listens to throws and ends the process, so it goes to
 * `report` (default: ignored) like the stream's errors.
 * @param deserializers the subscriber's (`consumerDeserializers`); the P4 bench passes the
 *   client's plain string ones to measure what binary safety costs
 */
export function createGroupConsumer(
  s: KafkaSubscriberSettings,
  group: string,
  report: (err: unknown, context: string) => void = () => {},
  deserializers: typeof consumerDeserializers = consumerDeserializers,
) {
  const consumer = new Consumer({
    clientId: s.clientId,
    bootstrapBrokers: [...s.brokers],
    groupId: group,
    autocommit: false,
    deserializers,
    sessionTimeout: s.sessionTimeoutMs,
    heartbeatInterval: Math.floor(s.sessionTimeoutMs / 4),
    rebalanceTimeout: 30_000,
    maxWaitTime: 500,
    retries: Number.MAX_SAFE_INTEGER,
    retryDelay: 500,
    maxBytes: s.maxFetchBytes,
  });
  consumer.on('error', (err: unknown) => report(err, `consumer error in group ${group}`));
  return consumer;
}

export type GroupConsumer = ReturnType<typeof createGroupConsumer>;

/** Reads `topic` from the group's committed offsets; a new group starts at the earliest record. */
export function consumeTopic(consumer: GroupConsumer, topic: string): Promise<KafkaRecordStream> {
  return consumer.consume({
    topics: [topic],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: false,
    maxWaitTime: 500,
  });
}
