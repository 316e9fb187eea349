import t from 'tap';
import { minimalFunction } from '../src/api/fixtures.ts';
import { StatusError } from './errors.ts';
import { applyPatchToBacking, jsonPatchToBacking, mergePatchToBacking } from './translate-patch.ts';

const PUBLIC = 'serverless.kube.io/v1';
const BACKING = 'internal.serverless.kube.io/v1';

function statusOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return { code: e.code, reason: e.reason, message: e.message };
    throw e;
  }
  throw new Error('expected a StatusError');
}

t.test(
  'merge patch: root apiVersion/kind and managedFields are translated, the rest untouched',
  async (t) => {
    t.same(mergePatchToBacking({ spec: { runtime: 'go' } }, 'x'), { spec: { runtime: 'go' } });
    t.same(
      mergePatchToBacking(
        {
          apiVersion: PUBLIC,
          kind: 'Function',
          metadata: {
            labels: { a: 'b' },
            managedFields: [{ manager: 'm', apiVersion: PUBLIC }],
            ownerReferences: [{ apiVersion: PUBLIC, kind: 'Function', name: 'p', uid: 'u' }],
          },
          spec: { kind: 'Function', apiVersion: PUBLIC },
        },
        'x',
      ),
      {
        apiVersion: BACKING,
        kind: 'FunctionRecord',
        metadata: {
          labels: { a: 'b' },
          managedFields: [{ manager: 'm', apiVersion: BACKING }],
          ownerReferences: [{ apiVersion: PUBLIC, kind: 'Function', name: 'p', uid: 'u' }],
        },
        spec: { kind: 'Function', apiVersion: PUBLIC },
      },
    );
    t.same(mergePatchToBacking({ metadata: { managedFields: null } }, 'x'), {
      metadata: { managedFields: null },
    });
  },
);

t.test('merge patch: changing apiVersion or kind is refused as for a custom resource', async (t) => {
  t.same(
    statusOf(() => mergePatchToBacking({ kind: 'FunctionRecord' }, 'x')),
    {
      code: 422,
      reason: 'Invalid',
      message:
        'FunctionRecord.serverless.kube.io "x" is invalid: kind: Invalid value: "FunctionRecord": must be Function',
    },
  );
  t.same(
    statusOf(() => mergePatchToBacking({ apiVersion: BACKING }, 'x')),
    {
      code: 422,
      reason: 'Invalid',
      message: `Function.internal.serverless.kube.io "x" is invalid: apiVersion: Invalid value: "${BACKING}": must be ${PUBLIC}`,
    },
  );
  t.same(
    statusOf(() => mergePatchToBacking([{ op: 'add' }], 'x')),
    {
      code: 400,
      reason: 'BadRequest',
      message:
        'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}',
    },
  );
  t.equal(statusOf(() => mergePatchToBacking('x', 'x')).code, 400);
  t.same(
    mergePatchToBacking({ apiVersion: null }, 'x'),
    { apiVersion: null },
    'removal is left to the backing server',
  );
});

t.test('JSON patch: values landing on apiVersion, kind and managedFields', async (t) => {
  const ops = [
    { op: 'test', path: '/apiVersion', value: PUBLIC },
    { op: 'test', path: '/kind', value: 'Function' },
    { op: 'replace', path: '/apiVersion', value: PUBLIC },
    { op: 'replace', path: '/spec/runtime', value: 'Function' },
    { op: 'add', path: '/metadata/labels/kind', value: 'Function' },
    { op: 'replace', path: '/metadata/managedFields/0/apiVersion', value: PUBLIC },
    { op: 'add', path: '/metadata/managedFields/-', value: { manager: 'm', apiVersion: PUBLIC } },
    { op: 'replace', path: '/metadata/managedFields/1', value: { manager: 'n', apiVersion: PUBLIC } },
    { op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'o', apiVersion: PUBLIC }] },
    { op: 'add', path: '/metadata', value: { name: 'x', managedFields: [{ apiVersion: PUBLIC }] } },
    {
      op: 'add',
      path: '/metadata/ownerReferences/-',
      value: { apiVersion: PUBLIC, kind: 'Function', name: 'p', uid: 'u' },
    },
    { op: 'remove', path: '/metadata/annotations' },
    { op: 'move', from: '/spec/handler', path: '/spec/x' },
  ];
  t.same(jsonPatchToBacking(structuredClone(ops), 'x'), [
    { op: 'test', path: '/apiVersion', value: BACKING },
    { op: 'test', path: '/kind', value: 'FunctionRecord' },
    { op: 'replace', path: '/apiVersion', value: BACKING },
    { op: 'replace', path: '/spec/runtime', value: 'Function' },
    { op: 'add', path: '/metadata/labels/kind', value: 'Function' },
    { op: 'replace', path: '/metadata/managedFields/0/apiVersion', value: BACKING },
    { op: 'add', path: '/metadata/managedFields/-', value: { manager: 'm', apiVersion: BACKING } },
    { op: 'replace', path: '/metadata/managedFields/1', value: { manager: 'n', apiVersion: BACKING } },
    { op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'o', apiVersion: BACKING }] },
    { op: 'add', path: '/metadata', value: { name: 'x', managedFields: [{ apiVersion: BACKING }] } },
    {
      op: 'add',
      path: '/metadata/ownerReferences/-',
      value: { apiVersion: PUBLIC, kind: 'Function', name: 'p', uid: 'u' },
    },
    { op: 'remove', path: '/metadata/annotations' },
    { op: 'move', from: '/spec/handler', path: '/spec/x' },
  ]);
  const whole = [{ op: 'replace', path: '', value: minimalFunction() }];
  const out = jsonPatchToBacking(whole, 'hello') as { value: { apiVersion: string; kind: string } }[];
  t.equal(out[0]!.value.apiVersion, BACKING);
  t.equal(out[0]!.value.kind, 'FunctionRecord');
});

t.test('JSON patch: setting another apiVersion or kind is refused; decoding errors are 400', async (t) => {
  t.same(
    statusOf(() => jsonPatchToBacking([{ op: 'replace', path: '/kind', value: 'Pod' }], 'x')),
    {
      code: 422,
      reason: 'Invalid',
      message: 'Pod.serverless.kube.io "x" is invalid: kind: Invalid value: "Pod": must be Function',
    },
  );
  t.equal(
    statusOf(() => jsonPatchToBacking([{ op: 'add', path: '/apiVersion', value: 'v1' }], 'x')).message,
    'Function "x" is invalid: apiVersion: Invalid value: "v1": must be serverless.kube.io/v1',
  );
  t.equal(
    statusOf(() =>
      jsonPatchToBacking([{ op: 'replace', path: '', value: { ...minimalFunction(), kind: 'Pod' } }], 'x'),
    ).code,
    422,
  );
  t.same(
    jsonPatchToBacking(
      [
        { op: 'replace', path: '/kind', value: 'Pod' },
        { op: 'replace', path: '/kind', value: 'Function' },
      ],
      'x',
    ),
    [
      { op: 'replace', path: '/kind', value: 'Pod' },
      { op: 'replace', path: '/kind', value: 'FunctionRecord' },
    ],
    'only the final value counts',
  );
  t.same(
    statusOf(() => jsonPatchToBacking({ op: 'add' }, 'x')),
    {
      code: 400,
      reason: 'BadRequest',
      message:
        'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
    },
  );
  t.equal(
    statusOf(() => jsonPatchToBacking(['x'], 'x')).message,
    'error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp',
  );
  t.same(jsonPatchToBacking([{ op: 'remove', path: '/kind' }], 'x'), [{ op: 'remove', path: '/kind' }]);
});

t.test('apply patch: version and kind checked, then translated', async (t) => {
  const patch = { apiVersion: PUBLIC, kind: 'Function', metadata: { name: 'x' }, spec: { runtime: 'go' } };
  t.same(applyPatchToBacking(structuredClone(patch)), {
    ...patch,
    apiVersion: BACKING,
    kind: 'FunctionRecord',
  });
  t.same(
    statusOf(() => applyPatchToBacking({ ...patch, apiVersion: 'serverless.kube.io/v2' })),
    {
      code: 400,
      reason: 'BadRequest',
      message: 'invalid object type: serverless.kube.io/v2, Kind=Function',
    },
  );
  const typeOf = (p: unknown) => statusOf(() => applyPatchToBacking(p)).message;
  t.equal(typeOf({ kind: 'Function' }), 'invalid object type: /, Kind=Function');
  t.equal(typeOf({ ...patch, apiVersion: 'v1' }), 'invalid object type: /v1, Kind=Function');
  t.equal(typeOf({ ...patch, apiVersion: 'a/b/c' }), 'invalid object type: /, Kind=');
  t.equal(
    typeOf({ ...patch, kind: 'FunctionRecord' }),
    'invalid object type: serverless.kube.io/v1, Kind=FunctionRecord',
  );
  t.equal(typeOf({ apiVersion: PUBLIC }), 'invalid object type: serverless.kube.io/v1, Kind=');
  t.equal(
    typeOf({ ...patch, apiVersion: 'other.io/v1', metadata: { managedFields: [] } }),
    'invalid object type: other.io/v1, Kind=Function',
    'the type is checked before managedFields',
  );
  t.equal(typeOf({ ...patch, metadata: { managedFields: [] } }), 'metadata.managedFields must be nil');
  t.equal(
    typeOf(['a']),
    'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}',
  );
});
