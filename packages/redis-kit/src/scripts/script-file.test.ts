import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkScript } from './script-file.ts';

const header = (...lines: string[]) => lines.map((l) => `-- ${l}\n`).join('');

describe('checkScript', () => {
  it('takes the key count from the file name', () => {
    const lua = header('KEYS[1] a', 'KEYS[2] b', 'Returns 1') + "return redis.call('GET', KEYS[1])";
    assert.deepEqual(checkScript('rotate-refresh-2.lua', lua), {
      id: 'rotate-refresh-2',
      numberOfKeys: 2,
      lua,
    });
    assert.equal(checkScript('noop-0.lua', header('Returns 0') + 'return 0').numberOfKeys, 0);
  });

  it('accepts a KEYS[1..n] range in the header', () => {
    assert.equal(
      checkScript('swap-3.lua', header('KEYS[1..3] the keys', 'Returns 1') + 'return 1').numberOfKeys,
      3,
    );
  });

  it('a name ending in -n takes any number of keys; its header says KEYS[1..n]', () => {
    const lua = header('KEYS[1..n] the keys', 'Returns 1') + 'return #KEYS';
    assert.deepEqual(checkScript('gcra-n.lua', lua), { id: 'gcra-n', numberOfKeys: null, lua });
    assert.throws(
      () => checkScript('gcra-n.lua', header('KEYS[1] one', 'Returns 1') + 'return 1'),
      /describe KEYS\[1\.\.n\]$/,
    );
  });

  it('refuses a file name without a key count', () => {
    for (const name of ['unlock.lua', 'Unlock-1.lua', 'unlock-1.txt', 'unlock_1.lua']) {
      assert.throws(() => checkScript(name, header('KEYS[1] k', 'Returns 1')), /<key count>\.lua/, name);
    }
  });

  it('names what the header lacks: a key, ARGV used by the body, Returns', () => {
    assert.throws(
      () => checkScript('x-2.lua', header('KEYS[1] a', 'Returns 1') + 'return 1'),
      /describe KEYS\[2\]$/,
    );
    assert.throws(
      () => checkScript('x-1.lua', header('KEYS[1] a', 'Returns 1') + 'return ARGV[1]'),
      /describe ARGV$/,
    );
    assert.throws(() => checkScript('x-1.lua', header('KEYS[1] a') + 'return 1'), /describe Returns$/);
    assert.throws(() => checkScript('x-1.lua', 'return 1'), /describe KEYS\[1\], Returns$/);
  });

  it('reads the header only from the leading comment block', () => {
    const lua = `${header('Returns 1')}local x = 1\n-- KEYS[1] said too late\nreturn KEYS[1]`;
    assert.throws(() => checkScript('late-1.lua', lua), /KEYS\[1\]/);
  });
});
