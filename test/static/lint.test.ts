// Formatting, lint and types are part of the test suite, so a red style check fails CI.
import t from 'tap';
import { runCommand } from '../helpers/command.ts';

const root = new URL('../..', import.meta.url).pathname;

t.test('biome: formatting and lint rules hold', async (t) => {
  const { code, output } = await runCommand('npx', ['biome', 'check', '--error-on-warnings', '.'], {
    cwd: root,
  });
  t.equal(code, 0, output.slice(-8000));
});

t.test('tsc: the TypeScript sources type-check', async (t) => {
  const { code, output } = await runCommand('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], { cwd: root });
  t.equal(code, 0, output.slice(-8000));
});
