// Bad input to the functions API gets the answer kube-apiserver gives a CustomResourceDefinition:
// each request is sent through kube-apiserver both to functions and to widgets.example.kube.io (a
// CRD with the backing schema under other names), and the two answers must carry the same HTTP
// code and Status reason, and, where the wording does not quote the differing bodies, the same
// message and details once the names are swapped.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startCluster } from '../helpers/cluster.ts';
import { asFunctions, installWidgetCrd, WIDGETS } from '../helpers/comparison-crd.ts';
import { type ApiResponse, apiRequest } from '../helpers/kube-api.ts';
import { kubectlFor } from '../helpers/kubectl.ts';

const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const scratch = await mkdtemp(join(tmpdir(), 'ks-bad-input-'));
t.teardown(() => rm(scratch, { recursive: true, force: true }));
const kubectl = kubectlFor(cluster, join(scratch, 'cache'));
await installWidgetCrd(kubectl);
const NS = 'bad-input';
await kubectl.ok(['create', 'namespace', NS]);

type Kind = 'fn' | 'widget';
const BASE = {
  fn: `/apis/serverless.kube.io/v1/namespaces/${NS}/functions`,
  widget: `/apis/${WIDGETS.apiVersion}/namespaces/${NS}/${WIDGETS.plural}`,
};
const API_VERSION = { fn: 'serverless.kube.io/v1', widget: WIDGETS.apiVersion };
const KIND = { fn: 'Function', widget: WIDGETS.kind };

const object = (k: Kind, name: string, fields: Record<string, unknown> = {}) => ({
  apiVersion: API_VERSION[k],
  kind: KIND[k],
  metadata: { name },
  spec: { runtime: 'nodejs', source: { inline: 'x' } },
  ...fields,
});
const json = (k: Kind, name: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify(object(k, name, fields));
const yaml = (k: Kind, metadata: string, spec: string) =>
  `apiVersion: ${API_VERSION[k]}\nkind: ${KIND[k]}\nmetadata: ${metadata}\nspec: ${spec}\n`;
const YAML = { 'content-type': 'application/yaml' };
const APPLY = { 'content-type': 'application/apply-patch+yaml' };
const MERGE = { 'content-type': 'application/merge-patch+json' };
const JSON_PATCH = { 'content-type': 'application/json-patch+json' };

for (const k of ['fn', 'widget'] as const) {
  await kubectl.ok(['create', '-n', NS, '-f', '-'], { input: json(k, 'hello') });
}

interface Case {
  method: string;
  /** Below the collection path: '' for the collection, '/hello' for the object... */
  path: string;
  body?: (k: Kind) => string | Buffer;
  headers?: Record<string, string>;
  /** The answer both must give. */
  code: number;
  reason?: string;
  /** Also compare the message and details (false where they quote the differing bodies). */
  message?: boolean;
}

const send = (k: Kind, c: Case): Promise<ApiResponse> =>
  apiRequest(cluster.kubeConfig, {
    method: c.method,
    path: BASE[k] + c.path,
    body: c.body?.(k),
    headers: c.headers,
  });

async function compare(t: Test, name: string, c: Case): Promise<void> {
  const fn = await send('fn', c);
  const widget = await send('widget', c);
  t.equal(fn.code, c.code, `${name}: functions answer ${c.code}`);
  t.equal(widget.code, c.code, `${name}: the CRD answers ${c.code}`);
  t.equal(fn.body?.reason, widget.body?.reason, `${name}: same reason`);
  if (c.reason) t.equal(fn.body?.reason, c.reason, `${name}: ${c.reason}`);
  if (c.message) {
    t.equal(fn.body?.message, asFunctions(widget.body?.message ?? ''), `${name}: same message`);
    t.same(
      fn.body?.details,
      widget.body?.details && JSON.parse(asFunctions(JSON.stringify(widget.body.details))),
      `${name}: same details`,
    );
  }
  t.notMatch(fn.text, /internal\.serverless\.kube\.io|FunctionRecord/, `${name}: nothing private`);
}

const cases: Record<string, Record<string, Case>> = {
  'malformed JSON and YAML bodies': {
    'truncated JSON': {
      method: 'POST',
      path: '',
      body: () => '{"apiVersion":',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'JSON with a missing colon': {
      method: 'POST',
      path: '',
      body: () => '{"a" 1}',
      code: 400,
      reason: 'BadRequest',
    },
    'not JSON at all': { method: 'POST', path: '', body: () => 'hello', code: 400, reason: 'BadRequest' },
    'an empty body': {
      method: 'POST',
      path: '',
      body: () => '',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    null: { method: 'POST', path: '', body: () => 'null', code: 400, reason: 'BadRequest', message: true },
    'an array': {
      method: 'POST',
      path: '',
      body: () => '[]',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a number as kind': {
      method: 'POST',
      path: '',
      body: () => '{"kind":1}',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'unbalanced YAML': {
      method: 'POST',
      path: '',
      body: () => 'a: [b',
      headers: YAML,
      code: 400,
      reason: 'BadRequest',
    },
    'YAML indented by a tab': {
      method: 'POST',
      path: '',
      body: () => 'a: x\n\tb: y',
      headers: YAML,
      code: 400,
      reason: 'BadRequest',
    },
    'a YAML 1.1 boolean as a name (y)': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) => yaml(k, '{name: y}', '{runtime: nodejs}'),
      headers: YAML,
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'YAML NaN': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) => yaml(k, '{name: nan}', '{runtime: nodejs, timeoutSeconds: .nan}'),
      headers: YAML,
      code: 400,
      reason: 'BadRequest',
    },
    'a YAML collection as a key': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) => yaml(k, '{name: ck, labels: {[a]: b}}', '{runtime: nodejs}'),
      headers: YAML,
      code: 400,
      reason: 'BadRequest',
    },
    'a repeated YAML key under Strict': {
      method: 'POST',
      path: '?dryRun=All&fieldValidation=Strict',
      body: (k) => yaml(k, '{name: dup}', '{runtime: go, runtime: nodejs}'),
      headers: YAML,
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a repeated JSON key under Strict, with an unknown field': {
      method: 'POST',
      path: '?dryRun=All&fieldValidation=Strict',
      body: (k) => json(k, 'dup').replace('"spec":{', '"spec":{"runtime":"go","bogus":1,'),
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'YAML 1.1 numbers (017, -0x1F)': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) => yaml(k, '{name: nums}', '{runtime: nodejs, concurrency: 017, timeoutSeconds: -0x1F}'),
      headers: YAML,
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'a YAML merge key and a second document': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) =>
        `base: &b {runtime: go}\n${yaml(k, '{name: merged}', '{<<: *b, source: {inline: x}}')}---\n]]]\n`,
      headers: YAML,
      code: 201,
    },
  },
  'wrong apiVersion or kind in the body': {
    'another group': {
      method: 'POST',
      path: '',
      body: (k) => json(k, 'x', { apiVersion: 'other.io/v1' }),
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'another version': {
      method: 'POST',
      path: '',
      body: (k) => json(k, 'x', { apiVersion: API_VERSION[k].replace('v1', 'v2') }),
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a bad group-version': {
      method: 'POST',
      path: '',
      body: (k) => json(k, 'x', { apiVersion: 'a/b/c' }),
      code: 400,
      reason: 'BadRequest',
    },
    'another kind': {
      method: 'POST',
      path: '',
      body: (k) => json(k, 'x', { kind: 'Gadget' }),
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'no kind': {
      method: 'POST',
      path: '',
      body: (k) => json(k, 'x', { kind: undefined }),
      code: 400,
      reason: 'BadRequest',
    },
    // The message differs (ADR 0501): we refuse the kind before kube-apiserver's resourceVersion check.
    'another kind in an update': {
      method: 'PUT',
      path: '/hello',
      body: (k) => json(k, 'hello', { kind: 'Gadget' }),
      code: 422,
      reason: 'Invalid',
    },
    'a merge patch changing the kind': {
      method: 'PATCH',
      path: '/hello',
      body: () => '{"kind":"Gadget"}',
      headers: MERGE,
      code: 422,
      reason: 'Invalid',
    },
    'a JSON patch changing apiVersion': {
      method: 'PATCH',
      path: '/hello',
      body: () => '[{"op":"replace","path":"/apiVersion","value":"other.io/v1"}]',
      headers: JSON_PATCH,
      code: 422,
      reason: 'Invalid',
    },
    'an apply patch of another version': {
      method: 'PATCH',
      path: '/hello?fieldManager=t',
      body: (k) => json(k, 'hello', { apiVersion: 'other.io/v1' }),
      headers: APPLY,
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
  },
  'names and namespaces that differ from the URL': {
    'an update naming another object': {
      method: 'PUT',
      path: '/hello',
      body: (k) => json(k, 'other'),
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a status update naming another object': {
      method: 'PUT',
      path: '/hello/status',
      body: (k) => json(k, 'other'),
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a create in another namespace': {
      method: 'POST',
      path: '',
      body: (k) => json(k, 'elsewhere', { metadata: { name: 'elsewhere', namespace: 'kube-system' } }),
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a scale naming another object': {
      method: 'PUT',
      path: '/hello/scale',
      body: () =>
        '{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"other"},"spec":{"replicas":1}}',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'an update without resourceVersion': {
      method: 'PUT',
      path: '/hello',
      body: (k) => json(k, 'hello'),
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'a create without a name': {
      method: 'POST',
      path: '',
      body: (k) => json(k, 'x', { metadata: {} }),
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'a POST to an object': {
      method: 'POST',
      path: '/hello',
      body: (k) => json(k, 'hello'),
      code: 409,
      reason: 'AlreadyExists',
      message: true,
    },
  },
  'query parameters': {
    'unknown on a get': { method: 'GET', path: '/hello?foo=bar&pretty=maybe', code: 200 },
    'unknown on a list': { method: 'GET', path: '?foo=bar&limit=1', code: 200 },
    'unknown on a create': {
      method: 'POST',
      path: '?foo=bar&dryRun=All',
      body: (k) => json(k, 'q'),
      code: 201,
    },
    'limit not a number': {
      method: 'GET',
      path: '?limit=abc',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'dryRun not All': {
      method: 'POST',
      path: '?dryRun=Bogus',
      body: (k) => json(k, 'q'),
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'fieldValidation unknown': {
      method: 'POST',
      path: '?fieldValidation=Bogus',
      body: (k) => json(k, 'q'),
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'propagationPolicy unknown': {
      method: 'DELETE',
      path: '/hello?propagationPolicy=Bogus',
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'a broken label selector': {
      method: 'GET',
      path: '?labelSelector=a%3D%3D%3Db',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a resourceVersion that is not one': {
      method: 'GET',
      path: '?resourceVersion=abc',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a continue token that is not one': {
      method: 'GET',
      path: '?limit=1&continue=abc',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'an unsupported field selector': {
      method: 'GET',
      path: '?fieldSelector=spec.runtime%3Dgo',
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
  },
  'oversized bodies': {
    'a create over 3 MiB': {
      method: 'POST',
      path: '',
      body: (k) =>
        json(k, 'big', { spec: { runtime: 'nodejs', source: { inline: 'a'.repeat(3 * 1024 * 1024) } } }),
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: true,
    },
    'a patch over 3 MiB': {
      method: 'PATCH',
      path: '/hello',
      body: () => JSON.stringify({ spec: { source: { inline: 'a'.repeat(3 * 1024 * 1024) } } }),
      headers: MERGE,
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: true,
    },
  },
  'unknown subresources and methods': {
    'GET of an unknown subresource': {
      method: 'GET',
      path: '/hello/bogus',
      code: 404,
      reason: 'NotFound',
      message: true,
    },
    'POST to an unknown subresource': {
      method: 'POST',
      path: '/hello/bogus',
      body: () => '{}',
      code: 404,
      reason: 'NotFound',
      message: true,
    },
    'PUT to an unknown subresource': {
      method: 'PUT',
      path: '/hello/bogus',
      body: () => '{}',
      code: 404,
      reason: 'NotFound',
      message: true,
    },
    'segments after a subresource': { method: 'GET', path: '/hello/status/extra', code: 200 },
    'PUT to the collection': {
      method: 'PUT',
      path: '',
      body: (k) => json(k, 'hello'),
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a missing object': { method: 'GET', path: '/nope', code: 404, reason: 'NotFound', message: true },
  },
  'content types': {
    'text/plain': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) => json(k, 'ct'),
      headers: { 'content-type': 'text/plain' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: true,
    },
    'application/x-yaml': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) => json(k, 'ct'),
      headers: { 'content-type': 'application/x-yaml' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: true,
    },
    'a malformed parameter': {
      method: 'PUT',
      path: '/hello',
      body: (k) => json(k, 'hello'),
      headers: { 'content-type': 'application/json;foo' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: true,
    },
    'none on a create': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) => json(k, 'ct'),
      headers: { 'content-type': '' },
      code: 201,
    },
    'JSON with a charset': {
      method: 'POST',
      path: '?dryRun=All',
      body: (k) => json(k, 'ct'),
      headers: { 'content-type': 'application/json; charset=utf-8' },
      code: 201,
    },
    'none on a patch': {
      method: 'PATCH',
      path: '/hello',
      body: () => '{}',
      headers: { 'content-type': '' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: true,
    },
    'application/json on a patch': {
      method: 'PATCH',
      path: '/hello',
      body: () => '{}',
      headers: { 'content-type': 'application/json' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: true,
    },
    'strategic merge patch': {
      method: 'PATCH',
      path: '/hello',
      body: () => '{}',
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: true,
    },
    'a patch type in capitals': {
      method: 'PATCH',
      path: '/hello',
      body: () => '{}',
      headers: { 'content-type': 'Application/Merge-Patch+Json' },
      code: 415,
      reason: 'UnsupportedMediaType',
      message: true,
    },
    'Accept: application/xml': {
      method: 'GET',
      path: '/hello',
      headers: { accept: 'application/xml' },
      code: 406,
      reason: 'NotAcceptable',
      message: true,
    },
    'a scale in YAML': {
      method: 'PUT',
      path: '/hello/scale?dryRun=All',
      body: () => 'apiVersion: autoscaling/v1\nkind: Scale\nmetadata: {name: hello}\nspec: {replicas: 1}\n',
      headers: YAML,
      code: 200,
    },
  },
  'patch bodies': {
    'a truncated merge patch': {
      method: 'PATCH',
      path: '/hello',
      body: () => '{',
      headers: MERGE,
      code: 400,
      reason: 'BadRequest',
    },
    'a merge patch that is a list': {
      method: 'PATCH',
      path: '/hello',
      body: () => '[]',
      headers: MERGE,
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'an unknown JSON patch op': {
      method: 'PATCH',
      path: '/hello',
      body: () => '[{"op":"frob","path":"/x"}]',
      headers: JSON_PATCH,
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'a failing JSON patch test': {
      method: 'PATCH',
      path: '/hello',
      body: () => '[{"op":"test","path":"/spec/runtime","value":"go"}]',
      headers: JSON_PATCH,
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'an apply patch without a field manager': {
      method: 'PATCH',
      path: '/hello',
      body: (k) => json(k, 'hello'),
      headers: APPLY,
      code: 422,
      reason: 'Invalid',
      message: true,
    },
    'an apply patch with managedFields': {
      method: 'PATCH',
      path: '/hello?fieldManager=t',
      body: (k) => json(k, 'hello', { metadata: { name: 'hello', managedFields: [] } }),
      headers: APPLY,
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'an apply patch in broken YAML': {
      method: 'PATCH',
      path: '/hello?fieldManager=t',
      body: () => 'a: [',
      headers: APPLY,
      code: 400,
      reason: 'BadRequest',
    },
    'an apply patch with a repeated key under Strict': {
      method: 'PATCH',
      path: '/hello?fieldManager=t&dryRun=All&fieldValidation=Strict',
      body: (k) => yaml(k, '{name: hello}', '{runtime: go, runtime: nodejs}'),
      headers: APPLY,
      code: 400,
      reason: 'BadRequest',
      message: true,
    },
    'a merge patch with a repeated key under Strict': {
      method: 'PATCH',
      path: '/hello?dryRun=All&fieldValidation=Strict',
      body: () => '{"spec":{"runtime":"go","runtime":"python"}}',
      headers: MERGE,
      code: 422,
      reason: 'Invalid',
    },
  },
};

for (const [group, entries] of Object.entries(cases)) {
  t.test(group, async (t) => {
    for (const [name, c] of Object.entries(entries)) await compare(t, name, c);
  });
}

t.test('warnings for repeated keys and unknown fields are the same under Warn', async (t) => {
  const bodies: [string, (k: Kind) => string, Record<string, string>][] = [
    ['JSON', (k) => json(k, 'w1').replace('"spec":{', '"spec":{"runtime":"go","bogus":1,'), {}],
    [
      'YAML',
      (k) => yaml(k, '{name: w2}', '{runtime: go, runtime: nodejs, bogus: 1, source: {inline: x}}'),
      YAML,
    ],
  ];
  for (const [what, body, headers] of bodies) {
    const c: Case = { method: 'POST', path: '?dryRun=All&fieldValidation=Warn', body, headers, code: 201 };
    const fn = await send('fn', c);
    const widget = await send('widget', c);
    t.equal(fn.code, 201, what);
    t.ok(fn.headers.warning, `${what}: warnings sent`);
    t.same(fn.headers.warning, widget.headers.warning, `${what}: the same warnings`);
  }
});

t.test('protocol buffers: 415 (kube-apiserver has no protobuf form of a custom resource)', async (t) => {
  const fn = await send('fn', {
    method: 'POST',
    path: '?dryRun=All',
    body: (k) => json(k, 'pb'),
    headers: { 'content-type': 'application/vnd.kubernetes.protobuf' },
    code: 415,
  });
  t.match(fn, { code: 415, body: { reason: 'UnsupportedMediaType' } });
});

t.test('any value of ?watch= but 0 and false is a watch, streamed to its end', async (t) => {
  for (const value of ['yes', '']) {
    const c: Case = { method: 'GET', path: `?watch=${value}&timeoutSeconds=1`, code: 200 };
    const fn = await send('fn', c);
    const widget = await send('widget', c);
    t.equal(fn.code, widget.code, `watch=${value}`);
    t.match(
      fn.text,
      /^\{"type":"ADDED","object":\{"apiVersion":"serverless\.kube\.io\/v1","kind":"Function"/,
      `watch=${value}`,
    );
    t.match(widget.text, /^\{"type":"ADDED"/);
  }
});

t.test('deletes: a precondition that does not hold is 409; a done delete is a Success Status', async (t) => {
  for (const k of ['fn', 'widget'] as const)
    await kubectl.ok(['create', '-n', NS, '-f', '-'], { input: json(k, 'guarded') });
  await compare(t, 'a uid precondition', {
    method: 'DELETE',
    path: '/guarded',
    body: () => '{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"not-the-uid"}}',
    code: 409,
    reason: 'Conflict',
  });
  const fn = await send('fn', { method: 'DELETE', path: '/guarded', code: 200 });
  const widget = await send('widget', { method: 'DELETE', path: '/guarded', code: 200 });
  t.match(fn, { code: 200, body: { kind: 'Status', status: 'Success' } });
  const { uid: _f, ...fnDetails } = fn.body.details;
  const { uid: _w, ...widgetDetails } = widget.body.details;
  t.same(
    fnDetails,
    JSON.parse(asFunctions(JSON.stringify(widgetDetails))),
    'details name functions.serverless.kube.io',
  );
});
