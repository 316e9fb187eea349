// Random requests thrown at the aggregated API server on the real local control plane, through
// kube-apiserver as the admin and straight at the replicas with the genuine front-proxy
// certificate: random methods, paths (names, subresources, percent-encoding), query parameters,
// headers (identity extras included), content types and bodies (JSON, YAML, patches, mutated
// Functions, bytes, oversized). Whatever comes in, the answer is never a 500, an error is a
// Kubernetes Status, and no replica exits.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import fc from 'fast-check';
import t from 'tap';
import { stringify as toYaml } from 'yaml';
import { minimalFunction } from '../../src/api/fixtures.ts';
import { startCluster } from '../helpers/cluster.ts';

const NS = 'fuzz';
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
// A fixed seed keeps CI reproducible; FUZZ_SEED=<n> explores other inputs (the seed is printed).
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);

const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const platform = cluster.platform!;
const { pki, ports } = cluster.controlPlane;
const pem = (path: string) => readFile(path, 'utf8');

await cluster.kubectl(['create', 'namespace', NS]);
const existing = (name: string) => JSON.stringify(minimalFunction(name, NS));
await cluster.kubectl(['create', '-f', '-'], existing('target'));
const pidsBefore = platform.replicas.map((replica) => replica.pid);

interface Target {
  name: string;
  port: number;
  agent: Agent;
  headers: Record<string, string>;
}

const viaApiserver: Target = {
  name: 'through kube-apiserver',
  port: ports.apiserver,
  agent: new Agent({
    keepAlive: true,
    maxSockets: 4,
    ca: await pem(pki.ca.cert),
    cert: await pem(pki.admin.cert),
    key: await pem(pki.admin.key),
    servername: 'localhost',
  }),
  headers: {},
};
const frontProxy = {
  ca: await pem(platform.servingCaFile),
  cert: await pem(pki.frontProxyClient.cert),
  key: await pem(pki.frontProxyClient.key),
  servername: 'localhost',
};
const direct: Target[] = platform.replicaPorts.map((port, index) => ({
  name: `straight at replica ${index}`,
  port,
  agent: new Agent({ keepAlive: true, maxSockets: 4, ...frontProxy }),
  headers: { 'x-remote-user': 'fuzz-admin', 'x-remote-group': 'system:masters' },
}));
t.teardown(() => {
  for (const target of [viaApiserver, ...direct]) target.agent.destroy();
});

// ---- what a request is made of -------------------------------------------------------------

const token = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/);
const anyText = fc.string({ maxLength: 40, unit: 'binary' });
/** A path segment: a plausible name, or arbitrary text percent-encoded, or broken encoding. */
const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('target', 'missing', 'fn-1') },
  { weight: 2, arbitrary: token },
  { weight: 2, arbitrary: anyText.map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '.', '%2F', '%00', '~', 'a%2Fb') },
);
const subresource = fc.constantFrom('status', 'scale', 'invoke', 'metrics', 'log', 'exec', 'proxy', '');
const resourcePath = fc
  .record({
    namespace: fc.option(
      fc.oneof({ weight: 5, arbitrary: fc.constant(NS) }, { weight: 1, arbitrary: segment }),
    ),
    resource: fc.oneof({ weight: 6, arbitrary: fc.constant('functions') }, { weight: 1, arbitrary: segment }),
    name: fc.option(segment),
    subresource: fc.option(subresource),
    extra: fc.option(segment, { freq: 8 }),
  })
  .map(({ namespace, resource, name, subresource, extra }) =>
    [
      '/apis/serverless.kube.io/v1',
      namespace === null ? '' : `/namespaces/${namespace}`,
      `/${resource}`,
      name === null ? '' : `/${name}`,
      name === null || subresource === null ? '' : `/${subresource}`,
      extra === null ? '' : `/${extra}`,
    ].join(''),
  );
const otherPath = fc.constantFrom(
  '/apis/serverless.kube.io/v1',
  '/apis/serverless.kube.io/v1/',
  '/apis/serverless.kube.io/v1/functions',
  '/apis/serverless.kube.io/v1/namespaces',
  '/apis/serverless.kube.io/v1/namespaces/fuzz',
  '/apis/serverless.kube.io/v1/watch/functions',
  '/apis/serverless.kube.io/v1/watch/namespaces/fuzz/functions',
  '/apis/serverless.kube.io/v1/watch/namespaces/fuzz/functions/target',
  '/apis/serverless.kube.io/v1/watch/namespaces/fuzz/functions/target/status',
  '/apis/serverless.kube.io/v2/functions',
  '/apis/serverless.kube.io',
  '/apis',
  '/openapi/v2',
  '/openapi/v3',
  '/openapi/v3/apis/serverless.kube.io/v1',
  '/openapi/v3/apis/serverless.kube.io/v1?hash=nope',
  '/healthz',
  '/readyz',
  '/metrics',
  '/',
);
const queryParam = fc.oneof(
  fc.tuple(
    fc.constantFrom(
      'watch',
      'resourceVersion',
      'resourceVersionMatch',
      'limit',
      'continue',
      'labelSelector',
      'fieldSelector',
      'dryRun',
      'fieldManager',
      'fieldValidation',
      'timeoutSeconds',
      'propagationPolicy',
      'gracePeriodSeconds',
      'allowWatchBookmarks',
      'sendInitialEvents',
      'force',
      'pretty',
    ),
    fc.oneof(
      fc.constantFrom(
        'true',
        '1',
        'false',
        '0',
        '-1',
        'All',
        'Strict',
        'Warn',
        'Ignore',
        'NotOlderThan',
        'x=y',
      ),
      anyText,
    ),
  ),
  fc.tuple(token, anyText),
);
const query = fc
  .array(queryParam, { maxLength: 4 })
  .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : ''));

const method = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'CONNECT', 'TRACE', 'PROPFIND', 'WATCH') },
);
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/yaml',
    'application/merge-patch+json',
    'application/json-patch+json',
    'application/apply-patch+yaml',
    'application/strategic-merge-patch+json',
    'application/vnd.kubernetes.protobuf',
    'application/cbor',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    '',
    ';;;',
  ),
  token.map((type) => `${type}/${type}`),
);
const accept = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
    'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
    'application/vnd.kubernetes.protobuf',
    'application/yaml',
    'text/html',
    '*/*',
    'application/json;as=Nope;v=v9;g=x',
  ),
);

/** A Function with random damage: wrong type meta, foreign names, odd specs, unknown fields. */
const mutatedFunction = fc
  .record({
    apiVersion: fc.constantFrom(
      'serverless.kube.io/v1',
      'serverless.kube.io/v2',
      'internal.serverless.kube.io/v1',
      'v1',
      '',
      7,
      null,
    ),
    kind: fc.constantFrom('Function', 'FunctionRecord', 'FunctionList', 'Status', 'Pod', '', null),
    name: fc.oneof(fc.constantFrom('target', 'fn-1', 'x'), anyText, fc.constant(null)),
    namespace: fc.option(fc.constantFrom(NS, 'other', '')),
    metadataExtra: fc.dictionary(
      fc.constantFrom(
        'labels',
        'annotations',
        'resourceVersion',
        'uid',
        'managedFields',
        'ownerReferences',
        'finalizers',
        'generateName',
      ),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 3 },
    ),
    spec: fc.oneof(
      fc.constant(minimalFunction().spec as unknown),
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({
        runtime: fc.oneof(fc.constantFrom('nodejs', 'python', 'go', 'cobol'), fc.jsonValue({ maxDepth: 1 })),
        source: fc.jsonValue({ maxDepth: 2 }),
        scale: fc.jsonValue({ maxDepth: 2 }),
      }),
    ),
    extra: fc.dictionary(token, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
  })
  .map(({ apiVersion, kind, name, namespace, metadataExtra, spec, extra }) => ({
    ...extra,
    apiVersion,
    kind,
    metadata: { ...metadataExtra, name, ...(namespace === null ? {} : { namespace }) },
    spec,
  }));
const jsonPatch = fc.array(
  fc.record(
    {
      op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'nope'),
      path: fc.oneof(
        fc.constantFrom(
          '/spec',
          '/spec/runtime',
          '/metadata/name',
          '/metadata/labels/a',
          '/apiVersion',
          '/kind',
          '',
          '/~2',
          '/-',
        ),
        anyText,
      ),
      from: fc.constantFrom('/spec', '/metadata', '/nope'),
      value: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['op'] },
  ),
  { maxLength: 4 },
);
const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: mutatedFunction.map((fn) => JSON.stringify(fn)) },
  { weight: 2, arbitrary: mutatedFunction.map((fn) => toYaml(fn)) },
  { weight: 2, arbitrary: jsonPatch.map((patch) => JSON.stringify(patch)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: mutatedFunction.map((fn) => {
      const text = JSON.stringify(fn);
      return text.slice(0, Math.floor(text.length / 2));
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{',
      '[',
      '"',
      'null',
      '---\n: :',
      '{"a":1}{"b":2}',
      '\u0000',
      '{"apiVersion":',
    ),
  },
);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const extraHeaders = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'x-remote-user',
      'x-remote-group',
      'impersonate-user',
      'if-none-match',
      'if-match',
      'expect',
      'x-remote-uid',
    ),
    token.map((key) => `x-remote-extra-${key}`),
    fc.constantFrom('x-remote-extra-%zz', 'x-remote-extra-a%2Fb', 'x-remote-extra-%', 'x-remote-extra-'),
    token.map((key) => `x-fuzz-${key}`),
  ),
  headerValue,
  { maxKeys: 4 },
);

const fuzzRequest = fc.record({
  method,
  path: fc.oneof({ weight: 8, arbitrary: resourcePath }, { weight: 1, arbitrary: otherPath }),
  query,
  contentType,
  accept,
  body,
  headers: extraHeaders,
});
type FuzzRequest = typeof fuzzRequest extends fc.Arbitrary<infer R> ? R : never;

// ---- sending and judging --------------------------------------------------------------------

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Sends the request; a streaming answer (a watch: no Content-Length) is cut after its first
 * second. An answer with a length is read to its end, however slowly its body comes on a
 * loaded machine: cutting it would look like a connection closed without an answer.
 */
function send(target: Target, req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const payload = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const headers: Record<string, string | number> = { ...req.headers, ...target.headers };
    if (req.contentType) headers['content-type'] = req.contentType;
    if (req.accept !== null) headers.accept = req.accept;
    if (payload) headers['content-length'] = payload.length;
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: target.port,
        agent: target.agent,
        method: req.method,
        path: req.path + req.query,
        headers,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        const streaming = res.headers['content-length'] === undefined;
        const timer = setTimeout(() => streaming && res.destroy(), 1000);
        const done = () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        };
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', done);
        res.on('close', done);
        res.on('error', () => {});
      },
    );
    // A CONNECT (or upgrade) answer arrives as its own event, with the raw socket.
    for (const event of ['connect', 'upgrade'] as const) {
      outgoing.on(event, (res: IncomingMessage, socket: Duplex) => {
        socket.destroy();
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: '',
        });
      });
    }
    // Closed without any answer: status 0, which the judge refuses. (Once an answer has begun,
    // its own end or close resolves, with the status it carries.)
    outgoing.on('close', () => {
      if (!answered) resolve({ status: 0, contentType: '', body: 'connection closed without an answer' });
    });
    outgoing.on('error', reject);
    // No answer at all is a failure too (a handler that never responds), not a stalled suite.
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('no answer within 30 s')));
    outgoing.end(payload);
  });
}

const PRIVATE_NAMES = /internal\.serverless|FunctionRecord|functionrecords/;

/**
 * kube-apiserver's own 500s for a CRD, passed through exactly as the CRD answers them (each
 * checked against the backing CRD directly): reads and watches with a resourceVersion that is not
 * a number, a single object asked for as a PartialObjectMetadataList ("content is not a list"),
 * and a scale read of an object without spec.replicas (to be set by the controller).
 */
const upstreamCrd500 = (_req: FuzzRequest, answer: Answer) =>
  answer.status === 500 &&
  /resourceVersion: Invalid value: .*strconv\.ParseUint|content is not a list|the spec replicas field ".spec.replicas" does not exist/.test(
    answer.body,
  );

/** A %-escape that does not decode: Go's url.ParseRequestURI refuses the request line. */
const BROKEN_ESCAPE = /%(?![0-9a-fA-F]{2})/;

/**
 * Go's HTTP server answers a request line it cannot parse itself, before any handler runs:
 * `400 Bad Request`, `Connection: close` and a plain-text body even for a HEAD, which a
 * Node client then reports as data after `Connection: close`. kube-apiserver's own answer for
 * every path (checked below against the backing CRD and a core path), never ours.
 */
const upstreamBadRequestLine = (target: Target, req: FuzzRequest, answer: Answer) =>
  target === viaApiserver &&
  req.method === 'HEAD' &&
  BROKEN_ESCAPE.test(req.path) &&
  /Data after `Connection: close`/.test(answer.body);

function judge(target: Target, req: FuzzRequest, answer: Answer): string | undefined {
  const what = `${target.name}: ${req.method} ${req.path}${req.query} → ${answer.status} ${answer.body.slice(0, 300)}`;
  // Through kube-apiserver, only /apis/serverless.kube.io/v1/... reaches us; the rest (its own
  // OpenAPI, other groups) is kube-apiserver's answer, not ours to judge.
  if (target === viaApiserver && !req.path.startsWith('/apis/serverless.kube.io/v1')) return undefined;
  if (answer.status === 0 && !upstreamBadRequestLine(target, req, answer)) return `no status: ${what}`;
  if (answer.status === 500 && !upstreamCrd500(req, answer)) return `500: ${what}`;
  if (answer.status > 500) {
    // The one 5xx of our own: subresources this version does not serve yet.
    const notServed =
      answer.status === 503 &&
      (/functions\/(invoke|metrics) is not served/.test(answer.body) ||
        (req.method === 'HEAD' && /\/functions\/[^/]+\/(invoke|metrics)(\/|$)/.test(req.path)));
    if (!notServed) return `5xx: ${what}`;
  }
  const bodyless = req.method === 'HEAD' || req.method === 'CONNECT';
  if (answer.status >= 400 && answer.contentType.startsWith('application/json') && !bodyless) {
    try {
      const status = JSON.parse(answer.body);
      if (status.kind !== 'Status' || status.code !== answer.status) return `not a Status: ${what}`;
      // An answer may quote what the request itself said; otherwise the private names never show.
      if (PRIVATE_NAMES.test(answer.body) && !PRIVATE_NAMES.test(JSON.stringify(req)))
        return `the private group shows: ${what}`;
    } catch {
      return `an error that is not JSON: ${what}`;
    }
  }
  return undefined;
}

for (const target of [viaApiserver, ...direct]) {
  t.test(`random requests ${target.name}: never a 500`, async (t) => {
    const seen = new Map<number, number>();
    // Every distinct problem, by status and the start of its answer, with one example each:
    // the run goes on after a problem, so one kind of failure does not hide the others.
    const problems = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (req) => {
        const answer = await send(target, req).catch((error: Error) => ({
          status: 0,
          contentType: '',
          body: `request failed: ${error.message}`,
        }));
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        const problem = judge(target, req, answer);
        if (problem) problems.set(`${answer.status} ${answer.body.slice(0, 120)}`, problem);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    t.comment(
      `seed ${SEED}, status codes: ${JSON.stringify(Object.fromEntries([...seen].sort(([a], [b]) => a - b)))}`,
    );
    t.same([...problems.values()], [], `${RUNS} requests answered without a server error`);
  });
}

/** The raw bytes kube-apiserver answers to a request line, read until it closes the connection. */
async function rawAnswer(requestLine: string): Promise<string> {
  const socket = connect({
    host: '127.0.0.1',
    port: ports.apiserver,
    ca: await pem(pki.ca.cert),
    cert: await pem(pki.admin.cert),
    key: await pem(pki.admin.key),
    servername: 'localhost',
  });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => socket.write(`${requestLine}\r\nHost: localhost\r\n\r\n`));
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  return Buffer.concat(chunks).toString('utf8');
}

t.test('a broken escape in the path: kube-apiserver answers it alike for every path, HEAD too', async (t) => {
  const paths = [
    `/apis/serverless.kube.io/v1/namespaces/${NS}/functions/target/%zz`,
    `/apis/internal.serverless.kube.io/v1/namespaces/${NS}/functionrecords/target/%zz`,
    `/api/v1/namespaces/${NS}/configmaps/%zz`,
  ];
  const answers = await Promise.all(paths.map((path) => rawAnswer(`HEAD ${path} HTTP/1.1`)));
  t.match(answers[0], /^HTTP\/1\.[01] 400 Bad Request\r\n(.*\r\n)*Connection: close\r\n\r\n400 Bad Request/);
  t.same(answers.slice(1), [answers[0], answers[0]], 'the backing CRD and a core path get the same bytes');
});

t.test('oversized bodies are refused, not swallowed', async (t) => {
  const big = `{"apiVersion":"serverless.kube.io/v1","kind":"Function","metadata":{"name":"big"},"spec":{"runtime":"nodejs","source":{"inline":"${'x'.repeat(4 * 1024 * 1024)}"}}}`;
  for (const target of [viaApiserver, ...direct]) {
    for (const method of ['POST', 'PUT'] as const) {
      const answer = await send(target, {
        method,
        path: `/apis/serverless.kube.io/v1/namespaces/${NS}/functions${method === 'PUT' ? '/target' : ''}`,
        query: '',
        contentType: 'application/json',
        accept: 'application/json',
        body: big,
        headers: {},
      });
      t.equal(answer.status, 413, `${target.name} ${method}: ${answer.body.slice(0, 200)}`);
    }
  }
});

t.test('the replicas never exited', async (t) => {
  t.same(
    platform.replicas.map((replica) => replica.crashes.length),
    platform.replicas.map(() => 0),
    'no crashes',
  );
  t.same(
    platform.replicas.map((replica) => replica.pid),
    pidsBefore,
    'the same processes as at the start',
  );
});
