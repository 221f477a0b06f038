/** One use of a consumer group: the topic it consumes and who consumes it there. */
export interface GroupUse {
  topic: string;
  /** Who uses the group on `topic`, for the message, e.g. `handler "audit"`. */
  by: string;
}

/**
 * A consumer group asked to consume a second, different topic. Refused because Kafka's group
 * assignors (at least @platformatic/kafka's round-robin one) hand each partition of every topic
 * any member subscribed to to any member, including members that never fetch that topic: those
 * partitions are then consumed by nobody, silently (their records are never handled). One group
 * per topic avoids it.
 */
export class GroupTopicMismatchError extends Error {
  readonly code = 'E_GROUP_TOPIC_MISMATCH';
  override readonly name = 'GroupTopicMismatchError';
  readonly group: string;
  readonly topics: readonly [string, string];

  constructor(group: string, existing: GroupUse, added: GroupUse) {
    super(
      `consumer group "${group}" is already used by ${existing.by} on topic "${existing.topic}"; ` +
        `${added.by} wants it on topic "${added.topic}". A group must consume one topic: Kafka ` +
        `assigns the group's partitions to members that never fetch them, and those records are ` +
        `never consumed. Give each topic its own group.`,
    );
    this.group = group;
    this.topics = [existing.topic, added.topic];
  }
}
