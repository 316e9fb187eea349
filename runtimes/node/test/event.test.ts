import t from 'tap';
import { collectHeaders, decodeBody, isJsonType, mediaType, splitUrl } from '../src/event.js';

t.test('mediaType drops parameters and lower-cases', async (t) => {
  t.equal(mediaType('Application/JSON; charset=UTF-8'), 'application/json');
  t.equal(mediaType(undefined), '');
  t.equal(mediaType(' text/plain '), 'text/plain');
});

t.test('isJsonType: application/json and application/*+json', async (t) => {
  t.ok(isJsonType('application/json'));
  t.ok(isJsonType('application/vnd.api+json'));
  t.ok(isJsonType('application/cloudevents+json'));
  t.notOk(isJsonType('text/json'));
  t.notOk(isJsonType('application/jsonx'));
});

t.test('decodeBody by content type', async (t) => {
  t.strictSame(decodeBody(Buffer.from('{"a":[1]}'), 'application/json'), { a: [1] });
  t.equal(decodeBody(Buffer.from('"s"'), 'application/merge-patch+json'), 's');
  t.equal(decodeBody(Buffer.from('héllo'), 'text/plain; charset=utf-8'), 'héllo');
  t.equal(decodeBody(Buffer.from('a=1'), 'application/x-www-form-urlencoded'), 'a=1');
  t.equal(decodeBody(Buffer.from('raw'), undefined), 'raw');
  const bytes = decodeBody(Buffer.from([0, 255]), 'application/octet-stream');
  t.ok(Buffer.isBuffer(bytes));
  t.equal((bytes as Buffer).toString('hex'), '00ff');
  t.equal(decodeBody(Buffer.alloc(0), 'application/json'), null, 'empty body is null');
  t.equal(decodeBody(Buffer.alloc(0), 'image/png'), null);
});

t.test('malformed JSON is a BadRequest', async (t) => {
  t.throws(() => decodeBody(Buffer.from('{"a":'), 'application/json'), {
    status: 400,
    type: 'BadRequest',
    message: /^request body is not valid JSON: /,
  });
});

t.test('collectHeaders lower-cases and joins repeats in order', async (t) => {
  t.strictSame(
    collectHeaders(['Host', 'h', 'X-A', '1', 'x-a', '2', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2']),
    {
      host: 'h',
      'x-a': '1, 2',
      'set-cookie': 'a=1, b=2',
    },
  );
  const odd = collectHeaders(['__proto__', 'x']);
  t.equal(Object.getPrototypeOf(odd), Object.prototype, 'a __proto__ header does not change the prototype');
  t.equal(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value, 'x');
});

t.test('splitUrl: decoded path, first query value, form decoding', async (t) => {
  t.strictSame(splitUrl('/a%20b/c?x=1&x=2&y=a+b&z=%C3%A9&flag'), {
    path: '/a b/c',
    query: { x: '1', y: 'a b', z: 'é', flag: '' },
  });
  t.strictSame(splitUrl('/'), { path: '/', query: {} });
  t.strictSame(splitUrl('/bad%zz?'), { path: '/bad%zz', query: {} }, 'malformed escapes are kept');
  t.equal(Object.getPrototypeOf(splitUrl('/?__proto__=1').query), Object.prototype);
});

t.test('collectHeaders: names that exist on Object.prototype are plain headers', async (t) => {
  t.strictSame(collectHeaders(['Constructor', 'a', 'toString', 'b']), { constructor: 'a', tostring: 'b' });
});
