import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';

/** Resolves with the event's arguments; unlike `events.once`, an 'error' does not reject it. */
const on = (socket: Socket, event: string) =>
  new Promise<unknown[]>((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
const codeOf = ([e]: unknown[]) => String((e as { code?: string }).code);

/** A tiny echo server on an ephemeral port that counts the connections it accepted. */
async function echoServer() {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A client of the proxy that collects what it receives and how it ended. */
async function client(proxy: FaultProxy) {
  const socket = connect({ host: proxy.host, port: proxy.port });
  let received = '';
  let error: (Error & { code?: string }) | undefined;
  socket.on('data', (d: Buffer) => (received += d.toString()));
  socket.on('error', (e) => (error = e));
  const closed = on(socket, 'close');
  await Promise.race([on(socket, 'connect'), closed]);
  return {
    socket,
    received: () => received,
    error: () => error,
    closed,
    /** Resolves once `text` has been received in full; rejects if the socket closes first. */
    async until(text: string, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!received.includes(text)) {
        if (socket.destroyed) throw new Error(`closed before "${text}" arrived (got "${received}")`);
        if (Date.now() > deadline) throw new Error(`"${text}" did not arrive (got "${received}")`);
        await delay(5);
      }
    },
  };
}

/** The error a fresh connection to the proxy ends with, or 'connected'. */
async function connectOutcome(proxy: FaultProxy): Promise<string> {
  const socket = connect({ host: proxy.host, port: proxy.port });
  try {
    const outcome = await Promise.race([
      on(socket, 'connect').then(() => 'connected'),
      on(socket, 'error').then(codeOf),
    ]);
    if (outcome !== 'connected') return outcome;
    // Accepted by the kernel: a reset comes right after.
    socket.write('ping');
    return await Promise.race([
      on(socket, 'data').then(() => 'connected'),
      on(socket, 'error').then(codeOf),
      on(socket, 'close').then(() => 'closed'),
    ]);
  } finally {
    socket.destroy();
  }
}

describe('fault proxy (against an echo server)', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  const proxies: FaultProxy[] = [];
  const proxy = async (mode?: Parameters<typeof startFaultProxy>[0]['mode']) => {
    const p = await startFaultProxy({
      target: { host: '127.0.0.1', port: echo.port },
      ...(mode ? { mode } : {}),
    });
    proxies.push(p);
    return p;
  };
  before(async () => {
    echo = await echoServer();
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await echo.close();
  });

  it('passes data both ways on an ephemeral 127.0.0.1 port, and counts open connections', async () => {
    const p = await proxy();
    assert.equal(p.host, '127.0.0.1');
    assert.ok(p.port > 0);
    assert.equal(p.address, `127.0.0.1:${p.port}`);
    const c = await client(p);
    c.socket.write('hello');
    await c.until('hello');
    assert.equal(p.connections, 1);
    c.socket.end();
    await c.closed;
    for (let i = 0; i < 100 && p.connections > 0; i++) await delay(10);
    assert.equal(p.connections, 0);
  });

  it('cut: open connections close, new ones are refused; heal: the same port accepts again', async () => {
    const p = await proxy();
    const c = await client(p);
    c.socket.write('before');
    await c.until('before');
    await p.set({ kind: 'cut' });
    await c.closed;
    assert.equal(await connectOutcome(p), 'ECONNREFUSED');
    const port = p.port;
    await p.heal();
    assert.equal(p.port, port);
    const again = await client(p);
    again.socket.write('after');
    await again.until('after');
    again.socket.destroy();
  });

  it('refuse: new connections are refused while open ones keep working', async () => {
    const p = await proxy();
    const c = await client(p);
    await p.set({ kind: 'refuse' });
    assert.equal(await connectOutcome(p), 'ECONNREFUSED');
    c.socket.write('still here');
    await c.until('still here');
    await p.heal();
    assert.equal(await connectOutcome(p), 'connected');
    c.socket.destroy();
  });

  it('reset: open connections and new ones get ECONNRESET; heal: connections work again', async () => {
    const p = await proxy();
    const c = await client(p);
    c.socket.write('x');
    await c.until('x');
    await p.set({ kind: 'reset' });
    await c.closed;
    assert.equal(c.error()?.code, 'ECONNRESET');
    assert.equal(await connectOutcome(p), 'ECONNRESET');
    await p.heal();
    assert.equal(await connectOutcome(p), 'connected');
  });

  it('blackHole: nothing moves and no error is raised; on heal the held data arrives in order', async () => {
    const p = await proxy();
    const c = await client(p);
    c.socket.write('a');
    await c.until('a');
    await p.set({ kind: 'blackHole' });
    c.socket.write('b');
    c.socket.write('c');
    await delay(300);
    assert.equal(c.received(), 'a', 'nothing forwarded while frozen');
    assert.equal(c.socket.destroyed, false);
    assert.equal(c.error(), undefined);
    await p.heal();
    await c.until('abc');
    c.socket.destroy();
  });

  it('blackHole: a new connection is accepted but reaches the target only after heal', async () => {
    const p = await proxy({ kind: 'blackHole' });
    const before = echo.accepted();
    const c = await client(p);
    assert.equal(c.socket.destroyed, false, 'the client connected');
    c.socket.write('late');
    await delay(300);
    assert.equal(echo.accepted(), before, 'the target saw no connection');
    assert.equal(c.received(), '');
    await p.heal();
    await c.until('late');
    assert.equal(echo.accepted(), before + 1);
    c.socket.destroy();
  });

  it('blackHole: a client that gives up meanwhile never reaches the target', async () => {
    const p = await proxy({ kind: 'blackHole' });
    const before = echo.accepted();
    const c = await client(p);
    c.socket.destroy();
    await c.closed;
    for (let i = 0; i < 500 && p.connections > 0; i++) await delay(10);
    assert.equal(p.connections, 0, 'the proxy forgot the connection');
    await p.heal();
    await delay(200);
    assert.equal(echo.accepted(), before);
  });

  it('latency: each direction waits at least ms; with jitter the stream keeps its order', async () => {
    const p = await proxy({ kind: 'latency', ms: 100 });
    const c = await client(p);
    const started = performance.now();
    c.socket.write('slow');
    await c.until('slow');
    // A lower bound only (both directions are delayed); how much longer it takes is not asserted.
    assert.ok(performance.now() - started >= 195, `round trip ${performance.now() - started} ms`);

    await p.set({ kind: 'latency', ms: 20, jitterMs: 20 });
    const expected = Array.from({ length: 200 }, (_, i) => `<${i}>`).join('');
    for (let i = 0; i < 200; i++) {
      c.socket.write(`<${i}>`);
      if (i % 10 === 0) await delay(1);
    }
    await c.until(expected);
    assert.equal(c.received(), `slow${expected}`);
    c.socket.destroy();
  });

  it('carries 8 MiB intact through latency (backpressure, bounded queue)', async () => {
    const p = await proxy({ kind: 'latency', ms: 5, jitterMs: 5 });
    const c = await client(p);
    const payload = Buffer.alloc(8 * 1024 * 1024, 'z');
    payload.write('END', payload.length - 3);
    c.socket.write(payload);
    await c.until('END', 60_000);
    assert.equal(c.received().length, payload.length);
    c.socket.destroy();
  });

  it('resets the client when the target refuses', async () => {
    const dead = createServer();
    dead.listen(0, '127.0.0.1');
    await once(dead, 'listening');
    const deadPort = (dead.address() as AddressInfo).port;
    dead.close();
    const p = await startFaultProxy({ target: { host: '127.0.0.1', port: deadPort } });
    proxies.push(p);
    const c = await client(p);
    await c.closed;
    assert.equal(c.received(), '');
  });

  it('close: connections end and the port is released; set after close rejects', async () => {
    const p = await proxy();
    const c = await client(p);
    await p.close();
    await c.closed;
    assert.equal(await connectOutcome(p), 'ECONNREFUSED');
    await assert.rejects(p.set({ kind: 'cut' }), /closed/);
    await p.close();
  });

  it('rejects an invalid mode without changing the current one', async () => {
    const p = await proxy();
    assert.throws(() => void p.set({ kind: 'latency', ms: -5 }), RangeError);
    assert.equal(p.mode.kind, 'pass');
  });
});
