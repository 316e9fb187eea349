import { createHash } from 'node:crypto';
import t from 'tap';
import { specSchema } from '../src/api/schema/function.ts';
import { contentHash, openAPIDocuments, openAPIV2, openAPIV3, toV3Schema } from './openapi.ts';

// biome-ignore lint/suspicious/noExplicitAny: documents are walked as untyped JSON
type Any = any;
const docs = openAPIDocuments();
const v2: Any = JSON.parse(docs.v2.body);
const v3: Any = JSON.parse(docs.v3.body);
const FN = { group: 'serverless.kube.io', version: 'v1', kind: 'Function' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every $ref in a document. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref') out.push(String(v));
      else refs(v, out);
    }
  }
  return out;
}

t.test('the documents are JSON, built once, with a content hash', async (t) => {
  t.equal(openAPIDocuments(), docs, 'memoized');
  t.same(JSON.parse(docs.v2.body), openAPIV2());
  t.same(JSON.parse(docs.v3.body), openAPIV3());
  t.equal(docs.v3.etag, createHash('sha512').update(docs.v3.body).digest('hex').toUpperCase());
  t.equal(contentHash('x'), createHash('sha512').update('x').digest('hex').toUpperCase());
  t.same(JSON.parse(docs.v3Root.body), {
    paths: {
      'apis/serverless.kube.io/v1': {
        serverRelativeURL: `/openapi/v3/apis/serverless.kube.io/v1?hash=${docs.v3.etag}`,
      },
    },
  });
  t.equal(v2.swagger, '2.0');
  t.equal(v3.openapi, '3.0.0');
});

t.test('every reference resolves to a definition', async (t) => {
  for (const r of refs(v2)) t.ok(v2.definitions[r.replace('#/definitions/', '')], r);
  for (const r of refs(v3)) t.ok(v3.components.schemas[r.replace('#/components/schemas/', '')], r);
  t.notOk(refs(v2).some((r) => !r.startsWith('#/definitions/')));
  t.notOk(refs(v3).some((r) => !r.startsWith('#/components/schemas/')));
  const siblings = (node: unknown): boolean =>
    !!node &&
    typeof node === 'object' &&
    (('$ref' in node && Object.keys(node).length > 1) || Object.values(node).some(siblings));
  t.notOk(siblings(v3), 'v3: a $ref stands alone (siblings go into allOf)');
});

t.test('kinds carry x-kubernetes-group-version-kind as an array', async (t) => {
  for (const [doc, defs] of [
    [v2, v2.definitions],
    [v3, v3.components.schemas],
  ]) {
    t.same(defs['io.kube.serverless.v1.Function']['x-kubernetes-group-version-kind'], [FN]);
    t.same(defs['io.kube.serverless.v1.FunctionList']['x-kubernetes-group-version-kind'], [
      { ...FN, kind: 'FunctionList' },
    ]);
    t.same(defs['io.kube.serverless.v1.FunctionMetrics']['x-kubernetes-group-version-kind'], [
      { ...FN, kind: 'FunctionMetrics' },
    ]);
    t.same(defs['io.k8s.api.autoscaling.v1.Scale']['x-kubernetes-group-version-kind'], [
      { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    ]);
    t.ok(doc);
  }
});

const operations = (doc: Any) =>
  Object.entries(doc.paths).flatMap(([path, item]: [string, Any]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m], item })),
  );

t.test('all paths and operations, each with an action and a GVK object', async (t) => {
  const ns = '/apis/serverless.kube.io/v1/namespaces/{namespace}/functions';
  const want = [
    ['/apis/serverless.kube.io/v1/functions', 'get', 'list'],
    [ns, 'get', 'list'],
    [ns, 'post', 'post'],
    [ns, 'delete', 'deletecollection'],
    [`${ns}/{name}`, 'get', 'get'],
    [`${ns}/{name}`, 'put', 'put'],
    [`${ns}/{name}`, 'patch', 'patch'],
    [`${ns}/{name}`, 'delete', 'delete'],
    [`${ns}/{name}/status`, 'get', 'get'],
    [`${ns}/{name}/status`, 'put', 'put'],
    [`${ns}/{name}/status`, 'patch', 'patch'],
    [`${ns}/{name}/scale`, 'get', 'get'],
    [`${ns}/{name}/scale`, 'put', 'put'],
    [`${ns}/{name}/scale`, 'patch', 'patch'],
    [`${ns}/{name}/invoke`, 'post', 'post'],
    [`${ns}/{name}/metrics`, 'get', 'get'],
  ];
  for (const doc of [v2, v3]) {
    const ops = operations(doc);
    t.same(ops.map((o) => [o.path, o.method, o.op['x-kubernetes-action']]).sort(), [...want].sort());
    for (const { op, path } of ops) {
      const g = op['x-kubernetes-group-version-kind'];
      t.ok(g && !Array.isArray(g) && g.group !== undefined && g.version && g.kind, `${path}: GVK object`);
      t.ok(op.operationId, `${path}: operationId`);
      t.ok(op.responses['401']);
    }
    const ids = ops.map((o) => o.op.operationId);
    t.equal(new Set(ids).size, ids.length, 'operation ids are unique');
    t.ok(ids.includes('listServerlessKubeIoV1NamespacedFunction'));
    t.ok(ids.includes('deleteServerlessKubeIoV1CollectionNamespacedFunction'));
    t.ok(ids.includes('patchServerlessKubeIoV1NamespacedFunctionStatus'));
    t.ok(ids.includes('listServerlessKubeIoV1FunctionForAllNamespaces'));
  }
  const scale = v3.paths[`${ns}/{name}/scale`].put;
  t.same(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
});

t.test(
  'PATCH operations declare fieldValidation, dryRun and fieldManager (kubectl looks for them)',
  async (t) => {
    for (const doc of [v2, v3]) {
      const patches = operations(doc).filter((o) => o.method === 'patch');
      t.equal(patches.length, 3);
      for (const { op, path } of patches) {
        const names = op.parameters.map((p: Any) => p.name);
        for (const p of ['fieldValidation', 'dryRun', 'fieldManager', 'force'])
          t.ok(names.includes(p), `${path}: ${p}`);
      }
      const main = patches.find((p) => p.path.endsWith('{name}'))!;
      t.same(main.op['x-kubernetes-group-version-kind'], FN);
    }
    const body =
      v3.paths['/apis/serverless.kube.io/v1/namespaces/{namespace}/functions/{name}'].patch.requestBody;
    t.same(Object.keys(body.content), [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/apply-patch+yaml',
    ]);
    const v2patch = v2.paths['/apis/serverless.kube.io/v1/namespaces/{namespace}/functions/{name}'].patch;
    t.same(v2patch.consumes, [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/apply-patch+yaml',
    ]);
    t.same(v2patch.parameters.find((p: Any) => p.in === 'body').schema, {
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    });
  },
);

t.test('parameters: path-level name, namespace and pretty; list and write options', async (t) => {
  const item = v3.paths['/apis/serverless.kube.io/v1/namespaces/{namespace}/functions/{name}'];
  t.same(
    item.parameters.map((p: Any) => [p.name, p.in, p.required ?? false]),
    [
      ['name', 'path', true],
      ['namespace', 'path', true],
      ['pretty', 'query', false],
    ],
  );
  const all = v2.paths['/apis/serverless.kube.io/v1/functions'];
  t.same(
    all.parameters.map((p: Any) => p.name),
    ['pretty'],
  );
  const list = all.get.parameters.map((p: Any) => p.name);
  for (const p of [
    'watch',
    'allowWatchBookmarks',
    'labelSelector',
    'fieldSelector',
    'limit',
    'continue',
    'resourceVersion',
    'resourceVersionMatch',
    'sendInitialEvents',
    'timeoutSeconds',
  ])
    t.ok(list.includes(p), p);
  t.ok(all.get.produces.includes('application/json;stream=watch'));
  const create = v2.paths['/apis/serverless.kube.io/v1/namespaces/{namespace}/functions'].post.parameters.map(
    (p: Any) => p.name,
  );
  t.same(create, ['body', 'dryRun', 'fieldManager', 'fieldValidation']);
});

t.test('kubectl explain reaches every field of the spec', async (t) => {
  for (const [doc, defs, prefix] of [
    [v2, v2.definitions, '#/definitions/'],
    [v3, v3.components.schemas, '#/components/schemas/'],
  ] as const) {
    const resolve = (s: Any): Any => {
      if (s.$ref) return defs[s.$ref.slice(prefix.length)];
      if (s.allOf?.length === 1 && s.allOf[0].$ref)
        return { ...defs[s.allOf[0].$ref.slice(prefix.length)], ...s, allOf: undefined };
      return s;
    };
    const fn = defs['io.kube.serverless.v1.Function'];
    t.ok(resolve(fn.properties.metadata).properties.name, 'metadata.name');
    t.ok(resolve(resolve(fn.properties.metadata).properties.managedFields.items).properties.manager);
    // Walk the spec in the document and in the source schema side by side: same fields everywhere.
    const walk = (inDoc: Any, source: Any, path: string) => {
      t.same(Object.keys(inDoc.properties ?? {}).sort(), Object.keys(source.properties ?? {}).sort(), path);
      t.ok(inDoc.description, `${path} has a description`);
      for (const [k, v] of Object.entries(source.properties ?? {}))
        walk(inDoc.properties[k], v, `${path}.${k}`);
      if (source.items) walk(inDoc.items, source.items, `${path}[]`);
    };
    walk(fn.properties.spec, specSchema, 'spec');
    t.ok(doc);
  }
});

t.test('v2 has no anyOf or oneOf; v3 keeps them', async (t) => {
  t.notOk(docs.v2.body.includes('"anyOf"'));
  t.notOk(docs.v2.body.includes('"oneOf"'));
  t.ok(docs.v3.body.includes('"anyOf"'));
  const quantity =
    v2.definitions['io.kube.serverless.v1.Function'].properties.spec.properties.resources.properties.limits
      .additionalProperties;
  t.equal(quantity['x-kubernetes-int-or-string'], true);
  t.notOk(quantity.type);
});

t.test('toV3Schema', async (t) => {
  t.same(toV3Schema({ $ref: '#/definitions/A' }), { $ref: '#/components/schemas/A' });
  t.same(toV3Schema({ $ref: '#/definitions/A', description: 'd' }), {
    allOf: [{ $ref: '#/components/schemas/A' }],
    description: 'd',
  });
  t.same(toV3Schema({ items: [{ $ref: '#/definitions/B' }], n: 1 }), {
    items: [{ $ref: '#/components/schemas/B' }],
    n: 1,
  });
});
