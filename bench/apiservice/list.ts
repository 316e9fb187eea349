// Listing 1,000 functions through the aggregated API (kube-apiserver → aggregator → balancer →
// replica → backing CRD and back, translated) against listing the backing FunctionRecords from
// kube-apiserver directly, in the same run, requests interleaved. Plain JSON (client-go and
// controllers) and Table (what `kubectl get` asks for) are both measured.
// Usage: node --import tsx bench/apiservice/list.ts [objects=1000] [rounds=40]
import {
  BACKING,
  benchCluster,
  bounded,
  expectStatus,
  functionBody,
  machine,
  ms,
  PUBLIC,
  percentile,
  replicaClient,
  timed,
} from './common.ts';

const objects = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 40);
const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

const bench = await benchCluster();
try {
  const { admin, cluster } = bench;
  // The replica itself, past kube-apiserver's aggregator and the balancer: where the time goes.
  const replica = await replicaClient(cluster);
  await bounded(objects, 8, async (i) =>
    expectStatus(await admin.send('POST', PUBLIC, { body: functionBody(`fn-${i}`) }), 201, `create fn-${i}`),
  );
  const list = async (path: string, accept?: string, client = admin) => {
    const res = await client.send('GET', path, { accept });
    expectStatus(res, 200, `list ${path}`);
    return res;
  };
  console.log(`machine: ${machine()}`);
  console.log(`list of ${objects} objects, ${rounds} rounds each, sequential, interleaved`);
  for (const [format, accept] of [
    ['JSON', 'application/json'],
    ['Table', TABLE],
  ] as const) {
    const sizes = {
      public: (await list(PUBLIC, accept)).body.length,
      backing: (await list(BACKING, accept)).body.length,
    };
    const results = { public: [] as number[], backing: [] as number[], replica: [] as number[] };
    // Warm-up, then interleave so that both paths see the same machine state.
    for (let i = 0; i < 5; i++) await Promise.all([list(PUBLIC, accept), list(BACKING, accept)]);
    for (let i = 0; i < rounds; i++) {
      const order =
        i % 2 === 0
          ? (['public', 'backing', 'replica'] as const)
          : (['replica', 'backing', 'public'] as const);
      for (const which of order)
        results[which].push(
          await timed(() =>
            which === 'replica'
              ? list(PUBLIC, accept, replica)
              : list(which === 'public' ? PUBLIC : BACKING, accept),
          ),
        );
    }
    console.log(`${format}:`);
    for (const which of ['public', 'backing'] as const) {
      const values = results[which];
      console.log(
        `  ${which === 'public' ? 'aggregated functions   ' : 'backing functionrecords'}: p50 ${ms(percentile(values, 50))}, p90 ${ms(percentile(values, 90))}, ${(sizes[which] / 1024).toFixed(0)} KiB`,
      );
    }
    console.log(
      `  replica 0 directly (front-proxy cert, no aggregator, no balancer): p50 ${ms(percentile(results.replica, 50))}, p90 ${ms(percentile(results.replica, 90))}`,
    );
    console.log(
      `  ratio of medians (aggregated / backing): ${(percentile(results.public, 50) / percentile(results.backing, 50)).toFixed(2)}×`,
    );
  }
  replica.close();
} finally {
  await bench.stop();
}
