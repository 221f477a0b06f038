/** Headers every dead-letter record carries (packages/messaging/README.md), beside the original record's headers. */
export const DLT = {
  topic: 'dlt_original_topic',
  partition: 'dlt_original_partition',
  offset: 'dlt_original_offset',
  timestamp: 'dlt_original_timestamp',
  group: 'dlt_consumer_group',
  attempts: 'dlt_attempts',
  errorClass: 'dlt_error_class',
  errorMessage: 'dlt_error_message',
  failedAt: 'dlt_failed_at',
} as const;

/** The dead-letter topic of a topic. */
export const deadLetterTopic = (topic: string) => `${topic}.dlt`;
