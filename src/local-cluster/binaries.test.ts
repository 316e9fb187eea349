import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BINARY_NAMES, cachedBinaryPath, ensureBinaries } from './binaries.ts';

async function tempDir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ks-binaries-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function fakeExecutable(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
}

t.test('without Go and without binaries, says how to get them', async (t) => {
  const cache = await tempDir(t);
  const env = { PATH: join(cache, 'no-such-bin'), KS_CACHE_DIR: cache };
  await t.rejects(
    ensureBinaries({ env }),
    /Go was not found on PATH .*install Go >= 1\.26.*KUBEBUILDER_ASSETS/,
  );
});

t.test('KUBEBUILDER_ASSETS first, then the cache, and no build when all are found', async (t) => {
  const cache = await tempDir(t);
  const assets = await tempDir(t);
  const env = { PATH: join(cache, 'no-such-bin'), KS_CACHE_DIR: cache, KUBEBUILDER_ASSETS: assets };
  for (const name of ['kube-apiserver', 'etcd', 'kubectl']) await fakeExecutable(join(assets, name));
  for (const name of BINARY_NAMES) await fakeExecutable(cachedBinaryPath(name, env));
  const binaries = await ensureBinaries({ env });
  t.equal(binaries['kube-apiserver'], join(assets, 'kube-apiserver'));
  t.equal(binaries.etcd, join(assets, 'etcd'));
  t.equal(binaries['kube-scheduler'], cachedBinaryPath('kube-scheduler', env));
});
