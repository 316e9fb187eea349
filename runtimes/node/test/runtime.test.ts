import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startRuntime } from '../src/runtime.js';

const HANDLER = `
exports.handle = async (event, context) => {
  switch (event.path) {
    case '/sync-throw-string': throw 'plain string';
    case '/context': return {
      deadlineIsDate: context.deadline instanceof Date,
      remaining: context.getRemainingTimeMs(),
      json: JSON.parse(JSON.stringify(context)),
    };
    case '/signal': {
      const why = await new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(context.signal.reason.type)));
      globalThis.__aborted = why;
      return 'late';
    }
    case '/slow': await new Promise((r) => setTimeout(r, Number(event.query.ms))); return 'done';
    case '/log': context.log.warn('careful', { n: 1 }); context.log.error(new Error('oops')); return null;
    default: return { method: event.method, body: event.body };
  }
};
exports.syncHandle = (event) => 'sync:' + event.method;
`;

const dir = mkdtempSync(join(tmpdir(), 'node-runtime-inproc-'));
writeFileSync(join(dir, 'handler.js'), HANDLER);
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function start(t: Test, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const rt = await startRuntime({
    env: {
      FUNCTION_DIR: dir,
      FUNCTION_NAME: 'fn',
      FUNCTION_NAMESPACE: 'ns',
      FUNCTION_TIMEOUT_SECONDS: '0.3',
      PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    },
    write: (line) => lines.push(line),
  });
  t.teardown(() => rt.shutdown());
  await rt.loaded;
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { rt, logs };
}

/** A request on its own connection (fetch would pool them). */
function get(url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        url,
        { method: init.method ?? 'GET', headers: init.headers, agent: false },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

t.test('a sync handler under another export name', async (t) => {
  const { rt } = await start(t, { FUNCTION_HANDLER: 'handler.syncHandle' });
  const res = await get(`${rt.url}/x`, { method: 'DELETE' });
  t.equal(res.status, 200);
  t.equal(res.text, 'sync:DELETE');
});

t.test('context: deadline, remaining time, JSON form', async (t) => {
  const { rt } = await start(t);
  const res = await get(`${rt.url}/context`, { headers: { 'x-invocation-id': 'abc' } });
  const body = JSON.parse(res.text);
  t.equal(body.deadlineIsDate, true);
  t.ok(body.remaining > 0 && body.remaining <= 300);
  t.match(body.json, { functionName: 'fn', namespace: 'ns', invocationId: 'abc', deadline: String });
});

t.test('an over-long x-invocation-id is replaced by a fresh one', async (t) => {
  const { rt } = await start(t);
  const res = await get(`${rt.url}/context`, { headers: { 'x-invocation-id': 'x'.repeat(200) } });
  t.match(res.headers['x-invocation-id'], /^[0-9a-f-]{36}$/);
});

t.test('a thrown non-Error value is a 500 of type Error', async (t) => {
  const { rt, logs } = await start(t);
  const res = await get(`${rt.url}/sync-throw-string`);
  t.equal(res.status, 500);
  t.strictSame(JSON.parse(res.text), { error: { type: 'Error', message: 'plain string' } });
  const line = logs().find((l) => l.msg === 'invocation');
  t.match(line, { level: 'error', status: 500, error: { type: 'Error', message: 'plain string' } });
});

t.test('the timeout aborts context.signal', async (t) => {
  const { rt } = await start(t);
  const res = await get(`${rt.url}/signal`);
  t.equal(res.status, 504);
  t.match(JSON.parse(res.text), { error: { type: 'Timeout', message: /timeout of 0.3s/ } });
  await new Promise((r) => setTimeout(r, 20));
  t.equal((globalThis as { __aborted?: string }).__aborted, 'Timeout');
});

t.test('handler logs carry the invocation id and fields', async (t) => {
  const { rt, logs } = await start(t);
  const res = await get(`${rt.url}/log`, { headers: { 'x-invocation-id': 'log-1' } });
  t.equal(res.status, 204);
  t.equal(res.headers['content-type'], undefined);
  t.match(
    logs().find((l) => l.msg === 'careful'),
    { level: 'warn', invocationId: 'log-1', n: 1, function: 'fn' },
  );
  t.match(
    logs().find((l) => l.msg === 'Error: oops'),
    { level: 'error', invocationId: 'log-1' },
  );
});

t.test('HEAD on the invocation path runs the handler without a body', async (t) => {
  const { rt } = await start(t);
  const res = await get(`${rt.url}/thing`, { method: 'HEAD' });
  t.equal(res.status, 200);
  t.equal(res.text, '');
  t.equal(res.headers['content-type'], 'application/json');
});

t.test('drain: /ready turns 503, in-flight work finishes with connection: close', async (t) => {
  const { rt, logs } = await start(t, { FUNCTION_TIMEOUT_SECONDS: '5' });
  const inFlight = get(`${rt.url}/slow?ms=300`);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(rt.state.inFlight, 1);
  const closed = rt.shutdown();
  t.equal(rt.state.ready, false);
  t.equal(rt.state.notReadyReason, 'shutting down');
  const res = await inFlight;
  t.equal(res.status, 200);
  t.equal(res.text, 'done');
  t.equal(res.headers.connection, 'close');
  await closed;
  t.equal(rt.server.listening, false, 'the server is closed');
  t.ok(logs().some((l) => l.msg === 'shutting down'));
  t.ok(logs().some((l) => l.msg === 'stopped'));
});

t.test('/ready says why while not ready, and invocations get NotReady', async (t) => {
  const { rt, logs } = await start(t, { FUNCTION_HANDLER: 'missing.handle' });
  const ready = await get(`${rt.url}/ready`);
  t.equal(ready.status, 503);
  t.match(JSON.parse(ready.text), { ready: false, reason: /handler file missing\.js/ });
  const inv = await get(`${rt.url}/`);
  t.equal(inv.status, 503);
  t.match(JSON.parse(inv.text), { error: { type: 'NotReady', message: /missing\.js/ } });
  t.match(
    logs().find((l) => l.level === 'error'),
    { msg: 'function not loaded', reason: /missing\.js/ },
  );
  const metrics = await get(`${rt.url}/metrics`);
  t.match(
    metrics.text,
    /function_cold_starts_total\{function="fn",namespace="ns"\} 0/,
    'NotReady is no cold start',
  );
  t.match(metrics.text, /function_invocations_total\{function="fn",namespace="ns",code="503"\} 1/);
});

t.test('probe paths are exact and GET-only', async (t) => {
  const { rt } = await start(t);
  t.equal((await get(`${rt.url}/health/`)).status, 200, '/health/ is an invocation');
  t.equal(JSON.parse((await get(`${rt.url}/health/`)).text).method, 'GET');
  t.equal(JSON.parse((await get(`${rt.url}/ready`, { method: 'POST' })).text).method, 'POST');
  t.equal(JSON.parse((await get(`${rt.url}/Metrics`)).text).method, 'GET');
});

t.test('invalid settings fall back to the defaults with a warning', async (t) => {
  const { rt, logs } = await start(t, { FUNCTION_TIMEOUT_SECONDS: 'soon', FUNCTION_MAX_BODY_BYTES: '-1' });
  t.equal(rt.config.timeoutMs, 30_000);
  t.equal(rt.config.maxBodyBytes, 6291456);
  t.equal(logs().filter((l) => l.level === 'warn').length, 2);
});
