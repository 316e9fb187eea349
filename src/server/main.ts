// Entry point of the kube-serverless server process.
//   --kubeconfig PATH, KUBECONFIG, or in-cluster credentials: the server's own identity
//   serving certificate: kept in a Secret by the server itself, or files (see certs/settings.ts)
//   KS_HOST (0.0.0.0), KS_PORT (8443)         where to listen
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '../../apiservice/server.ts';
import { startServingTls } from '../../certs/serving-tls.ts';
import { tlsSettings } from '../../certs/settings.ts';

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);

try {
  const kubeConfig = new KubeConfig();
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' } } });
  if (values.kubeconfig) kubeConfig.loadFromFile(values.kubeconfig);
  else kubeConfig.loadFromDefault();
  const servingTls = await startServingTls(tlsSettings(process.env), kubeConfig, log);
  const server = await startApiServer({
    kubeConfig,
    tls: servingTls.current,
    host: process.env.KS_HOST ?? '0.0.0.0',
    port: Number(process.env.KS_PORT ?? 8443),
    log: (line) => log(line),
  });
  servingTls.onChange((pair) => server.setServingCertificate(pair));
  log('serving serverless.kube.io/v1', { port: server.port });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, async () => {
      log('shutting down', { signal });
      servingTls.stop();
      await server.close();
      process.exit(0);
    });
  }
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exit(1);
}
