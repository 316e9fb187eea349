// Latency of the admission webhooks at a fixed request rate over HTTPS (keep-alive), against a
// raw node:https server that answers a fixed AdmissionReview, measured in the same run. Each
// target gets `rounds` runs of `seconds` at `rate` requests/s, targets taking turns, with two
// load generators:
// - autocannon with `overallRate`: each connection sends back to back until it has made its
//   share of the second, then waits for the next second — bursts at full speed, 8 at a time;
// - paced: one request every 1/rate s on a timer (open loop, as kube-apiserver's callers arrive),
//   up to 8 keep-alive connections.
// Latencies are taken per response (float milliseconds; autocannon's own histogram keeps whole
// milliseconds only).
// Usage: node --import tsx bench/webhooks/latency.ts [rate=200] [seconds=15] [rounds=2]
import { execSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:https';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { fullFunction, minimalFunction } from '../../src/api/fixtures.ts';
import { withDefaults } from '../../webhooks/defaults.ts';

const rate = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 15);
const rounds = Number(process.argv[4] ?? 2);

const reviewOf = (object: unknown) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '00000000-0000-4000-8000-000000000000',
      kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
      resource: { group: 'serverless.kube.io', version: 'v1', resource: 'functions' },
      operation: 'CREATE',
      name: 'orders',
      namespace: 'shop',
      userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      object,
      dryRun: false,
    },
  });
// What each webhook sees in practice: mutate gets the user's object, validate the defaulted one.
const user = minimalFunction('orders', 'shop');
const defaulted = withDefaults(fullFunction('orders', 'shop'));
defaulted.spec.scale!.minReplicas = 1;
delete defaulted.status;

const servers = fork(fileURLToPath(new URL('./servers.ts', import.meta.url)), {
  execArgv: ['--import', 'tsx'],
  stdio: 'inherit',
});
const [ports] = (await once(servers, 'message')) as [{ webhooks: number; baseline: number }];

const targets = [
  { name: 'baseline (raw https, fixed answer)', port: ports.baseline, path: '/', body: reviewOf(defaulted) },
  {
    name: 'mutate-functions',
    port: ports.webhooks,
    path: '/webhooks/mutate-functions',
    body: reviewOf(user),
  },
  {
    name: 'validate-functions',
    port: ports.webhooks,
    path: '/webhooks/validate-functions',
    body: reviewOf(defaulted),
  },
];

async function measure(
  target: (typeof targets)[number],
  duration: number,
): Promise<{ latencies: number[]; errors: number; non2xx: number }> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `https://127.0.0.1:${target.port}${target.path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: target.body,
        connections: 8,
        overallRate: rate,
        duration,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 200) latencies.push(responseTime);
    });
  });
  return { latencies, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

/** Open loop: a request every 1/rate s whatever the answers do; latency from send to last byte. */
async function measurePaced(target: (typeof targets)[number], duration: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round(rate * duration);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    inFlight.push(
      new Promise<void>((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: target.port,
            path: target.path,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode === 200) latencies.push(performance.now() - sent);
              else non2xx++;
              resolve();
            });
          },
        );
        req.on('error', () => {
          errors++;
          resolve();
        });
        req.end(target.body);
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latencies, errors, non2xx };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (n: number) => `${n.toFixed(2)} ms`;
const signed = (n: number) => `${n >= 0 ? '+' : '−'}${ms(Math.abs(n))}`;

/** One request, to check that each target answers what it should before timing it. */
async function answerOf(target: (typeof targets)[number]): Promise<unknown> {
  const res = await fetchInsecure(target.port, target.path, target.body);
  return JSON.parse(res).response;
}

function fetchInsecure(port: number, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

try {
  for (const target of targets)
    console.log(`${target.name} answers ${JSON.stringify(await answerOf(target)).slice(0, 120)}`);
  for (const target of targets) await measure(target, 2); // warm-up: JIT, TLS sessions
  console.log(`date: ${new Date().toISOString()}`);
  console.log(
    `machine: nproc ${execSync('nproc').toString().trim()}, ${execSync('uptime').toString().trim()}, node ${process.version}`,
  );
  for (const [generator, run] of [
    ['autocannon overallRate', measure],
    ['paced open loop', measurePaced],
  ] as const) {
    const all = targets.map(() => ({ latencies: [] as number[], errors: 0, non2xx: 0 }));
    for (let round = 0; round < rounds; round++)
      for (const [i, target] of targets.entries()) {
        const r = await run(target, seconds);
        all[i]!.latencies.push(...r.latencies);
        all[i]!.errors += r.errors;
        all[i]!.non2xx += r.non2xx;
      }
    console.log(
      `${generator}: ${rate} requests/s, up to 8 keep-alive connections, ${rounds} × ${seconds} s per target, in turn`,
    );
    const base = [...all[0]!.latencies].sort((a, b) => a - b);
    for (const [i, target] of targets.entries()) {
      const sorted = [...all[i]!.latencies].sort((a, b) => a - b);
      const extra =
        i === 0
          ? ''
          : ` (${signed(percentile(sorted, 50) - percentile(base, 50))} / ${signed(percentile(sorted, 99) - percentile(base, 99))} vs baseline)`;
      console.log(
        `  ${target.name.padEnd(36)} n=${sorted.length} p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1)!)}${extra}; errors ${all[i]!.errors}, non-2xx ${all[i]!.non2xx}`,
      );
    }
  }
  console.log(`after: ${execSync('uptime').toString().trim()}`);
} finally {
  servers.disconnect();
}
