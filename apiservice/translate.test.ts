import t from 'tap';
import { fullFunction, minimalFunction } from '../src/api/fixtures.ts';
import {
  alreadyExists,
  conflict,
  forbidden,
  invalid,
  notFound,
  OBJECT_MODIFIED,
  type Status,
} from './errors.ts';
import {
  listToPublic,
  messageToPublic,
  objectToPublic,
  statusToPublic,
  tableToPublic,
  toPublic,
  warningToPublic,
  watchEventToPublic,
} from './translate.ts';
import { objectToBacking } from './translate-request.ts';

const clone = <T>(v: T): T => structuredClone(v);
const BACKING = { group: 'internal.serverless.kube.io', resource: 'functionrecords' };
const BACKING_KIND = { group: 'internal.serverless.kube.io', kind: 'FunctionRecord' };

/** The backing form of a public object, written out by hand (not via the code under test). */
function record(fn = fullFunction()) {
  const r = clone(fn) as unknown as Record<string, unknown> & { metadata: Record<string, unknown> };
  r.apiVersion = 'internal.serverless.kube.io/v1';
  r.kind = 'FunctionRecord';
  for (const e of (r.metadata.managedFields as { apiVersion: string }[] | undefined) ?? [])
    e.apiVersion = 'internal.serverless.kube.io/v1';
  return r;
}

t.test('objects: apiVersion, kind, managedFields; ownerReferences untouched', async (t) => {
  const pub = fullFunction();
  t.same(objectToPublic(record()), pub);
  const owned = record();
  (owned.metadata.ownerReferences as unknown[]).push({
    apiVersion: 'internal.serverless.kube.io/v1',
    kind: 'FunctionRecord',
    name: 'parent',
    uid: 'u',
  });
  const out = objectToPublic(owned);
  t.same((out.metadata.ownerReferences as unknown[])[1], {
    apiVersion: 'internal.serverless.kube.io/v1',
    kind: 'FunctionRecord',
    name: 'parent',
    uid: 'u',
  });
  const foreign = { apiVersion: 'apps/v1', kind: 'FunctionRecord', metadata: {} };
  t.same(objectToPublic(clone(foreign)), foreign, 'a kind of another group is not ours');
  t.equal(objectToPublic('text'), 'text');
});

t.test('managedFields of other group-versions stay', async (t) => {
  const r = record();
  const fields = r.metadata.managedFields as { apiVersion: string }[];
  fields[0]!.apiVersion = 'serverless.kube.io/v1alpha1';
  t.equal(
    (objectToPublic(r).metadata.managedFields as { apiVersion: string }[])[0]!.apiVersion,
    'serverless.kube.io/v1alpha1',
  );
});

t.test('selfLink', async (t) => {
  const r = record();
  r.metadata.selfLink =
    '/apis/internal.serverless.kube.io/v1/namespaces/functionrecords/functionrecords/functionrecords';
  t.equal(
    objectToPublic(r).metadata.selfLink,
    '/apis/serverless.kube.io/v1/namespaces/functionrecords/functions/functionrecords',
  );
  const l = {
    apiVersion: 'internal.serverless.kube.io/v1',
    kind: 'FunctionRecordList',
    metadata: { selfLink: '/apis/internal.serverless.kube.io/v1/functionrecords' },
    items: [],
  };
  t.equal(listToPublic(l).metadata.selfLink, '/apis/serverless.kube.io/v1/functions');
});

t.test('lists: FunctionRecordList → FunctionList, each item, ListMeta unchanged', async (t) => {
  const list = {
    apiVersion: 'internal.serverless.kube.io/v1',
    kind: 'FunctionRecordList',
    metadata: { resourceVersion: '99', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ', remainingItemCount: 3 },
    items: [record(), record(minimalFunction())],
  };
  t.same(toPublic(list), {
    apiVersion: 'serverless.kube.io/v1',
    kind: 'FunctionList',
    metadata: { resourceVersion: '99', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ', remainingItemCount: 3 },
    items: [fullFunction(), minimalFunction()],
  });
});

t.test('PartialObjectMetadata and its list keep their kind; managedFields are translated', async (t) => {
  const meta = { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: record().metadata };
  t.same(toPublic(clone(meta)), { ...meta, metadata: fullFunction().metadata });
  const list = {
    apiVersion: 'meta.k8s.io/v1',
    kind: 'PartialObjectMetadataList',
    metadata: {},
    items: [clone(meta)],
  };
  t.same(toPublic(list).items, [{ ...meta, metadata: fullFunction().metadata }]);
});

t.test('Tables: rows carry metadata or full objects', async (t) => {
  const columns = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name of the object', priority: 0 },
    { name: 'Runtime', type: 'string', format: '', description: 'Language runtime', priority: 0 },
  ];
  const table = (object: unknown) => ({
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '7' },
    columnDefinitions: columns,
    rows: [{ cells: ['orders', 'python'], object }],
  });
  const partial = {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: record().metadata,
  };
  t.same(tableToPublic(table(clone(partial))), table({ ...partial, metadata: fullFunction().metadata }));
  t.same(toPublic(table(record())), table(fullFunction()));
  const none = { ...table(undefined), rows: [{ cells: ['orders', 'python'] }] };
  t.same(toPublic(clone(none)), none, 'includeObject=None');
});

t.test('watch events: objects, bookmarks, tables and errors', async (t) => {
  t.same(watchEventToPublic({ type: 'ADDED', object: record() }), { type: 'ADDED', object: fullFunction() });
  t.same(toPublic({ type: 'MODIFIED', object: record() }), { type: 'MODIFIED', object: fullFunction() });
  const bookmark = {
    type: 'BOOKMARK',
    object: {
      kind: 'FunctionRecord',
      apiVersion: 'internal.serverless.kube.io/v1',
      metadata: { resourceVersion: '12', annotations: { 'k8s.io/initial-events-end': 'true' } },
    },
  };
  t.same(toPublic(bookmark), {
    type: 'BOOKMARK',
    object: {
      kind: 'Function',
      apiVersion: 'serverless.kube.io/v1',
      metadata: { resourceVersion: '12', annotations: { 'k8s.io/initial-events-end': 'true' } },
    },
  });
  const expired = {
    type: 'ERROR',
    object: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'too old resource version: 5 (10)',
      reason: 'Expired',
      code: 410,
    },
  };
  t.same(toPublic(clone(expired)), expired);
  const tableEvent = {
    type: 'ADDED',
    object: {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: {},
      columnDefinitions: [],
      rows: [{ cells: [], object: record() }],
    },
  };
  t.same((toPublic(tableEvent).object.rows[0] as { object: unknown }).object, fullFunction());
});

t.test('Status errors read as if the public resource had answered', async (t) => {
  const pub = (e: { toJSON(): Status }) => e.toJSON();
  const cases: [Status, Status][] = [
    [pub(notFound('x', BACKING)), pub(notFound('x'))],
    [pub(alreadyExists('x', BACKING)), pub(alreadyExists('x'))],
    [pub(conflict('x', OBJECT_MODIFIED, BACKING)), pub(conflict('x', OBJECT_MODIFIED))],
    [pub(notFound('functionrecords', BACKING)), pub(notFound('functionrecords'))],
    [
      pub(conflict('x', 'Precondition failed: UID in precondition: a, UID in object meta: b', BACKING)),
      pub(conflict('x', 'Precondition failed: UID in precondition: a, UID in object meta: b')),
    ],
    [
      pub(
        invalid(
          'x',
          [
            {
              type: 'FieldValueInvalid',
              field: 'spec.scale.maxReplicas',
              badValue: 0,
              detail: 'spec.scale.maxReplicas in body should be greater than or equal to 1',
            },
            { type: 'FieldValueRequired', field: 'spec.runtime', detail: '' },
          ],
          BACKING_KIND,
        ),
      ),
      pub(
        invalid('x', [
          {
            type: 'FieldValueInvalid',
            field: 'spec.scale.maxReplicas',
            badValue: 0,
            detail: 'spec.scale.maxReplicas in body should be greater than or equal to 1',
          },
          { type: 'FieldValueRequired', field: 'spec.runtime', detail: '' },
        ]),
      ),
    ],
  ];
  for (const [backing, want] of cases) t.same(statusToPublic(clone(backing)), want, String(want.message));
  const causes = statusToPublic(
    pub(
      invalid(
        'x',
        [{ type: 'FieldValueInvalid', field: 'kind', badValue: 'Foo', detail: 'must be FunctionRecord' }],
        {
          group: 'internal.serverless.kube.io',
          kind: 'Foo',
        },
      ),
    ),
  );
  t.equal(
    causes.message,
    'Foo.serverless.kube.io "x" is invalid: kind: Invalid value: "Foo": must be Function',
  );
  t.same(causes.details, {
    name: 'x',
    group: 'serverless.kube.io',
    kind: 'Foo',
    causes: [
      { reason: 'FieldValueInvalid', message: 'Invalid value: "Foo": must be Function', field: 'kind' },
    ],
  });
  const rbac = statusToPublic(
    pub(
      forbidden(
        'x',
        'User "system:serviceaccount:kube-serverless:server" cannot get resource "functionrecords" in API group "internal.serverless.kube.io" in the namespace "default"',
        BACKING,
      ),
    ),
  );
  t.equal(
    rbac.message,
    'functions.serverless.kube.io "x" is forbidden: User "system:serviceaccount:kube-serverless:server" cannot get resource "functions" in API group "serverless.kube.io" in the namespace "default"',
  );
  const other = pub(notFound('cm', { group: '', resource: 'configmaps' }));
  t.same(statusToPublic(clone(other)), other, 'errors about other resources are left alone');
});

t.test('messages: free text, GVK strings, paths, embedded objects; user data left alone', async (t) => {
  const cases: [string, string][] = [
    [
      'Apply failed with 1 conflict: conflict with "kubectl" using internal.serverless.kube.io/v1: .spec.runtime',
      'Apply failed with 1 conflict: conflict with "kubectl" using serverless.kube.io/v1: .spec.runtime',
    ],
    [
      'failed to create typed patch object (internal.serverless.kube.io/v1, Kind=FunctionRecord): .spec.x: field not declared in schema',
      'failed to create typed patch object (serverless.kube.io/v1, Kind=Function): .spec.x: field not declared in schema',
    ],
    [
      'the server could not find the requested resource (get functionrecords.internal.serverless.kube.io x)',
      'the server could not find the requested resource (get functions.serverless.kube.io x)',
    ],
    [
      '/apis/internal.serverless.kube.io/v1/namespaces/a/functionrecords/b',
      '/apis/serverless.kube.io/v1/namespaces/a/functions/b',
    ],
    ['FunctionRecordList is a list of FunctionRecord', 'FunctionList is a list of Function'],
    ['a functionrecord of kind FunctionRecord', 'a function of kind Function'],
    [
      ' "" is invalid: patch: Invalid value: "{\\"apiVersion\\":\\"internal.serverless.kube.io/v1\\",\\"kind\\":\\"FunctionRecord\\",\\"metadata\\":{\\"name\\":\\"functionrecords\\"}}": Object \'Kind\' is missing',
      ' "" is invalid: patch: Invalid value: "{\\"apiVersion\\":\\"serverless.kube.io/v1\\",\\"kind\\":\\"Function\\",\\"metadata\\":{\\"name\\":\\"functionrecords\\"}}": Object \'Kind\' is missing',
    ],
    [
      'spec.runtime: Invalid value: "FunctionRecord": must be nodejs',
      'spec.runtime: Invalid value: "FunctionRecord": must be nodejs',
    ],
    ['label "x.internal.serverless.kube.io/y" is bad', 'label "x.internal.serverless.kube.io/y" is bad'],
    ['no quotes at all', 'no quotes at all'],
    ['unbalanced "quote internal.serverless.kube.io', 'unbalanced "quote serverless.kube.io'],
    ['myinternal.serverless.kube.io stays', 'myinternal.serverless.kube.io stays'],
  ];
  for (const [backing, want] of cases) t.equal(messageToPublic(backing), want, backing);
});

t.test('round trip: public → backing → public is the identity', async (t) => {
  for (const fn of [fullFunction(), minimalFunction()]) {
    t.same(objectToPublic(objectToBacking(clone(fn))), fn);
  }
});

t.test('anything else passes through', async (t) => {
  for (const v of [
    null,
    3,
    'x',
    [1],
    { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 } },
  ]) {
    t.same(toPublic(clone(v)), v);
  }
});

t.test('a Success Status (an immediate delete) names the public resource', async (t) => {
  const success = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: 'f', group: 'internal.serverless.kube.io', kind: 'functionrecords', uid: 'u' },
  };
  t.same(toPublic(clone(success)).details, {
    name: 'f',
    group: 'serverless.kube.io',
    kind: 'functions',
    uid: 'u',
  });
});

t.test('warnings: the text is translated, the quoting kept', async (t) => {
  t.equal(
    warningToPublic('299 - "unknown field \\"spec.bogus\\" in FunctionRecord.internal.serverless.kube.io"'),
    '299 - "unknown field \\"spec.bogus\\" in Function.serverless.kube.io"',
  );
  t.equal(warningToPublic('not a warning'), 'not a warning');
});
