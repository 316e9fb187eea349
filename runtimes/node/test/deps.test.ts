import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { hashFiles, installEnv, listFiles, needsInstall, prepareDependencies } from '../src/deps.js';
import { LoadError, loadHandler } from '../src/loader.js';
import { createLogger } from '../src/logger.js';

const root = mkdtempSync(join(tmpdir(), 'node-runtime-deps-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const lines: string[] = [];
const log = createLogger((l) => lines.push(l));

/** Writes files under a new directory; values are contents. */
function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const withLocalDep = {
  'package.json': JSON.stringify({
    name: 'f',
    private: true,
    dependencies: { shout: 'file:./vendor/shout' },
  }),
  'vendor/shout/package.json': JSON.stringify({ name: 'shout', version: '1.0.0', main: 'index.js' }),
  'vendor/shout/index.js': 'module.exports = (s) => s.toUpperCase() + "!";',
  'handler.js': 'const shout = require("shout"); exports.handle = (e) => shout(e.body);',
};

t.test('needsInstall', async (t) => {
  t.equal(needsInstall(tree('none', { 'handler.js': '' })), false, 'no package.json');
  t.equal(needsInstall(tree('nodeps', { 'package.json': '{"type":"module"}' })), false, 'no dependencies');
  t.equal(
    needsInstall(tree('empty', { 'package.json': '{"dependencies":{}}' })),
    false,
    'empty dependencies',
  );
  t.equal(needsInstall(tree('deps', { 'package.json': '{"dependencies":{"a":"1.0.0"}}' })), true);
  t.equal(
    needsInstall(
      tree('vendored', { 'package.json': '{"dependencies":{"a":"1.0.0"}}', 'node_modules/a/index.js': '' }),
    ),
    false,
    'vendored node_modules',
  );
  t.throws(
    () => needsInstall(tree('badjson', { 'package.json': '{' })),
    /package.json in .* is not valid JSON/,
  );
});

t.test('files are listed through ConfigMap symlinks and hashed stably', async (t) => {
  const dir = tree('configmap', {
    '..2024_01_01/handler.js': 'exports.handle = () => 1;',
    '..2024_01_01/package.json': '{}',
  });
  symlinkSync('..2024_01_01', join(dir, '..data'));
  symlinkSync('..data/handler.js', join(dir, 'handler.js'));
  symlinkSync('..data/package.json', join(dir, 'package.json'));
  t.strictSame(listFiles(dir), ['handler.js', 'package.json']);
  const h = hashFiles(dir, listFiles(dir));
  t.match(h, /^[0-9a-f]{32}$/);
  t.equal(hashFiles(dir, listFiles(dir)), h, 'stable');
  writeFileSync(join(dir, '..2024_01_01/handler.js'), 'exports.handle = () => 2;');
  t.not(hashFiles(dir, listFiles(dir)), h, 'changes with the content');
});

t.test('installEnv drops what an enclosing npm run exported', async (t) => {
  process.env.npm_config_local_prefix = '/elsewhere';
  process.env.npm_package_name = 'x';
  t.teardown(() => {
    delete process.env.npm_config_local_prefix;
    delete process.env.npm_package_name;
  });
  const env = installEnv('/cache');
  t.equal(env.npm_config_local_prefix, undefined);
  t.equal(env.npm_package_name, undefined);
  t.equal(env.npm_config_cache, '/cache/.npm');
  t.equal(env.PATH, process.env.PATH);
});

t.test('dependencies are installed into the cache once, then reused', async (t) => {
  const dir = tree('withdep', withLocalDep);
  const cache = join(root, 'cache');
  const target = await prepareDependencies(dir, cache, log);
  t.ok(target.startsWith(cache), 'a directory in the cache');
  t.ok(existsSync(join(target, 'node_modules/shout')), 'installed');
  t.notOk(existsSync(join(dir, 'node_modules')), 'the function directory is left alone');
  const handle = await loadHandler(target, 'handler.handle');
  t.equal(await handle({ body: 'hi' } as never, {} as never), 'HI!');
  const again = await prepareDependencies(dir, cache, log);
  t.equal(again, target, 'the same directory');
  t.ok(lines.some((l) => JSON.parse(l).msg === 'dependencies found in cache'));
  t.equal(readFileSync(join(target, 'handler.js'), 'utf8'), withLocalDep['handler.js']);
});

t.test('an install failure is a LoadError with npm’s last words', async (t) => {
  const dir = tree('broken', {
    'package.json': JSON.stringify({ dependencies: { nothere: 'file:./missing.tgz' } }),
    'handler.js': 'exports.handle = () => 1;',
  });
  const cache = join(root, 'cache2');
  const err = await prepareDependencies(dir, cache, log).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof LoadError);
  t.match((err as Error).message, /^installing dependencies failed \(npm exit code \d+\)/);
  t.strictSame(
    (await import('node:fs')).readdirSync(cache).filter((n) => !n.startsWith('.')),
    [],
    'no half-installed directory is left',
  );
});
