// The local cluster's certificates: a cluster CA with serving and client certificates,
// a separate front-proxy CA for API aggregation, and the service-account signing key.
// Files that are missing, unreadable, expiring or signed by another CA are issued anew.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateProblem } from '../../certs/inspect.ts';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createSigningKey,
  issueCertificate,
  type LeafRequest,
} from '../../certs/pki.ts';
import { readIfPresent } from '../util/files.ts';

export interface CertFiles {
  cert: string;
  key: string;
}

export interface ClusterPki {
  ca: CertFiles;
  apiserver: CertFiles;
  admin: CertFiles;
  controllerManager: CertFiles;
  scheduler: CertFiles;
  frontProxyCa: CertFiles;
  frontProxyClient: CertFiles;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

export const FRONT_PROXY_CLIENT_NAME = 'front-proxy-client';
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

async function save(files: CertFiles, pair: { certPem: string; keyPem: string }): Promise<void> {
  await writeFile(files.key, pair.keyPem, { mode: 0o600 });
  await writeFile(files.cert, pair.certPem);
}

function filesFor(dir: string, base: string): CertFiles {
  return { cert: join(dir, `${base}.crt`), key: join(dir, `${base}.key`) };
}

async function ensureCa(files: CertFiles, commonName: string, log: (line: string) => void) {
  const [certPem, keyPem] = await Promise.all([readIfPresent(files.cert), readIfPresent(files.key)]);
  const problem = certPem && keyPem ? certificateProblem(certPem, certPem, 365) : 'missing';
  if (!problem && certPem && keyPem) return { commonName, certPem, keyPem };
  if (problem !== 'missing') log(`certificate authority ${files.cert}: ${problem}; issuing a new one`);
  const ca = await createCertificateAuthority(commonName);
  await save(files, ca);
  return ca;
}

async function ensureLeaf(files: CertFiles, ca: CertificateAuthority, request: LeafRequest) {
  const certPem = await readIfPresent(files.cert);
  const keyPem = await readIfPresent(files.key);
  if (certPem && keyPem && !certificateProblem(certPem, ca.certPem)) return;
  await save(files, await issueCertificate(ca, request));
}

/** The signing key, and its public half (kube-apiserver reads public keys only from that). */
async function ensureSigningKey(privatePath: string, publicPath: string): Promise<void> {
  let pem = await readIfPresent(privatePath);
  try {
    if (pem) createPrivateKey(pem);
  } catch {
    pem = undefined;
  }
  if (!pem) {
    pem = await createSigningKey();
    await writeFile(privatePath, pem, { mode: 0o600 });
  }
  const publicPem = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
  if ((await readIfPresent(publicPath)) !== publicPem) await writeFile(publicPath, publicPem);
}

export async function ensureClusterPki(
  dir: string,
  log: (line: string) => void = () => {},
): Promise<ClusterPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pki: ClusterPki = {
    ca: filesFor(dir, 'ca'),
    apiserver: filesFor(dir, 'apiserver'),
    admin: filesFor(dir, 'admin'),
    controllerManager: filesFor(dir, 'controller-manager'),
    scheduler: filesFor(dir, 'scheduler'),
    frontProxyCa: filesFor(dir, 'front-proxy-ca'),
    frontProxyClient: filesFor(dir, 'front-proxy-client'),
    serviceAccountKey: join(dir, 'service-account.key'),
    serviceAccountPublicKey: join(dir, 'service-account.pub'),
  };
  const ca = await ensureCa(pki.ca, 'kube-serverless-ca', log);
  const frontProxyCa = await ensureCa(pki.frontProxyCa, 'kube-serverless-front-proxy-ca', log);
  await ensureLeaf(pki.apiserver, ca, {
    commonName: 'kube-apiserver',
    usage: 'server',
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ],
    ipAddresses: ['127.0.0.1', KUBERNETES_SERVICE_IP],
  });
  await ensureLeaf(pki.admin, ca, {
    commonName: 'kube-serverless-admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  await ensureLeaf(pki.controllerManager, ca, {
    commonName: 'system:kube-controller-manager',
    usage: 'client',
  });
  await ensureLeaf(pki.scheduler, ca, { commonName: 'system:kube-scheduler', usage: 'client' });
  await ensureLeaf(pki.frontProxyClient, frontProxyCa, {
    commonName: FRONT_PROXY_CLIENT_NAME,
    usage: 'client',
  });
  await ensureSigningKey(pki.serviceAccountKey, pki.serviceAccountPublicKey);
  return pki;
}
