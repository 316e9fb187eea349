// The admission chain of the aggregated API on the real local control plane: third-party
// webhooks (HTTPS servers in this test, with their own CA, registered by url and caBundle) see
// kubectl's writes to functions through kube-apiserver and our API server, and decide them.
import t, { type Test } from 'tap';
import { waitUntil } from '../../src/local-cluster/health.ts';
import { startCluster } from '../helpers/cluster.ts';
import { kubectlFor } from '../helpers/kubectl.ts';
import { tempDir } from '../helpers/processes.ts';
import { type Decision, type ReceivedReview, startWebhookServer } from '../helpers/third-party-webhook.ts';

const NS = 'adm-on';
const OFF = 'adm-off';

const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const kubectl = kubectlFor(cluster, await tempDir(t, 'ks-kubectl-cache-'));

await kubectl.ok(['create', 'namespace', NS]);
await kubectl.ok(['label', 'namespace', NS, 'admission=on']);
await kubectl.ok(['create', 'namespace', OFF]);
const me = (await kubectl.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim();

const fn = (name: string, labels: Record<string, string> = {}, namespace = NS) =>
  JSON.stringify({
    apiVersion: 'serverless.kube.io/v1',
    kind: 'Function',
    metadata: { name, namespace, labels },
    spec: { runtime: 'nodejs', source: { inline: "exports.handle = () => 'hi'" } },
  });
const apply = (body: string, ...args: string[]) =>
  kubectl.run(['apply', '-f', '-', ...args], { input: body });

/** A webhook configuration for functions in namespaces labelled admission=on. */
function configuration(
  kind: 'Mutating' | 'Validating',
  name: string,
  clientConfig: Record<string, unknown>,
  more: Record<string, unknown> = {},
) {
  return JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: [
      {
        name: `${name}.test.example.com`,
        clientConfig,
        rules: [
          {
            operations: ['CREATE', 'UPDATE', 'DELETE'],
            apiGroups: ['serverless.kube.io'],
            apiVersions: ['v1'],
            resources: ['functions'],
          },
        ],
        namespaceSelector: { matchLabels: { admission: 'on' } },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 2,
        ...more,
      },
    ],
  });
}

const registered = new Set<string>();

/**
 * Registers a configuration and waits until the API servers apply it to a dry-run create; the
 * test's teardown removes it again (even when an assertion failed on the way).
 */
async function register(
  t: Test,
  body: string,
  effect: (probe: { code: number | null; stdout: string; stderr: string }) => boolean,
) {
  const { kind, metadata } = JSON.parse(body) as { kind: string; metadata: { name: string } };
  const key = `${kind}/${metadata.name}`;
  if (!registered.has(key)) {
    registered.add(key);
    t.teardown(async () => {
      registered.delete(key);
      await unregister(kind, metadata.name);
    });
  }
  await kubectl.ok(['apply', '-f', '-'], { input: body });
  let n = 0;
  await waitUntil(
    'the webhook configuration takes effect',
    async () => effect(await apply(fn(`probe-${n++}`, { probe: 'true' }), '--dry-run=server', '-o', 'json')),
    { timeoutMs: 30_000, intervalMs: 300 },
  );
}

const unregister = async (kind: string, name: string) => {
  await kubectl.ok(['delete', kind.toLowerCase(), name, '--ignore-not-found']);
  await waitUntil(
    'the configuration is gone from the API servers',
    async () => (await apply(fn('probe-gone'), '--dry-run=server')).code === 0,
    { timeoutMs: 30_000, intervalMs: 300 },
  );
};

const denyLabelled = (review: ReceivedReview): Decision =>
  review.request.object?.metadata?.labels?.deny === 'true'
    ? {
        allowed: false,
        status: { code: 403, message: 'functions labelled deny=true are refused' },
        warnings: ['deny=true is for tests'],
      }
    : {};

t.test('a validating webhook denies functions labelled deny=true through kubectl', async (t) => {
  const server = await startWebhookServer(denyLabelled);
  t.teardown(() => server.close());
  await register(
    t,
    configuration('Validating', 'deny', { url: server.url('/validate'), caBundle: server.caBundle }),
    () => server.received.length > 0,
  );
  const denied = await apply(fn('denied', { deny: 'true' }));
  t.not(denied.code, 0);
  t.match(
    denied.stderr,
    'admission webhook "deny.test.example.com" denied the request: functions labelled deny=true are refused',
  );
  t.match(denied.stderr, 'Warning: deny=true is for tests', "the denying webhook's warning reaches kubectl");
  t.equal((await kubectl.run(['get', 'fn', '-n', NS, 'denied'])).code, 1, 'nothing was written');
  const allowed = await apply(fn('allowed'));
  t.equal(allowed.code, 0, allowed.stderr);
  const review = server.received.find(
    (r) => r.request.name === 'allowed' && r.request.operation === 'CREATE',
  );
  t.equal(review?.request.userInfo.username, me, 'userInfo is the kubectl user, not the API server');
  t.ok(review?.request.userInfo.groups?.includes('system:authenticated'), 'with its groups');
  t.match(review?.request, {
    kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
    resource: { group: 'serverless.kube.io', version: 'v1', resource: 'functions' },
    namespace: NS,
    object: { apiVersion: 'serverless.kube.io/v1', kind: 'Function' },
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
  });
  const outside = await apply(fn('outside', { deny: 'true' }, OFF));
  t.equal(outside.code, 0, 'the namespaceSelector keeps the webhook away from other namespaces');

  // kubectl label is a patch: the webhook sees the patched object and the stored one.
  server.received.length = 0;
  const labelled = await kubectl.run(['label', 'fn', '-n', NS, 'allowed', 'deny=true']);
  t.not(labelled.code, 0);
  t.match(labelled.stderr, 'functions labelled deny=true are refused');
  t.match(server.received.at(-1)?.request, {
    operation: 'UPDATE',
    object: { metadata: { labels: { deny: 'true' } } },
    oldObject: { metadata: { name: 'allowed' } },
  });
  t.notOk(server.received.at(-1)?.request.oldObject?.metadata?.labels?.deny);

  const deleted = await kubectl.run(['delete', 'fn', '-n', NS, 'allowed']);
  t.equal(deleted.code, 0, deleted.stderr);
  t.match(server.received.at(-1)?.request, {
    operation: 'DELETE',
    object: null,
    oldObject: { metadata: { name: 'allowed' } },
    options: { kind: 'DeleteOptions' },
  });

  // deletecollection: each selected function is admitted as a DELETE of its own.
  for (const name of ['batch-1', 'batch-2']) t.equal((await apply(fn(name, { batch: 'x' }))).code, 0);
  server.received.length = 0;
  const collection = await kubectl.run([
    'delete',
    '--raw',
    `/apis/serverless.kube.io/v1/namespaces/${NS}/functions?labelSelector=batch%3Dx`,
  ]);
  t.equal(collection.code, 0, collection.stderr);
  t.same(
    server.received.map((r) => [r.request.operation, r.request.name, r.request.oldObject?.metadata?.name]),
    [
      ['DELETE', 'batch-1', 'batch-1'],
      ['DELETE', 'batch-2', 'batch-2'],
    ],
  );
  t.match(JSON.parse(collection.stdout), {
    kind: 'FunctionList',
    items: [{ metadata: { name: 'batch-1' } }, {}],
  });
  t.match(await kubectl.ok(['get', 'fn', '-n', NS, '-l', 'batch=x']), /^$/);
  // The same answer as the fast path gives (no webhook matches in the other namespace).
  t.equal((await apply(fn('batch-3', { batch: 'x' }, OFF))).code, 0);
  const fastPath = await kubectl.ok([
    'delete',
    '--raw',
    `/apis/serverless.kube.io/v1/namespaces/${OFF}/functions?labelSelector=batch%3Dx`,
  ]);
  t.match(JSON.parse(fastPath), { kind: 'FunctionList', items: [{ metadata: { name: 'batch-3' } }] });
});

t.test('a mutating webhook adds a label; IfNeeded is reinvoked after a later change', async (t) => {
  let firstCalls = 0;
  const first = await startWebhookServer(() => {
    firstCalls++;
    return {};
  });
  const adds = await startWebhookServer((review) =>
    review.request.object?.metadata?.labels?.['added-by']
      ? {}
      : {
          patch: review.request.object?.metadata?.labels
            ? [{ op: 'add', path: '/metadata/labels/added-by', value: 'webhook' }]
            : [{ op: 'add', path: '/metadata/labels', value: { 'added-by': 'webhook' } }],
          warnings: ['labelled'],
        },
  );
  t.teardown(() => Promise.all([first.close(), adds.close()]));
  await register(
    t,
    configuration(
      'Mutating',
      'a-first',
      { url: first.url(), caBundle: first.caBundle },
      { reinvocationPolicy: 'IfNeeded' },
    ),
    () => first.received.length > 0,
  );
  await register(
    t,
    configuration('Mutating', 'b-adds', { url: adds.url(), caBundle: adds.caBundle }),
    (probe) => probe.stdout.includes('"added-by": "webhook"'),
  );
  firstCalls = 0;
  const created = await apply(fn('mutated'));
  t.equal(created.code, 0, created.stderr);
  t.match(created.stderr, 'labelled', 'the webhook warning reaches kubectl');
  const stored = JSON.parse(await kubectl.ok(['get', 'fn', '-n', NS, 'mutated', '-o', 'json']));
  t.equal(stored.metadata.labels['added-by'], 'webhook');
  t.equal(firstCalls, 2, 'the IfNeeded webhook ran again after the label was added');

  // Server-side apply: the admitted object is written, and a second apply by the same manager
  // still owns its fields (no conflict).
  const ssa = await kubectl.run(['apply', '--server-side', '-f', '-'], { input: fn('applied') });
  t.equal(ssa.code, 0, ssa.stderr);
  const again = await kubectl.run(['apply', '--server-side', '-f', '-'], {
    input: fn('applied', { v: '2' }),
  });
  t.equal(again.code, 0, again.stderr);
  const applied = JSON.parse(
    await kubectl.ok(['get', 'fn', '-n', NS, 'applied', '-o', 'json', '--show-managed-fields']),
  );
  t.same(applied.metadata.labels, {
    v: '2',
    'added-by': 'webhook',
    'serverless.kube.io/runtime': 'nodejs', // the platform's own defaulting webhook
  });
  t.ok(
    applied.metadata.managedFields.some(
      (f: { manager: string; operation: string }) => f.manager === 'kubectl' && f.operation === 'Apply',
    ),
    "the apply is recorded as kubectl's Apply",
  );
});

t.test('webhook down: Fail refuses, Ignore admits; a timeout fails the call', async (t) => {
  const gone = await startWebhookServer();
  const url = gone.url();
  await gone.close();
  await register(
    t,
    configuration('Validating', 'down', { url, caBundle: gone.caBundle }),
    (probe) => probe.code !== 0,
  );
  const refused = await apply(fn('refused'));
  t.not(refused.code, 0);
  t.match(
    refused.stderr,
    /Internal error occurred: failed calling webhook "down.test.example.com": failed to call webhook: Post ".*": dial tcp .*connection refused/,
  );
  await register(
    t,
    configuration('Validating', 'down', { url, caBundle: gone.caBundle }, { failurePolicy: 'Ignore' }),
    (probe) => probe.code === 0,
  );
  t.equal((await apply(fn('ignored'))).code, 0);

  const slow = await startWebhookServer(() => ({ hang: true }));
  t.teardown(() => slow.close());
  await register(
    t,
    configuration('Validating', 'slow', { url: slow.url(), caBundle: slow.caBundle }, { timeoutSeconds: 1 }),
    (probe) => probe.code !== 0,
  );
  const timedOut = await apply(fn('timed-out'));
  t.match(timedOut.stderr, /failed calling webhook "slow.test.example.com": .*context deadline exceeded/);
});

t.test('dry runs reach side-effect-free webhooks with dryRun set and write nothing', async (t) => {
  // admissionregistration/v1 accepts only None and NoneOnDryRun, so the refusal of a dry run by a
  // webhook with side effects cannot be registered here (chain.test.ts covers it).
  const server = await startWebhookServer();
  t.teardown(() => server.close());
  const clientConfig = { url: server.url(), caBundle: server.caBundle };
  await register(t, configuration('Validating', 'dry', clientConfig, { sideEffects: 'NoneOnDryRun' }), () =>
    server.received.some((r) => r.request.dryRun === true),
  );
  server.received.length = 0;
  const dry = await apply(fn('dry'), '--dry-run=server');
  t.equal(dry.code, 0, dry.stderr);
  t.match(server.received.at(-1)?.request, { dryRun: true, options: { dryRun: ['All'] } });
  t.equal((await kubectl.run(['get', 'fn', '-n', NS, 'dry'])).code, 1, 'a dry run writes nothing');
});

t.test('functions/scale: the webhook sees autoscaling/v1 Scale objects', async (t) => {
  const server = await startWebhookServer((review) => {
    const replicas = (review.request.object as { spec?: { replicas?: number } } | null)?.spec?.replicas ?? 0;
    return replicas > 5 ? { allowed: false, status: { code: 422, message: 'at most 5 replicas' } } : {};
  });
  t.teardown(() => server.close());
  const body = JSON.parse(
    configuration('Validating', 'scale', { url: server.url(), caBundle: server.caBundle }),
  ) as { webhooks: Array<{ rules: Array<{ resources: string[] }> }> };
  body.webhooks[0]!.rules[0]!.resources = ['functions/scale'];
  await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(body) });
  t.teardown(() => unregister('ValidatingWebhookConfiguration', 'scale'));
  // spec.replicas set: the CRD answers a scale read of a function without it with a 500.
  const scalable = JSON.parse(fn('scaled'));
  scalable.spec.replicas = 1;
  t.equal((await apply(JSON.stringify(scalable))).code, 0);
  await waitUntil(
    'the scale webhook takes effect',
    async () =>
      (await kubectl.run(['scale', 'fn', '-n', NS, 'scaled', '--replicas=9', '--dry-run=server'])).code !== 0,
    { timeoutMs: 30_000, intervalMs: 300 },
  );
  const refused = await kubectl.run(['scale', 'fn', '-n', NS, 'scaled', '--replicas=9']);
  t.match(
    refused.stderr,
    'admission webhook "scale.test.example.com" denied the request: at most 5 replicas',
  );
  const scaled = await kubectl.run(['scale', 'fn', '-n', NS, 'scaled', '--replicas=2']);
  t.equal(scaled.code, 0, scaled.stderr);
  t.match(server.received.at(-1)?.request, {
    kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    subResource: 'scale',
    operation: 'UPDATE',
    object: { kind: 'Scale', spec: { replicas: 2 } },
    oldObject: { kind: 'Scale' },
  });
  const stored = JSON.parse(await kubectl.ok(['get', 'fn', '-n', NS, 'scaled', '-o', 'json']));
  t.equal(stored.spec.replicas, 2);
});

t.test('objectSelector: the object or the stored object must carry the labels', async (t) => {
  const server = await startWebhookServer();
  t.teardown(() => server.close());
  const body = configuration(
    'Validating',
    'selected',
    { url: server.url(), caBundle: server.caBundle },
    { objectSelector: { matchLabels: { watched: 'yes' } } },
  );
  await kubectl.ok(['apply', '-f', '-'], { input: body });
  t.teardown(() => unregister('ValidatingWebhookConfiguration', 'selected'));
  // The probe carries no such label: wait on a labelled dry run instead.
  await waitUntil(
    'the objectSelector webhook takes effect',
    async () => {
      await apply(fn('probe-selected', { watched: 'yes' }), '--dry-run=server');
      return server.received.length > 0;
    },
    { timeoutMs: 30_000, intervalMs: 300 },
  );
  server.received.length = 0;
  t.equal((await apply(fn('unwatched'))).code, 0);
  t.equal((await apply(fn('watched', { watched: 'yes' }))).code, 0);
  const unlabel = await kubectl.run(['label', 'fn', '-n', NS, 'watched', 'watched-']);
  t.equal(unlabel.code, 0, unlabel.stderr);
  t.same(
    server.received.map((r) => [r.request.operation, r.request.name]),
    [
      ['CREATE', 'watched'],
      ['UPDATE', 'watched'],
    ],
    'the unlabelled function is never sent; removing the label is (the stored object matches)',
  );
});
