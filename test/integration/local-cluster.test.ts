// The local control plane is a real Kubernetes: a CRD created through client-node serves
// objects that the real kubectl reads back, and controllers and scheduler run.
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import t from 'tap';
import { waitUntil } from '../../src/local-cluster/health.ts';
import { startCluster } from '../helpers/cluster.ts';

const cluster = await startCluster();
t.teardown(() => cluster.stop());

t.test('kubectl talks to the cluster with the admin kubeconfig', async (t) => {
  const namespaces = JSON.parse(await cluster.kubectl(['get', 'namespaces', '-o', 'json']));
  const names = namespaces.items.map((ns: { metadata: { name: string } }) => ns.metadata.name);
  t.ok(names.includes('default'));
  t.ok(names.includes('kube-system'));
  const version = JSON.parse(await cluster.kubectl(['version', '-o', 'json']));
  t.match(version.serverVersion.gitVersion, /^v1\.\d+\.\d+$/, 'the server reports a stamped release version');
});

t.test('a CRD created through client-node serves objects that kubectl reads back', async (t) => {
  const extensions = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
  await extensions.createCustomResourceDefinition({
    body: {
      metadata: { name: 'widgets.example.kube.io' },
      spec: {
        group: 'example.kube.io',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    },
  });
  await waitUntil(
    'CRD established',
    async () => {
      const crd = await extensions.readCustomResourceDefinition({ name: 'widgets.example.kube.io' });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    },
    { timeoutMs: 30_000 },
  );
  const objects = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  await objects.createNamespacedCustomObject({
    group: 'example.kube.io',
    version: 'v1',
    namespace: 'default',
    plural: 'widgets',
    body: { apiVersion: 'example.kube.io/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
  });
  const widget = JSON.parse(await cluster.kubectl(['get', 'widget', 'w1', '-n', 'default', '-o', 'json']));
  t.equal(widget.kind, 'Widget');
  t.equal(widget.spec.size, 3);
  t.match(await cluster.kubectl(['get', 'widgets', '-n', 'default']), /w1/);
});

t.test('the controller manager and scheduler are at work', async (t) => {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
  // The service-account controller (kube-controller-manager) fills every new namespace.
  await waitUntil(
    'default ServiceAccount in team-a',
    async () => (await core.listNamespacedServiceAccount({ namespace: 'team-a' })).items.length > 0,
    { timeoutMs: 30_000 },
  );
  // With no node registered, the scheduler marks a new pod Unschedulable.
  await core.createNamespacedPod({
    namespace: 'team-a',
    body: { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'example/none:1' }] } },
  });
  await waitUntil(
    'scheduler verdict on p1',
    async () => {
      const pod = await core.readNamespacedPod({ namespace: 'team-a', name: 'p1' });
      return (
        pod.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') ??
        false
      );
    },
    { timeoutMs: 30_000 },
  );
  t.pass('the scheduler looked at the pod');
});
