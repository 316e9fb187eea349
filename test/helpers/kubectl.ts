// The real kubectl against a test cluster, with exit code, stdout and stderr kept apart (failing
// commands are part of what the suites check), and long-running commands such as `get -w`.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { TestCluster } from './cluster.ts';

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  input?: string;
  env?: Record<string, string>;
}

export interface Kubectl {
  /** Runs kubectl to its end, whatever its exit code. */
  run(args: string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** Runs kubectl and resolves to stdout; rejects with stderr on a non-zero exit. */
  ok(args: string[], options?: KubectlOptions): Promise<string>;
  /** Starts kubectl and leaves it running (the caller kills it). */
  start(args: string[]): RunningKubectl;
}

export interface RunningKubectl {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Kills the process and resolves once it has exited. */
  stop(): Promise<void>;
}

/** kubectl for one cluster, with its own discovery cache (ports are reused between clusters). */
export function kubectlFor(cluster: TestCluster, cacheDir: string): Kubectl {
  const env = (extra: Record<string, string> = {}) => ({
    ...process.env,
    KUBECONFIG: cluster.kubeconfigPath,
    KUBECACHEDIR: cacheDir,
    ...extra,
  });
  const run = (args: string[], options: KubectlOptions = {}) =>
    new Promise<KubectlResult>((resolve, reject) => {
      const child = spawn(cluster.kubectlPath, args, { env: env(options.env), stdio: 'pipe' });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.stdin.end(options.input ?? '');
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({
          code,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      );
    });
  return {
    run,
    async ok(args, options) {
      const result = await run(args, options);
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    },
    start(args) {
      const child = spawn(cluster.kubectlPath, args, { env: env(), stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      return {
        child,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    },
  };
}
