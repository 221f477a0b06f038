import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddressKey } from './client-address.ts';

describe('clientAddressKey', () => {
  it('keeps IPv4 addresses; unwraps IPv4-mapped IPv6', () => {
    assert.equal(clientAddressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientAddressKey('::ffff:203.0.113.7'), '203.0.113.7');
  });

  it('keys IPv6 by its /64, however it is written: rotating the interface id does not reset a limit', () => {
    const key = '2001:db8:0:1::/64';
    for (const ip of [
      '2001:db8:0:1::1',
      '2001:0db8:0000:0001:ffff:eeee:dddd:cccc',
      '2001:DB8:0:1:0:0:0:2',
      '2001:db8::1:0:0:0:9',
    ]) {
      assert.equal(clientAddressKey(ip), key, ip);
    }
    assert.notEqual(clientAddressKey('2001:db8:0:2::1'), key);
    assert.equal(clientAddressKey('::1'), '0:0:0:0::/64');
    assert.equal(clientAddressKey('fe80::'), 'fe80:0:0:0::/64');
  });
});
