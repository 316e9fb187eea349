// Puts kube-serverless onto the local control plane: applies the local overlay of the manifests,
// issues the server's certificates, and runs its API replicas as supervised host processes
// behind a loopback balancer that the APIService's ExternalName Service points at.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { certificateProblem } from '../../certs/inspect.ts';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.ts';
import { readIfPresent } from '../util/files.ts';
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

export interface Platform {
  replicas: SupervisedProcess[];
  /** The loopback port each replica serves on, in the order of `replicas`. */
  replicaPorts: number[];
  balancer: TcpBalancer;
  /** The CA that signed the replicas' serving certificate (also the APIService's caBundle). */
  servingCaFile: string;
  stop(): Promise<void>;
}

interface PlatformFiles {
  caCert: string;
  servingCert: string;
  servingKey: string;
  kubeconfig: string;
}

/** The serving CA and certificate of the API, and the server's client identity. */
async function ensurePlatformCredentials(controlPlane: ControlPlane, dir: string): Promise<PlatformFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files: PlatformFiles = {
    caCert: join(dir, 'serving-ca.crt'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    kubeconfig: join(dir, 'server.kubeconfig'),
  };
  const caKeyPath = join(dir, 'serving-ca.key');
  let caPem = await readIfPresent(files.caCert);
  let caKey = await readIfPresent(caKeyPath);
  if (!caPem || !caKey || certificateProblem(caPem, caPem, 365)) {
    const ca = await createCertificateAuthority('kube-serverless-serving-ca');
    [caPem, caKey] = [ca.certPem, ca.keyPem];
    await writeFile(caKeyPath, caKey, { mode: 0o600 });
    await writeFile(files.caCert, caPem);
  }
  const ca = { commonName: 'kube-serverless-serving-ca', certPem: caPem, keyPem: caKey };
  const serving = await readIfPresent(files.servingCert);
  if (!serving || certificateProblem(serving, caPem)) {
    const pair = await issueCertificate(ca, {
      commonName: `${API_SERVICE_NAME}.${PLATFORM_NAMESPACE}.svc`,
      dnsNames: [`${API_SERVICE_NAME}.${PLATFORM_NAMESPACE}.svc`, 'localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    await writeFile(files.servingKey, pair.keyPem, { mode: 0o600 });
    await writeFile(files.servingCert, pair.certPem);
  }
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
    files.kubeconfig,
    controlPlane.server,
    controlPlane.pki.ca.cert,
    clientFiles,
    SERVICE_ACCOUNT,
  );
  return files;
}

/** The local overlay, rendered by kubectl's kustomize, with the CA bundle and port filled in. */
async function renderManifests(controlPlane: ControlPlane, caPem: string): Promise<unknown[]> {
  const kubectl = controlPlane.binaries.kubectl;
  const yaml = await run(kubectl, ['kustomize', join(repoRoot, 'manifests/overlays/local')]);
  const port = controlPlane.ports.apiService;
  return parseAllDocuments(yaml).map((doc) => {
    const object = doc.toJSON() as { kind: string; spec: Record<string, unknown> };
    if (object.kind === 'APIService') {
      object.spec.caBundle = Buffer.from(caPem).toString('base64');
      (object.spec.service as { port: number }).port = port;
    }
    if (object.kind === 'Service') object.spec.ports = [{ name: 'https', port, targetPort: port }];
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
  const files = await ensurePlatformCredentials(controlPlane, dir);
  const manifests = await renderManifests(controlPlane, await readFile(files.caCert, 'utf8'));
  const apply = (items: unknown[]) =>
    kubectlJson(
      controlPlane,
      ['apply', '--server-side', '--force-conflicts', '--field-manager=kube-serverless-local', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    );
  // The APIService goes last, once replicas serve: the aggregator then finds it available at
  // its first check instead of the next periodic one.
  const isApiService = (item: unknown) => (item as { kind: string }).kind === 'APIService';
  await apply(manifests.filter((item) => !isApiService(item)));
  await kubectlJson(controlPlane, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/functionrecords.internal.serverless.kube.io',
  ]);

  const replicaPorts = Object.values(await freePorts()).slice(0, options.replicas ?? 2);
  const replicas = replicaPorts.map((port, index) => {
    const replica = new SupervisedProcess({
      name: `kube-serverless-${index}`,
      command: process.execPath,
      // The kubeconfig path names the state folder in the command line, so leaks are findable.
      args: ['--import', 'tsx', join(repoRoot, 'src/server/main.ts'), `--kubeconfig=${files.kubeconfig}`],
      logFile: join(controlPlane.stateDir, 'logs', `kube-serverless-${index}.log`),
      env: {
        ...process.env,
        KS_TLS_CERT_FILE: files.servingCert,
        KS_TLS_KEY_FILE: files.servingKey,
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
  try {
    const servingCa = await readFile(files.caCert);
    await Promise.all(
      replicaPorts.map((port, index) =>
        waitUntil(
          `kube-serverless-${index}`,
          () =>
            isHealthy({
              url: `https://${HOST}:${port}/readyz`,
              tls: { ca: servingCa, servername: 'localhost' },
            }),
          {
            timeoutMs: 180_000, // generous: 2 shared cores compile TypeScript slowly under load
            giveUp: () => (replicas[index]!.crashes.length >= 3 ? 'keeps exiting' : undefined),
          },
        ),
      ),
    );
    await apply(manifests.filter(isApiService));
    await waitUntil(
      'APIService v1.serverless.kube.io available',
      async () => {
        const apiService = JSON.parse(
          await kubectlJson(controlPlane, ['get', 'apiservice', 'v1.serverless.kube.io', '-o', 'json']),
        );
        return apiService.status?.conditions?.some(
          (c: { type: string; status: string }) => c.type === 'Available' && c.status === 'True',
        );
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
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
  return { replicas, replicaPorts, balancer, servingCaFile: files.caCert, stop };
}
