import t from 'tap';
import { changedStrings, rewriteJsonStrings, translateJsonText } from './json-rewrite.ts';
import { objectToBacking } from './translate-request.ts';

const toBacking = (raw: string) => translateJsonText(raw, JSON.parse(raw), (copy) => objectToBacking(copy));

t.test('changed strings are found by path', async (t) => {
  const before = { a: 'x', b: [{ c: 'y' }, 'z'], d: 1 };
  const after = { a: 'X', b: [{ c: 'y' }, 'Z'], d: 2 };
  t.same(changedStrings(before, after), [
    { path: ['a'], from: 'x', to: 'X' },
    { path: ['b', 1], from: 'z', to: 'Z' },
  ]);
});

t.test('only the translated strings change; every other byte is kept', async (t) => {
  const raw =
    ' {"apiVersion" : "serverless.kube.io/v1", "kind":"Function",\n "metadata":{"name":"a\\"b",' +
    '"managedFields":[{"apiVersion":"serverless.kube.io/v1","manager":"m"}]},' +
    '"spec":{"runtime":"go","runtime":"nodejs","timeoutSeconds":12345678901234567890,"x":["}\\\\",{"]":1}]}} ';
  const want = raw
    .replace('"kind":"Function"', '"kind":"FunctionRecord"')
    .replaceAll('"serverless.kube.io/v1"', '"internal.serverless.kube.io/v1"');
  t.equal(toBacking(raw), want);
});

t.test('a repeated key: each occurrence holding the old value is translated', async (t) => {
  const raw =
    '{"kind":"Function","apiVersion":"other/v1","apiVersion":"serverless.kube.io/v1","metadata":{}}';
  t.equal(
    toBacking(raw),
    '{"kind":"FunctionRecord","apiVersion":"other/v1","apiVersion":"internal.serverless.kube.io/v1","metadata":{}}',
  );
});

t.test('no changes: the text itself', async (t) => {
  t.equal(rewriteJsonStrings('{"a" : 1}', []), '{"a" : 1}');
});
