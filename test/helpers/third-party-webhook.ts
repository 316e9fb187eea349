// Test helper: a third-party admission webhook over HTTPS on 127.0.0.1 with its own CA. Each
// server answers AdmissionReviews with the test's decide() and records what it received.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.ts';
import type { Operation } from '../../src/util/json-patch.ts';

export interface ReceivedReview {
  path: string;
  request: Record<string, unknown> & {
    uid: string;
    operation: string;
    object: { metadata?: { labels?: Record<string, string>; name?: string } } | null;
    oldObject: { metadata?: { labels?: Record<string, string>; name?: string } } | null;
    userInfo: { username: string; groups?: string[] };
    dryRun: boolean;
    options: Record<string, unknown>;
  };
}

export interface Decision {
  allowed?: boolean;
  status?: Record<string, unknown>;
  patch?: Operation[];
  warnings?: string[];
  /** Never answer (a timeout for the caller). */
  hang?: boolean;
}

export interface WebhookServer {
  url(path?: string): string;
  /** base64 PEM of its CA, for clientConfig.caBundle. */
  caBundle: string;
  received: ReceivedReview[];
  close(): Promise<void>;
}

export async function startWebhookServer(
  decide: (review: ReceivedReview) => Decision = () => ({}),
): Promise<WebhookServer> {
  const ca = await createCertificateAuthority('test-webhook-ca');
  const leaf = await issueCertificate(ca, {
    commonName: 'test-webhook',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
    usage: 'server',
  });
  const received: ReceivedReview[] = [];
  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const entry: ReceivedReview = { path: req.url ?? '', request: review.request };
      received.push(entry);
      const decision = decide(entry);
      if (decision.hang) return;
      const response: Record<string, unknown> = {
        uid: review.request.uid,
        allowed: decision.allowed ?? true,
      };
      if (decision.status) response.status = decision.status;
      if (decision.warnings) response.warnings = decision.warnings;
      if (decision.patch) {
        response.patchType = 'JSONPatch';
        response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/') => `https://127.0.0.1:${port}${path}`,
    caBundle: Buffer.from(ca.certPem).toString('base64'),
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
