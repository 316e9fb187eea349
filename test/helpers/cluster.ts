// Test helper: a real local control plane per suite, reached through @kubernetes/client-node
// and the real kubectl.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type ControlPlane, startControlPlane } from '../../src/local-cluster/control-plane.ts';
import { run } from '../../src/local-cluster/exec.ts';

export interface TestCluster {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  kubectlPath: string;
  controlPlane: ControlPlane;
  /** Runs the real kubectl against this cluster and returns its stdout. */
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<TestCluster> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ks-cluster-'));
  let controlPlane: ControlPlane;
  try {
    controlPlane = await startControlPlane({
      stateDir,
      ports: 'auto',
      fastStorage: true,
      log: (line) => process.stderr.write(`[cluster] ${line}\n`),
    });
  } catch (error) {
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
    kubectl: (args, input) =>
      run(kubectlPath, args, { input, env: { ...process.env, KUBECONFIG: controlPlane.kubeconfigPath } }),
    stop: async () => {
      await controlPlane.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
