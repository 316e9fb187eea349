// Writes kubeconfig files with embedded certificates (JSON, which every kubeconfig reader accepts).
import { readFile, writeFile } from 'node:fs/promises';
import type { CertFiles } from './cluster-pki.ts';

export const CONTEXT_NAME = 'kube-serverless';

async function base64File(path: string): Promise<string> {
  return (await readFile(path)).toString('base64');
}

export async function writeKubeconfig(
  path: string,
  server: string,
  caFile: string,
  client: CertFiles,
  user: string,
) {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: CONTEXT_NAME, cluster: { server, 'certificate-authority-data': await base64File(caFile) } },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': await base64File(client.cert),
          'client-key-data': await base64File(client.key),
        },
      },
    ],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user } }],
    'current-context': CONTEXT_NAME,
  };
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
