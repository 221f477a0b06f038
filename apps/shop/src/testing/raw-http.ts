import { connect } from 'node:net';

export interface RawResponse {
  /** The status of the first response, or 0 when none arrived. */
  status: number;
  /** Its headers, names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** True when the server closed the connection; false when it was left open (a hang). */
  closedByServer: boolean;
}

/** Parses the first response in `raw` when its headers and `content-length` body are all there. */
function parse(raw: string): Omit<RawResponse, 'closedByServer'> | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  // The socket is read as latin1: one character per byte, so lengths are byte counts.
  const body = Buffer.from(raw.slice(end + 4), 'latin1');
  if (body.length < length) return undefined;
  const text = body.subarray(0, length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: text };
}

/**
 * Writes `payload` on a fresh TCP connection exactly as given (no client library fixes it up)
 * and reads until the server closes the connection, or — with `untilResponse` — until one whole
 * response arrived. After `hangMs` (default 20 s: a hang detector, not a timing assertion) the
 * client gives up and reports `closedByServer: false`.
 */
export function rawRequest(
  port: number,
  payload: string | Buffer,
  opts: {
    hangMs?: number;
    untilResponse?: boolean;
    /** After `payload`, keeps writing `chunk` every `everyMs` while the connection is open (slowloris). */
    trickle?: { chunk: string; everyMs: number };
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    let dripping: NodeJS.Timeout | undefined;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(payload);
      const t = opts.trickle;
      if (t) dripping = setInterval(() => socket.writable && socket.write(t.chunk), t.everyMs);
    });
    let raw = '';
    const finish = (closedByServer: boolean) => {
      clearInterval(dripping);
      clearTimeout(hang);
      socket.destroy();
      resolve({ ...(parse(raw) ?? { status: 0, headers: {}, body: raw }), closedByServer });
    };
    const hang = setTimeout(() => finish(false), opts.hangMs ?? 20_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      raw += chunk;
      if (opts.untilResponse && parse(raw) !== undefined) finish(false);
    });
    socket.on('error', () => {});
    socket.on('close', () => finish(true));
  });
}
