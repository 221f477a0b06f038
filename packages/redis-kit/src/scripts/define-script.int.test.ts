import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { testRedisUrl, throwawayRedis, uniquePrefix, type ThrowawayRedis } from '@surge/test-support';
import { whenReady } from '../connection/when-ready.ts';
import { defineScript, defineScripts } from './define-script.ts';
import { replyCodes, UnexpectedScriptReplyError } from './reply-codes.ts';

const replyWith = defineScript(
  new URL('./testing/reply-with-1.lua', import.meta.url),
  replyCodes('reply-with-1', { 1: 'one', 0: 'zero', OK: 'ok' }),
);

describe('defineScript (real Redis)', () => {
  const prefix = uniquePrefix('scripts');
  let redis: Redis;
  before(() => void (redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 })));
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    await redis.quit();
  });

  it('runs the script with its keys and args and maps the reply', async () => {
    assert.equal(await replyWith.run(redis, [`${prefix}:a`], [1, 'v1']), 'one');
    assert.equal(await replyWith.run(redis, [`${prefix}:a`], ['OK', 'v2']), 'ok');
    assert.equal(await redis.get(`${prefix}:a`), 'v2');
  });

  it("with replies: 'buffers', hands parse the reply's bytes (not UTF-8 decoded)", async () => {
    const echo = defineScript(new URL('./testing/reply-with-1.lua', import.meta.url), (reply) => reply, {
      replies: 'buffers',
    });
    const bytes = Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x80]);
    const reply = await echo.run(redis, [`${prefix}:bin`], [bytes, bytes]);
    assert.ok(Buffer.isBuffer(reply) && reply.equals(bytes), String(reply));
    assert.ok((await redis.getBuffer(`${prefix}:bin`))?.equals(bytes), 'Buffer arguments are sent as bytes');
    assert.equal(await echo.run(redis, [`${prefix}:bin`], [7, 'x']), 7, 'integers stay numbers');
    defineScripts(redis, [echo]);
    const tx = redis.multi();
    echo.queue(tx, [`${prefix}:bin`], [bytes, 'x']);
    const [[, queued]] = (await tx.exec()) as [[Error | null, unknown]];
    assert.ok(Buffer.isBuffer(queued) && queued.equals(bytes), 'queued on a MULTI too');
  });

  it('rejects an unknown reply with UnexpectedScriptReplyError (after the script ran)', async () => {
    await assert.rejects(replyWith.run(redis, [`${prefix}:b`], [7, 'v']), UnexpectedScriptReplyError);
  });

  it('refuses a call with the wrong number of keys before sending anything', async () => {
    await assert.rejects(replyWith.run(redis, [], [1, 'v']), /takes 1 keys, got 0/);
    await assert.rejects(replyWith.run(redis, [`${prefix}:c`, `${prefix}:d`], [1, 'v']), TypeError);
    assert.equal(await redis.exists(`${prefix}:c`), 0);
  });

  it('a variadic script (-n.lua) takes one or more keys; none is refused before sending', async () => {
    const setAll = defineScript(new URL('./testing/set-all-n.lua', import.meta.url), Number);
    assert.equal(setAll.numberOfKeys, null);
    assert.equal(await setAll.run(redis, [`${prefix}:n1`], ['a']), 1);
    assert.equal(await setAll.run(redis, [`${prefix}:n1`, `${prefix}:n2`, `${prefix}:n3`], ['b']), 3);
    assert.deepEqual(await redis.mget(`${prefix}:n1`, `${prefix}:n2`, `${prefix}:n3`), ['b', 'b', 'b']);
    await assert.rejects(setAll.run(redis, [], ['c']), /takes one or more keys, got none/);
  });

  it('queues on a MULTI of a client it was defined on; refuses one of a client without it', async () => {
    defineScripts(redis, [replyWith]);
    const tx = redis.multi();
    replyWith.queue(tx, [`${prefix}:e`], [0, 'x']);
    tx.get(`${prefix}:e`);
    const [[err, reply], [, value]] = (await tx.exec()) as [[Error | null, unknown], [null, unknown]];
    assert.equal(err, null);
    assert.equal(replyWith.parse(reply), 'zero');
    assert.equal(value, 'x');

    const fresh = new Redis(testRedisUrl(), { lazyConnect: true });
    assert.throws(
      () => replyWith.queue(fresh.multi(), [`${prefix}:f`], [0, 'x']),
      /call defineScripts first/,
    );
    fresh.disconnect();
  });
});

describe('defineScript after the server lost its scripts (NOSCRIPT)', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  before(async () => {
    server = await throwawayRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('keeps working after SCRIPT FLUSH and after a restart that lost the script cache', async () => {
    assert.equal(await replyWith.run(redis, ['k'], [1, 'a']), 'one');
    const sha = createHash('sha1').update(replyWith.lua).digest('hex');
    assert.deepEqual(await redis.script('EXISTS', sha), [1]);
    await redis.script('FLUSH');
    assert.deepEqual(await redis.script('EXISTS', sha), [0]);
    assert.equal(await replyWith.run(redis, ['k'], [0, 'b']), 'zero');
    await server.restart();
    // The client may already have reconnected while restart() waited for the new server's PONG:
    // a plain once('ready') then waited forever (a CI run timed out at 120 s).
    await whenReady(redis, 10_000);
    assert.equal(await replyWith.run(redis, ['k'], ['OK', 'c']), 'ok');
    assert.equal(await redis.get('k'), 'c');
  });
});
