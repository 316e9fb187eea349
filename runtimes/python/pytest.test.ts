/**
 * Runs the Python runtime's own tests (pytest in runtimes/python) as part of `npm test`.
 * Needs the virtualenv that the test setup creates:
 *   python3 -m venv runtimes/python/.venv
 *   runtimes/python/.venv/bin/pip install -r runtimes/python/requirements.txt -r runtimes/python/requirements-dev.txt
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCommand } from '../../test/helpers/command.ts';

const here = dirname(fileURLToPath(import.meta.url));
const python = join(here, '.venv', 'bin', 'python');

t.test('pytest in runtimes/python', { timeout: 5 * 60 * 1000 }, async (t) => {
  if (!existsSync(python)) {
    t.fail(`${python} is missing: create the virtualenv (see the comment at the top of this file)`);
    return;
  }
  const { code, output } = await runCommand(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
    cwd: here,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (code !== 0) t.comment(output);
  t.equal(code, 0, 'pytest exits 0');
  const summary = output.split('\n').find((line) => /\d+ passed/.test(line)) ?? '';
  t.match(summary, /\d+ passed/, `pytest summary: ${summary.trim()}`);
});
