// The webhook router alone in an HTTPS server on loopback, with a throwaway CA, as the API server
// serves it; for tests and the benchmark.
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.ts';
import { createWebhookRouter, type WebhookDeps } from '../../webhooks/router.ts';

export interface WebhookServer {
  port: number;
  ca: string;
  tls: { cert: string; key: string };
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Reply>;
  send(method: string, path: string, body?: string | Buffer): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  contentType: string;
  body: string;
}

export async function serverTls(): Promise<{ ca: string; cert: string; key: string }> {
  const ca = await createCertificateAuthority('webhook-test-ca');
  const leaf = await issueCertificate(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  return { ca: ca.certPem, cert: leaf.certPem, key: leaf.keyPem };
}

export async function startWebhookServer(deps: WebhookDeps): Promise<WebhookServer> {
  const { ca, cert, key } = await serverTls();
  const app = express();
  app.use(createWebhookRouter(deps));
  const server = createServer({ cert, key }, app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 4, ca, servername: 'localhost' });
  const send = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    port,
    ca,
    tls: { cert, key },
    post: (path, body, headers) => send('POST', path, body, headers),
    send: (method, path, body) => send(method, path, body),
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
