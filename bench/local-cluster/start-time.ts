// Time to a ready control plane (apiserver /readyz, controller-manager and scheduler healthy,
// default ServiceAccount present) with warm binaries: a fresh state folder, then a reused one.
// Usage: node --import tsx bench/local-cluster/start-time.ts [runs]
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../../src/local-cluster/control-plane.ts';

const runs = Number(process.argv[2] ?? 3);

async function timeStart(stateDir: string): Promise<number> {
  const started = performance.now();
  const controlPlane = await startControlPlane({ stateDir, ports: 'auto', fastStorage: true });
  const elapsed = performance.now() - started;
  await controlPlane.stop();
  return elapsed / 1000;
}

const fresh: number[] = [];
const reused: number[] = [];
for (let i = 0; i < runs; i++) {
  const stateDir = await mkdtemp(join(tmpdir(), 'ks-bench-'));
  fresh.push(await timeStart(stateDir));
  reused.push(await timeStart(stateDir));
  await rm(stateDir, { recursive: true, force: true });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const show = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, ${new Date().toISOString()}`,
);
console.log(`fresh state folder: median ${median(fresh).toFixed(1)}s (runs: ${show(fresh)})`);
console.log(`reused state folder: median ${median(reused).toFixed(1)}s (runs: ${show(reused)})`);
