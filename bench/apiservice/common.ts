// Shared pieces of the aggregated API benchmarks: a local cluster with the platform, a
// keep-alive HTTPS client with the admin's certificate, percentiles, and replica memory.
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { cpus, totalmem } from 'node:os';
import { fullFunction } from '../../src/api/fixtures.ts';
import { startCluster, type TestCluster } from '../../test/helpers/cluster.ts';

export const NS = 'bench';
export const PUBLIC = `/apis/serverless.kube.io/v1/namespaces/${NS}/functions`;
export const BACKING = `/apis/internal.serverless.kube.io/v1/namespaces/${NS}/functionrecords`;

export interface Response {
  status: number;
  body: Buffer;
}

export interface SendOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
}

export interface Client {
  send(method: string, path: string, options?: SendOptions): Promise<Response>;
  /** A streaming GET; the callback gets each chunk. Resolves with the request's destroy. */
  stream(path: string, onData: (chunk: Buffer) => void): Promise<() => void>;
  close(): void;
}

/** HTTPS to a server with the given client identity, keep-alive, at most `maxSockets` at once. */
export async function httpsClient(
  port: number,
  tls: { ca: string; cert: string; key: string; servername?: string },
  maxSockets = 8,
  headers: Record<string, string> = {},
): Promise<Client> {
  const agent = new Agent({ keepAlive: true, maxSockets, ...tls });
  const base = { host: '127.0.0.1', port, agent, ...tls };
  return {
    send: (method, path, { body, contentType = 'application/json', accept = 'application/json' } = {}) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = request(
          {
            ...base,
            method,
            path,
            headers: {
              accept,
              ...headers,
              ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    stream: (path, onData) =>
      new Promise((resolve, reject) => {
        const req = request(
          { ...base, agent: false, method: 'GET', path, headers: { accept: 'application/json', ...headers } },
          (res) => {
            if (res.statusCode !== 200) {
              reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
              res.resume();
              return;
            }
            res.on('data', onData);
            res.on('error', () => {});
            resolve(() => req.destroy());
          },
        );
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

export interface BenchCluster {
  cluster: TestCluster;
  admin: Client;
  stop(): Promise<void>;
}

/** The first API replica itself, past kube-apiserver's aggregator and the balancer, as the front proxy. */
export async function replicaClient(cluster: TestCluster): Promise<Client> {
  const { pki } = cluster.controlPlane;
  return httpsClient(
    cluster.platform!.replicaPorts[0]!,
    {
      ca: await readFile(cluster.platform!.servingCaFile, 'utf8'),
      cert: await readFile(pki.frontProxyClient.cert, 'utf8'),
      key: await readFile(pki.frontProxyClient.key, 'utf8'),
      servername: 'localhost',
    },
    8,
    { 'x-remote-user': 'bench', 'x-remote-group': 'system:masters' },
  );
}

export async function benchCluster(): Promise<BenchCluster> {
  const cluster = await startCluster({ platform: true });
  const { pki, ports } = cluster.controlPlane;
  const admin = await httpsClient(ports.apiserver, {
    ca: await readFile(pki.ca.cert, 'utf8'),
    cert: await readFile(pki.admin.cert, 'utf8'),
    key: await readFile(pki.admin.key, 'utf8'),
    servername: 'localhost',
  });
  await cluster.kubectl(['create', 'namespace', NS]);
  return {
    cluster,
    admin,
    stop: async () => {
      admin.close();
      await cluster.stop();
    },
  };
}

export function functionBody(name: string) {
  const fn = fullFunction(name, NS) as unknown as {
    metadata: Record<string, unknown>;
    spec: { triggers: { http: { path: string } } };
  };
  fn.metadata = { name, namespace: NS, labels: { bench: 'true' } };
  // One function per HTTP path (the validating webhook refuses a second claim).
  fn.spec.triggers.http.path = `/bench/${name}`;
  return fn;
}

export function recordBody(name: string) {
  return { ...functionBody(name), apiVersion: 'internal.serverless.kube.io/v1', kind: 'FunctionRecord' };
}

export function expectStatus(res: Response, code: number, what: string): void {
  if (res.status !== code)
    throw new Error(`${what}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function bounded(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

/** Resident memory of a process in MiB (VmRSS), or NaN when it is gone. */
export async function rssMiB(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  return kb / 1024;
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${new Date().toISOString()}`;
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;
