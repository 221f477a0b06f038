import diagnostics_channel from 'node:diagnostics_channel';
import { CACHE_CHANNEL, type CacheEvent } from '../diagnostics.ts';

/** Records the events of one cache (by prefix) until `stop()`. */
export function recordCacheEvents(cache: string) {
  const events: CacheEvent[] = [];
  const onEvent = (m: unknown) => {
    const e = m as CacheEvent;
    if (e.cache === cache) events.push(e);
  };
  diagnostics_channel.subscribe(CACHE_CHANNEL, onEvent);
  return {
    events,
    count: (type: CacheEvent['type'], match: (e: CacheEvent) => boolean = () => true) =>
      events.filter((e) => e.type === type && match(e)).length,
    stop: () => diagnostics_channel.unsubscribe(CACHE_CHANNEL, onEvent),
  };
}
