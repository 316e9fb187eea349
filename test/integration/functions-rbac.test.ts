// Who may do what with functions, on the real local control plane: users with client
// certificates and RBAC bindings, driven through the real kubectl; the aggregated user roles;
// and requests sent to the server replicas directly, past kube-apiserver, where only a genuine
// front-proxy certificate may assert an identity in X-Remote-* headers.
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { createCertificateAuthority, issueCertificate, type KeyPairPem } from '../../certs/pki.ts';
import { waitUntil } from '../../src/local-cluster/health.ts';
import { startCluster } from '../helpers/cluster.ts';
import { directRequest } from '../helpers/https.ts';
import { createUser } from '../helpers/users.ts';

const NS = 'team-rbac';
const FUNCTIONS = `/apis/serverless.kube.io/v1/namespaces/${NS}/functions`;

const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const platform = cluster.platform!;
const { pki } = cluster.controlPlane;
const servingCa = await readFile(platform.servingCaFile, 'utf8');
const clusterCa = {
  commonName: 'kube-serverless-ca',
  certPem: await readFile(pki.ca.cert, 'utf8'),
  keyPem: await readFile(pki.ca.key, 'utf8'),
};
const frontProxyCa = {
  commonName: 'kube-serverless-front-proxy-ca',
  certPem: await readFile(pki.frontProxyCa.cert, 'utf8'),
  keyPem: await readFile(pki.frontProxyCa.key, 'utf8'),
};
const frontProxyClient: KeyPairPem = {
  certPem: await readFile(pki.frontProxyClient.cert, 'utf8'),
  keyPem: await readFile(pki.frontProxyClient.key, 'utf8'),
};

const functionYaml = (name: string) => `apiVersion: serverless.kube.io/v1
kind: Function
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  runtime: nodejs
  source:
    inline: "exports.handle = () => 'hi'"
`;
const functionJson = (name: string) =>
  JSON.stringify({
    apiVersion: 'serverless.kube.io/v1',
    kind: 'Function',
    metadata: { name, namespace: NS },
    spec: { runtime: 'nodejs', source: { inline: "exports.handle = () => 'hi'" } },
  });

await cluster.kubectl(['create', 'namespace', NS]);
await cluster.kubectl(['apply', '-f', '-'], functionYaml('existing'));
await cluster.kubectl(
  ['apply', '-f', '-'],
  `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: functions-reader, namespace: ${NS}}
rules:
  - apiGroups: [serverless.kube.io]
    resources: [functions]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: functions-invoker, namespace: ${NS}}
rules:
  - apiGroups: [serverless.kube.io]
    resources: [functions/invoke]
    verbs: [create]
`,
);
const bind = (user: string, role: string, kind = 'Role') =>
  cluster.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${user}-${role}`, namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    }),
  );

const forbiddenCreate = (user: string) =>
  `functions.serverless.kube.io is forbidden: User "${user}" cannot create resource "functions" in API group "serverless.kube.io" in the namespace "${NS}"`;

t.test('a user allowed only get and list reads functions and is refused create', async (t) => {
  const rita = await createUser(cluster, 'rita');
  await bind('rita', 'functions-reader');
  t.match(await rita.kubectl(['get', 'functions', '-n', NS]), /existing/);
  const fn = JSON.parse(await rita.kubectl(['get', 'fn', 'existing', '-n', NS, '-o', 'json']));
  t.equal(fn.kind, 'Function');
  t.equal(fn.apiVersion, 'serverless.kube.io/v1');

  const create = await rita.kubectlResult(['create', '-f', '-'], functionYaml('not-allowed'));
  t.not(create.code, 0);
  t.match(create.stderr, 'Error from server (Forbidden)');
  t.match(create.stderr, forbiddenCreate('rita'));

  // The same refusal from our own authorizer, when the request reaches the server with a
  // front-proxy identity (kube-apiserver's RBAC already stops it on the way in).
  const direct = await directRequest({
    port: platform.balancer.port,
    method: 'POST',
    path: FUNCTIONS,
    headers: {
      'x-remote-user': 'rita',
      'x-remote-group': 'system:authenticated',
      'content-type': 'application/json',
    },
    body: functionJson('not-allowed'),
    client: frontProxyClient,
    ca: servingCa,
  });
  t.equal(direct.status, 403);
  const status = JSON.parse(direct.body);
  t.match(status, {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'Forbidden',
    code: 403,
    details: { group: 'serverless.kube.io', kind: 'functions' },
  });
  t.equal(status.message, forbiddenCreate('rita'));

  // kube-apiserver's own Status for the same request reads the same.
  const upstream = await directRequest({
    port: cluster.controlPlane.ports.apiserver,
    method: 'POST',
    path: FUNCTIONS,
    headers: { 'content-type': 'application/json' },
    body: functionJson('not-allowed'),
    client: rita,
    ca: clusterCa.certPem,
  });
  t.equal(upstream.status, 403);
  t.same(JSON.parse(upstream.body), status, 'the Status matches kube-apiserver field for field');
});

t.test('functions/invoke needs its own permission', async (t) => {
  const ivan = await createUser(cluster, 'ivan');
  await bind('ivan', 'functions-reader');
  const canI = await ivan.kubectlResult([
    'auth',
    'can-i',
    'create',
    'functions',
    '--subresource=invoke',
    '-n',
    NS,
  ]);
  t.equal(canI.stdout.trim(), 'no');
  t.equal(canI.code, 1);
  const invoke = ['create', '--raw', `${FUNCTIONS}/existing/invoke`, '-f', '-'];
  const refused = await ivan.kubectlResult(invoke, '{"x":1}');
  t.not(refused.code, 0);
  t.match(refused.stderr, 'Error from server (Forbidden)');
  t.match(
    refused.stderr,
    `User "ivan" cannot create resource "functions/invoke" in API group "serverless.kube.io" in the namespace "${NS}"`,
  );

  // Our authorizer agrees when asked directly.
  const direct = await directRequest({
    port: platform.balancer.port,
    method: 'POST',
    path: `${FUNCTIONS}/existing/invoke`,
    headers: { 'x-remote-user': 'ivan' },
    body: '{"x":1}',
    client: frontProxyClient,
    ca: servingCa,
  });
  t.equal(direct.status, 403);
  t.equal(
    JSON.parse(direct.body).message,
    `functions.serverless.kube.io "existing" is forbidden: User "ivan" cannot create resource "functions/invoke" in API group "serverless.kube.io" in the namespace "${NS}"`,
  );

  // With the permission, the request gets past authorization on both servers.
  await bind('ivan', 'functions-invoker');
  await waitUntil(
    'ivan may invoke',
    async () =>
      (
        await ivan.kubectlResult(['auth', 'can-i', 'create', 'functions', '--subresource=invoke', '-n', NS])
      ).stdout.trim() === 'yes',
    { timeoutMs: 30_000 },
  );
  const allowed = await ivan.kubectlResult(invoke, '{"x":1}');
  t.notMatch(allowed.stderr, /Forbidden|Unauthorized/, 'invoke gets past authentication and authorization');
});

t.test('the aggregated user roles: edit manages and invokes functions, view only reads', async (t) => {
  const eddie = await createUser(cluster, 'eddie');
  const vera = await createUser(cluster, 'vera');
  await bind('eddie', 'edit', 'ClusterRole');
  await bind('vera', 'view', 'ClusterRole');
  // The clusterrole-aggregation controller copies our rules into edit and view.
  await waitUntil(
    'edit and view aggregate the functions rules',
    async () =>
      (await eddie.kubectlResult(['auth', 'can-i', 'create', 'functions', '-n', NS])).stdout.trim() ===
        'yes' &&
      (await vera.kubectlResult(['auth', 'can-i', 'list', 'functions', '-n', NS])).stdout.trim() === 'yes',
    { timeoutMs: 60_000 },
  );
  await eddie.kubectl(['create', '-f', '-'], functionYaml('by-eddie'));
  t.match(await eddie.kubectl(['get', 'fn', '-n', NS]), /by-eddie/);
  t.equal(
    (
      await eddie.kubectlResult(['auth', 'can-i', 'create', 'functions', '--subresource=invoke', '-n', NS])
    ).stdout.trim(),
    'yes',
  );
  const invoked = await eddie.kubectlResult(
    ['create', '--raw', `${FUNCTIONS}/by-eddie/invoke`, '-f', '-'],
    '{}',
  );
  t.notMatch(invoked.stderr, /Forbidden|Unauthorized/);
  await eddie.kubectl(['delete', 'fn', 'by-eddie', '-n', NS]);

  t.match(await vera.kubectl(['get', 'fn', 'existing', '-n', NS]), /existing/);
  const create = await vera.kubectlResult(['create', '-f', '-'], functionYaml('by-vera'));
  t.match(create.stderr, forbiddenCreate('vera'));
  const canInvoke = await vera.kubectlResult([
    'auth',
    'can-i',
    'create',
    'functions',
    '--subresource=invoke',
    '-n',
    NS,
  ]);
  t.equal(canInvoke.stdout.trim(), 'no');
  // Outside the namespace of the binding, nothing.
  const elsewhere = await vera.kubectlResult(['get', 'fn', '-n', 'default']);
  t.match(elsewhere.stderr, 'Forbidden');
});

t.test('direct requests: only a genuine front-proxy certificate may assert an identity', async (t) => {
  const admin = { 'x-remote-user': 'admin', 'x-remote-group': 'system:masters' };
  const ports = [...platform.replicaPorts, platform.balancer.port];
  const get = (port: number, client?: KeyPairPem, headers: Record<string, string> = admin) =>
    directRequest({ port, path: FUNCTIONS, headers, client, ca: servingCa });
  const expectUnauthorized = async (what: string, client?: KeyPairPem, headers?: Record<string, string>) => {
    for (const port of ports) {
      const res = await get(port, client, headers);
      t.equal(res.status, 401, `${what} (port ${port})`);
      t.match(JSON.parse(res.body), { kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
  };

  await expectUnauthorized('no client certificate');

  const strangerCa = await createCertificateAuthority('kube-serverless-front-proxy-ca');
  await expectUnauthorized(
    'a self-made CA certificate named front-proxy-client',
    await issueCertificate(strangerCa, { commonName: 'front-proxy-client', usage: 'client' }),
  );

  await expectUnauthorized(
    'the front-proxy CA, but a name outside requestheader-allowed-names',
    await issueCertificate(frontProxyCa, { commonName: 'not-the-proxy', usage: 'client' }),
  );

  await expectUnauthorized(
    'the front-proxy CA and name, but no client-auth usage',
    await issueCertificate(frontProxyCa, { commonName: 'front-proxy-client', usage: 'server' }),
  );

  await expectUnauthorized('the real front-proxy certificate, but no user header', frontProxyClient, {
    'x-remote-group': 'system:masters',
  });

  await expectUnauthorized('a bearer token nobody issued', undefined, {
    ...admin,
    authorization: 'Bearer not-a-token',
  });

  // A certificate of the cluster's client CA is that certificate's user, whatever the headers say.
  for (const name of ['mallory', 'front-proxy-client']) {
    const cert = await issueCertificate(clusterCa, { commonName: name, usage: 'client' });
    for (const port of ports) {
      const res = await get(port, cert);
      t.equal(res.status, 403, `a cluster-CA certificate for ${name} is refused as ${name} (port ${port})`);
      t.match(
        JSON.parse(res.body).message,
        `User "${name}" cannot list resource "functions" in API group "serverless.kube.io" in the namespace "${NS}"`,
      );
    }
  }

  // And the way in that kube-apiserver uses: its proxy client certificate with identity headers.
  for (const port of ports) {
    const res = await get(port, frontProxyClient);
    t.equal(res.status, 200, `the front-proxy certificate with X-Remote-User (port ${port})`);
    const list = JSON.parse(res.body);
    t.equal(list.kind, 'FunctionList');
    t.ok(list.items.some((fn: { metadata: { name: string } }) => fn.metadata.name === 'existing'));
  }
});

t.test('direct requests with a service-account token are reviewed by kube-apiserver', async (t) => {
  await cluster.kubectl(['create', 'serviceaccount', 'robot', '-n', NS]);
  await cluster.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'robot-reader', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'functions-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: NS }],
    }),
  );
  const token = (await cluster.kubectl(['create', 'token', 'robot', '-n', NS])).trim();
  const request = (method: string, body?: string) =>
    directRequest({
      port: platform.balancer.port,
      method,
      path: FUNCTIONS,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      ca: servingCa,
    });
  const list = await request('GET');
  t.equal(list.status, 200);
  t.equal(JSON.parse(list.body).kind, 'FunctionList');
  const create = await request('POST', functionJson('by-robot'));
  t.equal(create.status, 403);
  t.equal(JSON.parse(create.body).message, forbiddenCreate(`system:serviceaccount:${NS}:robot`));
});
