// Formatting, lint and types are part of the test suite, so a red style check fails CI.
import { spawnSync } from 'node:child_process';
import t from 'tap';

const root = new URL('../..', import.meta.url).pathname;

function check(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.slice(-8000) };
}

t.test('biome: formatting and lint rules hold', async (t) => {
  const { status, output } = check('npx', ['biome', 'check', '--error-on-warnings', '.']);
  t.equal(status, 0, output);
});

t.test('tsc: the TypeScript sources type-check', async (t) => {
  const { status, output } = check('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  t.equal(status, 0, output);
});
