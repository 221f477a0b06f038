import type { Redis } from 'ioredis';
import type { BusDriver } from 'bentocache/types';

type Handler = (payload: never) => void | Promise<void>;
type Payload = Parameters<BusDriver['publish']>[1];

/**
 * The bentocache bus transport (a `@boringnode/bus` Transport) over the cache's own connections.
 * bentocache's `redisBusDriver` duplicates one connection for both sides, which cannot be right
 * for both: a publisher must fail fast while Redis is down (else every cache write waits for
 * Redis), a subscriber must wait for Redis (else the SUBSCRIBE that bentocache fires without
 * awaiting rejects unhandled and the instance never hears an invalidation). This one publishes on
 * `publisher` and subscribes on `subscriber`; messages are JSON `{busId, payload}`.
 *
 * `onResubscribed` runs when the subscriber comes back after a disconnect: messages published
 * meanwhile are lost, so the caller drops its L1 (see create-cache.ts).
 */
export function createBusTransport(
  publisher: Redis,
  subscriber: Redis,
  opts: {
    onError: (err: unknown) => void;
    onResubscribed: () => void;
    /** Sees every message handed to the handlers (from other instances, or delivered locally). */
    onMessage?: (payload: { type?: unknown; keys?: unknown; namespace?: unknown }) => void;
  },
) {
  let busId = '';
  const handlers = new Map<string, Handler[]>();
  let subscribed: Promise<unknown> = Promise.resolve();
  let wasReady = false;
  const track = (command: Promise<unknown>) => {
    // Never rejects: bentocache does not await subscribe(). The command waits in the offline queue.
    const done = command.then(
      () => undefined,
      (err: unknown) => opts.onError(err),
    );
    subscribed = Promise.all([subscribed, done]);
    return done;
  };

  const observe = (payload: unknown) => {
    if (!opts.onMessage || payload === null || typeof payload !== 'object') return;
    try {
      opts.onMessage(payload);
    } catch (err) {
      opts.onError(err);
    }
  };

  subscriber.on('message', (channel: string, raw: string) => {
    let message: { busId?: unknown; payload?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch (err) {
      return opts.onError(err);
    }
    if (message.busId === busId) return;
    observe(message.payload);
    for (const handler of handlers.get(channel) ?? []) {
      Promise.resolve(handler(message.payload as never)).catch(opts.onError);
    }
  });
  subscriber.on('ready', () => {
    // The only resubscription after a reconnect (the connection's autoResubscribe is off,
    // connections.ts): one SUBSCRIBE of every channel, whose failure is handled by `track`.
    if (wasReady && handlers.size > 0)
      void track(subscriber.subscribe(...handlers.keys()).then(opts.onResubscribed));
    wasReady = true;
  });

  const transport = {
    setId(id: string) {
      busId = id;
      return transport;
    },
    onReconnect(callback: () => void) {
      subscriber.on('ready', callback);
    },
    async publish(channel: string, payload: Payload) {
      await publisher.publish(channel, JSON.stringify({ busId, payload }));
    },
    subscribe(channel: string, handler: Handler): Promise<void> {
      handlers.set(channel, [...(handlers.get(channel) ?? []), handler]);
      return track(subscriber.subscribe(channel));
    },
    async unsubscribe(channel: string) {
      handlers.delete(channel);
      await subscriber.unsubscribe(channel);
    },
    disconnect() {
      subscriber.disconnect();
      return Promise.resolve();
    },
    /** Hands `payload` to this process's handlers as if it came over the bus. */
    deliverLocally(payload: unknown) {
      observe(payload);
      for (const list of handlers.values()) {
        for (const handler of list) Promise.resolve(handler(payload as never)).catch(opts.onError);
      }
    },
    /** Resolves once every SUBSCRIBE so far (resubscriptions included) has been answered. */
    subscribed: () => subscribed.then(() => undefined),
  };
  return transport;
}
