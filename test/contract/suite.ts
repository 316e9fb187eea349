/**
 * The language-neutral contract suite: the same requests against every runtime, the same answers
 * expected (docs/runtime-contract.md). One test file per language calls contractSuite(lang).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  CASES,
  type Expected,
  FUNCTION_NAME,
  JSON_CT,
  MAX_BODY_BYTES,
  NAMESPACE,
  TEXT,
  TIMEOUT_SECONDS,
} from './cases.ts';
import {
  type HttpResponse,
  type Language,
  REPO_ROOT,
  type RuntimeProcess,
  readLocalSpec,
  startRuntime,
} from './runtime-process.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export const fixtureDir = (lang: Language) => join(REPO_ROOT, 'test/contract/fixtures', lang);
const missingExport = (lang: Language) => (lang === 'go' ? 'handler.Nope' : 'handler.nope');

const baseEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  FUNCTION_NAME,
  FUNCTION_NAMESPACE: NAMESPACE,
  FUNCTION_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
  FUNCTION_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  ...extra,
});

/** Checks a response against the table's expectation. */
export function checkResponse(t: Test, res: HttpResponse, want: Expected): void {
  t.equal(res.status, want.status, 'status');
  if (want.contentType !== undefined) {
    t.equal(res.headers['content-type'] ?? null, want.contentType, 'content-type');
  }
  for (const [name, value] of Object.entries(want.headers ?? {}))
    t.equal(res.headers[name], value, `header ${name}`);
  if (want.json !== undefined) {
    let parsed: unknown;
    t.doesNotThrow(() => {
      parsed = res.json();
    }, 'body is JSON');
    t.strictSame(parsed, want.json, 'JSON body');
  }
  if (want.text !== undefined) t.equal(res.text, want.text, 'text body');
  if (want.hex !== undefined) t.equal(res.body.toString('hex'), want.hex, 'bytes body');
  if (want.errorType !== undefined) {
    const body = res.json() as { error?: { type?: unknown; message?: unknown } };
    t.strictSame(Object.keys(body), ['error'], 'error body has only "error"');
    t.equal(body.error?.type, want.errorType, 'error type');
    t.type(body.error?.message, 'string', 'error message');
    if (want.errorMessage) t.match(String(body.error?.message), want.errorMessage, 'error message text');
  }
  t.ok(res.headers['x-invocation-id'], 'x-invocation-id header');
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

const ours = (s: Sample) => s.labels.function === FUNCTION_NAME && s.labels.namespace === NAMESPACE;

async function metric(
  rt: RuntimeProcess,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const res = await rt.request('/metrics');
  const found = parseMetrics(res.text).find(
    (s) => s.name === name && ours(s) && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value;
}

async function eventually<T>(what: string, get: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The runtime with the fixture function, stopped at the end of the test `t`. */
async function fixtureRuntime(t: Test, lang: Language, env: Record<string, string> = {}) {
  const depsCache = mkdtempSync(join(tmpdir(), `contract-${lang}-cache-`));
  const rt = await startRuntime(lang, {
    functionDir: fixtureDir(lang),
    env: baseEnv({ FUNCTION_DEPS_CACHE_DIR: depsCache, ...env }),
  });
  t.teardown(async () => {
    await rt.stop();
    rmSync(depsCache, { recursive: true, force: true });
  });
  return rt;
}

async function checkNotReady(t: Test, rt: RuntimeProcess, mention: RegExp) {
  t.equal((await rt.request('/health')).status, 200, '/health is 200 although the function did not load');
  // wait for the load to fail: /ready 503 with a reason that is also in an error log line
  let reason = '';
  await rt.waitUntil(
    'the load failure in /ready and in the log',
    async () => {
      const res = await rt.request('/ready');
      if (res.status !== 503) return false;
      const body = res.json() as { ready?: unknown; reason?: unknown };
      if (body.ready !== false || typeof body.reason !== 'string') return false;
      reason = body.reason;
      return rt
        .logs()
        .some((l) => l.level === 'error' && JSON.stringify(l).includes(JSON.stringify(reason).slice(1, -1)));
    },
    rt.readyTimeoutMs,
  );
  t.match(reason, mention, `the reason names the problem: ${reason}`);
  const res = await rt.request('/', { method: 'POST' });
  t.equal(res.status, 503, 'an invocation answers 503');
  t.equal((res.json() as { error: { type: string } }).error.type, 'NotReady', 'type NotReady');
  t.ok(res.headers['x-invocation-id'], 'x-invocation-id header');
  t.equal((await rt.request('/health')).status, 200, 'still healthy');
}

export function contractSuite(lang: Language): void {
  const spec = readLocalSpec(lang);
  if (spec === undefined) {
    t.test(`${lang} runtime contract`, { skip: `runtimes/${lang}/local.json does not exist yet` }, () => {});
    return;
  }

  t.test(`${lang}: the contract table`, async (t) => {
    const rt = await fixtureRuntime(t, lang);
    await rt.waitReady();

    t.test('probes before the first invocation', async (t) => {
      const health = await rt.request('/health');
      t.equal(health.status, 200);
      t.strictSame(health.json(), { status: 'ok' });
      const ready = await rt.request('/ready');
      t.equal(ready.status, 200);
      t.strictSame(ready.json(), { ready: true });
      t.equal(await metric(rt, 'function_cold_starts_total'), 0, 'no cold start counted yet');
    });

    for (const c of CASES) {
      t.test(c.name, async (t) => {
        const res = await rt.request(c.path, c.req);
        checkResponse(t, res, c.want);
      });
    }

    t.test('context fields', async (t) => {
      const given = await rt.request('/context', { headers: { 'x-invocation-id': 'contract-id-1' } });
      t.equal(given.status, 200);
      t.equal(given.headers['x-invocation-id'], 'contract-id-1', 'the caller id is echoed');
      const body = given.json() as Record<string, unknown>;
      t.equal(body.functionName, FUNCTION_NAME);
      t.equal(body.namespace, NAMESPACE);
      t.equal(body.invocationId, 'contract-id-1');
      t.ok(
        typeof body.remainingMs === 'number' &&
          body.remainingMs > 0 &&
          body.remainingMs <= TIMEOUT_SECONDS * 1000,
        `remaining time within the timeout (${body.remainingMs})`,
      );
      const fresh = await rt.request('/context');
      const id = (fresh.json() as Record<string, unknown>).invocationId;
      t.match(id, UUID_V4, 'a fresh UUID v4 without the header');
      t.equal(fresh.headers['x-invocation-id'], id, 'the same id in the response header');
    });

    t.test('logs: handler lines and one line per invocation', async (t) => {
      const res = await rt.request('/log', { headers: { 'x-invocation-id': 'contract-log-1' } });
      t.equal(res.status, 200);
      t.equal(res.text, 'logged');
      const handlerLine = await eventually('the handler log line', () =>
        rt.logs().find((l) => l.msg === 'fixture log line' && l.invocationId === 'contract-log-1'),
      );
      t.equal(handlerLine.level, 'info');
      t.equal(handlerLine.fixture, true, 'extra fields are kept');
      t.equal(handlerLine.function, FUNCTION_NAME);
      t.equal(handlerLine.namespace, NAMESPACE);
      t.match(handlerLine.time, ISO_TIME);
      const line = await eventually('the invocation log line', () =>
        rt.logs().find((l) => l.msg === 'invocation' && l.invocationId === 'contract-log-1'),
      );
      t.match(line, {
        level: 'info',
        function: FUNCTION_NAME,
        namespace: NAMESPACE,
        method: 'GET',
        path: '/log',
        status: 200,
        coldStart: false,
      });
      t.type(line.durationMs, 'number', 'durationMs is a number');
      t.match(line.time, ISO_TIME, 'time is ISO 8601');
      const invocations = rt.logs().filter((l) => l.msg === 'invocation');
      t.ok(invocations.length >= CASES.length, 'one line per invocation');
      t.equal(invocations.filter((l) => l.coldStart === true).length, 1, 'exactly one cold start');
      t.equal(invocations[0]?.coldStart, true, 'the first invocation is the cold start');
      const failed = invocations.find((l) => l.status === 500 && l.path === '/throw');
      t.equal(failed?.level, 'error', 'a 500 is logged at error');
      t.strictSame(
        rt.lines.filter(
          (l) => !/^\s*\{/.test(l) || Number.isNaN(Date.parse(String(JSON.parse(l).time ?? 'x'))),
        ),
        [],
        'every stdout line is a JSON object with a time',
      );
    });

    t.test('metrics', async (t) => {
      const res = await rt.request('/metrics');
      t.equal(res.status, 200);
      t.match(res.headers['content-type'], /^text\/plain/);
      const samples = parseMetrics(res.text).filter(ours);
      const count = (code: string) =>
        samples.find((s) => s.name === 'function_invocations_total' && s.labels.code === code)?.value ?? 0;
      t.ok(count('200') >= 10, `function_invocations_total{code="200"} = ${count('200')}`);
      t.ok(count('500') >= 2, `function_invocations_total{code="500"} = ${count('500')}`);
      t.ok(count('504') >= 1, 'a 504 is counted');
      t.ok(count('413') >= 1, 'a 413 is counted');
      t.equal(samples.find((s) => s.name === 'function_cold_starts_total')?.value, 1, 'one cold start');
      const buckets = samples.filter((s) => s.name === 'function_duration_seconds_bucket');
      t.ok(buckets.length >= 10, 'duration histogram buckets');
      t.ok(
        buckets.some((s) => Number(s.labels.le) === 60),
        'the contract buckets go up to 60 s',
      );
      const total = samples.find((s) => s.name === 'function_duration_seconds_count')?.value ?? 0;
      t.ok(total >= CASES.length, `function_duration_seconds_count = ${total}`);
      t.ok(
        parseMetrics(res.text).some((s) => s.name === 'process_cpu_seconds_total'),
        'default process metrics are exposed',
      );
    });

    t.test('concurrent invocations run concurrently', async (t) => {
      // Proven by order, not by time: quick calls finish while slow ones are still in flight.
      let slowDone = 0;
      const slow = Array.from({ length: 7 }, () =>
        rt.request('/sleep?ms=700').finally(() => {
          slowDone++;
        }),
      );
      const quick = await Promise.all(Array.from({ length: 3 }, () => rt.request('/string')));
      t.equal(slowDone, 0, 'quick invocations were answered while seven slow ones ran');
      t.ok(
        quick.every((r) => r.status === 200),
        'quick calls succeed',
      );
      const all = await Promise.all(slow);
      t.ok(
        all.every((r) => r.status === 200),
        'slow calls succeed',
      );
    });

    t.test('a handler that throws on every call leaves the server healthy', async (t) => {
      for (let i = 0; i < 25; i++) {
        const res = await rt.request('/throw', {
          method: 'POST',
          body: `{"i":${i}}`,
          headers: { 'content-type': 'application/json' },
        });
        if (res.status !== 500) t.fail(`call ${i}: status ${res.status}`);
      }
      t.equal((await rt.request('/health')).status, 200, '/health');
      t.equal((await rt.request('/ready')).status, 200, '/ready');
      checkResponse(t, await rt.request('/string'), { status: 200, contentType: TEXT, text: 'hello, world' });
    });

    t.test('a handler that never returns gets 504 at its timeout; the server stays responsive', async (t) => {
      const started = Date.now();
      let hangDone = false;
      const hang = rt.request('/hang').finally(() => {
        hangDone = true;
      });
      await new Promise((r) => setTimeout(r, 200));
      checkResponse(t, await rt.request('/string'), { status: 200, contentType: TEXT, text: 'hello, world' });
      t.notOk(hangDone, 'other invocations are served while one hangs');
      const res = await hang;
      const elapsed = Date.now() - started;
      checkResponse(t, res, { status: 504, contentType: JSON_CT, errorType: 'Timeout' });
      // Only a lower bound: the 504 must not come before the timeout (an upper bound would be a
      // timed assertion that a busy machine breaks).
      t.ok(elapsed >= TIMEOUT_SECONDS * 1000 - 50, `504 after ${elapsed} ms, not before the timeout`);
      t.equal((await rt.request('/health')).status, 200, '/health');
      checkResponse(t, await rt.request('/json'), {
        status: 200,
        contentType: JSON_CT,
        json: { message: 'hi', n: 1, list: [1, 2, 3], nested: { ok: true } },
      });
    });
  });

  t.test(`${lang}: SIGTERM mid-request completes the request, then exits 0`, async (t) => {
    const rt = await fixtureRuntime(t, lang, { FUNCTION_TIMEOUT_SECONDS: '5' });
    await rt.waitReady();
    const pending = rt.request('/sleep?ms=800');
    await new Promise((r) => setTimeout(r, 250));
    rt.signal('SIGTERM');
    const res = await pending;
    t.equal(res.status, 200, 'the in-flight request completes');
    t.strictSame(res.json(), { slept: 800 });
    const exit = await Promise.race([
      rt.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000)),
    ]);
    t.strictSame(exit, { code: 0, signal: null }, 'the process exits 0 after draining');
  });

  t.test(`${lang}: a missing handler file → not ready, with the reason`, async (t) => {
    const empty = mkdtempSync(join(tmpdir(), `contract-${lang}-empty-`));
    t.teardown(() => rmSync(empty, { recursive: true, force: true }));
    const rt = await startRuntime(lang, { functionDir: empty, env: baseEnv() });
    t.teardown(() => rt.stop());
    await checkNotReady(t, rt, /handler/i);
  });

  t.test(`${lang}: a missing handler export → not ready, with the reason`, async (t) => {
    const rt = await fixtureRuntime(t, lang, { FUNCTION_HANDLER: missingExport(lang) });
    await checkNotReady(t, rt, /nope/i);
  });
}
