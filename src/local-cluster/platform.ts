// Puts kube-serverless onto the local control plane: applies the local overlay of the manifests,
// issues the server's client identity, and runs its API replicas as supervised host processes
// behind a loopback balancer that the APIService's ExternalName Service points at. The replicas
// keep their serving certificate in a Secret and inject its CA bundle themselves (ADR 0721).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { issueCertificate } from '../../certs/pki.ts';
import { SECRET_KEYS } from '../../certs/serving-material.ts';
import type { ControlPlane } from './control-plane.ts';
import { run } from './exec.ts';
import { isHealthy, waitUntil } from './health.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { freePorts, HOST } from './ports.ts';
import { SupervisedProcess } from './supervisor.ts';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;
export const PLATFORM_NAMESPACE = 'kube-serverless';
export const API_SERVICE_NAME = 'kube-serverless-api';
const SERVICE_ACCOUNT = `system:serviceaccount:${PLATFORM_NAMESPACE}:kube-serverless`;
const SERVING_SECRET = 'kube-serverless-tls';
/**
 * Whether our MutatingWebhookConfiguration and ValidatingWebhookConfiguration are applied.
 * Off until the server serves /webhooks/mutate-functions and /webhooks/validate-functions: with
 * failurePolicy Fail, registering them earlier would refuse every function write.
 */
export const REGISTER_WEBHOOKS = true;
const WEBHOOK_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

export interface Platform {
  replicas: SupervisedProcess[];
  /** The loopback port each replica serves on, in the order of `replicas`. */
  replicaPorts: number[];
  balancer: TcpBalancer;
  /**
   * The CA bundle of the replicas' serving certificate (also the APIService's caBundle), as it
   * was once the platform was ready; the replicas rotate it later (Secret kube-serverless-tls).
   */
  servingCaFile: string;
  stop(): Promise<void>;
}

/** The server's client identity: a kubeconfig for its ServiceAccount. */
async function ensureServerKubeconfig(controlPlane: ControlPlane, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const kubeconfig = join(dir, 'server.kubeconfig');
  // Locally the server authenticates as its ServiceAccount with a client certificate of the
  // cluster CA (same user name and groups a token would give), so RBAC applies as in a cluster.
  const clusterCa = {
    commonName: 'kube-serverless-ca',
    certPem: await readFile(controlPlane.pki.ca.cert, 'utf8'),
    keyPem: await readFile(controlPlane.pki.ca.key, 'utf8'),
  };
  const client = await issueCertificate(clusterCa, {
    commonName: SERVICE_ACCOUNT,
    organizations: ['system:serviceaccounts', `system:serviceaccounts:${PLATFORM_NAMESPACE}`],
    usage: 'client',
  });
  const clientFiles = { cert: join(dir, 'server-client.crt'), key: join(dir, 'server-client.key') };
  await writeFile(clientFiles.key, client.keyPem, { mode: 0o600 });
  await writeFile(clientFiles.cert, client.certPem);
  await writeKubeconfig(
    kubeconfig,
    controlPlane.server,
    controlPlane.pki.ca.cert,
    clientFiles,
    SERVICE_ACCOUNT,
  );
  return kubeconfig;
}

interface ManifestObject {
  kind: string;
  spec: Record<string, unknown>;
  webhooks?: Array<{ clientConfig: { url?: string } }>;
}

/** The local overlay, rendered by kubectl's kustomize, with the balancer's port filled in. */
async function renderManifests(controlPlane: ControlPlane): Promise<ManifestObject[]> {
  const kubectl = controlPlane.binaries.kubectl;
  const yaml = await run(kubectl, ['kustomize', join(repoRoot, 'manifests/overlays/local')]);
  const port = controlPlane.ports.apiService;
  return parseAllDocuments(yaml).map((doc) => {
    const object = doc.toJSON() as ManifestObject;
    if (object.kind === 'APIService') (object.spec.service as { port: number }).port = port;
    if (object.kind === 'Service') object.spec.ports = [{ name: 'https', port, targetPort: port }];
    for (const webhook of object.webhooks ?? []) {
      if (!webhook.clientConfig.url) continue;
      const url = new URL(webhook.clientConfig.url);
      url.port = String(port);
      webhook.clientConfig.url = url.toString();
    }
    return object;
  });
}

async function kubectlJson(controlPlane: ControlPlane, args: string[], input?: string) {
  return run(controlPlane.binaries.kubectl, ['--kubeconfig', controlPlane.kubeconfigPath, ...args], {
    input,
  });
}

export async function deployPlatform(
  controlPlane: ControlPlane,
  options: { replicas?: number; log?: (line: string) => void } = {},
): Promise<Platform> {
  const log = options.log ?? (() => {});
  const dir = join(controlPlane.stateDir, 'platform');
  const serverKubeconfig = await ensureServerKubeconfig(controlPlane, dir);
  const manifests = (await renderManifests(controlPlane)).filter(
    (item) => REGISTER_WEBHOOKS || !WEBHOOK_KINDS.has(item.kind),
  );
  const apply = (items: unknown[]) =>
    kubectlJson(
      controlPlane,
      ['apply', '--server-side', '--force-conflicts', '--field-manager=kube-serverless-local', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    );
  // The APIService and the webhooks go last, once replicas serve: the aggregator then finds the
  // APIService available at its first check, and no write waits on a webhook nobody serves.
  const goesLast = (item: ManifestObject) => item.kind === 'APIService' || WEBHOOK_KINDS.has(item.kind);
  await apply(manifests.filter((item) => !goesLast(item)));
  await kubectlJson(controlPlane, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/functionrecords.internal.serverless.kube.io',
  ]);

  const servingCaFile = join(dir, 'serving-ca.crt');
  const replicaPorts = Object.values(await freePorts()).slice(0, options.replicas ?? 2);
  const replicas = replicaPorts.map((port, index) => {
    const replica = new SupervisedProcess({
      name: `kube-serverless-${index}`,
      command: process.execPath,
      // The kubeconfig path names the state folder in the command line, so leaks are findable.
      args: ['--import', 'tsx', join(repoRoot, 'src/server/main.ts'), `--kubeconfig=${serverKubeconfig}`],
      logFile: join(controlPlane.stateDir, 'logs', `kube-serverless-${index}.log`),
      env: {
        ...process.env,
        // The replicas keep the serving certificate in the Secret; kube-apiserver calls the
        // url-webhooks at https://localhost:<port>, hence the extra names.
        KS_TLS_CERT_FILE: undefined,
        KS_TLS_KEY_FILE: undefined,
        KS_NAMESPACE: PLATFORM_NAMESPACE,
        KS_TLS_SECRET: SERVING_SECRET,
        KS_TLS_EXTRA_NAMES: 'localhost,127.0.0.1',
        KS_HOST: '127.0.0.1',
        KS_PORT: String(port),
      },
      cwd: repoRoot,
      log,
    });
    replica.start();
    return replica;
  });
  const balancer = await startTcpBalancer(controlPlane.ports.apiService, replicaPorts);
  const stop = async () => {
    await balancer.close();
    await Promise.all(replicas.map((replica) => replica.stop()));
  };
  const servingCaBundle = async () => {
    const secret = JSON.parse(
      await kubectlJson(controlPlane, [
        'get',
        'secret',
        SERVING_SECRET,
        '-n',
        PLATFORM_NAMESPACE,
        '-o',
        'json',
      ]),
    );
    return Buffer.from(secret.data[SECRET_KEYS.caBundle], 'base64').toString('utf8');
  };
  try {
    await Promise.all(
      replicaPorts.map((port, index) =>
        waitUntil(
          `kube-serverless-${index}`,
          async () =>
            isHealthy({
              url: `https://${HOST}:${port}/readyz`,
              tls: { ca: await servingCaBundle(), servername: 'localhost' },
            }),
          {
            timeoutMs: 180_000, // generous: 2 shared cores compile TypeScript slowly under load
            giveUp: () => (replicas[index]!.crashes.length >= 3 ? 'keeps exiting' : undefined),
          },
        ),
      ),
    );
    await apply(manifests.filter(goesLast));
    let caBundle = '';
    await waitUntil(
      'APIService v1.serverless.kube.io available with the serving CA bundle',
      async () => {
        const apiService = JSON.parse(
          await kubectlJson(controlPlane, ['get', 'apiservice', 'v1.serverless.kube.io', '-o', 'json']),
        );
        caBundle = await servingCaBundle();
        const injected = apiService.spec.caBundle === Buffer.from(caBundle).toString('base64');
        return (
          injected &&
          apiService.status?.conditions?.some(
            (c: { type: string; status: string }) => c.type === 'Available' && c.status === 'True',
          )
        );
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    await writeFile(servingCaFile, caBundle);
    await waitUntil(
      'serverless.kube.io discovery',
      async () =>
        (await kubectlJson(controlPlane, ['api-resources', '--api-group=serverless.kube.io'])).includes(
          'functions',
        ),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { replicas, replicaPorts, balancer, servingCaFile, stop };
}
