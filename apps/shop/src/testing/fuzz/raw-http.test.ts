import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponse } from './raw-http.ts';
import { percentEncode } from './hostile-input.ts';

describe('raw-http parseResponse', () => {
  it('reads status, lower-cased headers and a content-length body', () => {
    const res = parseResponse(
      Buffer.from('HTTP/1.1 404 Not Found\r\nX-Request-Id: a\r\ncontent-length: 2\r\n\r\n{}extra'),
    );
    assert.deepEqual(res, {
      status: 404,
      headers: { 'x-request-id': 'a', 'content-length': '2' },
      body: '{}',
    });
  });

  it('decodes a chunked body and skips an interim 100 Continue', () => {
    const res = parseResponse(
      Buffer.from(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{"\r\n4\r\na":1\r\n1\r\n}\r\n0\r\n\r\n',
      ),
    );
    assert.equal(res?.status, 400);
    assert.equal(res?.body, '{"a":1}');
  });

  it('is undefined when the server closed without a whole response head', () => {
    assert.equal(parseResponse(Buffer.alloc(0)), undefined);
    assert.equal(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\n')), undefined);
  });
});

describe('hostile-input percentEncode', () => {
  it('keeps unreserved characters, encodes UTF-8 bytes, and a lone surrogate as its invalid WTF-8 bytes', () => {
    assert.equal(percentEncode('a-Z_~.'), 'a-Z_~.');
    assert.equal(percentEncode('é /\u0000\r\n'), '%C3%A9%20%2F%00%0D%0A');
    assert.equal(percentEncode('\ud800'), '%ED%A0%80');
  });
});
