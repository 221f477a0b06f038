import { Admin, Consumer, ProduceAcks, Producer } from '@platformatic/kafka';

// Records as bytes, for tests of what foreign producers may write (issue 8: binary, huge,
// repeated headers, tombstones) and of what dead-letter topics then hold.

/** A record as bytes, exactly as a foreign producer may write it (any key, value and headers). */
export interface RawKafkaRecord {
  partition: number;
  key?: Buffer;
  value?: Buffer;
  /** In order; a name may repeat. */
  headers?: ReadonlyArray<readonly [string, Buffer]>;
}

/**
 * Produces `records` byte for byte (no serialisation, explicit partitions) to `topic`, in order,
 * and returns their offsets.
 */
export async function produceRaw(
  brokers: string[],
  topic: string,
  records: readonly RawKafkaRecord[],
): Promise<bigint[]> {
  const producer = new Producer({
    clientId: 'surge-tests-raw-producer',
    bootstrapBrokers: brokers,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
    timeout: 30_000,
    requestTimeout: 30_000,
  });
  try {
    const offsets: bigint[] = [];
    for (const r of records) {
      // Distinct Buffer objects as Map keys: a repeated header name stays repeated.
      const headers = new Map<Buffer, Buffer>((r.headers ?? []).map(([k, v]) => [Buffer.from(k), v]));
      const result = await producer.send({
        messages: [{ ...r, topic, headers }],
      });
      offsets.push(result.offsets?.[0]?.offset ?? -1n);
    }
    return offsets;
  } finally {
    await producer.close();
  }
}

/** A record read back byte for byte. */
export interface ReadRecord {
  partition: number;
  offset: bigint;
  key: Buffer | undefined;
  value: Buffer | undefined;
  headers: Array<[string, Buffer]>;
}

/**
 * Every record of `topic` from the beginning to its current end, as bytes (a group of its own
 * that commits nothing). Rejects after `timeoutMs` (default 30 000) instead of waiting forever.
 */
export async function readRaw(brokers: string[], topic: string, timeoutMs = 30_000): Promise<ReadRecord[]> {
  const total = await recordCount(brokers, topic);
  const records: ReadRecord[] = [];
  if (total === 0) return records;
  const consumer = new Consumer({
    clientId: 'surge-tests-raw-reader',
    groupId: `surge-tests-raw-reader-${crypto.randomUUID()}`,
    bootstrapBrokers: brokers,
    autocommit: false,
    maxBytes: 16 << 20,
    timeout: 10_000,
  });
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: 'earliest',
      autocommit: false,
      maxWaitTime: 200,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`read ${records.length} of ${total} records of ${topic} in ${timeoutMs} ms`)),
          timeoutMs,
        );
        stream.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        stream.on('data', (m: ConsumedBytes) => {
          records.push({
            partition: m.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
            headers: m.headerEntries.map(([k, v]) => [k.toString(), v]),
          });
          if (records.length < total) return;
          clearTimeout(timer);
          resolve();
        });
      });
    } finally {
      await stream.close().catch(() => {});
    }
    return records;
  } finally {
    await consumer.close().catch(() => {});
  }
}

type ConsumedBytes = {
  partition: number;
  offset: bigint;
  key?: Buffer;
  value?: Buffer;
  headerEntries: Array<[Buffer, Buffer]>;
};

/** Records in `topic` (sum of its partitions' end offsets; topics here are never compacted). */
async function recordCount(brokers: string[], topic: string): Promise<number> {
  const admin = new Admin({ clientId: 'surge-tests-raw-reader', bootstrapBrokers: brokers, timeout: 10_000 });
  try {
    const { topics } = await admin.metadata({ topics: [topic] });
    const partitions = topics.get(topic)?.partitionsCount ?? 0;
    const listed = await admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
            partitionIndex,
            timestamp: -1n,
          })),
        },
      ],
    });
    return listed.flatMap((t) => t.partitions).reduce((n, p) => n + Number(p.offset), 0);
  } finally {
    await admin.close().catch(() => {});
  }
}
