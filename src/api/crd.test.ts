import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { BACKING_API_VERSION, BACKING_CRD_NAME, BACKING_KIND } from './constants.ts';
import { functionRecordCRD, PRINTER_COLUMNS } from './crd.ts';
import { generatedManifests } from './manifests.ts';
import { functionSchema } from './schema/function.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// biome-ignore lint/suspicious/noExplicitAny: a test that reads into a deep untyped object
const crd = functionRecordCRD() as any;
const version = crd.spec.versions[0];

t.test('the CRD names the private group and hides it from categories', async (t) => {
  t.equal(crd.metadata.name, BACKING_CRD_NAME);
  t.equal(`${crd.spec.group}/${version.name}`, BACKING_API_VERSION);
  t.same(crd.spec.names, {
    kind: BACKING_KIND,
    listKind: 'FunctionRecordList',
    plural: 'functionrecords',
    singular: 'functionrecord',
  });
  t.equal(crd.spec.scope, 'Namespaced');
  t.notOk(crd.spec.names.categories, 'not in `kubectl get all`');
  t.notOk(crd.spec.names.shortNames);
  t.equal(crd.spec.versions.length, 1);
  t.ok(version.served && version.storage);
});

t.test('the schema is the Function schema', async (t) => {
  const { description: _d, ...schema } = version.schema.openAPIV3Schema;
  const { description: _e, ...expected } = functionSchema;
  t.same(schema, expected);
});

t.test('status and scale subresources', async (t) => {
  t.same(version.subresources, {
    status: {},
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
  });
  // The paths the scale subresource names exist in the schema with the types it needs.
  const spec = functionSchema.properties!.spec!.properties!;
  const status = functionSchema.properties!.status!.properties!;
  t.equal(spec.replicas!.type, 'integer');
  t.equal(status.replicas!.type, 'integer');
  t.equal(status.selector!.type, 'string');
});

t.test('printer columns: Runtime, Ready, Replicas, URL, Age', async (t) => {
  t.same(
    version.additionalPrinterColumns
      .filter((c: { priority?: number }) => !c.priority)
      .map((c: { name: string }) => c.name),
    ['Runtime', 'Ready', 'Replicas', 'URL', 'Age'],
  );
  const byName = Object.fromEntries(PRINTER_COLUMNS.map((c) => [c.name, c]));
  t.equal(byName.Ready!.jsonPath, '.status.conditions[?(@.type=="Ready")].status');
  t.equal(byName.Age!.type, 'date');
  t.equal(byName.Replicas!.type, 'integer');
});

t.test('committed manifests are up to date with the schema', async (t) => {
  for (const [path, text] of Object.entries(generatedManifests())) {
    let committed = '';
    try {
      committed = readFileSync(join(root, path), 'utf8');
    } catch {}
    t.same(parse(committed), parse(text), `${path} parses to the generated object`);
    t.equal(committed, text, `${path} is current: run node --import tsx scripts/generate-manifests.ts`);
  }
  t.same(parse(generatedManifests()['manifests/base/crd-functionrecords.yaml']!), crd);
});
