/**
 * Runs the Go runtime's own tests (`go test ./...` in runtimes/go) as part of `npm test`.
 * The launcher tests compile functions with the go command; on a machine whose Go build cache is
 * cold the first run takes a few minutes.
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const here = dirname(fileURLToPath(import.meta.url));

function goTest(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['test', '-count=1', '-timeout=15m', './...'], {
      cwd: here,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

t.test('go test ./... in runtimes/go', { timeout: 16 * 60 * 1000 }, async (t) => {
  const { code, output } = await goTest();
  if (code !== 0) t.comment(output);
  t.equal(code, 0, 'go test exits 0');
  const packages = output.split('\n').filter((line) => /^ok\s/.test(line));
  t.ok(packages.length >= 2, `packages passed: ${packages.length}`);
});
