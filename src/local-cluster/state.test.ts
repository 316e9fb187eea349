import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openState } from './state.ts';

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ks-state-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('records ports and reuses them on the next start', async (t) => {
  const dir = await tempDir(t);
  const first = await openState(dir, 'auto');
  await first.release();
  const second = await openState(dir, 'auto');
  t.same(second.ports, first.ports);
  await second.release();
});

t.test('refuses a folder that holds files of something else', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'thesis.tex'), 'precious');
  await t.rejects(openState(dir, 'auto'), /not a kube-serverless cluster's \(thesis\.tex\)/);
  t.equal(await readFile(join(dir, 'thesis.tex'), 'utf8'), 'precious');
});

t.test('refuses a folder owned by a live process', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'owner.pid'), `${process.ppid}\n`);
  await t.rejects(openState(dir, 'auto'), /already running from .* \(pid \d+\)/);
});

t.test('takes over a folder whose owner is gone, and resets a damaged one', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'owner.pid'), '999999999\n');
  await writeFile(join(dir, 'state.json'), '{not json');
  await mkdir(join(dir, 'etcd'));
  await writeFile(join(dir, 'etcd', 'member'), 'garbage');
  const lines: string[] = [];
  const state = await openState(dir, 'auto', (line) => lines.push(line));
  t.match(lines.join('\n'), /damaged: resetting it/);
  await t.rejects(readFile(join(dir, 'etcd', 'member')), 'etcd data was removed');
  await state.release();
});

t.test('a recorded port that is taken gives one line saying what to do', async (t) => {
  const dir = await tempDir(t);
  const state = await openState(dir, 'auto');
  await state.release();
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(state.ports.apiserver, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  await t.rejects(
    openState(dir, 'auto'),
    /port \d+ on 127\.0\.0\.1 \(apiserver\) is already in use: stop the process/,
  );
});
