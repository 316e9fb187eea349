import t from 'tap';
import { serviceUnavailable } from '../apiservice/errors.ts';
import { fullFunction, minimalFunction } from '../src/api/fixtures.ts';
import { withDefaults } from './defaults.ts';
import { HttpPathIndex } from './http-path-index.ts';
import type { AdmissionRequest } from './review.ts';
import { validateAdmission, validateFunction } from './validate.ts';

const FUNCTION = { group: 'serverless.kube.io', version: 'v1', kind: 'Function' };
const RECORD = { group: 'internal.serverless.kube.io', version: 'v1', kind: 'FunctionRecord' };
const admission = (object: unknown, extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'u-1',
  kind: FUNCTION,
  subResource: '',
  operation: 'CREATE',
  name: 'hello',
  namespace: 'default',
  object: object as Record<string, unknown>,
  oldObject: undefined,
  ...extra,
});
const noPaths = new HttpPathIndex();
const withPath = (name: string, namespace: string, path: string) => {
  const fn = withDefaults(minimalFunction(name, namespace));
  fn.spec.triggers = { http: { path } };
  return fn;
};

t.test('a defaulted function and the full fixture are allowed without warnings', async (t) => {
  t.same(await validateAdmission(admission(withDefaults(minimalFunction())), { httpPaths: noPaths }), {
    uid: 'u-1',
    allowed: true,
  });
  const full = fullFunction('orders', 'default');
  full.spec.scale!.minReplicas = 1;
  t.same(await validateAdmission(admission(full), { httpPaths: noPaths }), { uid: 'u-1', allowed: true });
});

t.test('every error at once, schema and semantic, as kube-apiserver words a 422', async (t) => {
  const fn = minimalFunction();
  Object.assign(fn.spec, {
    runtime: 'ruby',
    source: { inline: 'x', files: {} },
    timeoutSeconds: 0,
    scale: { minReplicas: 3, maxReplicas: 2 },
    env: [{ name: 'A=B' }],
    triggers: { cron: [{ name: 'n', schedule: '@often' }] },
  });
  const response = await validateAdmission(admission(fn), { httpPaths: noPaths });
  t.equal(response.allowed, false);
  t.match(response.status, {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'Invalid',
    code: 422,
    details: { name: 'hello', group: 'serverless.kube.io', kind: 'Function' },
  });
  t.equal(
    response.status?.message,
    'Function.serverless.kube.io "hello" is invalid: [' +
      'spec.source: Forbidden: only one of inline, files, configMapRef may be set, ' +
      'spec.timeoutSeconds: Invalid value: 0: spec.timeoutSeconds in body should be greater than or equal to 1, ' +
      'spec.runtime: Unsupported value: "ruby": supported values: "nodejs", "python", "go", "nodejs22", "python3.11", "go1.26", ' +
      'spec.env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\', ' +
      'spec.scale.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`, ' +
      'spec.triggers.cron[0].schedule: Invalid value: "@often": unrecognized descriptor: @often]',
  );
  t.same(
    response.status?.details?.causes?.map((c) => c.field),
    [
      'spec.source',
      'spec.timeoutSeconds',
      'spec.runtime',
      'spec.env[0].name',
      'spec.scale.maxReplicas',
      'spec.triggers.cron[0].schedule',
    ],
  );
  t.match(response.status?.details?.causes?.[2], {
    reason: 'FieldValueNotSupported',
    message: /^Unsupported value: "ruby"/,
    field: 'spec.runtime',
  });
});

t.test('backing FunctionRecords get the same rules and their own kind in the message', async (t) => {
  const record = {
    ...minimalFunction(),
    apiVersion: 'internal.serverless.kube.io/v1',
    kind: 'FunctionRecord',
  };
  record.spec.runtime = 'cobol';
  const response = await validateAdmission(admission(record, { kind: RECORD }), { httpPaths: noPaths });
  t.match(response.status, {
    code: 422,
    details: { group: 'internal.serverless.kube.io', kind: 'FunctionRecord' },
  });
  t.match(
    response.status?.message,
    /^FunctionRecord.internal.serverless.kube.io "hello" is invalid: spec.runtime: Unsupported value: "cobol"/,
  );
  const other = await validateAdmission(
    admission(record, { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }),
    {
      httpPaths: noPaths,
    },
  );
  t.match(other.status, { code: 400, reason: 'BadRequest' });
});

t.test('warnings for legal but questionable specs', async (t) => {
  const fn = minimalFunction();
  fn.spec.timeoutSeconds = 120;
  fn.spec.env = [{ name: 'PORT', value: '1' }];
  fn.spec.triggers = {
    cron: [{ name: 'c', schedule: '@daily' }],
    rabbitmq: [{ name: 'q', connectionSecretRef: { name: 's' } }],
  };
  const response = await validateAdmission(admission(fn), { httpPaths: noPaths });
  t.equal(response.allowed, true);
  t.same(response.warnings, [
    'spec.timeoutSeconds: calls through the Kubernetes API (functions/invoke) end after 60s; use the gateway',
    'spec.scale.minReplicas: 0 with rabbitmq triggers: messages after an idle period wait for a cold start',
    "spec.resources.limits.memory: not set; the function may use all of its node's memory",
    'spec.resources.requests.cpu: not set; CPU-based autoscaling needs a CPU request',
    "spec.triggers.cron[0].timeZone: not set; the schedule follows kube-controller-manager's clock zone",
    'spec.env[0].name: PORT is set by the platform for the runtime; do not set it',
  ]);
  for (const w of response.warnings ?? []) t.ok(w.length <= 120, `short: ${w}`);
});

t.test('deletes, subresources, spec-less updates and objects being deleted are allowed', async (t) => {
  const bad = minimalFunction();
  bad.spec.runtime = 'cobol';
  const options = { httpPaths: noPaths };
  t.equal((await validateAdmission(admission(undefined, { operation: 'DELETE' }), options)).allowed, true);
  t.equal(
    (
      await validateAdmission(
        admission(bad, { operation: 'UPDATE', subResource: 'status', oldObject: {} }),
        options,
      )
    ).allowed,
    true,
  );
  const relabeled = structuredClone(bad);
  relabeled.metadata.labels = { a: 'b' };
  t.equal(
    (await validateAdmission(admission(relabeled, { operation: 'UPDATE', oldObject: bad as never }), options))
      .allowed,
    true,
    'a stored spec that today’s rules refuse does not block metadata changes',
  );
  const leaving = structuredClone(bad);
  leaving.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  leaving.spec.handler = 'x.y';
  t.equal(
    (await validateAdmission(admission(leaving, { operation: 'UPDATE', oldObject: bad as never }), options))
      .allowed,
    true,
  );
  t.equal(
    (await validateAdmission(admission(bad, { operation: 'UPDATE', oldObject: {} }), options)).allowed,
    false,
  );
});

t.test('one function per HTTP path, cluster-wide; a function keeps its own', async (t) => {
  const index = new HttpPathIndex();
  index.set(withPath('owner', 'default', '/shop'));
  index.set(withPath('other', 'team-b', '/billing'));
  const options = { httpPaths: index };
  const same = await validateAdmission(admission(withPath('hello', 'default', '/shop')), options);
  t.equal(
    same.status?.message,
    'Function.serverless.kube.io "hello" is invalid: spec.triggers.http.path: Duplicate value: "/shop": already the path of function owner',
  );
  const across = await validateAdmission(admission(withPath('hello', 'default', '/billing')), options);
  t.match(
    across.status?.message,
    /Duplicate value: "\/billing": already the path of a function in another namespace$/,
  );
  const own = withPath('owner', 'default', '/shop');
  t.equal(
    (await validateAdmission(admission(own, { name: 'owner', operation: 'UPDATE', oldObject: {} }), options))
      .allowed,
    true,
  );
  t.equal((await validateAdmission(admission(withPath('hello', 'default', '/free')), options)).allowed, true);
  index.remove(withPath('owner', 'default', '/shop'));
  t.equal(
    (await validateAdmission(admission(withPath('hello', 'default', '/shop')), options)).allowed,
    true,
    'freed',
  );
});

t.test('an unloaded path index is a 503 for functions with an HTTP path only', async (t) => {
  const unloaded = { claimants: async () => Promise.reject(serviceUnavailable('not loaded')) };
  const response = await validateAdmission(admission(withPath('hello', 'default', '/x')), {
    httpPaths: unloaded,
  });
  t.match(response, { allowed: false, status: { code: 503, reason: 'ServiceUnavailable' } });
  t.equal(
    (await validateAdmission(admission(withDefaults(minimalFunction())), { httpPaths: unloaded })).allowed,
    true,
  );
});

t.test('validateFunction on anything', async (t) => {
  t.match(validateFunction(null).errors, [{ field: '<root>' }]);
  t.match(validateFunction({}).errors, [{ type: 'FieldValueRequired', field: 'spec' }]);
});
