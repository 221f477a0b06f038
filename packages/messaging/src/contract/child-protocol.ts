/** What the crash test's child subscriber is told, as JSON in its second argument. */
export interface ChildParams {
  topic: string;
  group: string;
  /** How long each delivery takes in the child, ms, so some are in flight when it is killed. */
  handlerDelayMs: number;
}

/** What the child reports over IPC. */
export type ChildReport =
  | { kind: 'ready' }
  /** Sent (and flushed) before the handler resolves, i.e. before the transport acks. */
  | { kind: 'processed'; id: string }
  | { kind: 'failed'; message: string };
