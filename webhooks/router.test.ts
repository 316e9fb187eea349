// Both webhook routes over HTTPS, as kube-apiserver and the admission chain call them: a few
// fixed exchanges, then random reviews, Function specs, JSON and bytes (fast-check, fixed seed;
// FUZZ_SEED=<n> explores others). Whatever comes in, the answer is an AdmissionReview (200) or a
// 400 Status, never a 500 or a thrown error.
import fc from 'fast-check';
import t from 'tap';
import { minimalFunction } from '../src/api/fixtures.ts';
import { applyPatch, type Operation, validate as validatePatch } from '../src/util/json-patch.ts';
import { admissionReview } from '../test/helpers/function-arbitraries.ts';
import { startWebhookServer } from '../test/helpers/webhook-server.ts';
import { withDefaults } from './defaults.ts';
import { HttpPathIndex } from './http-path-index.ts';
import { MUTATE_PATH, VALIDATE_PATH } from './router.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
t.comment(`fuzz seed ${SEED}, ${RUNS} runs per property`);

const httpPaths = new HttpPathIndex();
const taken = withDefaults(minimalFunction('owner', 'default'));
taken.spec.triggers = { http: { path: '/hello' } };
httpPaths.set(taken);
const server = await startWebhookServer({ httpPaths });
t.teardown(() => server.close());

const reviewOf = (object: unknown, operation = 'CREATE') =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
      operation,
      name: 'hello',
      namespace: 'default',
      object,
    },
  });

t.test('mutate: a patch for a bare function, none for a defaulted one', async (t) => {
  const reply = await server.post(MUTATE_PATH, reviewOf(minimalFunction()));
  t.equal(reply.status, 200);
  t.match(reply.contentType, /^application\/json/);
  const { response } = JSON.parse(reply.body);
  t.match(response, { uid: 'u-1', allowed: true, patchType: 'JSONPatch' });
  const again = JSON.parse((await server.post(MUTATE_PATH, reviewOf(withDefaults(minimalFunction())))).body);
  t.same(again.response, { uid: 'u-1', allowed: true });
});

t.test('validate: a 422 inside a 200 answer', async (t) => {
  const fn = withDefaults(minimalFunction());
  fn.spec.triggers = { http: { path: '/hello' } };
  const { response } = JSON.parse((await server.post(VALIDATE_PATH, reviewOf(fn))).body);
  t.match(response, { uid: 'u-1', allowed: false, status: { code: 422, reason: 'Invalid' } });
});

t.test('not a review: 400 Status; other methods: 405; too large: 413', async (t) => {
  const bad = await server.post(VALIDATE_PATH, 'nope');
  t.equal(bad.status, 400);
  t.match(JSON.parse(bad.body), { kind: 'Status', code: 400, reason: 'BadRequest' });
  const get = await server.send('GET', MUTATE_PATH);
  t.equal(get.status, 405);
  t.match(JSON.parse(get.body), { kind: 'Status', code: 405 });
  const huge = await server.post(MUTATE_PATH, Buffer.alloc(8 * 1024 * 1024, 0x20));
  t.equal(huge.status, 413);
  t.match(JSON.parse(huge.body), { kind: 'Status', code: 413 });
});

type Reply = Awaited<ReturnType<typeof server.post>>;

/** The invariant: 200 with an AdmissionReview for this request, or 400 with a Status. */
function checkReply(path: string, sent: string, reply: Reply): boolean {
  const body = JSON.parse(reply.body);
  if (reply.status === 400) return body.kind === 'Status' && body.code === 400;
  if (reply.status !== 200) return false;
  const request = JSON.parse(sent).request;
  const { response } = body;
  if (
    body.kind !== 'AdmissionReview' ||
    response.uid !== request.uid ||
    typeof response.allowed !== 'boolean'
  )
    return false;
  if (!response.allowed && !(response.status?.kind === 'Status' && response.status.code >= 400)) return false;
  if (response.patch !== undefined) {
    if (path !== MUTATE_PATH || response.patchType !== 'JSONPatch') return false;
    const patch: Operation[] = JSON.parse(Buffer.from(response.patch, 'base64').toString());
    if (validatePatch(patch, structuredClone(request.object)) !== undefined) return false;
    const patched = applyPatch(structuredClone(request.object), patch).newDocument;
    if (JSON.stringify(patched) !== JSON.stringify(withDefaults(request.object))) return false;
  }
  return true;
}

function answerKind(body: string): string {
  const { response } = JSON.parse(body);
  if (response.patch) return 'patched';
  return response.allowed ? 'allowed' : `denied ${response.status?.code}`;
}

const payload = fc.oneof(
  { weight: 12, arbitrary: admissionReview.map((r) => JSON.stringify(r)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100, unit: 'binary' }) },
);

for (const path of [MUTATE_PATH, VALIDATE_PATH]) {
  t.test(`fuzz ${path}: always an AdmissionReview or a 400 Status`, async (t) => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(payload, async (sent) => {
        const reply = await server.post(path, sent);
        const outcome = reply.status === 200 ? answerKind(reply.body) : String(reply.status);
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        if (reply.status === 200) {
          try {
            JSON.parse(sent);
          } catch {
            return false;
          }
        }
        return checkReply(path, sent, reply);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    t.comment(`answers: ${JSON.stringify(Object.fromEntries(seen))}`);
    t.pass('every answer kept the invariant');
  });
}
