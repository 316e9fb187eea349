// Entry point of the kube-serverless server process.
//   --kubeconfig PATH, KUBECONFIG, or in-cluster credentials: the server's own identity
//   KS_TLS_CERT_FILE, KS_TLS_KEY_FILE        serving certificate and key
//   KS_HOST (0.0.0.0), KS_PORT (8443)         where to listen
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '../../apiservice/server.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);

try {
  const kubeConfig = new KubeConfig();
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
  if (values.kubeconfig) kubeConfig.loadFromFile(values.kubeconfig);
  else kubeConfig.loadFromDefault();
  const server = await startApiServer({
    kubeConfig,
    tls: {
      cert: readFileSync(required('KS_TLS_CERT_FILE'), 'utf8'),
      key: readFileSync(required('KS_TLS_KEY_FILE'), 'utf8'),
    },
    host: process.env.KS_HOST ?? '0.0.0.0',
    port: Number(process.env.KS_PORT ?? 8443),
    log: (line) => log(line),
  });
  log('serving serverless.kube.io/v1', { port: server.port });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, async () => {
      log('shutting down', { signal });
      await server.close();
      process.exit(0);
    });
  }
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exit(1);
}
