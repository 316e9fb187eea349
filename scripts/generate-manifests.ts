/**
 * Writes the manifests generated from code: `node --import tsx scripts/generate-manifests.ts`.
 * Pass --check to fail, without writing, when a committed file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedManifests } from '../src/api/manifests.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of Object.entries(generatedManifests())) {
  const file = join(root, path);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current === text) continue;
  if (check) {
    stale++;
    console.error(`${path} is out of date: run node --import tsx scripts/generate-manifests.ts`);
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale ? 1 : 0;
