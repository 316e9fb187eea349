/**
 * Runs the Go runtime's own tests (`go test ./...` in runtimes/go) as part of `npm test`.
 * The launcher tests compile functions with the go command; on a machine whose Go build cache is
 * cold the first run takes a few minutes.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCommand } from '../../test/helpers/command.ts';

const here = dirname(fileURLToPath(import.meta.url));

t.test('go test ./... in runtimes/go', { timeout: 16 * 60 * 1000 }, async (t) => {
  const { code, output } = await runCommand('go', ['test', '-count=1', '-timeout=15m', './...'], {
    cwd: here,
  });
  if (code !== 0) t.comment(output);
  t.equal(code, 0, 'go test exits 0');
  const packages = output.split('\n').filter((line) => /^ok\s/.test(line));
  t.ok(packages.length >= 2, `packages passed: ${packages.length}`);
});
