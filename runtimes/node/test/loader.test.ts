import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LoadError, loadHandler, parseHandlerSpec } from '../src/loader.js';

const root = mkdtempSync(join(tmpdir(), 'node-runtime-loader-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fresh function directory with the given files. */
function fn(files: Record<string, string>): string {
  const dir = join(root, `fn${n++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const forms: [string, Record<string, string>, string?][] = [
  ['CommonJS exports.handle', { 'handler.js': 'exports.handle = (e) => "cjs:" + e;' }],
  [
    'CommonJS module.exports = { handle }',
    { 'handler.js': 'module.exports = { handle: async (e) => "cjs:" + e };' },
  ],
  ['CommonJS module.exports = fn', { 'handler.js': 'module.exports = (e) => "cjs:" + e;' }],
  [
    'ESM export function (syntax detection)',
    { 'handler.js': 'export function handle(e) { return "esm:" + e; }' },
  ],
  [
    'ESM export default { handle }',
    { 'handler.mjs': 'export default { p: "esm:", handle(e) { return this.p + e; } };' },
  ],
  ['ESM export default fn', { 'handler.mjs': 'export default async (e) => "esm:" + e;' }],
  ['.cjs', { 'handler.cjs': 'exports.handle = (e) => "cjs:" + e;' }],
  [
    '.js with package.json type module',
    { 'package.json': '{"type":"module"}', 'handler.js': 'export const handle = (e) => "esm:" + e;' },
  ],
  [
    '.js with package.json type commonjs',
    { 'package.json': '{"type":"commonjs"}', 'handler.js': 'exports.handle = (e) => "cjs:" + e;' },
  ],
  ['a module in a sub-directory', { 'lib/main.js': 'exports.run = (e) => "cjs:" + e;' }, 'lib/main.run'],
  ['a custom export name', { 'index.mjs': 'export const go = (e) => "esm:" + e;' }, 'index.go'],
];

for (const [name, files, spec = 'handler.handle'] of forms) {
  t.test(`handler form: ${name}`, async (t) => {
    const handle = await loadHandler(fn(files), spec);
    const out = await handle('x' as never, {} as never);
    t.match(out, /^(cjs|esm):x$/);
  });
}

t.test('CommonJS under an ESM package.json above the function directory is still CommonJS', async (t) => {
  const outer = fn({
    'package.json': '{"type":"module"}',
    'inner/handler.js': 'exports.handle = () => require("node:path").sep;',
  });
  const handle = await loadHandler(join(outer, 'inner'), 'handler.handle');
  t.equal(await handle({} as never, {} as never), '/');
});

t.test('a CommonJS handler can require a sibling file', async (t) => {
  const dir = fn({
    'handler.js': 'const u = require("./util"); exports.handle = () => u.v;',
    'util.js': 'exports.v = 7;',
  });
  t.equal(await (await loadHandler(dir, 'handler.handle'))({} as never, {} as never), 7);
});

const failures: [string, string | null, string, RegExp][] = [
  [
    'no handler file',
    null,
    'handler.handle',
    /handler file handler\.js \(or handler\.mjs, handler\.cjs\) not found in /,
  ],
  [
    'no such export',
    'exports.other = () => 1;',
    'handler.handle',
    /handler module handler\.js has no export "handle"/,
  ],
  [
    'export is not a function',
    'exports.handle = 42;',
    'handler.handle',
    /export "handle" of handler\.js is not a function \(it is a number\)/,
  ],
  [
    'syntax error',
    'exports.handle = (=> 1;',
    'handler.handle',
    /loading handler\.js failed: (SyntaxError: |Error: Transform failed)/,
  ], // the second: tsx, in tests only
  [
    'throws at load',
    'throw new RangeError("no config");',
    'handler.handle',
    /loading handler\.js failed: RangeError: no config/,
  ],
  ['bad spec', 'exports.handle = () => 1;', 'handler', /FUNCTION_HANDLER "handler" must have the form/],
  ['spec escapes the directory', 'exports.handle = () => 1;', '../x.handle', /inside the function directory/],
];

for (const [name, source, spec, reason] of failures) {
  t.test(`load failure: ${name}`, async (t) => {
    const dir = fn(source === null ? { 'README.md': 'x' } : { 'handler.js': source });
    const err = await loadHandler(dir, spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(err instanceof LoadError, 'a LoadError');
    t.match((err as Error).message, reason);
  });
}

t.test('a missing function directory', async (t) => {
  await t.rejects(loadHandler(join(root, 'nope'), 'handler.handle'), /function directory .*nope not found/);
});

t.test('parseHandlerSpec splits at the last dot', async (t) => {
  t.strictSame(parseHandlerSpec('a.b.c'), { module: 'a.b', exportName: 'c' });
  t.strictSame(parseHandlerSpec('lib/h.handle'), { module: 'lib/h', exportName: 'handle' });
  t.throws(() => parseHandlerSpec('.handle'), /must have the form/);
  t.throws(() => parseHandlerSpec('handler.'), /must have the form/);
});
