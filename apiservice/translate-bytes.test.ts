import fc from 'fast-check';
import t, { type Test } from 'tap';
import { fullFunction } from '../src/api/fixtures.ts';
import { toPublic } from './translate.ts';
import { answerToPublic, toPublicBytes } from './translate-bytes.ts';

const BACKING = 'internal.serverless.kube.io/v1';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The backing form of a function, written out by hand, with every group-bearing field set. */
function record(name: string) {
  const r = structuredClone(fullFunction(name, 'shop')) as unknown as Record<string, unknown> & {
    metadata: Record<string, unknown>;
  };
  r.apiVersion = BACKING;
  r.kind = 'FunctionRecord';
  for (const e of r.metadata.managedFields as { apiVersion: string }[]) e.apiVersion = BACKING;
  (r.metadata.ownerReferences as unknown[]).push({
    apiVersion: BACKING,
    kind: 'FunctionRecord',
    name: 'p',
    uid: 'u',
  });
  r.metadata.annotations = {
    [LAST_APPLIED]: JSON.stringify({ apiVersion: BACKING, kind: 'FunctionRecord', metadata: { name } }),
  };
  r.metadata.selfLink = `/apis/${BACKING}/namespaces/shop/functionrecords/${name}`;
  r.spec = { ...(r.spec as object), note: { apiVersion: BACKING, kind: 'FunctionRecord' } };
  return r;
}

/** What the parsing path answers: the reference the fast path must equal. */
const reference = (text: string) => JSON.stringify(toPublic(JSON.parse(text)));

function fast(t: Test, body: unknown, what: string): string {
  const text = JSON.stringify(body);
  const out = toPublicBytes(Buffer.from(text));
  t.ok(out, `${what}: the fast path answers`);
  t.equal(out?.toString(), reference(text), `${what}: byte for byte the parsing path's answer`);
  return out?.toString() ?? '';
}

t.test('lists: the list, each item and its metadata; ownerReferences and spec untouched', async (t) => {
  const list = {
    apiVersion: BACKING,
    kind: 'FunctionRecordList',
    metadata: { resourceVersion: '9', continue: 'abc', remainingItemCount: 998 },
    items: [record('a'), record('b')],
  };
  const out = JSON.parse(fast(t, list, 'a chunked list'));
  t.equal(out.kind, 'FunctionList');
  t.equal(out.items[1].apiVersion, 'serverless.kube.io/v1');
  t.equal(out.items[1].metadata.managedFields[0].apiVersion, 'serverless.kube.io/v1');
  t.equal(out.items[1].metadata.ownerReferences[1].apiVersion, BACKING);
  t.equal(out.items[1].spec.note.apiVersion, BACKING);
  t.equal(out.items[1].metadata.selfLink, '/apis/serverless.kube.io/v1/namespaces/shop/functions/b');
  t.match(
    out.items[0].metadata.annotations[LAST_APPLIED],
    /"apiVersion":"serverless.kube.io\/v1","kind":"Function"/,
  );
  t.same(out.metadata, list.metadata, 'continue token and remaining count pass through');
});

t.test('Tables: rows with PartialObjectMetadata or with full objects', async (t) => {
  const table = (object: unknown) => ({
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '9', continue: 'x' },
    columnDefinitions: [{ name: 'Name', type: 'string', format: 'name' }],
    rows: [{ cells: ['a', { apiVersion: BACKING }], object }],
  });
  const meta = record('a').metadata;
  fast(
    t,
    table({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta }),
    'metadata rows',
  );
  const full = JSON.parse(fast(t, table(record('a')), 'object rows'));
  t.equal(full.rows[0].object.kind, 'Function');
  t.equal(full.rows[0].cells[1].apiVersion, BACKING, 'cells are data');
  t.equal(full.apiVersion, 'meta.k8s.io/v1');
});

t.test('single objects, watch events, PartialObjectMetadataList', async (t) => {
  fast(t, record('a'), 'an object');
  fast(t, { type: 'ADDED', object: record('a') }, 'an event');
  fast(
    t,
    {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata: {},
      items: [{ metadata: record('a').metadata }],
    },
    'metadata list',
  );
});

t.test('pretty-printed and escaped text means the same', async (t) => {
  const text = JSON.stringify(
    { kind: 'FunctionRecordList', apiVersion: BACKING, items: [record('a')] },
    null,
    2,
  )
    .replace(`"apiVersion": "${BACKING}"`, '"apiVersion": "internal.serverless.kube.io\\/v1"')
    .replace('"kind": "FunctionRecord"', '"\\u006bind": "FunctionRecord"');
  const out = toPublicBytes(Buffer.from(text));
  t.ok(out);
  t.same(JSON.parse(out!.toString()), toPublic(JSON.parse(text)));
});

t.test('what the fast path leaves to the parsing path', async (t) => {
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: 'functionrecords "a" not found',
    code: 404,
  };
  t.equal(toPublicBytes(Buffer.from(JSON.stringify(status))), undefined, 'a Status');
  t.equal(answerToPublic(Buffer.from(JSON.stringify(status))).toString(), reference(JSON.stringify(status)));
  const repeated = `{"apiVersion":"${BACKING}","kind":"FunctionRecord","apiVersion":"v1"}`;
  t.equal(toPublicBytes(Buffer.from(repeated)), undefined, 'a repeated apiVersion');
  t.equal(answerToPublic(Buffer.from(repeated)).toString(), reference(repeated));
  for (const text of ['', 'not json', '{"a":1}{', `{"apiVersion":"${BACKING}"`, '{"a":[}]}', '{"a" 1}']) {
    t.equal(toPublicBytes(Buffer.from(text)), undefined, `not scanned: ${text}`);
    t.equal(answerToPublic(Buffer.from(text)).toString(), text, `passed on as it is: ${text}`);
  }
});

// ---- property: the fast path against the full translation on random answers ----------------

const WORDS = [
  BACKING,
  'serverless.kube.io/v1',
  'meta.k8s.io/v1',
  'FunctionRecord',
  'FunctionRecordList',
  'Table',
  'Status',
  'x',
];
const word = fc.constantFrom(...WORDS);
const key = fc.constantFrom(
  'apiVersion',
  'kind',
  'metadata',
  'items',
  'rows',
  'object',
  'type',
  'spec',
  'a"b',
  'k\\',
);
const json = fc.jsonValue({ maxDepth: 3 });
const loose = fc.oneof(word, json, fc.dictionary(key, fc.oneof(word, json), { maxKeys: 4 }));
const lastApplied = fc
  .record({ apiVersion: fc.oneof(word, json), kind: fc.oneof(word, json), spec: json }, { requiredKeys: [] })
  .map((o) => JSON.stringify(o));
const metadata = fc.record(
  {
    name: fc.string(),
    selfLink: fc.oneof(
      fc.constantFrom(
        '',
        `/apis/${BACKING}/functionrecords/a`,
        `/apis/${BACKING}/namespaces/n/functionrecords`,
      ),
      fc.string(),
    ),
    managedFields: fc.oneof(
      fc.array(fc.oneof(fc.record({ apiVersion: word, manager: fc.string(), fieldsV1: json }), loose)),
      loose,
    ),
    annotations: fc.oneof(
      fc.dictionary(fc.constantFrom(LAST_APPLIED, 'other'), fc.oneof(lastApplied, word)),
      loose,
    ),
    ownerReferences: fc.array(fc.record({ apiVersion: word, kind: word, name: fc.string() })),
  },
  { requiredKeys: [] },
);
const object = fc.record(
  {
    apiVersion: fc.oneof(word, json),
    kind: fc.oneof(word, json),
    metadata: fc.oneof(metadata, loose),
    spec: loose,
  },
  { requiredKeys: [] },
);
const answer = fc.letrec((tie) => ({
  answer: fc.oneof(
    fc.record(
      {
        apiVersion: word,
        kind: word,
        metadata: fc.oneof(metadata, loose),
        items: fc.oneof(fc.array(fc.oneof(object, loose), { maxLength: 4 }), loose),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      {
        kind: fc.constantFrom('Table', 'Status', 'x'),
        apiVersion: word,
        metadata,
        rows: fc.oneof(
          fc.array(
            fc.oneof(fc.record({ cells: loose, object: tie('answer') }, { requiredKeys: [] }), loose),
            { maxLength: 3 },
          ),
          loose,
        ),
      },
      { requiredKeys: ['kind'] },
    ),
    fc.record({ type: word, object: tie('answer') }, { requiredKeys: [] }),
    object,
    loose,
  ),
})).answer;

t.test('property: random answers mean what the full translation makes of them', async (t) => {
  let fastOnes = 0;
  fc.assert(
    fc.property(answer, fc.boolean(), (body, pretty) => {
      const text = pretty ? JSON.stringify(body, null, 1) : JSON.stringify(body);
      const expected = reference(text);
      const out = toPublicBytes(Buffer.from(text));
      if (out) {
        fastOnes++;
        const same = JSON.stringify(JSON.parse(out.toString())) === expected;
        return pretty ? same : out.toString() === expected;
      }
      return answerToPublic(Buffer.from(text)).toString() === expected;
    }),
    { numRuns: 3000, seed: 20261127 },
  );
  t.ok(fastOnes > 1500, `the fast path took ${fastOnes} of 3,000`);
});
