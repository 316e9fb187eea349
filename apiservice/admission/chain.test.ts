import t from 'tap';
import { startWebhookServer } from '../../test/helpers/third-party-webhook.ts';
import type { StatusError } from '../errors.ts';
import { validateFunction } from './admission.ts';
import { AdmissionChain } from './chain.ts';
import type { AdmissionAttributes } from './review.ts';
import { type Webhook, webhooksOf } from './webhooks.ts';

const fn = {
  apiVersion: 'serverless.kube.io/v1',
  kind: 'Function',
  metadata: { name: 'hello', namespace: 'a', labels: { app: 'x' } },
  spec: { runtime: 'nodejs', source: { inline: 'exports.handle = () => 1;' } },
};
const attrs = (more: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE',
  group: 'serverless.kube.io',
  version: 'v1',
  resource: 'functions',
  subresource: '',
  namespace: 'a',
  name: 'hello',
  kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
  user: { username: 'alice', groups: [], extra: {} },
  dryRun: false,
  options: {},
  object: structuredClone(fn),
  oldObject: undefined,
  ...more,
});

function hooks(kind: 'mutating' | 'validating', entries: Array<Record<string, unknown>>): Webhook[] {
  return webhooksOf(kind, {
    metadata: { name: 'config' },
    webhooks: entries.map((e, i) => ({
      name: `w${i}.example.com`,
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      clientConfig: {},
      ...e,
    })),
  });
}

/** The Status a refused run throws. */
async function refusal(run: Promise<unknown>): Promise<StatusError['status']> {
  try {
    await run;
  } catch (error) {
    return (error as StatusError).status;
  }
  throw new Error('admitted');
}

const chain = new AdmissionChain({ resolveService: async () => undefined, validate: validateFunction });

t.test(
  'mutations apply in order; IfNeeded is reinvoked when a later webhook changed the object',
  async (t) => {
    let calls = 0;
    const first = await startWebhookServer(() => {
      calls++;
      return {};
    });
    const second = await startWebhookServer(() => ({
      patch: [{ op: 'add', path: '/metadata/labels/added', value: 'yes' }],
      warnings: ['from second'],
    }));
    t.teardown(() => Promise.all([first.close(), second.close()]));
    const mutating = hooks('mutating', [
      { clientConfig: { url: first.url(), caBundle: first.caBundle }, reinvocationPolicy: 'IfNeeded' },
      { clientConfig: { url: second.url(), caBundle: second.caBundle } },
    ]);
    const result = await chain.run(attrs(), mutating, []);
    t.same((result.object as typeof fn).metadata.labels, { app: 'x', added: 'yes' });
    t.equal(calls, 2, 'the IfNeeded webhook was called again');
    t.same(result.warnings, ['from second']);
    t.match(second.received[0]?.path, /\?timeout=10s$/);
  },
);

t.test(
  'a denied request keeps the warnings of the webhooks called before and of the one denying',
  async (t) => {
    const warns = await startWebhookServer(() => ({ warnings: ['from the mutating one'] }));
    const denies = await startWebhookServer(() => ({
      allowed: false,
      status: { code: 403, message: 'no' },
      warnings: ['from the denying one'],
    }));
    t.teardown(() => Promise.all([warns.close(), denies.close()]));
    const at = (server: typeof warns) => ({ clientConfig: { url: server.url(), caBundle: server.caBundle } });
    const error = await chain
      .run(attrs(), hooks('mutating', [at(warns)]), hooks('validating', [at(denies)]))
      .then(
        () => undefined,
        (e: StatusError) => e,
      );
    t.equal(error?.code, 403);
    t.same(error?.warnings, ['from the mutating one', 'from the denying one']);
  },
);

t.test('denials, failure policies and dry runs', async (t) => {
  const deny = await startWebhookServer(() => ({ allowed: false, status: { code: 403, message: 'no way' } }));
  const bare = await startWebhookServer(() => ({ allowed: false }));
  t.teardown(() => Promise.all([deny.close(), bare.close()]));
  const at = (server: typeof deny, more: Record<string, unknown> = {}) => ({
    clientConfig: { url: server.url(), caBundle: server.caBundle },
    ...more,
  });
  t.match(await refusal(chain.run(attrs(), [], hooks('validating', [at(deny)]))), {
    code: 403,
    message: 'admission webhook "w0.example.com" denied the request: no way',
  });
  t.match(await refusal(chain.run(attrs(), [], hooks('validating', [at(bare)]))), {
    code: 400,
    message: 'admission webhook "w0.example.com" denied the request without explanation',
  });
  const down = { clientConfig: { url: 'https://127.0.0.1:1/' } };
  t.match(await refusal(chain.run(attrs(), hooks('mutating', [down]), [])), {
    code: 500,
    reason: 'InternalError',
    message:
      'Internal error occurred: failed calling webhook "w0.example.com": failed to call webhook: Post "https://127.0.0.1:1/?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused',
  });
  t.ok(await chain.run(attrs(), hooks('mutating', [{ ...down, failurePolicy: 'Ignore' }]), []));
  const untrusted = { clientConfig: { url: deny.url() } };
  t.match(await refusal(chain.run(attrs(), [], hooks('validating', [untrusted]))), {
    code: 500,
    message:
      /failed to call webhook: Post ".*": tls: failed to verify certificate: x509: certificate signed by unknown authority$/,
  });
  const sideEffects = at(deny, { sideEffects: 'Unknown' });
  t.match(await refusal(chain.run(attrs({ dryRun: true }), [], hooks('validating', [sideEffects]))), {
    code: 400,
    message: 'admission webhook "w0.example.com" does not support dry run',
  });
  const conditions = at(bare, { matchConditions: [{ name: 'c', expression: 'true' }] });
  t.match(await refusal(chain.run(attrs(), [], hooks('validating', [conditions]))), {
    code: 500,
    message: /matchConditions are not supported/,
  });
});

t.test('built-in validation runs between the mutating and the validating webhooks', async (t) => {
  const seen = await startWebhookServer();
  t.teardown(() => seen.close());
  const broken = attrs({ object: { ...structuredClone(fn), spec: { runtime: 7 } } });
  t.match(
    await refusal(
      chain.run(
        broken,
        [],
        hooks('validating', [{ clientConfig: { url: seen.url(), caBundle: seen.caBundle } }]),
      ),
    ),
    { code: 422, reason: 'Invalid' },
  );
  t.equal(seen.received.length, 0, 'the validating webhook never saw the invalid object');
});
