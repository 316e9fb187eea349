// Latency of one get and one create through the aggregated API against the same request on the
// backing FunctionRecords straight from kube-apiserver, same run, requests interleaved, one at a
// time (no queueing: the numbers are service times, not throughput). Gets are also sent to one
// replica directly (front-proxy certificate, no aggregator, no balancer): where the time goes.
// Usage: node --import tsx bench/apiservice/latency.ts [gets=500] [creates=200]
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
  replicaClient,
  timed,
} from './common.ts';

const gets = Number(process.argv[2] ?? 500);
const creates = Number(process.argv[3] ?? 200);

const bench = await benchCluster();
try {
  const { admin, cluster } = bench;
  const replica = await replicaClient(cluster);
  expectStatus(await admin.send('POST', PUBLIC, { body: functionBody('target') }), 201, 'create target');
  const get = async (path: string, client = admin) =>
    expectStatus(await client.send('GET', `${path}/target`), 200, `get ${path}`);
  const create = async (path: string, name: string) =>
    expectStatus(
      await admin.send('POST', path, { body: path === PUBLIC ? functionBody(name) : recordBody(name) }),
      201,
      `create ${name}`,
    );
  for (let i = 0; i < 20; i++) await Promise.all([get(PUBLIC), get(BACKING)]);
  for (let i = 0; i < 5; i++)
    await Promise.all([create(PUBLIC, `warm-p-${i}`), create(BACKING, `warm-b-${i}`)]);

  const results = {
    get: { public: [] as number[], backing: [] as number[] },
    create: { public: [] as number[], backing: [] as number[] },
  };
  const replicaGets: number[] = [];
  for (let i = 0; i < 20; i++) await get(PUBLIC, replica);
  for (let i = 0; i < gets; i++) {
    const order = i % 2 === 0 ? [PUBLIC, BACKING] : [BACKING, PUBLIC];
    for (const path of order)
      results.get[path === PUBLIC ? 'public' : 'backing'].push(await timed(() => get(path)));
    replicaGets.push(await timed(() => get(PUBLIC, replica)));
  }
  for (let i = 0; i < creates; i++) {
    const order = i % 2 === 0 ? [PUBLIC, BACKING] : [BACKING, PUBLIC];
    for (const path of order) {
      const which = path === PUBLIC ? 'public' : 'backing';
      results.create[which].push(await timed(() => create(path, `${which}-${i}`)));
    }
  }
  console.log(`machine: ${machine()}`);
  for (const verb of ['get', 'create'] as const) {
    const count = verb === 'get' ? gets : creates;
    console.log(`${verb}, ${count} each, sequential, interleaved:`);
    for (const which of ['public', 'backing'] as const) {
      const values = results[verb][which];
      console.log(
        `  ${which === 'public' ? 'aggregated functions   ' : 'backing functionrecords'}: p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}`,
      );
    }
    if (verb === 'get')
      console.log(
        `  replica 0 directly (front-proxy cert, no aggregator, no balancer): p50 ${ms(percentile(replicaGets, 50))}, p99 ${ms(percentile(replicaGets, 99))}`,
      );
    const ratio = (p: number) => percentile(results[verb].public, p) / percentile(results[verb].backing, p);
    console.log(`  ratio (aggregated / backing): p50 ${ratio(50).toFixed(2)}×, p99 ${ratio(99).toFixed(2)}×`);
  }
  replica.close();
} finally {
  await bench.stop();
}
