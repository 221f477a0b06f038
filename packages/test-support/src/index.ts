export { freePort } from './free-port.ts';
export { throwawayRedis } from './throwaway-redis.ts';
export type { ThrowawayRedis } from './throwaway-redis.ts';
export { throwawayKafka } from './throwaway-kafka.ts';
export type { ThrowawayKafka } from './throwaway-kafka.ts';
export { testRedisUrl, uniquePrefix } from './test-redis.ts';
export { recordingLog } from './recording-log.ts';
export type { LogLine } from './recording-log.ts';
