import t from 'tap';
import {
  AGGREGATED_DISCOVERY_V2,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  storageVersionHash,
} from './discovery.ts';

t.test('APIResourceList of serverless.kube.io/v1', async (t) => {
  const list = apiResourceList();
  t.equal(list.kind, 'APIResourceList');
  t.equal(list.apiVersion, 'v1');
  t.equal(list.groupVersion, 'serverless.kube.io/v1');
  const byName = Object.fromEntries(list.resources.map((r) => [r.name, r]));
  t.same(Object.keys(byName), [
    'functions',
    'functions/status',
    'functions/scale',
    'functions/invoke',
    'functions/metrics',
  ]);
  t.same(byName.functions, {
    name: 'functions',
    singularName: 'function',
    namespaced: true,
    kind: 'Function',
    verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
    shortNames: ['fn'],
    categories: ['all'],
    storageVersionHash: storageVersionHash('serverless.kube.io', 'v1', 'Function'),
  });
  t.same(byName['functions/status'], {
    name: 'functions/status',
    singularName: '',
    namespaced: true,
    kind: 'Function',
    verbs: ['get', 'patch', 'update'],
  });
  t.same(byName['functions/scale'], {
    name: 'functions/scale',
    singularName: '',
    namespaced: true,
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
    verbs: ['get', 'patch', 'update'],
  });
  t.same(byName['functions/invoke']?.verbs, ['create']);
  t.same(byName['functions/metrics']?.verbs, ['get']);
  t.equal(byName['functions/metrics']?.kind, 'FunctionMetrics');
  t.ok(list.resources.every((r) => r.namespaced));
});

t.test('storageVersionHash is base64 of 8 bytes of sha256', async (t) => {
  const h = storageVersionHash('serverless.kube.io', 'v1', 'Function');
  t.equal(Buffer.from(h, 'base64').length, 8);
  t.equal(storageVersionHash('', 'v1', 'Pod'), 'xPOwRZ+Yhw8=', 'the hash kube-apiserver shows for pods');
  t.not(h, storageVersionHash('serverless.kube.io', 'v1', 'FunctionList'));
});

t.test('APIGroup and APIGroupList', async (t) => {
  const gv = { groupVersion: 'serverless.kube.io/v1', version: 'v1' };
  t.same(apiGroup(), {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: 'serverless.kube.io',
    versions: [gv],
    preferredVersion: gv,
  });
  t.same(apiGroupList(), {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [{ name: 'serverless.kube.io', versions: [gv], preferredVersion: gv }],
  });
});

t.test('aggregated discovery v2 says the same as the APIResourceList', async (t) => {
  t.equal(AGGREGATED_DISCOVERY_V2, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const doc = aggregatedDiscovery();
  t.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
  t.equal(doc.kind, 'APIGroupDiscoveryList');
  const [group] = doc.items;
  t.equal(group?.metadata.name, 'serverless.kube.io');
  const [version] = group!.versions;
  t.equal(version?.version, 'v1');
  t.equal(version?.freshness, 'Current');
  const [res] = version!.resources;
  t.same(res?.responseKind, { group: 'serverless.kube.io', version: 'v1', kind: 'Function' });
  t.equal(res?.scope, 'Namespaced');
  t.equal(res?.singularResource, 'function');
  t.same(res?.shortNames, ['fn']);
  t.same(res?.categories, ['all']);
  t.same(
    res?.subresources.map((s) => [s.subresource, s.responseKind, s.verbs]),
    [
      [
        'status',
        { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
        ['get', 'patch', 'update'],
      ],
      ['scale', { group: 'autoscaling', version: 'v1', kind: 'Scale' }, ['get', 'patch', 'update']],
      ['invoke', { group: 'serverless.kube.io', version: 'v1', kind: 'Function' }, ['create']],
      ['metrics', { group: 'serverless.kube.io', version: 'v1', kind: 'FunctionMetrics' }, ['get']],
    ],
  );
  t.same(res?.verbs, apiResourceList().resources.find((r) => r.name === 'functions')?.verbs);
});

t.test('documents serialize to JSON and are stable', async (t) => {
  t.equal(JSON.stringify(apiResourceList()), JSON.stringify(apiResourceList()));
  t.doesNotThrow(() => JSON.parse(JSON.stringify(aggregatedDiscovery())));
});
