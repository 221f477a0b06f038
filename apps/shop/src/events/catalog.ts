import { EventRegistry, type TopicSpec } from '@surge/messaging';
import { ProductChanged } from './catalog-events.ts';
import { USERS_TOPIC, UserRegistered } from './user-events.ts';

/** `ce_source` of every event this service publishes. */
export const EVENT_SOURCE = '/surge/shop';

/** Every event type the service produces or consumes: one schema shared by both sides. */
export const events = new EventRegistry([UserRegistered, ProductChanged]);

/** Topics the service provisions at start (each with its `.dlt`). Partitions: 3 locally. */
export const topics: TopicSpec[] = [
  { name: USERS_TOPIC, partitions: 3 },
  { name: 'surge.orders.v1', partitions: 3 },
  { name: 'surge.catalog.v1', partitions: 3 },
];
