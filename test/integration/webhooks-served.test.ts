// The webhook routes as the deployed API server replicas serve them on the real local control
// plane: reachable without any credentials (before authentication), on the replicas' port and
// certificate, with the HTTP path index loaded through the server's own ServiceAccount rights.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { BACKING_API_VERSION, BACKING_KIND } from '../../src/api/constants.ts';
import { minimalFunction } from '../../src/api/fixtures.ts';
import { waitUntil } from '../../src/local-cluster/health.ts';
import { withDefaults } from '../../webhooks/defaults.ts';
import { MUTATE_PATH, VALIDATE_PATH } from '../../webhooks/router.ts';
import { startCluster } from '../helpers/cluster.ts';
import { directRequest } from '../helpers/https.ts';

const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const platform = cluster.platform!;
const ca = await readFile(platform.servingCaFile, 'utf8');

const withPath = (namespace: string, name: string, path: string) => {
  const fn = withDefaults(minimalFunction(name, namespace));
  fn.spec.triggers = { http: { path } };
  return fn;
};
const review = (object: unknown) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
      operation: 'CREATE',
      name: 'copy',
      namespace: 'default',
      object,
    },
  });
const post = (port: number, path: string, body: string) =>
  directRequest({ port, method: 'POST', path, body, ca, headers: { 'content-type': 'application/json' } });

await cluster.kubectl(
  ['apply', '-f', '-'],
  JSON.stringify({
    ...withPath('default', 'owner', '/taken'),
    apiVersion: BACKING_API_VERSION,
    kind: BACKING_KIND,
  }),
);

for (const [index, port] of platform.replicaPorts.entries()) {
  t.test(`replica ${index}: mutate answers without credentials`, async (t) => {
    const reply = await post(port, MUTATE_PATH, review(minimalFunction('copy')));
    t.equal(reply.status, 200);
    t.match(JSON.parse(reply.body).response, { uid: 'u-1', allowed: true, patchType: 'JSONPatch' });
  });
  t.test(`replica ${index}: validate knows the paths stored in the cluster`, async (t) => {
    await waitUntil(
      'the replica refuses a taken path',
      async () => {
        const reply = await post(port, VALIDATE_PATH, review(withPath('default', 'copy', '/taken')));
        return JSON.parse(reply.body).response?.status?.code === 422;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const reply = await post(port, VALIDATE_PATH, review(withPath('default', 'copy', '/taken')));
    t.match(
      JSON.parse(reply.body).response.status.message,
      /Duplicate value: "\/taken": already the path of function owner/,
    );
    const free = await post(port, VALIDATE_PATH, review(withPath('default', 'copy', '/free')));
    t.same(JSON.parse(free.body).response, { uid: 'u-1', allowed: true });
  });
}

t.test('other routes still require authentication', async (t) => {
  const reply = await directRequest({
    port: platform.replicaPorts[0]!,
    path: '/apis/serverless.kube.io/v1/functions',
    ca,
  });
  t.equal(reply.status, 401);
});
