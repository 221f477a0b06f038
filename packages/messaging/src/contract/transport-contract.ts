import { describe } from 'node:test';
import { contractContext } from './contract-context.ts';
import { registerDeliveryCases } from './delivery-cases.ts';
import { registerOrderCases } from './order-cases.ts';
import { registerPartitionCases } from './partition-cases.ts';
import { registerRedeliveryCases } from './redelivery-cases.ts';
import { registerRestartCases } from './restart-cases.ts';
import type { TransportUnderTest } from './transport-under-test.ts';

/**
 * Registers the transport contract (CONTRIBUTING.md, tests), modelled on Watermill's universal Pub/Sub test
 * suite: every transport's `*.int.test.ts` calls this with its factories and passes the same
 * tests. Tests of features the transport does not declare are registered as skipped with the
 * reason. Each test uses its own topic and groups and closes what it opens, so contract runs can
 * share a broker with other test files running in parallel.
 *
 * Cases: round trip of every attribute; concurrent publishers; consumer groups; redelivery after
 * a rejection (order and attempt count); graceful subscriber restart; SIGKILLed subscriber
 * process; broker restart; per-key order (one member, two members); slow handlers; a partition
 * held by a blocked or poison message. Dead-lettering is the router's job and is tested there.
 */
export function runTransportContract(transport: TransportUnderTest): void {
  if (transport.features.brokerRestart && !transport.restartableBroker) {
    throw new Error(`${transport.name}: features.brokerRestart needs restartableBroker`);
  }
  const c = contractContext(transport);
  // `describe` returns a promise the runner tracks itself.
  void describe(`transport contract: ${transport.name}`, () => {
    registerDeliveryCases(c);
    registerRedeliveryCases(c);
    registerRestartCases(c);
    registerOrderCases(c);
    registerPartitionCases(c);
  });
}
