import type { Redis } from 'ioredis';
import type { Handler, SubscribeOptions, Subscriber, Subscription } from '../ports.ts';
import { closeRedis, openRedis } from './connection.ts';
import { streamOps } from './stream-ops.ts';
import { startSubscription } from './subscription.ts';
import { subscriberSettings, type RedisStreamsSubscriberOptions } from './subscriber-options.ts';

/**
 * Redis Streams subscriber: a topic is a stream, a group a consumer group, this subscriber one
 * consumer (member) of each group it subscribes to.
 *
 * - At least once: XACK only after the handler resolved; a rejected entry stays pending and is
 *   redelivered, `deliveryAttempt` being the group's delivery count (survives restarts).
 * - New groups start at the beginning of the stream, so nothing published earlier is missed.
 * - One partition per stream: a member handles its entries one at a time, in order. Several
 *   members of one group share a stream's entries with no per-key order between them.
 * - A crashed member's pending entries are claimed by the others after `claimIdleMs`; a member
 *   closing cleanly hands back what it read but did not handle, so others take it at once, and
 *   deletes its consumer. Consumers holding nothing and silent for 10 × `claimIdleMs` are deleted
 *   by the others, so generated names do not pile up in the group.
 *
 * Connections: one for commands, shared, plus one per subscription for its blocking reads.
 */
export function createRedisStreamsSubscriber(options: RedisStreamsSubscriberOptions): Subscriber {
  const s = subscriberSettings(options);
  const subscriptions = new Map<string, Subscription>();
  /** Subscriptions being set up, by name, so two at once for one name cannot both start. */
  const starting = new Set<string>();
  let commands: Promise<Redis> | undefined;
  let closed = false;

  const open = (role: 'commands' | 'reads') =>
    openRedis(
      s.url,
      {
        name: `surge-streams:${s.consumerName}:${role}`,
        // A blocking read waits up to blockMs by design; its budget is on top of that.
        commandTimeoutMs: role === 'reads' ? s.blockMs + s.commandTimeoutMs : s.commandTimeoutMs,
        connectTimeoutMs: s.commandTimeoutMs,
        redisOptions: s.redisOptions,
      },
      (err) => s.log.warn({ err }, `redis ${role} connection of ${s.consumerName}`),
    );

  return {
    async subscribe({ topic, group, handler }: SubscribeOptions): Promise<Subscription> {
      if (closed) throw new Error('the subscriber is closed');
      const name = `${topic}\n${group}`;
      // Two loops as one consumer would share one PEL and break the order of both.
      if (subscriptions.has(name) || starting.has(name)) {
        throw new Error(`already subscribed to ${topic} in group ${group}`);
      }
      starting.add(name);
      try {
        const running = await start(topic, group, handler);
        const subscription: Subscription = {
          async close() {
            await running.close();
            subscriptions.delete(name);
          },
        };
        subscriptions.set(name, subscription);
        return subscription;
      } finally {
        starting.delete(name);
      }
    },

    async close() {
      closed = true;
      await Promise.allSettled([...subscriptions.values()].map((sub) => sub.close()));
      const cmd = await commands?.catch(() => undefined);
      if (cmd) await closeRedis(cmd);
    },
  };

  async function start(topic: string, group: string, handler: Handler): Promise<Subscription> {
    commands ??= open('commands');
    const cmd = await commands.catch((err: unknown) => {
      commands = undefined; // let the next subscribe try again
      throw err;
    });
    const reads = await open('reads');
    const ops = streamOps(cmd, reads, topic, group, s.consumerName);
    try {
      await ops.ensureGroup();
      // close() ran while this subscribe waited: it could not see this subscription.
      if (closed) throw new Error('the subscriber was closed while subscribing');
    } catch (err) {
      await closeRedis(reads);
      throw err;
    }
    return startSubscription({
      ops,
      stream: topic,
      group,
      handler,
      settings: s,
      closeReads: async (force) => (force ? reads.disconnect() : closeRedis(reads)),
    });
  }
}
