import t from 'tap';
import { mergeDiff, mergeInto, removes } from './merge-diff.ts';

t.test('the diff of a mutation and its replay onto an apply configuration', async (t) => {
  const before = { metadata: { name: 'f', labels: { a: '1' } }, spec: { list: [1, 2], keep: true } };
  const after = {
    metadata: { name: 'f', labels: { a: '1', b: '2' } },
    spec: { list: [1, 2, 3], keep: true },
  };
  const diff = mergeDiff(before, after);
  t.same(diff, { metadata: { labels: { b: '2' } }, spec: { list: [1, 2, 3] } });
  t.notOk(removes(diff));
  const config = { apiVersion: 'x', metadata: { name: 'f' }, spec: { keep: true } };
  t.same(mergeInto(config, diff), {
    apiVersion: 'x',
    metadata: { name: 'f', labels: { b: '2' } },
    spec: { keep: true, list: [1, 2, 3] },
  });
  t.equal(mergeDiff(before, structuredClone(before)), undefined);
  t.ok(removes(mergeDiff(after, before)), 'a removed label is a null');
});
