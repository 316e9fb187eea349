/**
 * Node runtime benchmark: the echo function on the runtime vs a raw node:http server, same run.
 *
 *   node --import tsx bench/runtimes/node/bench.ts [--duration 5] [--rounds 3] [--starts 5] [--json out.json]
 *
 * Measures, for both servers:
 * - throughput and p50/p99 latency at concurrency 1 and 32 (autocannon on loopback, each run
 *   bounded by --duration; rounds alternate between the servers so background load hits both);
 * - server CPU time per request (user + system, from /proc) — the figure least disturbed by
 *   other work on the machine, since the load generator shares it;
 * - time from spawn to /ready and to the first response, and idle RSS (medians of --starts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, readLocalSpec, request, runtimeDir } from '../../../test/contract/runtime-process.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    starts: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const STARTS = Number(args.starts);
const BODY = JSON.stringify({ hello: 'world', n: 42, list: [1, 2, 3] });
type Kind = 'runtime' | 'raw';

// Server stdout (the runtime's JSON log lines) goes to a file, as a container runtime's log driver
// would take it — not to a pipe read by this process, whose event loop is busy generating load.
const logDir = mkdtempSync(join(tmpdir(), 'bench-node-'));
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(logDir, { recursive: true, force: true });
});

interface Server {
  kind: Kind;
  logFile: string;
  child: ChildProcess;
  url: string;
  spawnedAt: number;
  stop: () => Promise<void>;
}

async function spawnServer(kind: Kind): Promise<Server> {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    FUNCTION_DIR: join(here, 'function'),
    FUNCTION_NAME: 'echo',
    FUNCTION_NAMESPACE: 'bench',
  };
  const logFile = join(logDir, `${kind}-${port}.log`);
  const out = openSync(logFile, 'a');
  const spec = readLocalSpec('node');
  if (!spec) throw new Error('runtimes/node/local.json is missing');
  const [cmd, ...rest] =
    kind === 'runtime' ? (spec.command as [string, ...string[]]) : ['node', join(here, 'raw-server.mjs')];
  const spawnedAt = performance.now();
  const child = spawn(cmd, rest, {
    cwd: kind === 'runtime' ? join(runtimeDir('node'), spec.cwd) : here,
    env,
    stdio: ['ignore', out, 'inherit'],
  });
  closeSync(out);
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    children.delete(child);
  };
  return { kind, logFile, child, url: `http://127.0.0.1:${port}`, spawnedAt, stop };
}

/** Polls every 5 ms until `check` passes; returns when it passed. */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error('the server did not come up');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const post = (url: string) =>
  request(url, '/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
const isReady = async (s: Server) =>
  s.kind === 'runtime' ? (await request(s.url, '/ready')).status === 200 : (await post(s.url)).status === 200;

function procStat(pid: number | undefined) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ = 100
  return { rssMb, cpuMs };
}

async function startup(kind: Kind) {
  const s = await spawnServer(kind);
  try {
    const readyAt = await until(() => isReady(s));
    const res = await post(s.url);
    const firstAt = performance.now();
    if (res.status !== 200 || res.text !== BODY)
      throw new Error(`unexpected answer ${res.status} ${res.text}`);
    const startCpuMs = procStat(s.child.pid).cpuMs;
    await new Promise((r) => setTimeout(r, 1000));
    // the runtime's own view: its "ready" line says how long after process start it was ready
    const readyLine = readFileSync(s.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"msg":"ready"'))
      .pop();
    return {
      readyMs: readyAt - s.spawnedAt,
      inProcessReadyMs: readyLine ? Number(JSON.parse(readyLine).sinceStartMs) : Number.NaN,
      firstMs: firstAt - s.spawnedAt,
      startCpuMs,
      rssMb: procStat(s.child.pid).rssMb,
    };
  } finally {
    await s.stop();
  }
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  errors: number;
}

async function load(s: Server, connections: number, duration: number): Promise<Load> {
  const before = procStat(s.child.pid).cpuMs;
  const r = await autocannon({
    url: s.url,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  const cpuMs = procStat(s.child.pid).cpuMs - before;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuUsPerReq: (cpuMs * 1000) / Math.max(1, r.requests.total),
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function main() {
  const machine = `${cpus().length} × ${cpus()[0]?.model}, ${round(totalmem() / 2 ** 30)} GiB`;
  console.error(
    `node ${process.version}; ${machine}; load average ${loadavg()
      .map((l) => round(l, 2))
      .join(' ')}`,
  );

  // 1. start-up, alternating
  const starts: Record<Kind, Awaited<ReturnType<typeof startup>>[]> = { runtime: [], raw: [] };
  for (let i = 0; i < STARTS; i++) {
    for (const kind of ['runtime', 'raw'] as const) starts[kind].push(await startup(kind));
  }
  console.error('start-up done');

  // 2. load: both servers up, rounds alternating
  const servers = [await spawnServer('runtime'), await spawnServer('raw')];
  const loads: Record<string, Load[]> = {};
  let idleAfterLoadMb: Record<string, number> = {};
  try {
    for (const s of servers) await until(() => isReady(s));
    // warm-up: on a busy machine V8 needs seconds to optimize the runtime's (larger) request path
    for (const s of servers) {
      await load(s, 32, 5);
      await load(s, 1, 2);
    }
    for (const c of [1, 32]) {
      for (let r = 0; r < ROUNDS; r++) {
        for (const s of servers) {
          const key = `${s.kind}@${c}`;
          const res = await load(s, c, DURATION);
          loads[key] = [...(loads[key] ?? []), res];
          console.error(
            `${key} round ${r + 1}: ${round(res.rps)} req/s, p50 ${res.p50} ms, p99 ${res.p99} ms, ${round(res.cpuUsPerReq)} µs CPU/req`,
          );
        }
      }
    }
    await new Promise((r) => setTimeout(r, 2000));
    idleAfterLoadMb = Object.fromEntries(servers.map((s) => [s.kind, round(procStat(s.child.pid).rssMb)]));
  } finally {
    for (const s of servers) await s.stop();
  }

  const load_ = Object.fromEntries(
    Object.entries(loads).map(([k, v]) => [
      k,
      {
        rps: round(median(v.map((x) => x.rps))),
        p50Ms: median(v.map((x) => x.p50)),
        p99Ms: median(v.map((x) => x.p99)),
        cpuUsPerReq: round(median(v.map((x) => x.cpuUsPerReq))),
        errors: v.reduce((a, x) => a + x.errors, 0),
      },
    ]),
  );
  const ratio = (c: number, f: 'rps' | 'cpuUsPerReq') => {
    const rt = load_[`runtime@${c}`]?.[f] ?? 0;
    const raw = load_[`raw@${c}`]?.[f] ?? 1;
    return round(f === 'rps' ? rt / raw : raw / rt, 2);
  };
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    machine,
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
    settings: { durationSeconds: DURATION, rounds: ROUNDS, starts: STARTS, body: BODY },
    startup: Object.fromEntries(
      Object.entries(starts).map(([k, v]) => [
        k,
        {
          readyMs: round(median(v.map((x) => x.readyMs))),
          inProcessReadyMs: round(median(v.map((x) => x.inProcessReadyMs))),
          firstResponseMs: round(median(v.map((x) => x.firstMs))),
          cpuMsToFirstResponse: round(median(v.map((x) => x.startCpuMs))),
          idleRssMb: round(median(v.map((x) => x.rssMb))),
        },
      ]),
    ),
    idleRssAfterLoadMb: idleAfterLoadMb,
    load: load_,
    ratio: {
      throughputC1: ratio(1, 'rps'),
      throughputC32: ratio(32, 'rps'),
      cpuPerRequestC1: ratio(1, 'cpuUsPerReq'),
      cpuPerRequestC32: ratio(32, 'cpuUsPerReq'),
    },
  };
  console.log(JSON.stringify(summary, null, 2));
  if (args.json) writeFileSync(args.json, `${JSON.stringify(summary, null, 2)}\n`);
}

await main();
