// The servers under test, in their own process (so the load generator does not share its event
// loop): the webhook router over HTTPS as the API server mounts it, and the baseline, a raw
// node:https server that reads the body and answers one fixed AdmissionReview. Sends the ports
// to the parent over IPC.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { minimalFunction } from '../../src/api/fixtures.ts';
import { serverTls } from '../../test/helpers/webhook-server.ts';
import { withDefaults } from '../../webhooks/defaults.ts';
import { HttpPathIndex } from '../../webhooks/http-path-index.ts';
import { createWebhookRouter } from '../../webhooks/router.ts';

const tls = await serverTls();
// A cluster with 1,000 functions holding an HTTP path each.
const httpPaths = new HttpPathIndex();
for (let i = 0; i < 1000; i++) {
  const fn = withDefaults(minimalFunction(`fn-${i}`, `ns-${i % 20}`));
  fn.spec.triggers = { http: { path: `/route-${i}` } };
  httpPaths.set(fn);
}
const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.use(createWebhookRouter({ httpPaths }));
const webhooks = createServer({ cert: tls.cert, key: tls.key }, app);

const fixed = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: '00000000-0000-4000-8000-000000000000', allowed: true },
});
const baseline = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(fixed) });
    res.end(fixed);
  });
});

const listen = (server: typeof webhooks) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
process.send?.({ webhooks: await listen(webhooks), baseline: await listen(baseline) });
process.on('disconnect', () => process.exit(0));
