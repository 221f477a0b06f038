// Public API of `@surge/messaging/contract`: the transport contract suite and what it needs.
export { runTransportContract } from './transport-contract.ts';
export type {
  RestartableBroker,
  SubscriberModule,
  TransportClients,
  TransportFeatures,
  TransportUnderTest,
} from './transport-under-test.ts';
export { waitUntil, within } from './wait-until.ts';
