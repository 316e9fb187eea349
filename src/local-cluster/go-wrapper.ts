// Generates the wrapper go.mod that lets `go build` use a module whose own go.mod
// points its sibling modules at local paths (k8s.io/kubernetes staging, etcd's submodules).
// Each such replace line becomes a replace to the sibling's published version.

export interface ModuleFile {
  goLine: string;
  godebugLines: string[];
  localReplaces: string[];
}

const REPLACE_LINE = /^\s*(\S+)(?:\s+\S+)?\s+=>\s+(\S+)(?:\s+\S+)?\s*$/;

/** Reads the parts of a go.mod that a wrapper must carry over. */
export function parseModuleFile(text: string): ModuleFile {
  const lines = text.split('\n');
  const goLine = lines.find((line) => /^go\s+\d/.test(line))?.trim();
  if (!goLine) throw new Error('go.mod has no go directive');
  const godebugLines = lines.filter((line) => /^godebug\s/.test(line)).map((line) => line.trim());
  const localReplaces: string[] = [];
  let inBlock = false;
  for (const line of lines) {
    if (/^replace\s*\($/.test(line.trim())) {
      inBlock = true;
      continue;
    }
    if (inBlock && line.trim() === ')') {
      inBlock = false;
      continue;
    }
    const body = inBlock ? line : line.startsWith('replace ') ? line.slice('replace '.length) : undefined;
    const match = body === undefined ? undefined : REPLACE_LINE.exec(body);
    if (!match) continue;
    const [, modulePath, target] = match;
    const isLocal = target!.startsWith('./') || target!.startsWith('../');
    if (isLocal && !target!.includes('FORBIDDEN_DEPENDENCY')) localReplaces.push(modulePath!);
  }
  return { goLine, godebugLines, localReplaces };
}

export interface WrapperSpec {
  module: string;
  requirePath: string;
  requireVersion: string;
  parsed: ModuleFile;
  /** The published version to use for a sibling module. */
  siblingVersion: (modulePath: string) => string;
}

export function wrapperGoMod(spec: WrapperSpec): string {
  const replaces = spec.parsed.localReplaces.map(
    (path) => `\t${path} => ${path} ${spec.siblingVersion(path)}`,
  );
  return [
    `module ${spec.module}`,
    '',
    spec.parsed.goLine,
    ...(spec.parsed.godebugLines.length > 0 ? ['', ...spec.parsed.godebugLines] : []),
    '',
    `require ${spec.requirePath} ${spec.requireVersion}`,
    '',
    'replace (',
    ...replaces,
    ')',
    '',
  ].join('\n');
}

/** k8s.io/kubernetes v1.X.Y publishes its staging modules as v0.X.Y. */
export function stagingVersion(kubernetesVersion: string): string {
  const [major, minor, patch] = kubernetesVersion.split('.');
  if (major !== '1' || minor === undefined || patch === undefined) {
    throw new Error(`unexpected Kubernetes version ${kubernetesVersion}`);
  }
  return `v0.${minor}.${patch}`;
}

/** Linker flags that stamp the release, as upstream's hack/lib/version.sh does. */
export function kubernetesLdflags(kubernetesVersion: string, buildDate: Date): string {
  const [major, minor] = kubernetesVersion.split('.');
  const stamp = (pkg: string, values: Record<string, string>) =>
    Object.entries(values).map(([key, value]) => `-X ${pkg}.${key}=${value}`);
  const values = {
    gitVersion: `v${kubernetesVersion}`,
    gitMajor: major!,
    gitMinor: minor!,
    gitTreeState: 'clean',
    buildDate: buildDate.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  return [
    '-s',
    '-w',
    ...stamp('k8s.io/component-base/version', values),
    ...stamp('k8s.io/client-go/pkg/version', values),
  ].join(' ');
}
