import t from 'tap';
import { toReply } from '../src/response.js';

const TEXT = 'text/plain; charset=utf-8';

t.test('plain return values', async (t) => {
  t.strictSame(toReply('hi'), { status: 200, headers: { 'content-type': TEXT }, body: 'hi' });
  t.strictSame(toReply(''), { status: 200, headers: { 'content-type': TEXT }, body: '' });
  t.strictSame(toReply(undefined), { status: 204, headers: {}, body: null });
  t.strictSame(toReply(null), { status: 204, headers: {}, body: null });
  t.strictSame(toReply({ a: 1 }), {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
  });
  t.strictSame(toReply([1]), { status: 200, headers: { 'content-type': 'application/json' }, body: '[1]' });
  t.strictSame(toReply(0), { status: 200, headers: { 'content-type': 'application/json' }, body: '0' });
  t.strictSame(toReply(false), {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: 'false',
  });
});

t.test('bytes: Buffer, Uint8Array, ArrayBuffer', async (t) => {
  for (const value of [
    Buffer.from([1, 2]),
    new Uint8Array([1, 2]),
    new Uint8Array([0, 1, 2, 3]).subarray(1, 3),
  ]) {
    const reply = toReply(value);
    t.equal(reply.headers['content-type'], 'application/octet-stream');
    t.equal(
      (reply.body as Buffer).toString('hex'),
      value instanceof Buffer ? '0102' : Buffer.from(value).toString('hex'),
    );
  }
  t.equal((toReply(new Uint8Array([9]).buffer).body as Buffer).toString('hex'), '09');
});

t.test('structured responses', async (t) => {
  t.strictSame(toReply({ statusCode: 201, headers: { 'X-A': 'b', 'x-n': 3 }, body: { id: 1 } }), {
    status: 201,
    headers: { 'x-a': 'b', 'x-n': '3', 'content-type': 'application/json' },
    body: '{"id":1}',
  });
  t.strictSame(toReply({ statusCode: 202, headers: { 'Content-Type': 'text/csv' }, body: 'a,b' }), {
    status: 202,
    headers: { 'content-type': 'text/csv' },
    body: 'a,b',
  });
  t.strictSame(
    toReply({ statusCode: 200, headers: { 'content-type': 'application/vnd.x+json' }, body: { a: 1 } }),
    { status: 200, headers: { 'content-type': 'application/vnd.x+json' }, body: '{"a":1}' },
    'an object body is JSON under the handler content type',
  );
  t.strictSame(toReply({ statusCode: 404 }), { status: 404, headers: {}, body: null });
  t.strictSame(
    toReply({
      statusCode: 200,
      headers: { 'set-cookie': ['a=1', 'b=2'], 'x-invocation-id': 'no', 'content-length': '9' },
    }),
    { status: 200, headers: { 'set-cookie': ['a=1', 'b=2'] }, body: null },
    'arrays become repeated headers; reserved headers are dropped',
  );
  t.strictSame(
    toReply({ statusCode: '200', body: 1 }).body,
    '{"statusCode":"200","body":1}',
    'a string statusCode is data',
  );
});

t.test('serialization errors', async (t) => {
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  t.throws(() => toReply(loop), { status: 500, type: 'SerializationError', message: /circular/i });
  t.throws(() => toReply({ n: 1n }), { type: 'SerializationError', message: /BigInt/ });
  t.throws(() => toReply(() => 1), { type: 'SerializationError', message: /function/ });
  t.throws(() => toReply(Symbol('s')), { type: 'SerializationError', message: /\S/ });
  t.throws(() => toReply({ statusCode: 99 }), { type: 'SerializationError', message: /statusCode 99/ });
  t.throws(() => toReply({ statusCode: 200.5 }), { type: 'SerializationError', message: /\S/ });
  t.throws(() => toReply({ statusCode: 200, headers: { 'bad name': 'x' } }), {
    type: 'SerializationError',
    message: /bad name/,
  });
  t.throws(() => toReply({ statusCode: 200, headers: { 'x-a': 'line\nbreak' } }), {
    type: 'SerializationError',
    message: /x-a/,
  });
  t.throws(() => toReply({ statusCode: 200, headers: 'x' }), { type: 'SerializationError', message: /\S/ });
});
