// Faults of the local control plane: a killed etcd, unreadable etcd data, and the
// `kube-serverless start` process stopped with Ctrl-C or killed outright.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ensureBinaries } from '../../src/local-cluster/binaries.ts';
import { startControlPlane } from '../../src/local-cluster/control-plane.ts';
import { run } from '../../src/local-cluster/exec.ts';
import { waitUntil } from '../../src/local-cluster/health.ts';
import { startCluster } from '../helpers/cluster.ts';
import { processesMentioning, tempDir } from '../helpers/processes.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;

t.test('a killed etcd is restarted and the API server recovers', async (t) => {
  const cluster = await startCluster();
  t.teardown(() => cluster.stop());
  const etcd = cluster.controlPlane.processes.etcd!;
  const killedPid = etcd.pid!;
  process.kill(killedPid, 'SIGKILL');
  await waitUntil('etcd restarted', async () => etcd.pid !== undefined && etcd.pid !== killedPid, {
    timeoutMs: 30_000,
  });
  await waitUntil(
    'kubectl works again',
    async () => (await cluster.kubectl(['create', 'namespace', 'after-etcd-restart'])).includes('created'),
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
  t.match(await cluster.kubectl(['get', 'namespace', 'after-etcd-restart']), /Active/);
});

t.test('etcd data that cannot be read is reset, with a message saying so', async (t) => {
  const stateDir = await tempDir(t, 'ks-corrupt-');
  const log: string[] = [];
  const options = {
    stateDir,
    ports: 'auto' as const,
    fastStorage: true,
    log: (line: string) => log.push(line),
  };
  const first = await startControlPlane(options);
  await first.stop();
  const walDir = join(stateDir, 'etcd', 'member', 'wal');
  for (const file of await readdir(walDir)) await writeFile(join(walDir, file), 'not a write-ahead log');
  await rm(join(stateDir, 'etcd', 'member', 'snap'), { recursive: true, force: true });
  const second = await startControlPlane(options);
  t.teardown(() => second.stop());
  t.match(log.join('\n'), /etcd could not start from .*resetting its data/);
  const namespaces = await run(second.binaries.kubectl, ['--kubeconfig', second.kubeconfigPath, 'get', 'ns']);
  t.match(namespaces, /default/);
});

function startCli(
  stateDir: string,
  options: { ownGroup?: boolean } = {},
): { child: ChildProcess; ready: Promise<string>; stderr: () => string } {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/kube-serverless.js'), 'start', '--state-dir', stateDir, '--ports', 'auto'],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownGroup ?? false },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const ready = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const match = /ready: export KUBECONFIG=(\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`start exited with ${code} before ready:\n${stderr}`)));
  });
  return { child, ready, stderr: () => stderr };
}

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  t.test(`kube-serverless start: ${signal} leaves no process behind`, async (t) => {
    const stateDir = await tempDir(t, 'ks-cli-');
    const { child, ready } = startCli(stateDir);
    t.teardown(() => {
      child.kill('SIGKILL');
    });
    const kubeconfig = await ready;
    const { kubectl } = await ensureBinaries();
    t.match(await run(kubectl, ['--kubeconfig', kubeconfig, 'get', 'ns']), /kube-system/);
    t.ok((await processesMentioning(stateDir)).length >= 4, 'the components run');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    await waitUntil('components gone', async () => (await processesMentioning(stateDir)).length === 0, {
      timeoutMs: 30_000,
    });
    t.pass('no process mentions the state folder any more');
  });
}

t.test(
  'kube-serverless start: Ctrl-C in a terminal (SIGINT to the whole group) restarts nothing',
  async (t) => {
    const stateDir = await tempDir(t, 'ks-cli-');
    const { child, ready, stderr } = startCli(stateDir, { ownGroup: true });
    t.teardown(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    });
    await ready;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGINT'); // what a terminal sends on Ctrl-C: every process of the group
    await exited;
    await waitUntil('components gone', async () => (await processesMentioning(stateDir)).length === 0, {
      timeoutMs: 30_000,
    });
    t.match(stderr(), /SIGINT: stopping the control plane[\s\S]*stopped/);
    t.notMatch(stderr(), /restarting/, 'no component is restarted during the shutdown');
  },
);
