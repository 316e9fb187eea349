// The state folder of one local cluster: ownership lock, recorded ports, and the
// reset of a stale or corrupted folder. Only entries this module knows are ever deleted.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertPortsFree, freePorts, type Ports, STANDARD_PORTS } from './ports.ts';
import { KUBERNETES_VERSION } from './versions.ts';

const FORMAT = 1;
const STATE_FILE = 'state.json';
const OWNER_FILE = 'owner.pid';
/** Everything a cluster writes into its state folder. */
export const STATE_ENTRIES = {
  pki: 'pki',
  etcdData: 'etcd',
  logs: 'logs',
  certDir: 'serving-certs',
  adminKubeconfig: 'admin.kubeconfig',
  controllerManagerKubeconfig: 'controller-manager.kubeconfig',
  schedulerKubeconfig: 'scheduler.kubeconfig',
  platform: 'platform',
} as const;
const KNOWN = new Set<string>([STATE_FILE, OWNER_FILE, ...Object.values(STATE_ENTRIES)]);

interface StateFile {
  format: number;
  kubernetesVersion: string;
  ports: Ports;
}

export type PortChoice = 'standard' | 'auto';

export interface OpenedState {
  dir: string;
  ports: Ports;
  path(entry: keyof typeof STATE_ENTRIES): string;
  /** Deletes one known entry, e.g. etcd data that cannot be read. */
  reset(entry: keyof typeof STATE_ENTRIES): Promise<void>;
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function claimOwnership(dir: string): Promise<void> {
  const ownerPath = join(dir, OWNER_FILE);
  const owner = Number.parseInt((await readFile(ownerPath, 'utf8').catch(() => '')).trim(), 10);
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `a local cluster is already running from ${dir} (pid ${owner}): stop it first, ` +
        'or set KS_STATE_DIR to another folder to run a second one',
    );
  }
  await writeFile(ownerPath, `${process.pid}\n`);
}

async function readState(dir: string): Promise<StateFile | 'missing' | 'unreadable'> {
  const text = await readFile(join(dir, STATE_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return 'missing';
  try {
    const state = JSON.parse(text) as StateFile;
    if (state.format !== FORMAT || state.kubernetesVersion !== KUBERNETES_VERSION) return 'unreadable';
    const portNames = Object.keys(STANDARD_PORTS) as Array<keyof Ports>;
    if (!portNames.every((name) => typeof state.ports?.[name] === 'number')) return 'unreadable';
    return state;
  } catch {
    return 'unreadable';
  }
}

async function removeKnownEntries(dir: string, keep: string[] = []): Promise<void> {
  for (const entry of await readdir(dir)) {
    if (KNOWN.has(entry) && !keep.includes(entry))
      await rm(join(dir, entry), { recursive: true, force: true });
  }
}

export async function openState(
  dir: string,
  choice: PortChoice,
  log: (line: string) => void = () => {},
): Promise<OpenedState> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const strangers = (await readdir(dir)).filter((entry) => !KNOWN.has(entry));
  if (strangers.length > 0) {
    throw new Error(
      `${dir} holds files that are not a kube-serverless cluster's (${strangers.slice(0, 3).join(', ')}): ` +
        'choose an empty folder with KS_STATE_DIR',
    );
  }
  await claimOwnership(dir);
  const previous = await readState(dir);
  if (previous === 'unreadable') {
    log(`state folder ${dir} is from another version or damaged: resetting it`);
    await removeKnownEntries(dir, [OWNER_FILE]);
  }
  const ports =
    typeof previous === 'object'
      ? previous.ports
      : choice === 'standard'
        ? STANDARD_PORTS
        : await freePorts();
  await assertPortsFree(ports);
  const state: StateFile = { format: FORMAT, kubernetesVersion: KUBERNETES_VERSION, ports };
  await writeFile(join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  await mkdir(join(dir, STATE_ENTRIES.logs), { recursive: true });
  return {
    dir,
    ports,
    path: (entry) => join(dir, STATE_ENTRIES[entry]),
    reset: (entry) => rm(join(dir, STATE_ENTRIES[entry]), { recursive: true, force: true }),
    release: () => rm(join(dir, OWNER_FILE), { force: true }),
  };
}
