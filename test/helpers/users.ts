// Test users of the local cluster: client certificates signed by the cluster CA (user = CN,
// groups = O, as kube-apiserver's x509 authenticator reads them), each with its own kubeconfig
// for the real kubectl, and RBAC bindings made as the admin.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCertificate, type KeyPairPem } from '../../certs/pki.ts';
import { run } from '../../src/local-cluster/exec.ts';
import { writeKubeconfig } from '../../src/local-cluster/kubeconfig.ts';
import type { TestCluster } from './cluster.ts';

export interface TestUser extends KeyPairPem {
  name: string;
  kubeconfigPath: string;
  /** The real kubectl as this user; rejects with kubectl's stderr when it exits non-zero. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** The real kubectl as this user, with its exit code and both outputs, whatever the outcome. */
  kubectlResult(args: string[], input?: string): Promise<CommandResult>;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runForResult(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(input);
  });
}

export async function createUser(
  cluster: TestCluster,
  name: string,
  groups: string[] = [],
): Promise<TestUser> {
  const { pki } = cluster.controlPlane;
  const ca = {
    commonName: 'kube-serverless-ca',
    certPem: await readFile(pki.ca.cert, 'utf8'),
    keyPem: await readFile(pki.ca.key, 'utf8'),
  };
  const pair = await issueCertificate(ca, { commonName: name, organizations: groups, usage: 'client' });
  const dir = join(cluster.controlPlane.stateDir, 'users', name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = { cert: join(dir, 'client.crt'), key: join(dir, 'client.key') };
  await writeFile(files.key, pair.keyPem, { mode: 0o600 });
  await writeFile(files.cert, pair.certPem);
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, cluster.controlPlane.server, pki.ca.cert, files, name);
  const env = { ...process.env, KUBECONFIG: kubeconfigPath };
  return {
    name,
    ...pair,
    kubeconfigPath,
    kubectl: (args, input) => run(cluster.kubectlPath, args, { input, env }),
    kubectlResult: (args, input) => runForResult(cluster.kubectlPath, args, env, input),
  };
}

/** What a failing command said, for asserting on kubectl's error output. */
export async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the command to fail, and it succeeded');
}
