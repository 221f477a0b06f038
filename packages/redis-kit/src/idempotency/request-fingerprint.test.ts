import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, requestFingerprint } from './request-fingerprint.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by name at every depth and drops whitespace', () => {
    assert.equal(
      canonicalJson(JSON.parse('{ "b": 1, "a": { "z": [3, {"y": null, "x": true}], "c": "s" } }')),
      '{"a":{"c":"s","z":[3,{"x":true,"y":null}]},"b":1}',
    );
  });

  it('sorts by UTF-16 code units and writes numbers and strings as JSON.stringify does', () => {
    // UTF-16 code units decide, not locale: "\r" < "1" < "a" < "€".
    assert.equal(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, a: 4 }), '{"\\r":2,"1":3,"a":4,"€":1}');
    assert.equal(canonicalJson([1e21, 0.1, -0, 1.5e-7, 'é\n"']), '[1e+21,0.1,0,1.5e-7,"é\\n\\""]');
  });

  it('honours toJSON and leaves undefined members out', () => {
    assert.equal(canonicalJson({ at: new Date(0), gone: undefined }), '{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it('refuses what JSON cannot carry', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [Number.NaN, Infinity, 1n, () => 1, Symbol('s'), undefined, [undefined], cyclic])
      assert.throws(() => canonicalJson(bad), TypeError);
    const shared = { x: 1 };
    assert.equal(canonicalJson([shared, shared]), '[{"x":1},{"x":1}]', 'a repeated object is not a cycle');
  });
});

describe('requestFingerprint', () => {
  const base = { method: 'POST', path: '/v1/flash-sales/1/orders', body: { quantity: 1, note: 'a' } };
  const fp = requestFingerprint(base);

  it('is a sha256 hex digest, equal for the same payload in any member order or method case', () => {
    assert.match(fp, /^[0-9a-f]{64}$/);
    assert.equal(requestFingerprint({ ...base, method: 'post', body: { note: 'a', quantity: 1 } }), fp);
  });

  it('differs when the method, the path or the body differs', () => {
    const others = [
      { ...base, method: 'PUT' },
      { ...base, path: '/v1/flash-sales/2/orders' },
      { ...base, body: { quantity: 2, note: 'a' } },
      { ...base, body: { quantity: '1', note: 'a' } },
      { ...base, body: undefined },
      { ...base, body: null },
    ];
    const prints = others.map(requestFingerprint);
    assert.equal(new Set([fp, ...prints]).size, others.length + 1);
  });
});
