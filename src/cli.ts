// kube-serverless command line: start the local platform, print its kubeconfig, build binaries.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBinaries } from './local-cluster/binaries.ts';
import { startControlPlane } from './local-cluster/control-plane.ts';
import { defaultStateDir } from './local-cluster/paths.ts';
import { deployPlatform, type Platform } from './local-cluster/platform.ts';
import { type PortChoice, STATE_ENTRIES } from './local-cluster/state.ts';

const USAGE = `usage: kube-serverless <command> [--state-dir DIR] [--ports standard|auto]

commands:
  start            run the local control plane with the platform, until Ctrl-C
  kubeconfig       print the path of the local cluster's admin kubeconfig
  build-binaries   build (or find in the cache) the Kubernetes and etcd binaries

options:
  --state-dir DIR  the cluster's state folder (default: $KS_STATE_DIR or ~/.local/state/kube-serverless/local)
  --ports auto     free ports instead of the standard ones (6443, 2379, ...) for a new state folder`;

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function start(stateDir: string, ports: PortChoice): Promise<void> {
  progress(`starting the local control plane (state: ${stateDir})`);
  const started = Date.now();
  const controlPlane = await startControlPlane({ stateDir, ports, log: progress });
  progress(`kubectl: ${controlPlane.binaries.kubectl}`);
  progress(`control plane up in ${((Date.now() - started) / 1000).toFixed(1)}s at ${controlPlane.server}`);
  let platform: Platform;
  try {
    platform = await deployPlatform(controlPlane, { log: progress });
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
  progress(`kube-serverless serving serverless.kube.io/v1 (${platform.replicas.length} API replicas)`);
  process.stdout.write(`ready: export KUBECONFIG=${controlPlane.kubeconfigPath}\n`);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      progress(`${signal}: stopping the control plane`);
      resolve();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  // A Ctrl-C reaches every process of the terminal's group at once: none of them is restarted now.
  for (const supervised of [...platform.replicas, ...Object.values(controlPlane.processes)])
    supervised.expectExit();
  await platform.stop();
  await controlPlane.stop();
  progress('stopped');
}

async function printKubeconfig(stateDir: string): Promise<void> {
  const path = join(stateDir, STATE_ENTRIES.adminKubeconfig);
  await access(path).catch(() => {
    throw new Error(`no local cluster in ${stateDir}: run \`npm start\` first`);
  });
  process.stdout.write(`${path}\n`);
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'state-dir': { type: 'string' },
      ports: { type: 'string', default: 'standard' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const stateDir = values['state-dir'] ?? defaultStateDir();
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  switch (command) {
    case 'start': {
      const ports = values.ports;
      if (ports !== 'standard' && ports !== 'auto') throw new Error('--ports must be "standard" or "auto"');
      return start(stateDir, ports);
    }
    case 'kubeconfig':
      return printKubeconfig(stateDir);
    case 'build-binaries': {
      const binaries = await ensureBinaries({ log: progress });
      for (const [name, path] of Object.entries(binaries)) process.stdout.write(`${name}\t${path}\n`);
      return;
    }
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
