import t from 'tap';
import { minimalFunction } from '../src/api/fixtures.ts';
import { LAST_APPLIED, lastAppliedToBacking, lastAppliedToPublic } from './last-applied.ts';
import { objectToPublic } from './translate.ts';
import { jsonPatchToBacking, mergePatchToBacking } from './translate-patch.ts';
import { objectToBacking } from './translate-request.ts';

// As kubectl writes it: compact, HTML-escaped, a trailing newline.
const PUBLIC =
  '{"apiVersion":"serverless.kube.io/v1","kind":"Function","metadata":{"annotations":{},"name":"a"},"spec":{"source":{"inline":"() =\\u003e 1"}}}\n';
const BACKING = PUBLIC.replace('serverless.kube.io/v1', 'internal.serverless.kube.io/v1').replace(
  '"Function"',
  '"FunctionRecord"',
);

t.test('top-level apiVersion and kind change; every other byte stays', async (t) => {
  t.equal(lastAppliedToBacking(PUBLIC), BACKING);
  t.equal(lastAppliedToPublic(BACKING), PUBLIC, 'the round trip is exact');
  t.equal(lastAppliedToBacking('not json'), 'not json');
  t.equal(
    lastAppliedToBacking('{"apiVersion":"other/v1","kind":"Function"}'),
    '{"apiVersion":"other/v1","kind":"Function"}',
  );
  const nested = '{"apiVersion":"serverless.kube.io/v1","kind":"Function","spec":{"kind":"Function"}}';
  t.equal(
    lastAppliedToBacking(nested),
    '{"apiVersion":"internal.serverless.kube.io/v1","kind":"FunctionRecord","spec":{"kind":"Function"}}',
  );
});

t.test('stored in backing form through every write, shown in public form', async (t) => {
  const fn = minimalFunction('a');
  fn.metadata.annotations = { [LAST_APPLIED]: PUBLIC, other: PUBLIC };
  const record = objectToBacking(structuredClone(fn)) as unknown as typeof fn;
  t.same(record.metadata.annotations, { [LAST_APPLIED]: BACKING, other: PUBLIC }, 'only that annotation');
  t.same((objectToPublic(record) as typeof fn).metadata.annotations, fn.metadata.annotations);
  const merge = mergePatchToBacking(
    { metadata: { annotations: { [LAST_APPLIED]: PUBLIC } } },
    'a',
  ) as unknown as typeof fn;
  t.equal(merge.metadata.annotations?.[LAST_APPLIED], BACKING);
  const ops = jsonPatchToBacking(
    [
      {
        op: 'add',
        path: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration',
        value: PUBLIC,
      },
      { op: 'replace', path: '/metadata/annotations', value: { [LAST_APPLIED]: PUBLIC } },
    ],
    'a',
  ) as { value: unknown }[];
  t.same(
    ops.map((op) => op.value),
    [BACKING, { [LAST_APPLIED]: BACKING }],
  );
});
