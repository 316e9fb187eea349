import t from 'tap';
import {
  namespaceMatches,
  objectMatches,
  type RequestAttributes,
  ruleMatches,
  rulesMatch,
} from './matching.ts';
import { inChainOrder, type Webhook, webhooksOf } from './webhooks.ts';

const create: RequestAttributes = {
  operation: 'CREATE',
  group: 'serverless.kube.io',
  version: 'v1',
  resource: 'functions',
  subresource: '',
  namespace: 'team-a',
  name: 'hello',
};
const rule = (resources: string[], more: Record<string, unknown> = {}) => ({
  operations: ['CREATE', 'UPDATE'],
  apiGroups: ['serverless.kube.io'],
  apiVersions: ['v1'],
  resources,
  ...more,
});

function webhook(more: Record<string, unknown> = {}): Webhook {
  const [hook] = webhooksOf('validating', {
    metadata: { name: 'c' },
    webhooks: [
      {
        name: 'w.example.com',
        clientConfig: { url: 'https://127.0.0.1:1/' },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        rules: [rule(['functions'])],
        ...more,
      },
    ],
  });
  return hook as Webhook;
}

t.test('resources, subresources and wildcards', async (t) => {
  const scale = { ...create, operation: 'UPDATE' as const, subresource: 'scale' };
  t.ok(ruleMatches(rule(['functions']), create));
  t.notOk(ruleMatches(rule(['functions']), scale), 'functions does not match functions/scale');
  t.ok(ruleMatches(rule(['functions/*']), scale));
  // As kube-apiserver's rules matcher: a "*" subresource also matches the main resource.
  t.ok(ruleMatches(rule(['functions/*']), create), 'functions/* matches the main resource too');
  t.ok(ruleMatches(rule(['*/scale']), scale));
  t.notOk(ruleMatches(rule(['*/scale']), { ...scale, subresource: 'status' }));
  t.ok(ruleMatches(rule(['*']), create));
  t.notOk(ruleMatches(rule(['*']), scale), '* is main resources only');
  t.ok(ruleMatches(rule(['*/*']), scale));
  t.notOk(ruleMatches(rule(['deployments']), create));
});

t.test('operations, groups and versions', async (t) => {
  t.notOk(ruleMatches(rule(['functions']), { ...create, operation: 'DELETE' }));
  t.ok(ruleMatches(rule(['functions'], { operations: ['*'] }), { ...create, operation: 'DELETE' }));
  t.notOk(ruleMatches(rule(['functions'], { apiGroups: ['apps'] }), create));
  t.ok(ruleMatches(rule(['functions'], { apiGroups: ['*'], apiVersions: ['*'] }), create));
  t.notOk(ruleMatches(rule(['functions'], { apiVersions: ['v1beta1'] }), create));
});

t.test('scope', async (t) => {
  t.ok(ruleMatches(rule(['functions'], { scope: 'Namespaced' }), create));
  t.notOk(ruleMatches(rule(['functions'], { scope: 'Cluster' }), create));
  t.ok(ruleMatches(rule(['functions'], { scope: 'Cluster' }), { ...create, namespace: '' }));
  t.notOk(ruleMatches(rule(['functions'], { scope: 'Namespaced' }), { ...create, namespace: '' }));
  t.ok(ruleMatches(rule(['functions'], { scope: '*' }), create));
});

t.test('matchPolicy Exact and Equivalent select the same webhooks for the one version served', async (t) => {
  t.equal(rulesMatch(webhook({ matchPolicy: 'Exact' }), create), true);
  t.equal(rulesMatch(webhook({ matchPolicy: 'Equivalent' }), create), true);
  const otherVersion = { rules: [rule(['functions'], { apiVersions: ['v2'] })] };
  t.equal(rulesMatch(webhook({ matchPolicy: 'Equivalent', ...otherVersion }), create), false);
});

t.test('namespaceSelector', async (t) => {
  const hook = webhook({ namespaceSelector: { matchLabels: { team: 'a' } } });
  t.ok(namespaceMatches(hook, create, { team: 'a' }));
  t.notOk(namespaceMatches(hook, create, { team: 'b' }));
  t.notOk(namespaceMatches(hook, create, {}));
  t.ok(namespaceMatches(hook, { ...create, namespace: '' }, undefined), 'cluster-scoped requests pass');
  const expressions = webhook({
    namespaceSelector: {
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'stage'] },
        { key: 'skip', operator: 'DoesNotExist' },
        { key: 'tier', operator: 'NotIn', values: ['x'] },
        { key: 'owner', operator: 'Exists' },
      ],
    },
  });
  t.ok(namespaceMatches(expressions, create, { env: 'prod', owner: 'me' }));
  t.notOk(namespaceMatches(expressions, create, { env: 'prod', owner: 'me', skip: '' }));
  t.notOk(namespaceMatches(expressions, create, { env: 'dev', owner: 'me' }));
  t.notOk(namespaceMatches(expressions, create, { env: 'prod', owner: 'me', tier: 'x' }));
  t.notOk(namespaceMatches(expressions, create, { env: 'prod' }));
});

t.test('objectSelector looks at the object and at the old object', async (t) => {
  const hook = webhook({ objectSelector: { matchLabels: { deny: 'true' } } });
  const labelled = { metadata: { labels: { deny: 'true' } } };
  const plain = { metadata: {} };
  t.ok(objectMatches(hook, labelled, undefined));
  t.ok(objectMatches(hook, plain, labelled), 'the old object matches');
  t.ok(objectMatches(hook, undefined, labelled), 'DELETE: only the old object');
  t.notOk(objectMatches(hook, plain, plain));
  t.ok(objectMatches(webhook(), plain, undefined), 'an empty selector matches everything');
  const absent = webhook({
    objectSelector: { matchExpressions: [{ key: 'deny', operator: 'DoesNotExist' }] },
  });
  t.ok(objectMatches(absent, plain, undefined));
  t.notOk(objectMatches(absent, undefined, undefined), 'no object at all matches nothing');
});

t.test('defaults and chain order', async (t) => {
  const hook = webhook({ clientConfig: { service: { namespace: 'n', name: 's' }, caBundle: 'UEVN' } });
  t.equal(hook.failurePolicy, 'Fail');
  t.equal(hook.matchPolicy, 'Equivalent');
  t.equal(hook.timeoutSeconds, 10);
  t.equal(hook.reinvocationPolicy, 'Never');
  t.equal(hook.clientConfig.service?.port, 443);
  t.equal(hook.clientConfig.caBundle, 'PEM', 'caBundle is decoded from base64');
  const config = (name: string, hooks: string[]) =>
    webhooksOf('mutating', {
      metadata: { name },
      webhooks: hooks.map((h) => ({
        name: h,
        clientConfig: { url: 'https://x/' },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
      })),
    });
  const order = inChainOrder([...config('b', ['b1', 'b2']), ...config('a', ['a2', 'a1'])]).map((w) => w.name);
  t.same(order, ['a2', 'a1', 'b1', 'b2'], 'configurations by name, webhooks in their order');
});
