// Entry of the crash test's child process:
//   node child-subscriber-main.ts <subscriber module URL> <ChildParams as JSON>
// It builds a subscriber with the transport's module, reports over IPC, and runs until killed.
import { setTimeout as delay } from 'node:timers/promises';
import type { ChildParams, ChildReport } from './child-protocol.ts';
import type { SubscriberModule } from './transport-under-test.ts';

function report(message: ChildReport): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('no IPC channel: spawn this file with an "ipc" stdio slot'));
    process.send(message, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });
}

// The parent is gone (or closed the channel): nobody is listening, so stop.
process.on('disconnect', () => process.exit(0));

try {
  const [moduleUrl, paramsJson] = process.argv.slice(2);
  if (!moduleUrl || !paramsJson)
    throw new Error('usage: child-subscriber-main.ts <module URL> <params JSON>');
  const params = JSON.parse(paramsJson) as ChildParams;
  const transport = (await import(moduleUrl)) as SubscriberModule;
  const subscriber = await transport.createSubscriber();
  await subscriber.subscribe({
    topic: params.topic,
    group: params.group,
    handler: async (delivery) => {
      await delay(params.handlerDelayMs);
      // Reported before resolving, so whatever the transport acks is known to the parent even if
      // this process is killed right after the ack.
      await report({ kind: 'processed', id: delivery.id });
    },
  });
  await report({ kind: 'ready' });
} catch (err) {
  await report({
    kind: 'failed',
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  }).catch(() => {});
  process.exit(1);
}
