export type { Message, Delivery, WireRecord, RawRecord, Bytes } from './message.ts';
export type {
  Publisher,
  RecordPublisher,
  Subscriber,
  Subscription,
  SubscribeOptions,
  Handler,
  BatchHandler,
} from './ports.ts';
export { byteLength, recordBytes, sha256Hex, toBuffer, rawRecordOf } from './raw-record.ts';
export { fitRecord, KEEP_KEY_BYTES, KEEP_HEADER_BYTES } from './fit-record.ts';
export type { FittedRecord, OriginalSizes, TruncatedPart } from './fit-record.ts';
export { deadLetterRecord } from './dead-letter-record.ts';
export type { DeadLetterFacts, DeadLetterRecord } from './dead-letter-record.ts';
export { RecordTooLargeError, isRecordTooLarge } from './record-too-large-error.ts';
export { encodeMessage, decodeMessage, CE, MalformedRecordError } from './cloudevents.ts';
export { defineEvent, EventRegistry } from './events.ts';
export type { EventType } from './events.ts';
export { SchemaError } from './schema-error.ts';
export { DLT, DLT_PREFIX, deadLetterTopic, isDeadLetterTopic } from './dead-letter-headers.ts';
export { GroupTopicMismatchError } from './group-topic-mismatch-error.ts';
export type { GroupUse } from './group-topic-mismatch-error.ts';
export { ByteBudget } from './byte-budget.ts';
export { createBatchingPublisher, PublishAbortedError } from './batching-publisher.ts';
export type { BatchingPublisherOptions } from './batching-publisher.ts';
export {
  createKafkaPublisher,
  PublishTimeoutError,
  BrokerUnavailableError,
} from './kafka/kafka-publisher.ts';
export type { KafkaPublisherOptions } from './kafka/kafka-publisher.ts';
export { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from './kafka/topic-record-limits.ts';
export { createKafkaSubscriber } from './kafka/kafka-subscriber.ts';
export type { KafkaSubscriberOptions } from './kafka/kafka-subscriber-options.ts';
export { provisionTopics } from './kafka/provision-topics.ts';
export type { TopicSpec } from './kafka/provision-topics.ts';
export { createRouter } from './router/router.ts';
export type { Router, RouterOptions, HandlerSpec } from './router/router.ts';
export { compose } from './router/middleware.ts';
export type { Middleware } from './router/middleware.ts';
export { recoverer } from './router/recoverer.ts';
export { timeout, HandlerTimeoutError } from './router/timeout.ts';
export { retry, RetriesExhaustedError } from './router/retry.ts';
export type { RetryOptions } from './router/retry.ts';
export { validate } from './router/validate.ts';
export { deadLetter } from './router/dead-letter.ts';
export type { DeadLetterOptions, LastResort, UndeliverableDeadLetter } from './router/dead-letter.ts';
export { deduplicator, createRedisDedupeStore } from './router/deduplicator.ts';
export type { DedupeStore } from './router/deduplicator.ts';
export { createMessagingMetrics } from './router/metrics.ts';
export type { MessagingMetrics } from './router/metrics.ts';
export { createOutbox } from './outbox/outbox.ts';
export type { Outbox } from './outbox/outbox.ts';
export { createOutboxTable, dropOutboxTable } from './outbox/outbox-table.ts';
export type { OutboxTable } from './outbox/outbox-table.ts';
export { createRedisStreamsPublisher, DEFAULT_MAX_LEN } from './redis-streams/publisher.ts';
export type { RedisStreamsPublisherOptions } from './redis-streams/publisher.ts';
export { createRedisStreamsSubscriber } from './redis-streams/subscriber.ts';
export type { RedisStreamsSubscriberOptions } from './redis-streams/subscriber-options.ts';
export { createOutboxRelay } from './outbox/outbox-relay.ts';
export type { OutboxRelay } from './outbox/outbox-relay.ts';
export type { OutboxRelayOptions } from './outbox/outbox-relay-options.ts';
export { traceContext, currentTrace } from './router/trace-context.ts';
export type { TraceContext } from './router/trace-context.ts';
