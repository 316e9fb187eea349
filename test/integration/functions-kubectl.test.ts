// Functions through the real kubectl on the real local control plane, as issue 3 accepts them:
// every command behaves as it does for a CustomResourceDefinition. Where kubectl prints something
// about the object's kind, the same command against widgets.example.kube.io (a CRD with the
// backing schema under other names) must print the same words with the names swapped; and no
// output may ever name the private group internal.serverless.kube.io.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { waitUntil } from '../../src/local-cluster/health.ts';
import { startCluster } from '../helpers/cluster.ts';
import { asFunctions, installWidgetCrd, WIDGETS } from '../helpers/comparison-crd.ts';
import { apiRequest } from '../helpers/kube-api.ts';
import { type KubectlResult, kubectlFor } from '../helpers/kubectl.ts';

const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const scratch = await mkdtemp(join(tmpdir(), 'ks-kubectl-'));
t.teardown(() => rm(scratch, { recursive: true, force: true }));
const kubectl = kubectlFor(cluster, join(scratch, 'cache'));
await installWidgetCrd(kubectl);

type Kind = 'fn' | 'widget';
const API_VERSION = { fn: 'serverless.kube.io/v1', widget: WIDGETS.apiVersion };
const KIND = { fn: 'Function', widget: WIDGETS.kind };
const PRIVATE = /internal\.serverless\.kube\.io|FunctionRecord|functionrecord/;

/** A Function (or the same Widget) as a user writes it. */
function manifest(kind: Kind, name: string, namespace: string, extra: Record<string, unknown> = {}) {
  const { labels, spec, ...rest } = extra as { labels?: Record<string, string>; spec?: object };
  return {
    apiVersion: API_VERSION[kind],
    kind: KIND[kind],
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: { runtime: 'nodejs', source: { inline: 'export const handle = () => "hi";' }, ...spec },
    ...rest,
  };
}

async function namespace(name: string): Promise<string> {
  await kubectl.ok(['create', 'namespace', name]);
  return name;
}

async function create(kind: Kind, name: string, ns: string, extra: Record<string, unknown> = {}) {
  await kubectl.ok(['create', '-f', '-'], { input: JSON.stringify(manifest(kind, name, ns, extra)) });
}

// biome-ignore lint/suspicious/noExplicitAny: JSON from kubectl is walked untyped
async function getJson(args: string[]): Promise<any> {
  return JSON.parse(await kubectl.ok([...args, '-o', 'json']));
}

/** Runs a command for functions and for widgets: the same answer (names swapped), nothing private. */
async function sameAsWidget(
  t: Test,
  fn: () => Promise<KubectlResult>,
  widget: () => Promise<KubectlResult>,
): Promise<KubectlResult> {
  const f = await fn();
  const w = await widget();
  t.equal(f.code, w.code, 'same exit code as for a CRD');
  t.equal(f.stdout, asFunctions(w.stdout), 'same stdout as for a CRD');
  t.equal(f.stderr, asFunctions(w.stderr), 'same stderr as for a CRD');
  t.notMatch(f.stdout + f.stderr, PRIVATE, 'the private group never shows');
  return f;
}

t.test('api-resources: functions, short name fn, in serverless.kube.io, category all', async (t) => {
  const out = await kubectl.ok(['api-resources', '--api-group=serverless.kube.io', '-o', 'wide']);
  t.match(
    out,
    /^functions\s+fn\s+serverless\.kube\.io\/v1\s+true\s+Function\s+delete,deletecollection,get,list,patch,create,update,watch\s+all$/m,
  );
  t.notMatch(out, PRIVATE);
  const ns = await namespace('all-category');
  await create('fn', 'listed', ns);
  t.match(await kubectl.ok(['get', 'all', '-n', ns]), /^function\.serverless\.kube\.io\/listed\s/m);
});

t.test('get: table with printer columns, -o yaml, -o wide, -A, by short name', async (t) => {
  const a = await namespace('get-a');
  const b = await namespace('get-b');
  await create('fn', 'first', a);
  await create('fn', 'second', b);
  t.match(
    await kubectl.ok(['get', 'fn', '-n', a]),
    /^NAME\s+RUNTIME\s+READY\s+REPLICAS\s+URL\s+AGE\nfirst\s+nodejs\s/,
  );
  t.match(
    await kubectl.ok(['get', 'functions', 'first', '-n', a, '-o', 'wide']),
    /^NAME\s+RUNTIME.*\sAGE\s+REASON\n/,
  );
  const all = await kubectl.ok(['get', 'fn', '-A']);
  t.match(all, /^NAMESPACE\s+NAME\s+RUNTIME/);
  t.match(all, /^get-a\s+first\s+nodejs/m);
  t.match(all, /^get-b\s+second\s+nodejs/m);
  const yaml = await kubectl.ok(['get', 'function.serverless.kube.io', 'first', '-n', a, '-o', 'yaml']);
  t.match(yaml, /^apiVersion: serverless\.kube\.io\/v1\nkind: Function\nmetadata:\n/);
  t.match(yaml, /^spec:\n(?: {2}.*\n)*? {2}runtime: nodejs\n/m);
  t.notMatch(yaml, PRIVATE);
  const list = await getJson(['get', 'fn', '-n', a]);
  t.equal(list.kind, 'List');
  t.same(
    list.items.map((i: { apiVersion: string; kind: string }) => `${i.apiVersion} ${i.kind}`),
    ['serverless.kube.io/v1 Function'],
  );
});

t.test('get -w: the watch shows a change and a deletion as they happen', async (t) => {
  const ns = await namespace('watch');
  await create('fn', 'watched', ns);
  const watch = kubectl.start(['get', 'fn', '-n', ns, '-w', '--output-watch-events']);
  t.teardown(() => watch.stop());
  const sees = (what: string, re: RegExp) =>
    waitUntil(what, async () => re.test(watch.stdout()), {
      timeoutMs: 60_000,
      giveUp: () => (watch.child.exitCode !== null ? `kubectl exited: ${watch.stderr()}` : undefined),
    });
  await sees('the watch lists the function', /^ADDED\s+watched\s+nodejs/m);
  await kubectl.ok(['label', 'fn', 'watched', '-n', ns, 'step=two']);
  await sees('the watch shows the change', /^MODIFIED\s+watched\s+nodejs/m);
  await kubectl.ok(['delete', 'fn', 'watched', '-n', ns]);
  await sees('the watch shows the deletion', /^DELETED\s+watched\s+nodejs/m);
  await watch.stop();
  t.match(watch.stdout(), /^EVENT\s+NAME\s+RUNTIME/);
  t.equal(watch.stderr(), '', 'no watch errors');
});

t.test('describe', async (t) => {
  const ns = await namespace('describe');
  await create('fn', 'described', ns, { labels: { tier: 'web' }, spec: { timeoutSeconds: 12 } });
  const out = await kubectl.ok(['describe', 'fn', 'described', '-n', ns]);
  t.match(
    out,
    /^Name:\s+described\nNamespace:\s+describe\nLabels:\s+serverless\.kube\.io\/runtime=nodejs\n\s+tier=web\n/,
  );
  t.match(out, /^API Version:\s+serverless\.kube\.io\/v1\nKind:\s+Function\n/m);
  t.match(out, /^Spec:\n(?:\s+.*\n)*?\s+Runtime:\s+nodejs\n/m);
  t.match(out, /^\s+Timeout Seconds:\s+12$/m);
  t.notMatch(out, PRIVATE);
});

t.test('explain function.spec --recursive: every field, as for the same schema in a CRD', async (t) => {
  const fn = await kubectl.ok(['explain', 'function.spec', '--recursive']);
  t.match(fn, /^GROUP:\s+serverless\.kube\.io\nKIND:\s+Function\nVERSION:\s+v1\n/);
  t.match(fn, /^ {2}runtime\t<string>/m);
  t.match(fn, /^ {4}rabbitmq\t<\[\]Object>/m);
  const widget = await kubectl.ok(['explain', 'widget.spec', '--recursive']);
  const body = (text: string) => text.slice(text.indexOf('FIELD:'));
  t.equal(body(fn), body(widget), 'the same fields, types and descriptions as the CRD shows');
  t.match(await kubectl.ok(['explain', 'fn.spec.scale.minReplicas']), /FIELD: minReplicas <integer>/);
});

t.test('apply -f twice: created, then unchanged and not written again', async (t) => {
  const ns = await namespace('apply');
  const file = join(scratch, 'applied.yaml');
  await writeFile(file, stringify(manifest('fn', 'applied', ns, { labels: { app: 'v1' } })));
  t.equal(await kubectl.ok(['apply', '-f', file]), 'function.serverless.kube.io/applied created\n');
  const before = (await getJson(['get', 'fn', 'applied', '-n', ns])).metadata.resourceVersion;
  t.equal(await kubectl.ok(['apply', '-f', file]), 'function.serverless.kube.io/applied unchanged\n');
  const after = (await getJson(['get', 'fn', 'applied', '-n', ns])).metadata.resourceVersion;
  t.equal(after, before, 'nothing written the second time');
  await writeFile(file, stringify(manifest('fn', 'applied', ns, { labels: { app: 'v2' } })));
  t.equal(await kubectl.ok(['apply', '-f', file]), 'function.serverless.kube.io/applied configured\n');
  t.equal((await getJson(['get', 'fn', 'applied', '-n', ns])).metadata.labels.app, 'v2');
});

t.test(
  'apply --server-side: managedFields name serverless.kube.io/v1; conflicts read as for a CRD',
  async (t) => {
    const ns = await namespace('ssa');
    const apply = (kind: Kind, manager: string, runtime: string) =>
      kubectl.run(['apply', '--server-side', `--field-manager=${manager}`, '-f', '-'], {
        input: JSON.stringify(manifest(kind, 'ssa', ns, { spec: { runtime } })),
      });
    t.equal(
      (await apply('fn', 'first', 'nodejs')).stdout,
      'function.serverless.kube.io/ssa serverside-applied\n',
    );
    t.equal(
      (await apply('fn', 'first', 'nodejs')).stdout,
      'function.serverless.kube.io/ssa serverside-applied\n',
    );
    const text = await kubectl.ok(['get', 'fn', 'ssa', '-n', ns, '-o', 'json', '--show-managed-fields']);
    t.notMatch(text, PRIVATE);
    const managed = JSON.parse(text).metadata.managedFields as { manager: string; apiVersion: string }[];
    t.same(
      managed.map((m) => `${m.manager} ${m.apiVersion}`),
      ['first serverless.kube.io/v1'],
    );
    await apply('widget', 'first', 'nodejs');
    const conflict = await sameAsWidget(
      t,
      () => apply('fn', 'second', 'python'),
      () => apply('widget', 'second', 'python'),
    );
    t.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "first": \.spec\.runtime/);
    t.equal((await apply('fn', 'first', 'go')).code, 0, 'the owner may change its field');
  },
);

t.test('client-side apply, then server-side apply takes its fields over, as for a CRD', async (t) => {
  const ns = await namespace('upgrade');
  const input = (kind: Kind, runtime: string) =>
    JSON.stringify(manifest(kind, 'upgraded', ns, { spec: { runtime } }));
  for (const kind of ['fn', 'widget'] as const)
    await kubectl.ok(['apply', '-f', '-'], { input: input(kind, 'nodejs') });
  const serverSide = (kind: Kind) => () =>
    kubectl.run(['apply', '--server-side', '-f', '-'], { input: input(kind, 'python') });
  const out = await sameAsWidget(t, serverSide('fn'), serverSide('widget'));
  t.equal(
    out.stdout,
    'function.serverless.kube.io/upgraded serverside-applied\n',
    'no conflict with client-side apply',
  );
  const yaml = await kubectl.ok(['get', 'fn', 'upgraded', '-n', ns, '-o', 'yaml', '--show-managed-fields']);
  t.notMatch(yaml, PRIVATE);
  const fn = await getJson(['get', 'fn', 'upgraded', '-n', ns]);
  const lastApplied = JSON.parse(fn.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  t.match(lastApplied, {
    apiVersion: 'serverless.kube.io/v1',
    kind: 'Function',
    spec: { runtime: 'python' },
  });
  const clientSide = (kind: Kind) => () => kubectl.run(['apply', '-f', '-'], { input: input(kind, 'go') });
  await sameAsWidget(t, clientSide('fn'), clientSide('widget'));
  t.equal(
    (await getJson(['get', 'fn', 'upgraded', '-n', ns])).spec.runtime,
    'go',
    'and back to client-side apply',
  );
});

t.test('patch: merge and JSON patch apply; strategic merge is 415 as for a CRD', async (t) => {
  const ns = await namespace('patch');
  await create('fn', 'patched', ns);
  await create('widget', 'patched', ns);
  await kubectl.ok([
    'patch',
    'fn',
    'patched',
    '-n',
    ns,
    '--type=merge',
    '-p',
    '{"spec":{"timeoutSeconds":12}}',
  ]);
  t.equal((await getJson(['get', 'fn', 'patched', '-n', ns])).spec.timeoutSeconds, 12);
  const ops =
    '[{"op":"replace","path":"/spec/timeoutSeconds","value":13},{"op":"add","path":"/spec/concurrency","value":2}]';
  await kubectl.ok(['patch', 'fn', 'patched', '-n', ns, '--type=json', '-p', ops]);
  const spec = (await getJson(['get', 'fn', 'patched', '-n', ns])).spec;
  t.same([spec.timeoutSeconds, spec.concurrency], [13, 2]);
  for (const type of ['--type=strategic', undefined]) {
    const args = (kind: Kind) => ['patch', kind, 'patched', '-n', ns, '-p', '{"spec":{"timeoutSeconds":14}}'];
    const out = await sameAsWidget(
      t,
      () => kubectl.run(type ? [...args('fn'), type] : args('fn')),
      () => kubectl.run(type ? [...args('widget'), type] : args('widget')),
    );
    t.match(
      out.stderr,
      /application\/strategic-merge-patch\+json is not supported by serverless\.kube\.io\/v1, Kind=Function/,
    );
  }
  const raw = await apiRequest(cluster.kubeConfig, {
    method: 'PATCH',
    path: `/apis/serverless.kube.io/v1/namespaces/${ns}/functions/patched`,
    headers: { 'content-type': 'application/strategic-merge-patch+json' },
    body: '{"spec":{"timeoutSeconds":14}}',
  });
  t.match(raw, { code: 415, body: { kind: 'Status', reason: 'UnsupportedMediaType' } });
  t.equal((await getJson(['get', 'fn', 'patched', '-n', ns])).spec.timeoutSeconds, 13, 'nothing patched');
});

t.test('label and annotate', async (t) => {
  const ns = await namespace('label');
  await create('fn', 'tagged', ns);
  t.equal(
    await kubectl.ok(['label', 'fn', 'tagged', '-n', ns, 'tier=web']),
    'function.serverless.kube.io/tagged labeled\n',
  );
  t.equal(
    await kubectl.ok(['annotate', 'fn', 'tagged', '-n', ns, 'example.com/owner=team-a']),
    'function.serverless.kube.io/tagged annotated\n',
  );
  const meta = (await getJson(['get', 'fn', 'tagged', '-n', ns])).metadata;
  t.equal(meta.labels.tier, 'web');
  t.equal(meta.annotations['example.com/owner'], 'team-a');
  await kubectl.ok(['label', 'fn', 'tagged', '-n', ns, 'tier-']);
  t.notOk((await getJson(['get', 'fn', 'tagged', '-n', ns])).metadata.labels?.tier, 'label removed');
  await create('widget', 'tagged', ns, { labels: { tier: 'web' } });
  await kubectl.ok(['label', 'fn', 'tagged', '-n', ns, 'tier=web']);
  await sameAsWidget(
    t,
    () => kubectl.run(['label', 'fn', 'tagged', '-n', ns, 'tier=db']),
    () => kubectl.run(['label', 'widget', 'tagged', '-n', ns, 'tier=db']),
  );
});

t.test('edit through a non-interactive editor', async (t) => {
  const ns = await namespace('edit');
  await create('fn', 'edited', ns, { spec: { timeoutSeconds: 30 } });
  const editor = join(scratch, 'editor.sh');
  await writeFile(editor, '#!/bin/sh\nsed -i "s/timeoutSeconds: 30/timeoutSeconds: 45/" "$1"\n');
  await chmod(editor, 0o755);
  const env = { KUBE_EDITOR: editor };
  t.equal(
    await kubectl.ok(['edit', 'fn', 'edited', '-n', ns], { env }),
    'function.serverless.kube.io/edited edited\n',
  );
  t.equal((await getJson(['get', 'fn', 'edited', '-n', ns])).spec.timeoutSeconds, 45);
  const again = await kubectl.run(['edit', 'fn', 'edited', '-n', ns], { env });
  t.match(again, { code: 0, stderr: 'Edit cancelled, no changes made.\n' });
});

t.test('delete and delete --all', async (t) => {
  const ns = await namespace('delete');
  for (const name of ['one', 'two', 'three']) await create('fn', name, ns);
  t.match(
    await kubectl.ok(['delete', 'fn', 'one', '-n', ns]),
    /^function\.serverless\.kube\.io "one" deleted/,
  );
  const gone = await kubectl.run(['get', 'fn', 'one', '-n', ns]);
  t.match(gone, {
    code: 1,
    stderr: 'Error from server (NotFound): functions.serverless.kube.io "one" not found\n',
  });
  const all = await kubectl.ok(['delete', 'fn', '--all', '-n', ns]);
  t.match(all, /function\.serverless\.kube\.io "two" deleted/);
  t.match(all, /function\.serverless\.kube\.io "three" deleted/);
  await waitUntil(
    'the namespace holds no functions',
    async () =>
      (await kubectl.run(['get', 'fn', '-n', ns])).stderr === `No resources found in ${ns} namespace.\n`,
    { timeoutMs: 30_000 },
  );
  const file = join(scratch, 'by-file.yaml');
  await writeFile(file, stringify(manifest('fn', 'by-file', ns)));
  await kubectl.ok(['apply', '-f', file]);
  t.match(await kubectl.ok(['delete', '-f', file]), /^function\.serverless\.kube\.io "by-file" deleted/);
});

t.test('--dry-run=server: create, apply, server-side apply, patch and delete write nothing', async (t) => {
  const ns = await namespace('dry-run');
  const input = JSON.stringify(manifest('fn', 'dry', ns));
  t.equal(
    await kubectl.ok(['create', '--dry-run=server', '-f', '-'], { input }),
    'function.serverless.kube.io/dry created (server dry run)\n',
  );
  t.equal(
    await kubectl.ok(['apply', '--dry-run=server', '-f', '-'], { input }),
    'function.serverless.kube.io/dry created (server dry run)\n',
  );
  t.equal(
    await kubectl.ok(['apply', '--server-side', '--dry-run=server', '-f', '-'], { input }),
    'function.serverless.kube.io/dry serverside-applied (server dry run)\n',
  );
  t.match(await kubectl.run(['get', 'fn', 'dry', '-n', ns]), { code: 1, stderr: /NotFound/ });
  await create('fn', 'kept', ns, { spec: { timeoutSeconds: 5 } });
  const patched = await kubectl.ok([
    'patch',
    'fn',
    'kept',
    '-n',
    ns,
    '--dry-run=server',
    '--type=merge',
    '-p',
    '{"spec":{"timeoutSeconds":99}}',
    '-o',
    'jsonpath={.spec.timeoutSeconds}',
  ]);
  t.equal(patched, '99', 'the dry run answers with the patched object');
  t.match(
    await kubectl.ok(['delete', 'fn', 'kept', '-n', ns, '--dry-run=server']),
    /deleted.*\(server dry run\)/,
  );
  const kept = await getJson(['get', 'fn', 'kept', '-n', ns]);
  t.equal(kept.spec.timeoutSeconds, 5, 'not patched');
  t.notOk(kept.metadata.deletionTimestamp, 'not deleted');
});

/** Files named after the kind, so that kubectl's messages about them compare too. */
const staleFile = (kind: Kind) => join(scratch, `stale-${kind === 'fn' ? 'function' : 'widget'}.json`);

t.test('a stale resourceVersion in an update is 409 Conflict', async (t) => {
  const ns = await namespace('conflict');
  for (const kind of ['fn', 'widget'] as const) {
    await create(kind, 'raced', ns, { spec: { timeoutSeconds: 5 } });
    const old = await kubectl.ok(['get', kind, 'raced', '-n', ns, '-o', 'json']);
    await kubectl.ok(['label', kind, 'raced', '-n', ns, 'bumped=yes']);
    await writeFile(staleFile(kind), old.replace('"timeoutSeconds": 5', '"timeoutSeconds": 6'));
  }
  const replace = (kind: Kind) => () => kubectl.run(['replace', '-f', staleFile(kind)]);
  const out = await sameAsWidget(t, replace('fn'), replace('widget'));
  t.match(
    out.stderr,
    /^Error from server \(Conflict\): error when replacing ".*": Operation cannot be fulfilled on functions\.serverless\.kube\.io "raced": the object has been modified; please apply your changes to the latest version and try again\n$/,
  );
  const stale = JSON.parse(await readFile(staleFile('fn'), 'utf8'));
  const put = await apiRequest(cluster.kubeConfig, {
    method: 'PUT',
    path: `/apis/serverless.kube.io/v1/namespaces/${ns}/functions/raced`,
    body: JSON.stringify(stale),
  });
  t.match(put, {
    code: 409,
    body: {
      kind: 'Status',
      reason: 'Conflict',
      details: { name: 'raced', group: 'serverless.kube.io', kind: 'functions' },
    },
  });
  t.equal((await getJson(['get', 'fn', 'raced', '-n', ns])).spec.timeoutSeconds, 5, 'nothing written');
});

t.test('status subresource: status only through it, spec only through the main resource', async (t) => {
  const ns = await namespace('status');
  await create('fn', 'stat', ns, { spec: { timeoutSeconds: 5 } });
  const status = '{"status":{"replicas":2,"url":"/fn/status/stat"},"spec":{"timeoutSeconds":9}}';
  t.equal(
    await kubectl.ok(['patch', 'fn', 'stat', '-n', ns, '--subresource=status', '--type=merge', '-p', status]),
    'function.serverless.kube.io/stat patched\n',
  );
  let fn = await getJson(['get', 'fn', 'stat', '-n', ns]);
  t.same(fn.status, { replicas: 2, url: '/fn/status/stat' });
  t.equal(fn.spec.timeoutSeconds, 5, 'spec is not changed through status');
  await kubectl.ok(['patch', 'fn', 'stat', '-n', ns, '--type=merge', '-p', '{"status":{"replicas":7}}']);
  fn = await getJson(['get', 'fn', 'stat', '-n', ns, '--subresource=status']);
  t.equal(fn.status.replicas, 2, 'status is not changed through the main resource');
  t.equal(fn.kind, 'Function');
  const readyJson =
    '[{"op":"add","path":"/status/conditions","value":[{"type":"Ready","status":"True","reason":"Serving","lastTransitionTime":"2025-01-01T00:00:00Z","message":"ok"}]}]';
  await kubectl.ok(['patch', 'fn', 'stat', '-n', ns, '--subresource=status', '--type=json', '-p', readyJson]);
  t.match(
    await kubectl.ok(['get', 'fn', 'stat', '-n', ns, '-o', 'wide']),
    /^stat\s+nodejs\s+True\s+2\s+\/fn\/status\/stat\s+\S+\s+Serving$/m,
  );
});

t.test('scale: kubectl scale and get --subresource=scale (autoscaling/v1 Scale)', async (t) => {
  const ns = await namespace('scale');
  await create('fn', 'scaled', ns);
  t.equal(
    await kubectl.ok(['scale', 'fn', 'scaled', '-n', ns, '--replicas=3']),
    'function.serverless.kube.io/scaled scaled\n',
  );
  t.equal((await getJson(['get', 'fn', 'scaled', '-n', ns])).spec.replicas, 3);
  await kubectl.ok([
    'patch',
    'fn',
    'scaled',
    '-n',
    ns,
    '--subresource=status',
    '--type=merge',
    '-p',
    '{"status":{"replicas":2}}',
  ]);
  const scale = await getJson(['get', 'fn', 'scaled', '-n', ns, '--subresource=scale']);
  t.match(scale, {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: 'scaled', namespace: ns },
    spec: { replicas: 3 },
    status: { replicas: 2 },
  });
  const preconditioned = await kubectl.run([
    'scale',
    'fn',
    'scaled',
    '-n',
    ns,
    '--current-replicas=1',
    '--replicas=4',
  ]);
  t.match(preconditioned, { code: 1, stderr: 'error: Expected replicas to be 1, was 3\n' });
});

t.test('list: --chunk-size pages with limit/continue; label and field selectors', async (t) => {
  const ns = await namespace('list');
  for (let i = 1; i <= 5; i++)
    await create('fn', `item-${i}`, ns, { labels: { parity: i % 2 ? 'odd' : 'even' } });
  const chunked = await kubectl.run(['get', 'fn', '-n', ns, '--chunk-size=2', '-o', 'name', '-v=6']);
  t.equal(chunked.stdout, [1, 2, 3, 4, 5].map((i) => `function.serverless.kube.io/item-${i}\n`).join(''));
  t.equal(chunked.stderr.match(/functions\?limit=2"/g)?.length, 1, 'first page');
  t.equal(chunked.stderr.match(/functions\?continue=[^&"]+&limit=2"/g)?.length, 2, 'two more pages');
  const page = await apiRequest(cluster.kubeConfig, {
    path: `/apis/serverless.kube.io/v1/namespaces/${ns}/functions?limit=2`,
  });
  t.match(page.body, {
    kind: 'FunctionList',
    apiVersion: 'serverless.kube.io/v1',
    metadata: { remainingItemCount: 3 },
  });
  t.ok(page.body.metadata.continue, 'a continue token');
  const names = (out: string) => out.trim().split('\n').filter(Boolean);
  t.same(names(await kubectl.ok(['get', 'fn', '-n', ns, '-l', 'parity=odd', '-o', 'name'])), [
    'function.serverless.kube.io/item-1',
    'function.serverless.kube.io/item-3',
    'function.serverless.kube.io/item-5',
  ]);
  t.same(names(await kubectl.ok(['get', 'fn', '-n', ns, '-l', 'parity notin (odd)', '-o', 'name'])), [
    'function.serverless.kube.io/item-2',
    'function.serverless.kube.io/item-4',
  ]);
  t.same(
    names(
      await kubectl.ok(['get', 'fn', '-n', ns, '--field-selector', 'metadata.name=item-3', '-o', 'name']),
    ),
    ['function.serverless.kube.io/item-3'],
  );
  t.equal(
    names(await kubectl.ok(['get', 'fn', '-A', '--field-selector', `metadata.namespace=${ns}`, '-o', 'name']))
      .length,
    5,
  );
  await create('widget', 'item-1', ns);
  await sameAsWidget(
    t,
    () => kubectl.run(['get', 'fn', '-n', ns, '--field-selector', 'spec.runtime=nodejs']),
    () => kubectl.run(['get', 'widget', '-n', ns, '--field-selector', 'spec.runtime=nodejs']),
  );
  const watchByName = await apiRequest(cluster.kubeConfig, {
    path: `/apis/serverless.kube.io/v1/namespaces/${ns}/functions?watch=1&fieldSelector=metadata.name%3Ditem-2&timeoutSeconds=1`,
  });
  t.equal(watchByName.code, 200);
  t.match(
    watchByName.text,
    /^\{"type":"ADDED","object":\{"apiVersion":"serverless\.kube\.io\/v1","kind":"Function"/,
  );
  t.equal(watchByName.text.trim().split('\n').length, 1, 'one object watched');
});

t.test('errors name serverless.kube.io and Function, exactly as a CRD names itself', async (t) => {
  const ns = await namespace('errors');
  await create('fn', 'exists', ns);
  await create('widget', 'exists', ns);
  const both = (args: (kind: Kind) => string[], input?: (kind: Kind) => string) =>
    sameAsWidget(
      t,
      () => kubectl.run(args('fn'), { input: input?.('fn') }),
      () => kubectl.run(args('widget'), { input: input?.('widget') }),
    );
  const missing = await both((k) => ['get', k, 'nope', '-n', ns]);
  t.equal(missing.stderr, 'Error from server (NotFound): functions.serverless.kube.io "nope" not found\n');
  const existing = await both(
    () => ['create', '-f', '-'],
    (k) => JSON.stringify(manifest(k, 'exists', ns)),
  );
  t.equal(
    existing.stderr,
    'Error from server (AlreadyExists): error when creating "STDIN": functions.serverless.kube.io "exists" already exists\n',
  );
  const invalid = await both(
    () => ['create', '-f', '-'],
    // One invalid field: kube-apiserver lists several in no fixed order.
    (k) => JSON.stringify(manifest(k, 'bad', ns, { spec: { runtime: 'Not A Runtime' } })),
  );
  t.match(invalid.stderr, /^The Function "bad" is invalid: spec\.runtime: Invalid value: "Not A Runtime"/);
  const unknownField = await both(
    () => ['create', '-f', '-'],
    (k) => JSON.stringify(manifest(k, 'bad', ns, { spec: { bogus: 1 } })),
  );
  t.match(
    unknownField.stderr,
    /Function in version "v1" cannot be handled as a Function: strict decoding error: unknown field "spec\.bogus"/,
  );
  const warned = await both(
    () => ['create', '--validate=warn', '--dry-run=server', '-f', '-'],
    (k) => JSON.stringify(manifest(k, 'warned', ns, { spec: { bogus: 1 } })),
  );
  t.equal(warned.stderr, 'Warning: unknown field "spec.bogus"\n', 'server warnings reach kubectl');
  await both((k) => ['delete', k, 'nope', '-n', ns]);
  await both((k) => ['patch', k, 'nope', '-n', ns, '--type=merge', '-p', '{}']);
  await both((k) => ['scale', k, 'nope', '-n', ns, '--replicas=1']);
  await both((k) => ['get', k, 'nope', '-n', ns, '--subresource=status']);
});

t.test('deprecated /watch/ paths: a namespace, one object, all namespaces, as for a CRD', async (t) => {
  const ns = await namespace('legacy-watch');
  for (const kind of ['fn', 'widget'] as const) {
    for (const name of ['one', 'two']) await create(kind, name, ns, { labels: { legacy: 'watch' } });
  }
  const base = { fn: '/apis/serverless.kube.io/v1', widget: `/apis/${WIDGETS.apiVersion}` };
  const plural = { fn: 'functions', widget: WIDGETS.plural };
  /** The answer for functions and for widgets: status, and each event's type, kind and name. */
  const both = async (path: (kind: Kind) => string) => {
    const summary = async (kind: Kind) => {
      const res = await apiRequest(cluster.kubeConfig, { path: path(kind) });
      const events =
        res.code === 200
          ? res.text
              .trim()
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line))
          : [];
      return {
        code: res.code,
        events: events.map(
          (e) => `${e.type} ${e.object.apiVersion} ${e.object.kind} ${e.object.metadata.name}`,
        ),
        message: res.code === 200 ? '' : asFunctions(res.body?.message ?? res.text),
      };
    };
    const fn = await summary('fn');
    const widget = await summary('widget');
    t.same(fn, { ...widget, events: widget.events.map(asFunctions) }, `as for a CRD: ${path('fn')}`);
    t.notMatch(JSON.stringify(fn), PRIVATE);
    return fn;
  };
  const list = await both((k) => `${base[k]}/watch/namespaces/${ns}/${plural[k]}?timeoutSeconds=1`);
  t.same(list.events, [
    'ADDED serverless.kube.io/v1 Function one',
    'ADDED serverless.kube.io/v1 Function two',
  ]);
  const one = await both((k) => `${base[k]}/watch/namespaces/${ns}/${plural[k]}/two?timeoutSeconds=1`);
  t.same(one.events, ['ADDED serverless.kube.io/v1 Function two']);
  const all = await both(
    (k) => `${base[k]}/watch/${plural[k]}?labelSelector=legacy%3Dwatch&timeoutSeconds=1`,
  );
  t.equal(all.events.length, 2);
  const mismatch = await both(
    (k) =>
      `${base[k]}/watch/namespaces/${ns}/${plural[k]}/two?fieldSelector=metadata.name%3Done&timeoutSeconds=1`,
  );
  t.equal(mismatch.code, 400);
  const missing = await both((k) => `${base[k]}/watch/namespaces/${ns}/${plural[k]}/nope?timeoutSeconds=1`);
  t.same(missing.events, []);
});

t.test('nothing left behind in the backing store but what the tests created', async (t) => {
  const records = await kubectl.ok([
    'get',
    'functionrecords.internal.serverless.kube.io',
    '-A',
    '-o',
    'name',
  ]);
  const functions = await kubectl.ok(['get', 'functions.serverless.kube.io', '-A', '-o', 'name']);
  t.equal(records.trim().split('\n').length, functions.trim().split('\n').length, 'one record per function');
});
