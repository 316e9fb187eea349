// fast-check arbitraries for Function objects and AdmissionReviews: mostly plausible specs (every
// field optional, some of the wrong type or null), some arbitrary JSON.
import fc from 'fast-check';
import { API_VERSION, BACKING_API_VERSION, BACKING_KIND, KIND } from '../../src/api/constants.ts';
import { RUNTIME_IDS } from '../../src/api/runtimes.ts';

const oddValue = fc.oneof(fc.constant(null), fc.string({ maxLength: 5 }), fc.integer(), fc.boolean());
/** Mostly `arb`, sometimes null or a value of another type. */
const sometimesOdd = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: oddValue });
const rarelyOdd = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 30, arbitrary: arb }, { weight: 1, arbitrary: oddValue });

const quantity = fc.oneof(
  fc.constantFrom('100m', '1', '2', '250m', '64Mi', '128Mi', '1Gi', '-1', 'lots', '1e3', '0.5'),
  fc.integer({ min: -2, max: 4 }),
);
const resourceMap = fc.dictionary(fc.constantFrom('cpu', 'memory', 'ephemeral-storage'), quantity, {
  maxKeys: 3,
});
const name = fc.stringMatching(/^[a-z]([a-z0-9-]{0,7}[a-z0-9])?$/);

export const functionSpec = fc.record(
  {
    runtime: sometimesOdd(fc.oneof(fc.constantFrom(...RUNTIME_IDS), fc.constantFrom('ruby', 'java', 'Node'))),
    handler: sometimesOdd(
      fc.constantFrom(
        'handler.handle',
        'handler.Handle',
        'main.run',
        'lib/x.handle',
        'nodot',
        '../up.h',
        'a.1x',
      ),
    ),
    source: sometimesOdd(
      fc.record(
        {
          inline: fc.string({ maxLength: 30 }),
          files: fc.dictionary(
            fc.constantFrom(
              'handler.js',
              'handler.py',
              'handler.go',
              'main.js',
              'requirements.txt',
              '../x',
              'a b',
            ),
            fc.string({ maxLength: 20 }),
            { maxKeys: 3 },
          ),
          configMapRef: fc.record({ name }),
        },
        { requiredKeys: [] },
      ),
    ),
    env: sometimesOdd(
      fc.array(
        fc.record(
          {
            name: fc.oneof(fc.stringMatching(/^[A-Z_]{1,6}$/), fc.constantFrom('A=B', 'PORT', '1X', 'é')),
            value: fc.string({ maxLength: 5 }),
            valueFrom: fc.record(
              {
                secretKeyRef: fc.record({ name, key: name }, { requiredKeys: ['key'] }),
                fieldRef: fc.record({ fieldPath: fc.constant('metadata.name') }),
              },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 3 },
      ),
    ),
    resources: sometimesOdd(
      fc.record(
        { requests: sometimesOdd(resourceMap), limits: sometimesOdd(resourceMap) },
        { requiredKeys: [] },
      ),
    ),
    timeoutSeconds: sometimesOdd(fc.integer({ min: -1, max: 1000 })),
    concurrency: sometimesOdd(fc.integer({ min: -1, max: 100 })),
    scale: sometimesOdd(
      fc.record(
        {
          minReplicas: sometimesOdd(fc.integer({ min: -1, max: 30 })),
          maxReplicas: sometimesOdd(fc.integer({ min: 0, max: 30 })),
          targetCPUUtilizationPercentage: fc.integer({ min: 0, max: 120 }),
          idleTimeoutSeconds: fc.integer({ min: 0, max: 1000 }),
        },
        { requiredKeys: [] },
      ),
    ),
    triggers: sometimesOdd(
      fc.record(
        {
          http: fc.record(
            {
              path: fc.constantFrom('/hello', '/a/b', '/', 'x', '/fn/x', '/a//b', '/%zz'),
              methods: fc.uniqueArray(fc.constantFrom('GET', 'POST', 'PUT'), { maxLength: 2 }),
            },
            { requiredKeys: [] },
          ),
          cron: fc.array(
            fc.record(
              {
                name,
                schedule: fc.constantFrom(
                  '0 3 * * *',
                  '@hourly',
                  '* * *',
                  'CRON_TZ=UTC 0 * * * *',
                  '61 * * * *',
                ),
                timeZone: fc.constantFrom('UTC', 'Europe/Paris', 'Mars/Base', '', 'Local'),
              },
              { requiredKeys: ['name', 'schedule'] },
            ),
            { maxLength: 2 },
          ),
          rabbitmq: fc.array(
            fc.record(
              {
                name,
                connectionSecretRef: fc.record({ name }),
                prefetch: fc.integer({ min: 0, max: 70000 }),
                maxRetries: fc.integer({ min: -1, max: 10 }),
              },
              { requiredKeys: ['name', 'connectionSecretRef'] },
            ),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const labels = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.dictionary(
    fc.constantFrom('app', 'serverless.kube.io/runtime', 'a~b/c'),
    fc.constantFrom('x', 'python'),
  ),
);

/** A Function object: plausible with an odd part now and then. */
export const functionObject = fc.record({
  apiVersion: fc.constant(API_VERSION),
  kind: fc.constant(KIND),
  metadata: fc.record(
    { name, namespace: fc.constant('default'), labels },
    { requiredKeys: ['name', 'namespace'] },
  ),
  spec: sometimesOdd(functionSpec),
});

/** Random JSON, or a plausible Function object. */
export const anyObject = fc.oneof(
  { weight: 10, arbitrary: functionObject },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

const gvk = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ group: 'serverless.kube.io', version: 'v1', kind: KIND }) },
  {
    weight: 2,
    arbitrary: fc.constant({ group: BACKING_API_VERSION.split('/')[0], version: 'v1', kind: BACKING_KIND }),
  },
  { weight: 1, arbitrary: fc.record({ group: fc.string(), version: fc.string(), kind: fc.string() }) },
);

/** An AdmissionReview v1 request, mostly well formed. */
export const admissionReview = fc.record(
  {
    apiVersion: fc.oneof(
      { weight: 30, arbitrary: fc.constant('admission.k8s.io/v1') },
      { weight: 1, arbitrary: fc.constantFrom('admission.k8s.io/v1beta1', '') },
      { weight: 1, arbitrary: oddValue },
    ),
    kind: fc.oneof(
      { weight: 8, arbitrary: fc.constant('AdmissionReview') },
      { weight: 1, arbitrary: oddValue },
    ),
    request: rarelyOdd(
      fc.record(
        {
          uid: rarelyOdd(fc.uuid()),
          kind: gvk,
          resource: fc.constant({ group: 'serverless.kube.io', version: 'v1', resource: 'functions' }),
          subResource: fc.constantFrom(undefined, '', 'status', 'scale'),
          operation: rarelyOdd(
            fc.constantFrom('CREATE', 'CREATE', 'UPDATE', 'UPDATE', 'DELETE', 'CONNECT', 'PATCH'),
          ),
          name: fc.constantFrom(undefined, '', 'hello'),
          namespace: fc.constantFrom(undefined, 'default'),
          object: anyObject,
          oldObject: anyObject,
          dryRun: fc.boolean(),
        },
        { requiredKeys: ['uid', 'kind', 'operation', 'object', 'oldObject'] },
      ),
    ),
  },
  { requiredKeys: ['apiVersion', 'kind', 'request'] },
);

const validScale = fc
  .record(
    {
      minReplicas: fc.integer({ min: 0, max: 20 }),
      maxReplicas: fc.integer({ min: 1, max: 30 }),
      targetCPUUtilizationPercentage: fc.integer({ min: 1, max: 100 }),
      idleTimeoutSeconds: fc.integer({ min: 1, max: 3600 }),
    },
    { requiredKeys: [] },
  )
  .map((s) =>
    s.minReplicas !== undefined && s.maxReplicas !== undefined && s.minReplicas > s.maxReplicas
      ? { ...s, maxReplicas: s.minReplicas || 1 }
      : s,
  );
const cpu = fc.constantFrom('100m', '250m', '1', '2', 1);
const memory = fc.constantFrom('64Mi', '128Mi', '1Gi', '300Mi');
const validResources = fc
  .record(
    {
      requests: fc.record({ cpu, memory }, { requiredKeys: [] }),
      limits: fc.record({ cpu, memory }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    // Requests within limits, as Kubernetes wants them.
    const out = structuredClone(r);
    for (const k of ['cpu', 'memory'] as const) {
      const request = out.requests?.[k];
      const limit = out.limits?.[k];
      if (request !== undefined && limit !== undefined && out.limits)
        (out.limits as Record<string, unknown>)[k] = request;
    }
    return out;
  });

/** A Function that passes validation, with any subset of the optional fields set. */
export const validFunction = fc
  .record(
    {
      runtime: fc.constantFrom(...RUNTIME_IDS),
      handler: fc.constantFrom('main.run', 'handler.Handle', 'lib/app.serve'),
      source: fc.oneof(
        fc.record({ inline: fc.string({ maxLength: 30 }) }),
        fc.record({ configMapRef: fc.record({ name }) }),
      ),
      env: fc.uniqueArray(
        fc.record({ name: fc.stringMatching(/^[A-Z_]{1,6}$/), value: fc.string({ maxLength: 5 }) }),
        {
          selector: (e) => e.name,
          maxLength: 3,
        },
      ),
      resources: validResources,
      timeoutSeconds: fc.integer({ min: 1, max: 900 }),
      concurrency: fc.integer({ min: 0, max: 100 }),
      scale: validScale,
      triggers: fc.record(
        {
          http: fc.record(
            {
              path: fc.constantFrom('/hello', '/a/b', '/v1/x:y'),
              methods: fc.uniqueArray(fc.constantFrom('GET', 'POST', 'PUT'), { maxLength: 2 }),
            },
            { requiredKeys: [] },
          ),
          cron: fc.uniqueArray(
            fc.record(
              {
                name,
                schedule: fc.constantFrom('0 3 * * *', '@hourly', '*/5 9-17 * * mon-fri'),
                timeZone: fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York'),
              },
              { requiredKeys: ['name', 'schedule'] },
            ),
            { selector: (c) => c.name, maxLength: 2 },
          ),
          rabbitmq: fc.uniqueArray(
            fc.record(
              {
                name,
                connectionSecretRef: fc.record({ name }),
                prefetch: fc.integer({ min: 1, max: 100 }),
                maxRetries: fc.integer({ min: 0, max: 10 }),
              },
              { requiredKeys: ['name', 'connectionSecretRef'] },
            ),
            { selector: (q) => q.name, maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['runtime', 'source'] },
  )
  .map((spec) => ({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'fn', namespace: 'default' },
    spec,
  }));
