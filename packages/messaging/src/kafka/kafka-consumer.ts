import { Consumer, stringDeserializers, type Message, type MessagesStream } from '@platformatic/kafka';
import type { KafkaSubscriberSettings } from './kafka-subscriber-options.ts';

/** A consumed record: key, value and headers deserialised as strings. */
export type KafkaRecord = Message<string, string, string, string>;
export type KafkaRecordStream = MessagesStream<string, string, string, string>;

/**
 * The group member of one subscription. Never auto-commits: offsets are committed by hand once
 * the handler resolved (at-least-once). Retries connecting forever; `close` is what stops it.
 */
export function createGroupConsumer(s: KafkaSubscriberSettings, group: string) {
  return new Consumer({
    clientId: s.clientId,
    bootstrapBrokers: [...s.brokers],
    groupId: group,
    autocommit: false,
    deserializers: stringDeserializers,
    sessionTimeout: s.sessionTimeoutMs,
    heartbeatInterval: Math.floor(s.sessionTimeoutMs / 4),
    rebalanceTimeout: 30_000,
    maxWaitTime: 500,
    retries: Number.MAX_SAFE_INTEGER,
    retryDelay: 500,
    maxBytes: s.maxFetchBytes,
  });
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
