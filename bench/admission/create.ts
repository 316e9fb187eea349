// Time the admission chain adds to writes through the aggregated API, one request at a time:
// phase 0, the platform as deployed (our defaulting and validating webhooks on functions, the
// validating one also on the backing CRD): creates through the aggregated API and on the backing
// CRD, interleaved; then our configurations are deleted and phase 1, no webhook configuration: creates through the aggregated API and on the
// backing CRD, interleaved; phase 2, one trivial allow-all validating webhook (an HTTPS server in
// this process, registered by url) selecting one namespace: creates on the backing CRD, through
// the aggregated API where no webhook matches (fast path) and where the webhook is called,
// interleaved; then merge patches of one label in both namespaces (an admitted patch reads the
// stored object and previews the patch first).
// Usage: node --import tsx bench/admission/create.ts [creates=200] [patches=200]
import { startWebhookServer } from '../../test/helpers/third-party-webhook.ts';
import {
  BACKING,
  benchCluster,
  expectStatus,
  functionBody,
  machine,
  ms,
  NS,
  PUBLIC,
  percentile,
  recordBody,
  timed,
} from '../apiservice/common.ts';

const creates = Number(process.argv[2] ?? 200);
const patches = Number(process.argv[3] ?? 200);
const HOOKED_NS = 'bench-hooked';
const HOOKED = PUBLIC.replace(`/namespaces/${NS}/`, `/namespaces/${HOOKED_NS}/`);

const bench = await benchCluster();
const webhook = await startWebhookServer();
try {
  const { admin, cluster } = bench;
  await cluster.kubectl(['create', 'namespace', HOOKED_NS]);
  await cluster.kubectl(['label', 'namespace', HOOKED_NS, 'bench-admission=on']);
  const body = (path: string, name: string) => {
    if (path === BACKING) return recordBody(name);
    const fn = functionBody(name) as { metadata: Record<string, unknown> };
    if (path === HOOKED) fn.metadata.namespace = HOOKED_NS;
    return fn;
  };
  const create = async (path: string, name: string) =>
    expectStatus(await admin.send('POST', path, { body: body(path, name) }), 201, `create ${name}`);
  /** `count` rounds of one request per path, the first path rotating each round. */
  async function interleaved(
    count: number,
    paths: string[],
    task: (path: string, i: number) => Promise<void>,
  ) {
    const times = new Map<string, number[]>(paths.map((p) => [p, []]));
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < paths.length; k++) {
        const path = paths[(i + k) % paths.length] as string;
        times.get(path)?.push(await timed(() => task(path, i)));
      }
    }
    return times;
  }
  const line = (what: string, values: number[] = []) =>
    console.log(`  ${what.padEnd(46)} p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}`);

  await interleaved(5, [PUBLIC, BACKING], (path, i) => create(path, `warm-${path === BACKING}-${i}`));
  const platform = await interleaved(creates, [PUBLIC, BACKING], (path, i) =>
    create(path, `platform-${path === BACKING ? 'b' : 'p'}-${i}`),
  );
  await cluster.kubectl(['delete', 'mutatingwebhookconfiguration', 'kube-serverless-defaults']);
  await cluster.kubectl(['delete', 'validatingwebhookconfiguration', 'kube-serverless-validation']);
  // Both replicas must have seen the deletion: a create no longer gets the runtime label.
  for (let i = 0; ; i++) {
    const res = await admin.send('POST', PUBLIC, { body: body(PUBLIC, `unhooked-${i}`) });
    expectStatus(res, 201, 'create');
    const again = await admin.send('POST', PUBLIC, { body: body(PUBLIC, `unhooked-${i}-again`) });
    expectStatus(again, 201, 'create');
    const labels = [res, again].map((r) => JSON.parse(r.body.toString('utf8')).metadata.labels ?? {});
    if (labels.every((l) => l['serverless.kube.io/runtime'] === undefined)) break;
  }
  const plain = await interleaved(creates, [PUBLIC, BACKING], (path, i) =>
    create(path, `plain-${path === BACKING ? 'b' : 'p'}-${i}`),
  );

  const configuration = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'bench-allow' },
    webhooks: [
      {
        name: 'allow.bench.example.com',
        clientConfig: { url: webhook.url(), caBundle: webhook.caBundle },
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: ['serverless.kube.io'],
            apiVersions: ['v1'],
            resources: ['functions'],
          },
        ],
        namespaceSelector: { matchLabels: { 'bench-admission': 'on' } },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
      },
    ],
  };
  expectStatus(
    await admin.send('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
      body: configuration,
    }),
    201,
    'register the webhook',
  );
  // Both replicas must have it: wait until creates keep reaching the webhook.
  for (let i = 0; webhook.received.length < 20; i++) await create(HOOKED, `propagate-${i}`);
  const before = webhook.received.length;
  const hooked = await interleaved(creates, [BACKING, PUBLIC, HOOKED], (path, i) =>
    create(path, `hooked-${path === BACKING ? 'b' : path === PUBLIC ? 'p' : 'h'}-${i}`),
  );
  const patch = (path: string, i: number) =>
    admin
      .send('PATCH', `${path}/hooked-${path === PUBLIC ? 'p' : 'h'}-${i % creates}`, {
        body: { metadata: { labels: { round: String(i) } } },
        contentType: 'application/merge-patch+json',
      })
      .then((res) => expectStatus(res, 200, `patch ${path}`));
  const patched = await interleaved(patches, [PUBLIC, HOOKED], patch);

  console.log(`machine: ${machine()}`);
  console.log(`create, ${creates} per series, sequential, interleaved within each phase:`);
  console.log(' phase 0, the platform as deployed (its own webhooks):');
  line('backing CRD (our validating webhook)', platform.get(BACKING));
  line('aggregated (whole admission chain)', platform.get(PUBLIC));
  console.log(' phase 1, no webhook configuration:');
  line('backing CRD', plain.get(BACKING));
  line('aggregated', plain.get(PUBLIC));
  console.log(' phase 2, one allow-all webhook selecting one namespace:');
  line('backing CRD', hooked.get(BACKING));
  line('aggregated, webhook not matching (fast path)', hooked.get(PUBLIC));
  line('aggregated, webhook called', hooked.get(HOOKED));
  console.log(`merge patch of a label, ${patches} per series, interleaved:`);
  line('aggregated, webhook not matching (fast path)', patched.get(PUBLIC));
  line('aggregated, webhook called', patched.get(HOOKED));
  console.log(
    `webhook calls in phase 2: ${webhook.received.length - before} (expected ${creates + patches})`,
  );
} finally {
  await webhook.close();
  await bench.stop();
}
