import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import t from 'tap';
import { lazyPackages } from '../lazy-packages.mjs';

const runtimeDir = fileURLToPath(new URL('..', import.meta.url));

// What Express does with these packages.
const entry = `
const mime = require('mime-types');
const typeis = require('type-is');
const out = {
  lookup: mime.lookup('a.json'),
  contentType: mime.contentType('html'),
  hasLookup: 'lookup' in mime,
  is: typeis.is('application/json; charset=utf-8', ['json']),
  hasBody: typeis.hasBody({ headers: { 'content-length': '2' } }),
  kind: typeof typeis,
};
console.log(JSON.stringify(out));
`;

t.test('lazily loaded packages answer as the real ones do', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-packages-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const source = join(runtimeDir, '.lazy-packages-entry.cjs');
  writeFileSync(source, entry);
  t.teardown(() => rmSync(source, { force: true }));
  const run = async (plugins: import('esbuild').Plugin[], name: string) => {
    const outfile = join(dir, name);
    await build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      plugins,
      logLevel: 'error',
    });
    return JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }));
  };
  const eager = await run([], 'eager.cjs');
  const lazy = await run([lazyPackages(['mime-types', 'type-is'])], 'lazy.cjs');
  t.strictSame(lazy, eager);
  t.equal(lazy.lookup, 'application/json');
  t.equal(lazy.is, 'json');
  t.equal(lazy.kind, 'function');
});
