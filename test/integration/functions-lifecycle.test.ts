// The aggregated API through its life on the real local control plane: namespaces holding
// functions are deleted to the end (the namespace controller discovers and empties them through
// our API), a restart of every replica loses nothing and watchers carry on, and with one of two
// replicas down kubectl goes on working.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { CustomObjectsApi, type KubernetesObject, makeInformer, Watch } from '@kubernetes/client-node';
import t from 'tap';
import { waitUntil } from '../../src/local-cluster/health.ts';
import type { TcpBalancerStats } from '../../src/local-cluster/tcp-balancer.ts';
import { startCluster } from '../helpers/cluster.ts';
import { directRequest } from '../helpers/https.ts';

type Fn = KubernetesObject & { spec?: Record<string, unknown> };

const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const platform = cluster.platform!;
const servingCa = await readFile(platform.servingCaFile, 'utf8');
const { pki, ports } = cluster.controlPlane;
const admin = {
  host: '127.0.0.1',
  port: ports.apiserver,
  servername: 'localhost',
  ca: await readFile(pki.ca.cert, 'utf8'),
  cert: await readFile(pki.admin.cert, 'utf8'),
  key: await readFile(pki.admin.key, 'utf8'),
};
const objects = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
const group = { group: 'serverless.kube.io', version: 'v1', plural: 'functions' };

const functionYaml = (namespace: string, names: string[]) =>
  names
    .map(
      (name) => `apiVersion: serverless.kube.io/v1
kind: Function
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  runtime: nodejs
  source: {inline: "exports.handle = () => '${name}'"}
`,
    )
    .join('---\n');

const namesIn = async (namespace: string): Promise<string[]> => {
  const list = JSON.parse(await cluster.kubectl(['get', 'functions', '-n', namespace, '-o', 'json']));
  return list.items.map((fn: Fn) => fn.metadata?.name).sort();
};

const statsSince = (before: TcpBalancerStats) =>
  Object.fromEntries(
    Object.entries(platform.balancer.stats).map(([key, value]) => [
      key,
      value - before[key as keyof TcpBalancerStats],
    ]),
  );

const replicasCrashed = () => platform.replicas.reduce((sum, replica) => sum + replica.crashes.length, 0);

t.test('deleting a namespace that holds functions finishes', async (t) => {
  for (const ns of ['doomed-a', 'doomed-b']) {
    await cluster.kubectl(['create', 'namespace', ns]);
    await cluster.kubectl(['apply', '-f', '-'], functionYaml(ns, ['one', 'two', 'three']));
    t.same(await namesIn(ns), ['one', 'three', 'two']);
  }
  // One namespace with both replicas serving, one with a replica down.
  await cluster.kubectl(['delete', 'namespace', 'doomed-a', '--wait=true', '--timeout=120s']);
  await platform.replicas[0]!.stop();
  t.teardown(() => {
    if (platform.replicas[0]!.pid === undefined) platform.replicas[0]!.start();
  });
  await cluster.kubectl(['delete', 'namespace', 'doomed-b', '--wait=true', '--timeout=120s']);
  platform.replicas[0]!.start();
  for (const ns of ['doomed-a', 'doomed-b']) {
    const left = await cluster.kubectl(['get', 'namespace', ns, '--ignore-not-found', '-o', 'name']);
    t.equal(left.trim(), '', `${ns} is gone`);
    const records = await cluster.kubectl(['get', 'functionrecords', '-n', ns, '-o', 'name']);
    t.equal(records.trim(), '', `no backing record is left in ${ns}`);
  }
  await waitUntil('replica 0 serves again', async () => replicaServes(0), { timeoutMs: 60_000 });
});

async function replicaServes(index: number): Promise<boolean> {
  const res = await directRequest({ port: platform.replicaPorts[index]!, path: '/readyz', ca: servingCa });
  return res.status === 200;
}

t.test('restarting every replica loses nothing, and watchers carry on', async (t) => {
  const ns = 'restart';
  await cluster.kubectl(['create', 'namespace', ns]);
  await cluster.kubectl(['apply', '-f', '-'], functionYaml(ns, ['alpha', 'beta']));
  const before = JSON.parse(await cluster.kubectl(['get', 'functions', '-n', ns, '-o', 'json']));

  // An informer (list, then watch from its resourceVersion), restarted after errors as
  // controllers built on client-node do.
  const path = `/apis/serverless.kube.io/v1/namespaces/${ns}/functions`;
  const informer = makeInformer<Fn>(cluster.kubeConfig, path, () =>
    objects.listNamespacedCustomObject({ ...group, namespace: ns }),
  );
  const seen = new Set<string>();
  let informerErrors = 0;
  informer.on('add', (fn) => seen.add(fn.metadata?.name ?? ''));
  let informerStopped = false;
  informer.on('error', () => {
    informerErrors++;
    setTimeout(() => {
      if (!informerStopped) void informer.start().catch(() => undefined);
    }, 500);
  });
  await informer.start();
  t.teardown(() => {
    informerStopped = true;
    return informer.stop();
  });
  await waitUntil('informer lists alpha and beta', async () => seen.has('alpha') && seen.has('beta'), {
    timeoutMs: 30_000,
  });

  // A plain watch held while the replicas stop: they end it cleanly on their way out.
  let watchEnded: (error: unknown) => void = () => {};
  const ended = new Promise<unknown>((resolve) => {
    watchEnded = resolve;
  });
  await new Watch(cluster.kubeConfig).watch(
    path,
    { resourceVersion: before.metadata.resourceVersion },
    () => {},
    watchEnded,
  );

  await Promise.all(platform.replicas.map((replica) => replica.stop()));
  t.notOk(await ended, 'the open watch ended without an error');
  const down = await cluster.kubectl(['get', 'functions', '-n', ns]).catch((error: Error) => error.message);
  t.match(
    down,
    /ServiceUnavailable|service unavailable|unable to|error/i,
    'nothing serves while both are down',
  );

  for (const replica of platform.replicas) replica.start();
  await waitUntil('functions served again', async () => (await namesIn(ns)).join() === 'alpha,beta', {
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  const after = JSON.parse(await cluster.kubectl(['get', 'functions', '-n', ns, '-o', 'json']));
  const summary = (list: { items: Fn[] }) =>
    list.items.map((fn) => ({
      name: fn.metadata?.name,
      uid: fn.metadata?.uid,
      resourceVersion: fn.metadata?.resourceVersion,
      spec: fn.spec,
    }));
  t.same(summary(after), summary(before), 'the same objects, unchanged');

  await cluster.kubectl(['apply', '-f', '-'], functionYaml(ns, ['gamma']));
  await waitUntil('the informer sees a function created after the restart', async () => seen.has('gamma'), {
    timeoutMs: 60_000,
  });
  t.comment(`informer errors while both replicas were down: ${informerErrors}`);
  t.equal(replicasCrashed(), 0, 'no replica crashed');
});

t.test('with one of two replicas down, kubectl keeps working', async (t) => {
  const ns = 'half';
  await cluster.kubectl(['create', 'namespace', ns]);
  for (const [down, up] of [
    [0, 1],
    [1, 0],
  ] as const) {
    await platform.replicas[down]!.stop();
    t.ok(await replicaServes(up), `replica ${up} serves`);
    for (let i = 0; i < 5; i++) {
      const name = `r${down}-${i}`;
      await cluster.kubectl(['create', '-f', '-'], functionYaml(ns, [name]));
      const got = JSON.parse(await cluster.kubectl(['get', 'function', name, '-n', ns, '-o', 'json']));
      t.equal(got.metadata.name, name);
      t.match(await cluster.kubectl(['get', 'fn', '-n', ns]), new RegExp(`\\b${name}\\b`));
      await cluster.kubectl(['label', 'fn', name, '-n', ns, `round=${i}`]);
    }
    platform.replicas[down]!.start();
    await waitUntil(`replica ${down} serves again`, async () => replicaServes(down), { timeoutMs: 60_000 });
  }
  t.equal((await namesIn(ns)).length, 10);
  t.equal(replicasCrashed(), 0, 'no replica crashed');
});

t.test('a rolling restart under a stream of requests fails none of them', async (t) => {
  const ns = 'rolling';
  await cluster.kubectl(['create', 'namespace', ns]);
  let stop = false;
  const failures: string[] = [];
  const done = { kubectl: 0, client: 0, watchEvents: 0 };
  const balancerBefore = { ...platform.balancer.stats };
  // kubectl, one command at a time, and four client-node loops, so that requests are in flight
  // on the replica being stopped.
  const viaKubectl = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        await cluster.kubectl(['create', '-f', '-'], functionYaml(ns, [`k${i}`]));
        await cluster.kubectl(['get', 'fn', `k${i}`, '-n', ns, '-o', 'name']);
        done.kubectl++;
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  })();
  const viaClient = Array.from({ length: 4 }, async (_, loop) => {
    for (let i = 0; !stop; i++) {
      const name = `c${loop}-${i}`;
      try {
        await objects.createNamespacedCustomObject({
          ...group,
          namespace: ns,
          body: {
            apiVersion: 'serverless.kube.io/v1',
            kind: 'Function',
            metadata: { name },
            spec: { runtime: 'nodejs', source: { inline: 'x' } },
          },
        });
        await objects.getNamespacedCustomObject({ ...group, namespace: ns, name });
        await objects.listNamespacedCustomObject({ ...group, namespace: ns, limit: 5 });
        done.client++;
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
    }
  });
  // A watcher that resumes from its last resourceVersion whenever its stream ends, through
  // kube-apiserver as the admin, keeping the answer's body when a watch cannot start.
  const path = `/apis/serverless.kube.io/v1/namespaces/${ns}/functions`;
  let resourceVersion = JSON.parse(await cluster.kubectl(['get', 'fn', '-n', ns, '-o', 'json'])).metadata
    .resourceVersion;
  const watchEnds: string[] = [];
  let abortWatch: (() => void) | undefined;
  const viaWatch = (async () => {
    while (!stop) {
      const ended = await new Promise<string>((resolve) => {
        let pending = '';
        const req = request(
          { ...admin, method: 'GET', path: `${path}?watch=true&resourceVersion=${resourceVersion}` },
          (res) => {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              pending += chunk;
              for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
                const event = JSON.parse(pending.slice(0, nl));
                pending = pending.slice(nl + 1);
                done.watchEvents++;
                resourceVersion = event.object?.metadata?.resourceVersion ?? resourceVersion;
              }
            });
            res.on('end', () =>
              resolve(res.statusCode === 200 ? 'clean end' : `HTTP ${res.statusCode}: ${pending}`),
            );
            res.on('error', (error) => resolve(`broken stream: ${error.message}`));
          },
        );
        req.on('error', (error) => resolve(`request error: ${error.message}`));
        abortWatch = () => req.destroy();
        req.end();
      });
      if (!stop) watchEnds.push(ended);
    }
  })();
  for (const index of [0, 1]) {
    await waitUntil('some traffic before the stop', async () => done.client > 4, { timeoutMs: 60_000 });
    const before = done.client;
    await platform.replicas[index]!.stop();
    platform.replicas[index]!.start();
    await waitUntil(`replica ${index} serves again`, async () => replicaServes(index), { timeoutMs: 60_000 });
    await waitUntil('traffic after the restart', async () => done.client > before + 4, { timeoutMs: 60_000 });
  }
  stop = true;
  abortWatch?.();
  await Promise.all([viaKubectl, ...viaClient, viaWatch]);
  t.comment(
    `went through: ${JSON.stringify(done)}; watch streams ended: ${watchEnds.map(String).join(', ')}`,
  );
  t.comment(`balancer during the rolling restarts: ${JSON.stringify(statsSince(balancerBefore))}`);
  t.ok(done.kubectl > 0 && done.client > 0, 'requests went through');
  t.same(failures, [], 'no request failed');
  t.ok(
    watchEnds.every((end) => end === 'clean end'),
    'watch streams held by a stopping replica ended cleanly',
  );
  t.equal(replicasCrashed(), 0, 'no replica crashed');
});
