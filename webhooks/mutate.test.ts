import t from 'tap';
import { minimalFunction } from '../src/api/fixtures.ts';
import type { FunctionObject } from '../src/api/types.ts';
import { applyPatch, type Operation } from '../src/util/json-patch.ts';
import { RUNTIME_LABEL, withDefaults } from './defaults.ts';
import { mutateAdmission } from './mutate.ts';
import type { AdmissionRequest } from './review.ts';

const admission = (object: unknown, extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'u-1',
  kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
  subResource: '',
  operation: 'CREATE',
  name: 'hello',
  namespace: 'default',
  object: object as Record<string, unknown>,
  oldObject: undefined,
  ...extra,
});
const decode = (patch: string | undefined): Operation[] =>
  JSON.parse(Buffer.from(patch ?? '', 'base64').toString());

t.test('a create gets a JSON Patch that turns the object into its defaulted form', async (t) => {
  const fn = minimalFunction();
  const response = mutateAdmission(admission(fn));
  t.match(response, { uid: 'u-1', allowed: true, patchType: 'JSONPatch' });
  const patched = applyPatch(structuredClone(fn), decode(response.patch)).newDocument;
  t.same(patched, withDefaults(fn));
  t.same(mutateAdmission(admission(patched)), { uid: 'u-1', allowed: true }, 'idempotent: no second patch');
});

t.test('label keys with "/" and "~" are escaped as JSON Pointer wants', async (t) => {
  const fn: FunctionObject = minimalFunction();
  fn.metadata.labels = { 'a~b/c': 'x' };
  const ops = decode(mutateAdmission(admission(fn)).patch);
  t.same(
    ops.find((op) => op.path.startsWith('/metadata/labels')),
    { op: 'add', path: '/metadata/labels/serverless.kube.io~1runtime', value: 'nodejs' },
  );
  const patched = applyPatch(structuredClone(fn), ops).newDocument;
  t.same(patched.metadata.labels, { 'a~b/c': 'x', [RUNTIME_LABEL]: 'nodejs' });
  const wrong = minimalFunction();
  wrong.metadata.labels = { [RUNTIME_LABEL]: 'go' };
  t.same(
    decode(mutateAdmission(admission(wrong)).patch).filter((op) => op.path.startsWith('/metadata')),
    [{ op: 'replace', path: '/metadata/labels/serverless.kube.io~1runtime', value: 'nodejs' }],
  );
});

t.test('updates are defaulted too; deletes, subresources and objects being deleted are not', async (t) => {
  const fn = minimalFunction();
  t.ok(mutateAdmission(admission(fn, { operation: 'UPDATE', oldObject: {} })).patch);
  t.same(mutateAdmission(admission(undefined, { operation: 'DELETE' })), { uid: 'u-1', allowed: true });
  t.same(mutateAdmission(admission(fn, { operation: 'UPDATE', subResource: 'scale' })), {
    uid: 'u-1',
    allowed: true,
  });
  const leaving = minimalFunction();
  leaving.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  t.same(mutateAdmission(admission(leaving, { operation: 'UPDATE', oldObject: {} })), {
    uid: 'u-1',
    allowed: true,
  });
});

t.test('another kind is a registration mistake: refused with 400', async (t) => {
  const response = mutateAdmission(
    admission(minimalFunction(), {
      kind: { group: 'internal.serverless.kube.io', version: 'v1', kind: 'FunctionRecord' },
    }),
  );
  t.match(response, { allowed: false, status: { code: 400, reason: 'BadRequest' } });
  t.match(
    response.status?.message,
    /admits serverless.kube.io\/v1, Kind=Function, not internal.serverless.kube.io\/v1, Kind=FunctionRecord/,
  );
});
