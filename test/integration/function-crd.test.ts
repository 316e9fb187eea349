// The Function schema, CRD, validation, OpenAPI and translation checked against a real
// kube-apiserver: the generated CRD is accepted and serves records; ajv and the CRD validator agree
// on which fields are wrong; kube-apiserver builds the same spec/status OpenAPI from the CRD as we do;
// the backing server's errors, translated, read exactly as the errors we raise ourselves.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import t from 'tap';
import { parse } from 'yaml';
import { alreadyExists, conflict, notFound, OBJECT_MODIFIED, type Status } from '../../apiservice/errors.ts';
import { openAPIV2, openAPIV3 } from '../../apiservice/openapi.ts';
import { statusToPublic, toPublic } from '../../apiservice/translate.ts';
import { objectToBacking } from '../../apiservice/translate-request.ts';
import { BACKING_API_VERSION } from '../../src/api/constants.ts';
import { errorBody } from '../../src/api/field-errors.ts';
import { fullFunction, minimalFunction } from '../../src/api/fixtures.ts';
import { validateSchema } from '../../src/api/validation.ts';
import { startCluster } from '../helpers/cluster.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON from the server is walked untyped
type Any = any;
const cluster = await startCluster();
t.teardown(() => cluster.stop());

const server = new URL(cluster.kubeConfig.getCurrentCluster()!.server);
async function api(method: string, path: string, body?: unknown): Promise<{ code: number; body: Any }> {
  const opts: Any = {
    method,
    host: server.hostname,
    port: server.port,
    path,
    headers: { 'content-type': 'application/json' },
  };
  await cluster.kubeConfig.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

const records = `/apis/${BACKING_API_VERSION}/namespaces/default/functionrecords`;
/** A record as a client would create it: no server-set metadata. */
function recordOf(fn = fullFunction('orders', 'default')) {
  const rec: Any = objectToBacking(structuredClone(fn));
  for (const f of [
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'managedFields',
    'ownerReferences',
  ])
    delete rec.metadata[f];
  return rec;
}

t.before(async () => {
  await cluster.kubectl(['apply', '-f', 'manifests/base/crd-functionrecords.yaml']);
  await cluster.kubectl([
    'wait',
    '--for=condition=Established',
    'crd/functionrecords.internal.serverless.kube.io',
    '--timeout=60s',
  ]);
});

t.test('the CRD serves records with every field, status and scale', async (t) => {
  const created = await api('POST', records, recordOf());
  t.equal(created.code, 201, JSON.stringify(created.body));
  const pub = toPublic(structuredClone(created.body));
  const want = fullFunction('orders', 'default');
  t.same(pub.spec, want.spec, 'nothing pruned from spec');
  t.equal(pub.apiVersion, 'serverless.kube.io/v1');
  t.equal(pub.metadata.managedFields[0].apiVersion, 'serverless.kube.io/v1');
  const status = await api('PUT', `${records}/orders/status`, { ...created.body, status: want.status });
  t.equal(status.code, 200, JSON.stringify(status.body));
  t.same(status.body.status, want.status, 'nothing pruned from status');
  const scale = await api('GET', `${records}/orders/scale`);
  t.same(scale.body.spec, { replicas: want.spec.replicas });
  t.same(scale.body.status, { replicas: want.status!.replicas, selector: want.status!.selector });
  const table = await cluster.kubectl(['get', 'functionrecords', '-o', 'wide']);
  t.match(table, /NAME\s+RUNTIME\s+READY\s+REPLICAS\s+URL\s+AGE\s+REASON/);
  t.match(table, /orders\s+python\s+True\s+1\s+\/fn\/shop\/orders\s+\S+\s+Serving/);
});

t.test('ajv and the CRD validator find the same bad fields', async (t) => {
  const bad: Any = recordOf(fullFunction('bad', 'default'));
  bad.spec.runtime = 'Node';
  bad.spec.env.push({ name: 'MODE' });
  bad.spec.scale.maxReplicas = 0;
  bad.spec.concurrency = -2;
  bad.spec.triggers.http.methods = ['GET', 'GET', 'FOO'];
  bad.spec.timeoutSeconds = 'soon';
  bad.spec.resources.limits.cpu = 'lots';
  bad.spec.triggers.cron.push({ name: 'second' });
  bad.spec.handler = 'h'.repeat(300);
  const res = await api('POST', records, bad);
  t.equal(res.code, 422);
  const fromCrd = (res.body as Status).details!.causes!.map((c) => `${c.field}: ${c.message}`).sort();
  const fromAjv = validateSchema({ ...bad, apiVersion: 'serverless.kube.io/v1', kind: 'Function' })
    .map((e) => `${e.field}: ${errorBody(e)}`)
    .sort();
  t.same(fromAjv, fromCrd);
});

t.test('kube-apiserver builds the same spec and status OpenAPI from the CRD as we do', async (t) => {
  const v3 = (await api('GET', '/openapi/v3/apis/internal.serverless.kube.io/v1')).body;
  const v2 = (await api('GET', '/openapi/v2')).body;
  const theirs3 = v3.components.schemas['io.kube.serverless.internal.v1.FunctionRecord'];
  const theirs2 = v2.definitions['io.kube.serverless.internal.v1.FunctionRecord'];
  const ours3: Any = (openAPIV3() as Any).components.schemas['io.kube.serverless.v1.Function'];
  const ours2: Any = (openAPIV2() as Any).definitions['io.kube.serverless.v1.Function'];
  for (const part of ['spec', 'status']) {
    t.same(ours3.properties[part], theirs3.properties[part], `v3 ${part}`);
    t.same(ours2.properties[part], theirs2.properties[part], `v2 ${part}`);
  }
  for (const name of [
    'ObjectMeta',
    'ManagedFieldsEntry',
    'OwnerReference',
    'Status',
    'StatusDetails',
    'DeleteOptions',
  ]) {
    const def = `io.k8s.apimachinery.pkg.apis.meta.v1.${name}`;
    t.same(
      Object.keys((openAPIV3() as Any).components.schemas[def].properties).sort(),
      Object.keys(v3.components.schemas[def].properties).sort(),
      `${name} has kube-apiserver's fields`,
    );
  }
});

t.test('backing errors, translated, read as the public resource', async (t) => {
  const cases: [{ code: number; body: Any }, Status][] = [
    [await api('GET', `${records}/nope`), notFound('nope').toJSON()],
    [await api('POST', records, recordOf()), alreadyExists('orders').toJSON()],
  ];
  const current = (await api('GET', `${records}/orders`)).body;
  const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '1' } };
  cases.push([await api('PUT', `${records}/orders`, stale), conflict('orders', OBJECT_MODIFIED).toJSON()]);
  for (const [res, want] of cases) {
    t.equal(res.code, want.code);
    t.same(statusToPublic(res.body), want, String(want.message));
  }
});

t.test('bodies we refuse are refused the same way by kube-apiserver for a CR', async (t) => {
  const ours = (body: unknown, raw?: string) => {
    try {
      objectToBacking(body, raw === undefined ? {} : { raw });
    } catch (e) {
      return (e as { status: Status }).status;
    }
    throw new Error('accepted');
  };
  const wrongKind = { ...minimalFunction('wk', 'default'), kind: 'Foo' };
  const wrongKindBacking = { ...wrongKind, apiVersion: BACKING_API_VERSION };
  const cases: [unknown, unknown, string?][] = [
    [wrongKind, wrongKindBacking],
    [
      { ...minimalFunction('wg', 'default'), apiVersion: 'foo/v1' },
      { ...minimalFunction('wg', 'default'), apiVersion: 'foo/v1' },
    ],
    [[], '[]', '[]'],
    [
      { kind: 'Function', apiVersion: 5 },
      '{"kind":"Function","apiVersion":5}',
      '{"kind":"Function","apiVersion":5}',
    ],
  ];
  for (const [publicBody, backingBody, raw] of cases) {
    const theirs = await api('POST', records, backingBody);
    const mine = ours(publicBody, raw);
    t.equal(theirs.code, mine.code, String(mine.message));
    t.same(statusToPublic(theirs.body), mine, String(mine.message));
  }
});

t.test('the committed CRD manifest is what kube-apiserver stores', async (t) => {
  const stored = JSON.parse(
    await cluster.kubectl(['get', 'crd', 'functionrecords.internal.serverless.kube.io', '-o', 'json']),
  );
  const committed = parse(readFileSync('manifests/base/crd-functionrecords.yaml', 'utf8'));
  t.same(
    stored.spec.versions[0].schema,
    committed.spec.versions[0].schema,
    'no field dropped or defaulted away',
  );
  t.same(stored.spec.versions[0].subresources, committed.spec.versions[0].subresources);
});
