// Admission end to end, as a user meets it: the platform's own defaulting and validating webhooks,
// registered by the manifests, run for every write through the aggregated API (our admission
// chain calls them) and guard the backing CRD in kube-apiserver (which calls them itself).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startCluster } from '../helpers/cluster.ts';
import { kubectlFor } from '../helpers/kubectl.ts';

const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const scratch = await mkdtemp(join(tmpdir(), 'ks-admission-'));
t.teardown(() => rm(scratch, { recursive: true, force: true }));
const kubectl = kubectlFor(cluster, join(scratch, 'cache'));
const NS = 'admission';
await kubectl.ok(['create', 'namespace', NS]);

const minimal = (name: string) => `apiVersion: serverless.kube.io/v1
kind: Function
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  runtime: nodejs
  source:
    inline: "exports.handle = () => 'hi'"
`;

/** One spec wrong in many places at once, each a rule beyond the schema's (schema errors come first). */
const invalid = (name: string) => `apiVersion: serverless.kube.io/v1
kind: Function
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  runtime: cobol
  source:
    inline: "x"
  env:
    - name: "A=B"
      value: x
  scale:
    minReplicas: 5
    maxReplicas: 2
  triggers:
    http:
      path: "/a//b"
    cron:
      - name: nightly
        schedule: "99 3 * * *"
        timeZone: Mars/Olympus_Mons
`;
const BAD_FIELDS = [
  'spec.runtime',
  'spec.env[0].name',
  'spec.scale.maxReplicas',
  'spec.triggers.http.path',
  'spec.triggers.cron[0].schedule',
  'spec.triggers.cron[0].timeZone',
];

const getJson = async (name: string) =>
  JSON.parse(await kubectl.ok(['get', 'fn', name, '-n', NS, '-o', 'json']));

t.test('a minimal Function shows every default', async (t) => {
  await kubectl.ok(['apply', '-f', '-'], { input: minimal('hello') });
  const fn = await getJson('hello');
  t.equal(fn.metadata.labels['serverless.kube.io/runtime'], 'nodejs', 'runtime label');
  t.equal(fn.spec.handler, 'handler.handle', 'handler of the runtime');
  t.equal(fn.spec.timeoutSeconds, 30, 'timeout');
  t.equal(fn.spec.concurrency, 0, 'concurrency');
  t.same(
    fn.spec.scale,
    { minReplicas: 0, maxReplicas: 10, targetCPUUtilizationPercentage: 80, idleTimeoutSeconds: 300 },
    'scale settings',
  );
  t.same(
    fn.spec.resources,
    { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    'resources',
  );
  const yaml = await kubectl.ok(['get', 'fn', 'hello', '-n', NS, '-o', 'yaml']);
  for (const text of ['handler: handler.handle', 'timeoutSeconds: 30', 'idleTimeoutSeconds: 300'])
    t.match(yaml, text, `get -o yaml shows ${text}`);
  const again = await kubectl.ok(['apply', '-f', '-'], { input: minimal('hello') });
  t.match(again, /unchanged/, 'a second apply changes nothing');
  t.equal((await getJson('hello')).metadata.generation, 1, 'generation still 1');
});

t.test('server-side apply gets the defaults and a second apply changes nothing', async (t) => {
  const apply = ['apply', '--server-side', '--field-manager=team', '-f', '-'];
  await kubectl.ok(apply, { input: minimal('ssa') });
  const first = await getJson('ssa');
  t.equal(first.spec.handler, 'handler.handle', 'defaulted');
  await kubectl.ok(apply, { input: minimal('ssa') });
  const second = await getJson('ssa');
  t.equal(second.metadata.resourceVersion, first.metadata.resourceVersion, 'no write the second time');
  t.same(second.spec, first.spec, 'same spec');
});

t.test('a user-given value is kept', async (t) => {
  await kubectl.ok(['apply', '-f', '-'], {
    input: `${minimal('kept')}  timeoutSeconds: 5\n  handler: main.run\n`,
  });
  const fn = await getJson('kept');
  t.equal(fn.spec.timeoutSeconds, 5);
  t.equal(fn.spec.handler, 'main.run');
});

t.test('an invalid spec is refused naming every bad field', async (t) => {
  for (const dryRun of [[], ['--dry-run=server']]) {
    const result = await kubectl.run(['apply', ...dryRun, '-f', '-'], { input: invalid('broken') });
    t.not(result.code, 0, `apply ${dryRun.join(' ')} fails`);
    t.match(result.stderr, /is invalid/, 'an Invalid error');
    for (const field of BAD_FIELDS) t.match(result.stderr, field, `names ${field}`);
  }
  const get = await kubectl.run(['get', 'fn', 'broken', '-n', NS]);
  t.match(get.stderr, /NotFound|not found/, 'nothing was written');
});

t.test('server-side dry run of a valid function shows the defaults and writes nothing', async (t) => {
  const out = await kubectl.ok(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], {
    input: minimal('dry'),
  });
  t.equal(JSON.parse(out).spec.handler, 'handler.handle', 'the answer carries the defaults');
  const get = await kubectl.run(['get', 'fn', 'dry', '-n', NS]);
  t.match(get.stderr, /NotFound|not found/, 'nothing was written');
});

t.test('an update that breaks the spec is refused', async (t) => {
  await kubectl.ok(['apply', '-f', '-'], { input: minimal('upd') });
  const patch = await kubectl.run([
    'patch',
    'fn',
    'upd',
    '-n',
    NS,
    '--type=merge',
    '-p',
    '{"spec":{"scale":{"minReplicas":9,"maxReplicas":3}}}',
  ]);
  t.not(patch.code, 0, 'refused');
  t.match(patch.stderr, 'spec.scale.maxReplicas');
  t.equal((await getJson('upd')).spec.scale.maxReplicas, 10, 'unchanged');
});

t.test('two functions cannot claim the same HTTP path', async (t) => {
  const withPath = (name: string) => `${minimal(name)}  triggers:\n    http:\n      path: /shared\n`;
  await kubectl.ok(['apply', '-f', '-'], { input: withPath('first') });
  // The index of claimed paths follows a watch: the first claim may take a moment to arrive.
  let result = await kubectl.run(['apply', '-f', '-'], { input: withPath('second') });
  for (let i = 0; result.code === 0 && i < 20; i++) {
    await kubectl.ok(['delete', 'fn', 'second', '-n', NS]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    result = await kubectl.run(['apply', '-f', '-'], { input: withPath('second') });
  }
  t.not(result.code, 0, 'the second claim is refused');
  t.match(result.stderr, 'spec.triggers.http.path');
  t.match(result.stderr, 'first', 'names the function that has the path');
  await kubectl.ok(['apply', '-f', '-'], { input: `${withPath('first')}  timeoutSeconds: 7\n` });
  t.pass('the owner of the path may still update it');
});

t.test('a direct write of an invalid backing object is refused by kube-apiserver', async (t) => {
  const record = `apiVersion: internal.serverless.kube.io/v1
kind: FunctionRecord
metadata:
  name: direct
  namespace: ${NS}
spec:
  runtime: nodejs
  source:
    inline: "x"
  scale:
    minReplicas: 4
    maxReplicas: 1
`;
  const result = await kubectl.run(['create', '-f', '-'], { input: record });
  t.not(result.code, 0, 'refused');
  t.match(result.stderr, /FunctionRecord "direct" is invalid/, 'as Invalid');
  t.match(result.stderr, 'spec.scale.maxReplicas', 'naming the field');
  const valid = record.replace('maxReplicas: 1', 'maxReplicas: 6').replace('name: direct', 'name: direct-ok');
  await kubectl.ok(['create', '-f', '-'], { input: valid });
  t.pass('a valid backing object is admitted');
  // The platform's own writes carry what its chain admitted already: not validated a second time.
  const asPlatform = await kubectl.run(
    ['create', '--dry-run=server', '--as=system:serviceaccount:kube-serverless:kube-serverless', '-f', '-'],
    { input: record },
  );
  t.equal(asPlatform.code, 0, `the platform's write is not sent to the webhook: ${asPlatform.stderr}`);
});

t.test('deleting the namespace still finishes', async (t) => {
  await kubectl.ok(['delete', 'namespace', NS, '--timeout=120s']);
  t.pass('namespace gone');
});
