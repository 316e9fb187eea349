// Finds or builds the control-plane binaries: KUBEBUILDER_ASSETS first, then the cache,
// else a build from the published Go modules through a wrapper module, one binary at a time.
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.ts';
import { kubernetesLdflags, parseModuleFile, stagingVersion, wrapperGoMod } from './go-wrapper.ts';
import { cacheRoot } from './paths.ts';
import { ETCD_VERSION, KUBERNETES_VERSION } from './versions.ts';

export const BINARY_NAMES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
] as const;
export type BinaryName = (typeof BINARY_NAMES)[number];
export type Binaries = Record<BinaryName, string>;

interface GoModule {
  id: string;
  path: string;
  version: string;
  siblingVersion: (path: string) => string;
  ldflags: () => string;
}

const kubernetesModule: GoModule = {
  id: `kubernetes-v${KUBERNETES_VERSION}`,
  path: 'k8s.io/kubernetes',
  version: `v${KUBERNETES_VERSION}`,
  siblingVersion: () => stagingVersion(KUBERNETES_VERSION),
  ldflags: () => kubernetesLdflags(KUBERNETES_VERSION, new Date()),
};

const etcdModule: GoModule = {
  id: `etcd-v${ETCD_VERSION}`,
  path: 'go.etcd.io/etcd/server/v3',
  version: `v${ETCD_VERSION}`,
  siblingVersion: () => `v${ETCD_VERSION}`,
  ldflags: () => '-s -w',
};

const sources: Record<BinaryName, { module: GoModule; pkg: string }> = {
  etcd: { module: etcdModule, pkg: etcdModule.path },
  'kube-apiserver': { module: kubernetesModule, pkg: 'k8s.io/kubernetes/cmd/kube-apiserver' },
  'kube-controller-manager': {
    module: kubernetesModule,
    pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager',
  },
  'kube-scheduler': { module: kubernetesModule, pkg: 'k8s.io/kubernetes/cmd/kube-scheduler' },
  kubectl: { module: kubernetesModule, pkg: 'k8s.io/kubernetes/cmd/kubectl' },
};

export interface EnsureOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export function cachedBinaryPath(name: BinaryName, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'bin', sources[name].module.id, name);
}

/** Returns a path for every binary, building the missing ones. */
export async function ensureBinaries(options: EnsureOptions = {}): Promise<Binaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const found: Partial<Binaries> = {};
  const missing: BinaryName[] = [];
  for (const name of BINARY_NAMES) {
    const assets = env.KUBEBUILDER_ASSETS;
    const candidates = [...(assets ? [join(assets, name)] : []), cachedBinaryPath(name, env)];
    let path: string | undefined;
    for (const candidate of candidates) {
      if (await exists(candidate)) {
        path = candidate;
        break;
      }
    }
    if (path) found[name] = path;
    else missing.push(name);
  }
  if (missing.length > 0) {
    await requireGo(missing, env);
    log(`building ${missing.join(', ')} from Go modules (cached in ${join(cacheRoot(env), 'bin')})`);
    for (const [index, name] of missing.entries()) {
      found[name] = await buildBinary(name, env, (line) => log(`[${index + 1}/${missing.length}] ${line}`));
    }
  }
  return found as Binaries;
}

async function requireGo(missing: BinaryName[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run('go', ['version'], { env });
  } catch {
    throw new Error(
      `Go was not found on PATH and ${missing.join(', ')} must be built: install Go >= 1.26 ` +
        '(https://go.dev/dl/), or set KUBEBUILDER_ASSETS to a folder holding ' +
        `${BINARY_NAMES.join(', ')}.`,
    );
  }
}

async function prepareWrapper(module: GoModule, buildDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const goModPath = join(buildDir, 'go.mod');
  if (await exists(join(buildDir, 'go.sum'))) return;
  await mkdir(buildDir, { recursive: true });
  const download = JSON.parse(
    await run('go', ['mod', 'download', '-json', `${module.path}@${module.version}`], { cwd: buildDir, env }),
  ) as { GoMod?: string; Error?: string };
  if (!download.GoMod) throw new Error(`go mod download ${module.path}@${module.version}: ${download.Error}`);
  const parsed = parseModuleFile(await readFile(download.GoMod, 'utf8'));
  const text = wrapperGoMod({
    module: `kube-serverless.local/build/${module.id}`,
    requirePath: module.path,
    requireVersion: module.version,
    parsed,
    siblingVersion: module.siblingVersion,
  });
  await writeFile(goModPath, text);
  const packages = Object.values(sources)
    .filter((source) => source.module === module)
    .map((source) => `${source.pkg}@${module.version}`);
  await run('go', ['get', ...packages], { cwd: buildDir, env });
}

async function buildBinary(
  name: BinaryName,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<string> {
  const { module, pkg } = sources[name];
  const buildDir = join(cacheRoot(env), 'build', module.id);
  const output = cachedBinaryPath(name, env);
  await mkdir(join(output, '..'), { recursive: true });
  log(`preparing ${module.path}@${module.version}`);
  await prepareWrapper(module, buildDir, env);
  const started = Date.now();
  let compiled = 0;
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`building ${name}: ${compiled} packages compiled, ${seconds}s`);
  }, 30_000);
  const partial = `${output}.partial-${process.pid}`;
  try {
    await run('go', ['build', '-v', '-trimpath', '-ldflags', module.ldflags(), '-o', partial, pkg], {
      cwd: buildDir,
      env: { ...env, CGO_ENABLED: '0', GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() },
      onStderrLine: () => {
        compiled++;
      },
    });
  } finally {
    clearInterval(ticker);
  }
  await rename(partial, output);
  log(`built ${name} in ${Math.round((Date.now() - started) / 1000)}s`);
  return output;
}
