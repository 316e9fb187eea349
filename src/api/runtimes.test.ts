import t from 'tap';
import { findRuntime, handlerFiles, inlineFileName, RUNTIME_IDS, splitHandler } from './runtimes.ts';

t.test('the catalog: languages, versioned ids, default handlers and images', async (t) => {
  t.same(RUNTIME_IDS, ['nodejs', 'python', 'go', 'nodejs22', 'python3.11', 'go1.26']);
  t.match(findRuntime('nodejs'), {
    language: 'nodejs',
    defaultHandler: 'handler.handle',
    extension: '.js',
    image: /runtime-node/,
  });
  t.match(findRuntime('python3.11'), {
    language: 'python',
    version: '3.11',
    defaultHandler: 'handler.handle',
    image: /runtime-python/,
  });
  t.match(findRuntime('go'), {
    language: 'go',
    defaultHandler: 'handler.Handle',
    extension: '.go',
    image: /runtime-go/,
  });
  t.equal(findRuntime('ruby'), undefined);
  t.equal(findRuntime(3), undefined);
  t.equal(findRuntime('constructor'), undefined);
});

t.test('handlers: split at the last dot; the files a runtime loads', async (t) => {
  t.same(splitHandler('lib/util.handle'), { module: 'lib/util', exportName: 'handle' });
  t.same(splitHandler('a.b.c'), { module: 'a.b', exportName: 'c' });
  for (const bad of ['nodot', '.x', 'x.']) t.equal(splitHandler(bad), undefined, bad);
  t.same(handlerFiles('nodejs', 'handler'), ['handler.js', 'handler.mjs', 'handler.cjs']);
  t.same(handlerFiles('nodejs', 'lib/main.mjs'), [
    'lib/main.mjs',
    'lib/main.mjs.js',
    'lib/main.mjs.mjs',
    'lib/main.mjs.cjs',
  ]);
  t.same(handlerFiles('python', 'pkg.mod'), ['pkg/mod.py', 'pkg/mod/__init__.py']);
  t.same(handlerFiles('python', 'lib/main'), ['lib/main.py', 'lib/main/__init__.py']);
  t.same(handlerFiles('go', 'handler'), ['handler.go']);
  t.equal(inlineFileName(findRuntime('go')!), 'handler.go');
  t.equal(inlineFileName(findRuntime('python')!, 'app.main'), 'app.py');
});
