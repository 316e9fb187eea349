import t from 'tap';
import { formatFieldError } from './field-errors.ts';
import { fullFunction, minimalFunction } from './fixtures.ts';
import { fieldPath, validateSchema } from './validation.ts';

const messages = (obj: unknown) => validateSchema(obj).map(formatFieldError);

t.test('valid functions have no errors', async (t) => {
  t.same(validateSchema(minimalFunction()), []);
  t.same(validateSchema(fullFunction()), []);
  const f = fullFunction();
  f.spec.source = { configMapRef: { name: 'code' } };
  t.same(validateSchema(f), []);
});

t.test('unknown fields are left to the CRD (pruning or strict field validation)', async (t) => {
  const f = minimalFunction() as unknown as { spec: Record<string, unknown> };
  f.spec.unknownField = 1;
  t.same(validateSchema(f), []);
});

t.test('every error at once, each with its field path', async (t) => {
  const f = {
    apiVersion: 'serverless.kube.io/v1',
    kind: 'Function',
    metadata: { name: 'x' },
    spec: {
      runtime: 'Node',
      source: { inline: 'x', files: { 'a.py': 3 } },
      env: [{ name: 'A' }, { name: 'A' }, { value: 'x' }],
      resources: { limits: { cpu: 'lots', memory: true } },
      timeoutSeconds: 'soon',
      concurrency: -1,
      scale: { minReplicas: 2 ** 31, maxReplicas: 0 },
      triggers: {
        http: { path: 'no-slash', methods: ['GET', 'GET', 'FOO'] },
        cron: [{ name: 'a', schedule: '* * * * *' }, { name: 'a' }],
        rabbitmq: [{ name: 'q', connectionSecretRef: {}, prefetch: 0 }],
      },
    },
  };
  t.same(
    messages(f).sort(),
    [
      'spec.concurrency: Invalid value: -1: spec.concurrency in body should be greater than or equal to 0',
      'spec.env[1]: Duplicate value: {"name":"A"}',
      'spec.env[2].name: Required value',
      'spec.resources.limits.cpu: Invalid value: "lots": spec.resources.limits.cpu in body should match \'^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$\'',
      'spec.resources.limits.memory: Invalid value: "boolean": spec.resources.limits.memory in body must be of type integer,string: "boolean"',
      'spec.runtime: Invalid value: "Node": spec.runtime in body should match \'^[a-z][a-z0-9.-]*$\'',
      'spec.scale.maxReplicas: Invalid value: 0: spec.scale.maxReplicas in body should be greater than or equal to 1',
      'spec.scale.minReplicas: Invalid value: 2147483648: spec.scale.minReplicas in body must be of type int32: "2147483648"',
      'spec.source: Forbidden: only one of inline, files, configMapRef may be set',
      'spec.source.files.a.py: Invalid value: "integer": spec.source.files.a.py in body must be of type string: "integer"',
      'spec.timeoutSeconds: Invalid value: "string": spec.timeoutSeconds in body must be of type integer: "string"',
      'spec.triggers.cron[1]: Duplicate value: {"name":"a"}',
      'spec.triggers.cron[1].schedule: Required value',
      'spec.triggers.http.methods[1]: Duplicate value: "GET"',
      'spec.triggers.http.methods[2]: Unsupported value: "FOO": supported values: "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"',
      'spec.triggers.http.path: Invalid value: "no-slash": spec.triggers.http.path in body should match \'^/[^\\s?#]*$\'',
      'spec.triggers.rabbitmq[0].connectionSecretRef.name: Required value',
      'spec.triggers.rabbitmq[0].prefetch: Invalid value: 0: spec.triggers.rabbitmq[0].prefetch in body should be greater than or equal to 1',
    ].sort(),
  );
});

t.test('required fields and the one-source rule', async (t) => {
  t.same(messages({ spec: { runtime: 'go', source: {} } }), [
    'spec.source: Required value: exactly one of inline, files, configMapRef must be set',
  ]);
  t.same(messages({ spec: {} }).sort(), ['spec.runtime: Required value', 'spec.source: Required value']);
  t.same(messages({}), ['spec: Required value']);
  t.same(messages([]), ['<root>: Invalid value: "array": <root> in body must be of type object: "array"']);
});

t.test('status: conditions, times, lengths', async (t) => {
  const f = fullFunction();
  const c = f.status!.conditions![0]!;
  c.lastTransitionTime = 'yesterday';
  c.status = 'Maybe' as 'True';
  c.reason = 'x'.repeat(1025);
  f.status!.conditions!.push({ ...f.status!.conditions![0]!, lastTransitionTime: '2025-01-01T00:00:00Z' });
  t.same(
    messages(f).sort(),
    [
      'status.conditions[0].lastTransitionTime: Invalid value: "yesterday": status.conditions[0].lastTransitionTime in body must be of type date-time: "yesterday"',
      'status.conditions[0].reason: Too long: may not be more than 1024 bytes',
      'status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"',
      'status.conditions[1]: Duplicate value: {"type":"Ready"}',
      'status.conditions[1].reason: Too long: may not be more than 1024 bytes',
      'status.conditions[1].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"',
    ].sort(),
  );
});

t.test('fieldPath follows the schema', async (t) => {
  t.equal(fieldPath('/spec/scale/maxReplicas'), 'spec.scale.maxReplicas');
  t.equal(fieldPath('/spec/env/3/valueFrom/secretKeyRef/key'), 'spec.env[3].valueFrom.secretKeyRef.key');
  t.equal(fieldPath('/spec/source/files/dir~1a.py'), 'spec.source.files.dir/a.py');
  t.equal(fieldPath('/spec/resources/requests/cpu'), 'spec.resources.requests.cpu');
  t.equal(fieldPath('/spec/unknown/x'), 'spec.unknown.x');
  t.equal(fieldPath(''), '');
});
