// Test helper: a real local control plane per suite, reached through @kubernetes/client-node
// and the real kubectl.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type ControlPlane, startControlPlane } from '../../src/local-cluster/control-plane.ts';
import { run } from '../../src/local-cluster/exec.ts';
import { deployPlatform, type Platform } from '../../src/local-cluster/platform.ts';

export interface TestCluster {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  kubectlPath: string;
  controlPlane: ControlPlane;
  platform: Platform | undefined;
  /** Runs the real kubectl against this cluster and returns its stdout. */
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** Also deploy kube-serverless (manifests and API replicas). */
  platform?: boolean;
}

export async function startCluster(options: StartClusterOptions = {}): Promise<TestCluster> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ks-cluster-'));
  const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);
  let controlPlane: ControlPlane | undefined;
  let platform: Platform | undefined;
  try {
    controlPlane = await startControlPlane({ stateDir, ports: 'auto', fastStorage: true, log });
    if (options.platform) platform = await deployPlatform(controlPlane, { log });
  } catch (error) {
    await controlPlane?.stop();
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(controlPlane.kubeconfigPath);
  const kubectlPath = controlPlane.binaries.kubectl;
  return {
    kubeConfig,
    kubeconfigPath: controlPlane.kubeconfigPath,
    kubectlPath,
    controlPlane,
    platform,
    kubectl: (args, input) =>
      run(kubectlPath, args, { input, env: { ...process.env, KUBECONFIG: controlPlane.kubeconfigPath } }),
    stop: async () => {
      await platform?.stop();
      await controlPlane.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
