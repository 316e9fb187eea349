// Command lines of the control-plane components, as pure functions of paths and ports.
import type { ClusterPki } from './cluster-pki.ts';
import { FRONT_PROXY_CLIENT_NAME } from './cluster-pki.ts';
import { HOST, type Ports } from './ports.ts';

export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';

export function etcdArgs(ports: Ports, dataDir: string, fastStorage: boolean): string[] {
  const client = `http://${HOST}:${ports.etcdClient}`;
  const peer = `http://${HOST}:${ports.etcdPeer}`;
  return [
    '--name=default',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    '--log-level=warn',
    ...(fastStorage ? ['--unsafe-no-fsync'] : []),
  ];
}

export function apiserverArgs(ports: Ports, pki: ClusterPki, certDir: string): string[] {
  return [
    `--etcd-servers=http://${HOST}:${ports.etcdClient}`,
    `--bind-address=${HOST}`,
    `--advertise-address=${HOST}`,
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${certDir}`,
    `--tls-cert-file=${pki.apiserver.cert}`,
    `--tls-private-key-file=${pki.apiserver.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    // API aggregation: a separate CA for the front proxy, and the identity headers it sets.
    `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_NAME}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
    `--proxy-client-key-file=${pki.frontProxyClient.key}`,
    '--profiling=false',
    '--v=1',
  ];
}

export function controllerManagerArgs(
  ports: Ports,
  pki: ClusterPki,
  kubeconfig: string,
  certDir: string,
): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${HOST}`,
    `--secure-port=${ports.controllerManager}`,
    `--cert-dir=${certDir}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.ca.cert}`,
    '--use-service-account-credentials=true',
    `--cluster-signing-cert-file=${pki.ca.cert}`,
    `--cluster-signing-key-file=${pki.ca.key}`,
    '--cluster-name=kube-serverless',
    '--leader-elect=false',
    '--profiling=false',
    '--v=1',
  ];
}

export function schedulerArgs(ports: Ports, kubeconfig: string, certDir: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${HOST}`,
    `--secure-port=${ports.scheduler}`,
    `--cert-dir=${certDir}`,
    '--leader-elect=false',
    '--profiling=false',
    '--v=1',
  ];
}
