// 50 concurrent watchers of functions through the aggregated API while 1,000 updates are made:
// every watcher must receive every event. Reports delivery time and the replicas' resident
// memory (VmRSS) before, at peak during, and after; the same run with watchers of the backing
// FunctionRecords straight from kube-apiserver gives the delivery-time baseline.
// Usage: node --import tsx bench/apiservice/watch.ts [watchers=50] [updates=1000]
import {
  BACKING,
  benchCluster,
  bounded,
  type Client,
  expectStatus,
  functionBody,
  machine,
  PUBLIC,
  rssMiB,
} from './common.ts';

const watcherCount = Number(process.argv[2] ?? 50);
const updates = Number(process.argv[3] ?? 1000);
const TARGETS = 10;

const bench = await benchCluster();
const pids = () => bench.cluster.platform!.replicas.map((replica) => replica.pid);
const totalRss = async () => (await Promise.all(pids().map(rssMiB))).reduce((a, b) => a + b, 0);

interface Watcher {
  modified: number;
  stop: () => void;
}

async function watchers(admin: Client, path: string, resourceVersion: string): Promise<Watcher[]> {
  return Promise.all(
    Array.from({ length: watcherCount }, async () => {
      const watcher: Watcher = { modified: 0, stop: () => {} };
      let pending = '';
      watcher.stop = await admin.stream(`${path}?watch=true&resourceVersion=${resourceVersion}`, (chunk) => {
        pending += chunk.toString('utf8');
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line && (JSON.parse(line) as { type: string }).type === 'MODIFIED') watcher.modified++;
          newline = pending.indexOf('\n');
        }
      });
      return watcher;
    }),
  );
}

async function round(admin: Client, path: string) {
  const list = JSON.parse((await admin.send('GET', path)).body.toString('utf8'));
  const all = await watchers(admin, path, list.metadata.resourceVersion);
  const rssBefore = await totalRss();
  let rssPeak = rssBefore;
  const sampler = setInterval(async () => {
    rssPeak = Math.max(rssPeak, await totalRss());
  }, 100);
  const started = performance.now();
  await bounded(updates, 4, async (i) =>
    expectStatus(
      await admin.send('PATCH', `${path}/t-${i % TARGETS}`, {
        body: { metadata: { labels: { update: String(i) } } },
        contentType: 'application/merge-patch+json',
      }),
      200,
      `update ${i}`,
    ),
  );
  const written = performance.now() - started;
  const deadline = Date.now() + 120_000;
  while (all.some((w) => w.modified < updates) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const delivered = performance.now() - started;
  clearInterval(sampler);
  const counts = all.map((w) => w.modified);
  for (const w of all) w.stop();
  return { written, delivered, counts, rssBefore, rssPeak };
}

try {
  const { admin } = bench;
  for (let i = 0; i < TARGETS; i++)
    expectStatus(await admin.send('POST', PUBLIC, { body: functionBody(`t-${i}`) }), 201, `create t-${i}`);
  const rssIdle = await totalRss();
  console.log(`machine: ${machine()}`);
  console.log(
    `${watcherCount} watchers, ${updates} updates (merge patches, 4 in flight) over ${TARGETS} functions`,
  );
  for (const [label, path] of [
    ['aggregated functions   ', PUBLIC],
    ['backing functionrecords', BACKING],
  ] as const) {
    const r = await round(admin, path);
    const complete = r.counts.filter((c) => c === updates).length;
    console.log(
      `  ${label}: ${complete}/${watcherCount} watchers got all ${updates} events (min ${Math.min(...r.counts)}, max ${Math.max(...r.counts)}); ` +
        `writes done in ${(r.written / 1000).toFixed(1)} s, all delivered after ${(r.delivered / 1000).toFixed(1)} s; ` +
        `replicas' RSS ${r.rssBefore.toFixed(0)} MiB with watchers open → peak ${r.rssPeak.toFixed(0)} MiB`,
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  console.log(
    `  replicas' RSS idle ${rssIdle.toFixed(0)} MiB, after both rounds ${(await totalRss()).toFixed(0)} MiB (sum of ${pids().length})`,
  );
} finally {
  await bench.stop();
}
