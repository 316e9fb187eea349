import t from 'tap';
import { minimalFunction } from '../src/api/fixtures.ts';
import { StatusError } from './errors.ts';
import { objectBody, objectMediaType, patchBody, patchType } from './request-body.ts';

function statusOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return { code: e.code, reason: e.reason, message: e.message };
    throw e;
  }
  throw new Error('expected a StatusError');
}

t.test('create and update media types: JSON (also when absent) and YAML; 415 for the rest', async (t) => {
  t.equal(objectMediaType(undefined), 'json');
  t.equal(objectMediaType(''), 'json');
  t.equal(objectMediaType('application/json; charset=utf-8'), 'json');
  t.equal(objectMediaType('Application/YAML'), 'yaml');
  for (const type of ['text/yaml', 'application/x-yaml', 'application/vnd.kubernetes.protobuf', 'a;b']) {
    t.match(
      statusOf(() => objectMediaType(type)),
      {
        code: 415,
        reason: 'UnsupportedMediaType',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      },
    );
  }
});

t.test('patch types: exact, case-sensitive, parameters cut; 415 when absent', async (t) => {
  t.equal(patchType('application/merge-patch+json; charset=utf-8'), 'application/merge-patch+json');
  for (const type of [
    undefined,
    '',
    'application/json',
    'application/strategic-merge-patch+json',
    'Application/Merge-Patch+Json',
  ]) {
    t.match(
      statusOf(() => patchType(type)),
      { code: 415, reason: 'UnsupportedMediaType' },
      String(type),
    );
  }
});

t.test('a JSON body is sent on byte for byte but for the translated strings', async (t) => {
  const raw = JSON.stringify(minimalFunction()).replace('"spec":{', '"spec":{"runtime":"go",');
  const out = objectBody(raw, 'application/json');
  t.equal(
    out.body.toString(),
    raw
      .replace('serverless.kube.io/v1', 'internal.serverless.kube.io/v1')
      .replace('"Function"', '"FunctionRecord"'),
  );
  t.same(out.warnings, []);
});

t.test('a YAML body: repeated keys are warnings under Warn (the default), 400 under Strict', async (t) => {
  const yaml =
    'apiVersion: serverless.kube.io/v1\nkind: Function\nmetadata: {name: a}\nspec:\n  runtime: go\n  runtime: nodejs\n';
  const out = objectBody(yaml, 'application/yaml');
  t.same(JSON.parse(out.body.toString()), {
    apiVersion: 'internal.serverless.kube.io/v1',
    kind: 'FunctionRecord',
    metadata: { name: 'a' },
    spec: { runtime: 'nodejs' },
  });
  t.equal(out.contentType, 'application/json');
  t.same(out.warnings, ['line 6: key "runtime" already set in map']);
  t.same(objectBody(yaml, 'application/yaml', 'Ignore').warnings, []);
  t.same(
    statusOf(() => objectBody(yaml, 'application/yaml', 'Strict')),
    {
      code: 400,
      reason: 'BadRequest',
      message:
        'Function in version "v1" cannot be handled as a Function: strict decoding error: yaml: unmarshal errors:\n  line 6: key "runtime" already set in map',
    },
  );
});

t.test('undecodable YAML: 400 naming the Function kind', async (t) => {
  t.match(
    statusOf(() => objectBody('a: [b', 'application/yaml')),
    {
      code: 400,
      message: /^the object provided is unrecognized \(must be of type Function\): yaml: line 1: /,
    },
  );
});

t.test('apply patches: YAML kept as written but for apiVersion and kind; JSON likewise', async (t) => {
  const yaml =
    'apiVersion: serverless.kube.io/v1 # c\nkind: Function\nmetadata: {name: a}\nspec: {runtime: go, runtime: go}\n';
  t.equal(
    patchBody(yaml, 'application/apply-patch+yaml', 'a').body.toString(),
    'apiVersion: "internal.serverless.kube.io/v1" # c\nkind: "FunctionRecord"\nmetadata: {name: a}\nspec: {runtime: go, runtime: go}\n',
  );
  const json = '{"apiVersion":"serverless.kube.io/v1","kind":"Function","metadata":{"name":"a"}}';
  t.equal(
    patchBody(json, 'application/apply-patch+yaml', 'a').body.toString(),
    '{"apiVersion":"internal.serverless.kube.io/v1","kind":"FunctionRecord","metadata":{"name":"a"}}',
  );
  t.match(
    statusOf(() => patchBody('a: [', 'application/apply-patch+yaml', 'a')),
    {
      code: 400,
      message: /^error decoding YAML: error converting YAML to JSON: yaml: line 1: /,
    },
  );
});

t.test('merge and JSON patches keep their bytes', async (t) => {
  const merge = '{"spec":{"runtime":"go","runtime":"python"}}';
  t.equal(patchBody(merge, 'application/merge-patch+json', 'a').body.toString(), merge);
  const ops = '[{"op":"test","path":"/kind","value":"Function"}]';
  t.equal(
    patchBody(ops, 'application/json-patch+json', 'a').body.toString(),
    '[{"op":"test","path":"/kind","value":"FunctionRecord"}]',
  );
});
