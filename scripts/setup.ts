// Prepares everything the test suite needs beyond `npm ci`: the control-plane binaries
// (built once and cached), the Python runtime's virtualenv and the Node runtime's bundle (rebuilt
// every time: it takes a fraction of a second and must never be stale). Safe to run repeatedly.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureBinaries } from '../src/local-cluster/binaries.ts';
import { run } from '../src/local-cluster/exec.ts';

const root = new URL('..', import.meta.url).pathname;
const say = (line: string) => process.stderr.write(`[setup] ${line}\n`);

async function ensurePythonRuntimeEnv(): Promise<void> {
  const dir = join(root, 'runtimes/python');
  const requirementFiles = ['requirements.txt', 'requirements-dev.txt'].filter((f) =>
    existsSync(join(dir, f)),
  );
  if (requirementFiles.length === 0) return;
  const hash = createHash('sha256');
  for (const file of requirementFiles) hash.update(await readFile(join(dir, file)));
  const digest = hash.digest('hex');
  const stamp = join(dir, '.venv', '.requirements-sha256');
  if ((await readFile(stamp, 'utf8').catch(() => '')) === digest) return;
  say('creating the Python runtime virtualenv (runtimes/python/.venv)');
  await run('python3', ['-m', 'venv', '.venv'], { cwd: dir });
  const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '-q'];
  await run('.venv/bin/python', [...pip, ...requirementFiles.flatMap((f) => ['-r', f])], { cwd: dir });
  await writeFile(stamp, digest);
}

/** runtimes/node/dist/server.mjs, which the Node runtime's local.json runs (ADR 0105). */
async function buildNodeRuntime(): Promise<void> {
  await run(process.execPath, ['build.mjs'], { cwd: join(root, 'runtimes/node') });
}

try {
  await buildNodeRuntime();
  const binaries = await ensureBinaries({ log: say });
  say(`control-plane binaries ready (${Object.keys(binaries).length})`);
  await ensurePythonRuntimeEnv();
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exit(1);
}
