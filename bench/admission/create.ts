// Time the admission chain adds to a create through the aggregated API: the same create with no
// webhook configured (the fast path), with one trivial allow-all validating webhook (an HTTPS
// server in this process, registered by url), and straight on the backing CRD, one at a time,
// interleaved within each phase.
// Usage: node --import tsx bench/admission/create.ts [creates=200]
import { startWebhookServer } from '../../test/helpers/webhook-server.ts';
import {
  BACKING,
  benchCluster,
  expectStatus,
  functionBody,
  machine,
  ms,
  PUBLIC,
  percentile,
  recordBody,
  timed,
} from '../apiservice/common.ts';

const creates = Number(process.argv[2] ?? 200);

const bench = await benchCluster();
const webhook = await startWebhookServer();
try {
  const { admin } = bench;
  const create = async (path: string, name: string) =>
    expectStatus(
      await admin.send('POST', path, { body: path === PUBLIC ? functionBody(name) : recordBody(name) }),
      201,
      `create ${name}`,
    );
  /** `creates` creates on each path, alternating which goes first. */
  async function phase(label: string) {
    for (let i = 0; i < 5; i++)
      await Promise.all([create(PUBLIC, `${label}-wp-${i}`), create(BACKING, `${label}-wb-${i}`)]);
    const times = { public: [] as number[], backing: [] as number[] };
    for (let i = 0; i < creates; i++) {
      const order = i % 2 === 0 ? [PUBLIC, BACKING] : [BACKING, PUBLIC];
      for (const path of order) {
        const which = path === PUBLIC ? 'public' : 'backing';
        times[which].push(await timed(() => create(path, `${label}-${which}-${i}`)));
      }
    }
    return times;
  }
  const without = await phase('plain');
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
            operations: ['CREATE'],
            apiGroups: ['serverless.kube.io'],
            apiVersions: ['v1'],
            resources: ['functions'],
          },
        ],
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
  // Both replicas must have seen it: wait until creates on both reach the webhook.
  for (let i = 0; webhook.received.length < 20; i++) await create(PUBLIC, `propagate-${i}`);
  const withWebhook = await phase('webhook');
  console.log(`machine: ${machine()}`);
  console.log(`create, ${creates} per series, sequential, interleaved with the backing CRD:`);
  const line = (what: string, values: number[]) =>
    console.log(`  ${what.padEnd(40)} p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}`);
  line('backing CRD (no webhook phase)', without.backing);
  line('aggregated, no webhook configured', without.public);
  line('backing CRD (webhook phase)', withWebhook.backing);
  line('aggregated, one allow-all webhook', withWebhook.public);
  const added = (p: number) => percentile(withWebhook.public, p) - percentile(without.public, p);
  console.log(`  added by the chain with one webhook: p50 ${ms(added(50))}, p99 ${ms(added(99))}`);
  console.log(`  webhook calls received: ${webhook.received.length}`);
} finally {
  await webhook.close();
  await bench.stop();
}
