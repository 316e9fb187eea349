// The HTTP path index of the validating webhook against the real local control plane: it waits
// for the backing CRD, loads every FunctionRecord written straight to kube-apiserver, follows
// creates, path changes and deletes through its watch, and the webhook refuses a second owner.
import t from 'tap';
import { BACKING_API_VERSION, BACKING_CRD_NAME, BACKING_KIND } from '../../src/api/constants.ts';
import { minimalFunction } from '../../src/api/fixtures.ts';
import { waitUntil } from '../../src/local-cluster/health.ts';
import { withDefaults } from '../../webhooks/defaults.ts';
import { WatchedHttpPathIndex } from '../../webhooks/http-path-index.ts';
import { validateAdmission } from '../../webhooks/validate.ts';
import { startCluster } from '../helpers/cluster.ts';

const cluster = await startCluster({ platform: false });
t.teardown(() => cluster.stop());

const record = (namespace: string, name: string, path?: string) => {
  const fn = withDefaults(minimalFunction(name, namespace));
  if (path) fn.spec.triggers = { http: { path } };
  return JSON.stringify({ ...fn, apiVersion: BACKING_API_VERSION, kind: BACKING_KIND });
};
const apply = (namespace: string, name: string, path?: string) =>
  cluster.kubectl(['apply', '-f', '-'], record(namespace, name, path));

const index = new WatchedHttpPathIndex(cluster.kubeConfig);
t.teardown(() => index.stop());
/** Waits (polling) until the index gives `wanted` for `path`. */
const sees = (path: string, wanted: string[]) =>
  waitUntil(
    `index shows ${path} → ${wanted.join(', ') || 'nobody'}`,
    async () => JSON.stringify([...(await index.claimants(path))].sort()) === JSON.stringify(wanted),
    { timeoutMs: 60_000, intervalMs: 100 },
  );

t.test('before the backing CRD exists the index is not loaded: path checks answer 503', async (t) => {
  await t.rejects(index.start());
  const failure = await index.claimants('/x').catch((error: unknown) => error);
  t.match(failure, { status: { code: 503, reason: 'ServiceUnavailable' } });
});

t.test('once the CRD is there it loads the records written straight to kube-apiserver', async () => {
  await cluster.kubectl(['apply', '-f', 'manifests/base/crd-functionrecords.yaml']);
  await cluster.kubectl(['wait', '--for=condition=Established', `crd/${BACKING_CRD_NAME}`, '--timeout=60s']);
  await cluster.kubectl(['create', 'namespace', 'team-a']);
  await cluster.kubectl(['create', 'namespace', 'team-b']);
  await apply('team-a', 'shop', '/shop');
  await apply('team-b', 'billing', '/billing');
  await apply('team-b', 'plain');
  // The index retries on its own with backoff; no second start() call.
  await sees('/shop', ['team-a/shop']);
  await sees('/billing', ['team-b/billing']);
});

t.test('it follows creates, path changes and deletes', async () => {
  await apply('team-a', 'cart', '/cart');
  await sees('/cart', ['team-a/cart']);
  await apply('team-a', 'cart', '/basket');
  await sees('/basket', ['team-a/cart']);
  await sees('/cart', []);
  await cluster.kubectl(['delete', 'functionrecords.internal.serverless.kube.io', '-n', 'team-b', 'billing']);
  await sees('/billing', []);
});

t.test('the validating webhook refuses a second owner of a path and lets the owner update', async (t) => {
  const request = (namespace: string, name: string, path: string, operation: 'CREATE' | 'UPDATE') => {
    const fn = withDefaults(minimalFunction(name, namespace));
    fn.spec.triggers = { http: { path } };
    return {
      uid: 'u',
      kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
      subResource: '',
      operation,
      name,
      namespace,
      object: fn as never,
      oldObject: operation === 'UPDATE' ? ({ spec: {} } as never) : undefined,
    };
  };
  const taken = await validateAdmission(request('team-b', 'copycat', '/shop', 'CREATE'), {
    httpPaths: index,
  });
  t.match(taken, { allowed: false, status: { code: 422 } });
  t.match(
    taken.status?.message,
    /spec.triggers.http.path: Duplicate value: "\/shop": already the path of a function in another namespace/,
  );
  const owner = await validateAdmission(request('team-a', 'shop', '/shop', 'UPDATE'), { httpPaths: index });
  t.equal(owner.allowed, true);
});
