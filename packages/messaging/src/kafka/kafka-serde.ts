import { isUtf8 } from 'node:buffer';

/**
 * A record's bytes as text when the text is exactly those bytes (valid UTF-8), else a copy of the
 * bytes: decoding invalid UTF-8 to a string would replace it with U+FFFD and lose the original,
 * which a dead-letter copy or a replay must keep (issue 8). The copy detaches the bytes from the
 * client's socket chunk, which a held record would otherwise keep alive.
 *
 * Cheap on the hot path: `indexOf` of a character beyond Latin-1 in a one-byte string (ASCII text,
 * e.g. every CloudEvents header and most JSON) returns at once; only text that really holds
 * U+FFFD is validated byte by byte.
 */
export function textOrBytes(data?: Buffer): string | Buffer | undefined {
  if (data === undefined) return undefined;
  const text = data.toString();
  if (text.indexOf('\uFFFD') === -1 || isUtf8(data)) return text;
  return Buffer.from(data);
}

/** Header names as text (Kafka's own clients decode them as UTF-8 strings too). */
export function headerName(data?: Buffer): string | undefined {
  return data?.toString();
}

/** What the publisher sends: text as UTF-8, bytes as they are, nothing as nothing (a null field). */
export function bytesOf(data?: string | Uint8Array): Buffer | undefined {
  if (data === undefined) return undefined;
  if (typeof data === 'string') return Buffer.from(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Deserializers of the subscriber (see `textOrBytes`). */
export const consumerDeserializers = {
  key: textOrBytes,
  value: textOrBytes,
  headerKey: headerName,
  headerValue: textOrBytes,
};

/** Serializers of the publisher: strings and bytes alike. */
export const publisherSerializers = {
  key: bytesOf,
  value: bytesOf,
  headerKey: bytesOf,
  headerValue: bytesOf,
};
