// Starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler as supervised local
// processes on loopback, and stops them all again.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Binaries, ensureBinaries } from './binaries.ts';
import { type ClusterPki, ensureClusterPki } from './cluster-pki.ts';
import { apiserverArgs, controllerManagerArgs, etcdArgs, schedulerArgs } from './components.ts';
import { isHealthy, type Probe, probeOnce, waitUntil } from './health.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { HOST, type Ports } from './ports.ts';
import { type OpenedState, openState, type PortChoice } from './state.ts';
import { SupervisedProcess } from './supervisor.ts';

export interface ControlPlaneOptions {
  stateDir: string;
  ports?: PortChoice;
  /** etcd without fsync: for throw-away test clusters. */
  fastStorage?: boolean;
  log?: (line: string) => void;
}

export interface ControlPlane {
  server: string;
  kubeconfigPath: string;
  binaries: Binaries;
  pki: ClusterPki;
  ports: Ports;
  stateDir: string;
  /** The supervised processes, by component name (tests kill them to check recovery). */
  processes: Record<string, SupervisedProcess>;
  stop(): Promise<void>;
}

const MAX_CRASHES_WHILE_STARTING = 3;

function lastLogLine(logFile: string): string {
  const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
  return lines.findLast((line) => /^[EF]\d{4}|error/i.test(line)) ?? lines.at(-1) ?? '';
}

function crashLoop(process: SupervisedProcess, name: string, logFile: string) {
  return () =>
    process.crashes.length >= MAX_CRASHES_WHILE_STARTING
      ? `${name} keeps exiting (${lastLogLine(logFile).slice(0, 400)}); see ${logFile}`
      : undefined;
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const binaries = await ensureBinaries({ log });
  const state = await openState(options.stateDir, options.ports ?? 'auto', log);
  const processes: Record<string, SupervisedProcess> = {};
  const stop = async () => {
    for (const process of Object.values(processes)) process.expectExit();
    for (const name of Object.keys(processes).reverse()) await processes[name]!.stop();
    await state.release();
  };
  try {
    const pki = await ensureClusterPki(state.path('pki'), log);
    const server = `https://${HOST}:${state.ports.apiserver}`;
    const kubeconfigPath = state.path('adminKubeconfig');
    await writeKubeconfig(kubeconfigPath, server, pki.ca.cert, pki.admin, 'kube-serverless-admin');
    await writeKubeconfig(
      state.path('controllerManagerKubeconfig'),
      server,
      pki.ca.cert,
      pki.controllerManager,
      'system:kube-controller-manager',
    );
    await writeKubeconfig(
      state.path('schedulerKubeconfig'),
      server,
      pki.ca.cert,
      pki.scheduler,
      'system:kube-scheduler',
    );

    const launch = (name: string, command: string, args: string[]) => {
      const logFile = join(state.path('logs'), `${name}.log`);
      const process = new SupervisedProcess({ name, command, args, logFile, log });
      processes[name] = process;
      process.start();
      return { process, logFile };
    };

    await startEtcd(state, binaries, options.fastStorage ?? false, launch, log);

    const adminTls = {
      ca: await readFile(pki.ca.cert),
      cert: await readFile(pki.admin.cert),
      key: await readFile(pki.admin.key),
    };
    const apiserver = launch(
      'kube-apiserver',
      binaries['kube-apiserver'],
      apiserverArgs(state.ports, pki, state.path('certDir')),
    );
    await waitUntil('kube-apiserver', () => isHealthy({ url: `${server}/readyz`, tls: adminTls }), {
      timeoutMs: 120_000,
      giveUp: crashLoop(apiserver.process, 'kube-apiserver', apiserver.logFile),
    });

    const kcm = launch(
      'kube-controller-manager',
      binaries['kube-controller-manager'],
      controllerManagerArgs(
        state.ports,
        pki,
        state.path('controllerManagerKubeconfig'),
        join(state.path('certDir'), 'controller-manager'),
      ),
    );
    const scheduler = launch(
      'kube-scheduler',
      binaries['kube-scheduler'],
      schedulerArgs(state.ports, state.path('schedulerKubeconfig'), join(state.path('certDir'), 'scheduler')),
    );
    const selfSigned = { rejectUnauthorized: false };
    await Promise.all([
      waitUntil(
        'kube-controller-manager',
        () => isHealthy({ url: `https://${HOST}:${state.ports.controllerManager}/healthz`, tls: selfSigned }),
        {
          timeoutMs: 60_000,
          giveUp: crashLoop(kcm.process, 'kube-controller-manager', kcm.logFile),
        },
      ),
      waitUntil(
        'kube-scheduler',
        () => isHealthy({ url: `https://${HOST}:${state.ports.scheduler}/healthz`, tls: selfSigned }),
        {
          timeoutMs: 60_000,
          giveUp: crashLoop(scheduler.process, 'kube-scheduler', scheduler.logFile),
        },
      ),
    ]);
    // Pods can only be admitted once the controller manager has created the namespace's
    // default ServiceAccount.
    const defaultServiceAccount: Probe = {
      url: `${server}/api/v1/namespaces/default/serviceaccounts/default`,
      tls: adminTls,
    };
    await waitUntil('default ServiceAccount', () => isHealthy(defaultServiceAccount), { timeoutMs: 60_000 });

    return {
      server,
      kubeconfigPath,
      binaries,
      pki,
      ports: state.ports,
      stateDir: state.dir,
      processes,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Launch = (
  name: string,
  command: string,
  args: string[],
) => { process: SupervisedProcess; logFile: string };

/** Starts etcd; data that etcd cannot open is reset once, with a message saying so. */
async function startEtcd(
  state: OpenedState,
  binaries: Binaries,
  fastStorage: boolean,
  launch: Launch,
  log: (line: string) => void,
): Promise<void> {
  const probe: Probe = { url: `http://${HOST}:${state.ports.etcdClient}/health` };
  const healthy = async () => JSON.parse((await probeOnce(probe)).body).health === 'true';
  for (let attempt = 1; ; attempt++) {
    const etcd = launch('etcd', binaries.etcd, etcdArgs(state.ports, state.path('etcdData'), fastStorage));
    try {
      await waitUntil('etcd', healthy, {
        timeoutMs: 60_000,
        giveUp: crashLoop(etcd.process, 'etcd', etcd.logFile),
      });
      return;
    } catch (error) {
      await etcd.process.stop();
      if (attempt > 1) throw error;
      log(
        `etcd could not start from ${state.path('etcdData')} (${(error as Error).message}); resetting its data`,
      );
      await state.reset('etcdData');
    }
  }
}
