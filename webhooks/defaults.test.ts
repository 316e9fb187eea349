import fc from 'fast-check';
import t from 'tap';
import { minimalFunction } from '../src/api/fixtures.ts';
import type { FunctionObject } from '../src/api/types.ts';
import { compare } from '../src/util/json-patch.ts';
import { anyObject, functionObject, validFunction } from '../test/helpers/function-arbitraries.ts';
import { DEFAULTS, RUNTIME_LABEL, withDefaults } from './defaults.ts';
import { validateFunction } from './validate.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const fn = (spec: Partial<FunctionObject['spec']> = {}, labels?: Record<string, string>) => {
  const f = minimalFunction();
  Object.assign(f.spec, spec);
  if (labels) f.metadata.labels = labels;
  return f;
};

t.test('a minimal function gets every default, and they validate', async (t) => {
  const out = withDefaults(fn());
  t.same(out.metadata.labels, { [RUNTIME_LABEL]: 'nodejs' });
  t.same(out.spec, {
    runtime: 'nodejs',
    source: fn().spec.source,
    handler: 'handler.handle',
    timeoutSeconds: 30,
    concurrency: 0,
    scale: { minReplicas: 0, maxReplicas: 10, targetCPUUtilizationPercentage: 80, idleTimeoutSeconds: 300 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
  });
  t.equal(out.spec.replicas, undefined, 'spec.replicas is never defaulted');
  t.same(validateFunction(out), { errors: [], warnings: [] });
});

t.test('handler and runtime label per runtime', async (t) => {
  for (const [runtime, handler, language] of [
    ['python', 'handler.handle', 'python'],
    ['go', 'handler.Handle', 'go'],
    ['nodejs22', 'handler.handle', 'nodejs'],
    ['go1.26', 'handler.Handle', 'go'],
  ]) {
    const out = withDefaults(fn({ runtime }, { app: 'x', [RUNTIME_LABEL]: 'wrong' }));
    t.equal(out.spec.handler, handler, String(runtime));
    t.same(out.metadata.labels, { app: 'x', [RUNTIME_LABEL]: language }, `${runtime}: label kept true`);
  }
  const unknown = withDefaults(fn({ runtime: 'cobol' }));
  t.equal(unknown.spec.handler, undefined, 'no handler for an unknown runtime');
  t.equal(unknown.metadata.labels, undefined, 'no label for an unknown runtime');
});

t.test('only what is missing is filled; null counts as missing', async (t) => {
  const out = withDefaults(
    fn({
      handler: 'main.run',
      timeoutSeconds: 5,
      concurrency: null as unknown as number,
      scale: { maxReplicas: 3 },
    }),
  );
  t.equal(out.spec.handler, 'main.run');
  t.equal(out.spec.timeoutSeconds, 5);
  t.equal(out.spec.concurrency, 0);
  t.same(out.spec.scale, {
    maxReplicas: 3,
    minReplicas: 0,
    targetCPUUtilizationPercentage: 80,
    idleTimeoutSeconds: 300,
  });
});

t.test('maxReplicas is never defaulted below a given minReplicas', async (t) => {
  t.equal(withDefaults(fn({ scale: { minReplicas: 25 } })).spec.scale?.maxReplicas, 25);
  t.equal(withDefaults(fn({ scale: { minReplicas: 4 } })).spec.scale?.maxReplicas, 10);
  const out = withDefaults(fn({ scale: { minReplicas: 25 } }));
  t.same(validateFunction(out).errors, []);
});

t.test('resources: requests follow given limits, limits never fall below given requests', async (t) => {
  const cases: [FunctionObject['spec']['resources'], FunctionObject['spec']['resources']][] = [
    [
      { limits: { cpu: '50m', memory: '64Mi' } },
      { limits: { cpu: '50m', memory: '64Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
    ],
    [
      { requests: { cpu: '2', memory: '1Gi' } },
      { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } },
    ],
    [
      { requests: { cpu: '200m' } },
      { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    ],
    [
      { requests: { cpu: 'lots' } },
      { requests: { cpu: 'lots', memory: '128Mi' }, limits: { memory: '256Mi' } },
    ],
    [
      { limits: { 'nvidia.com/gpu': 1 } },
      {
        limits: { 'nvidia.com/gpu': 1, cpu: '1', memory: '256Mi' },
        requests: { cpu: '100m', memory: '128Mi' },
      },
    ],
  ];
  for (const [given, wanted] of cases)
    t.same(withDefaults(fn({ resources: given })).spec.resources, wanted, JSON.stringify(given));
  t.same(
    withDefaults(fn({ resources: { requests: 'x' } as never })).spec.resources,
    { requests: 'x' },
    'malformed: left alone',
  );
});

t.test('triggers: cron time zone and rabbitmq delivery settings; http untouched', async (t) => {
  const out = withDefaults(
    fn({
      triggers: {
        http: { path: '/x' },
        cron: [
          { name: 'a', schedule: '@daily' },
          { name: 'b', schedule: '@daily', timeZone: 'Europe/Paris' },
        ],
        rabbitmq: [{ name: 'q', connectionSecretRef: { name: 's' }, prefetch: 1 }],
      },
    }),
  );
  t.same(out.spec.triggers, {
    http: { path: '/x' },
    cron: [
      { name: 'a', schedule: '@daily', timeZone: DEFAULTS.cronTimeZone },
      { name: 'b', schedule: '@daily', timeZone: 'Europe/Paris' },
    ],
    rabbitmq: [{ name: 'q', connectionSecretRef: { name: 's' }, prefetch: 1, maxRetries: 5 }],
  });
});

t.test('the input is never changed; non-objects come back as they are', async (t) => {
  const input = fn();
  const copy = structuredClone(input);
  withDefaults(input);
  t.same(input, copy);
  for (const value of [null, 3, 'x', [], { spec: 'x' }]) t.same(withDefaults(value), value);
});

t.test('property: idempotent, and the patch of a defaulted object is empty', async () => {
  fc.assert(
    fc.property(anyObject, (object) => {
      const once = withDefaults(object);
      const twice = withDefaults(once);
      if (compare(once as object, twice as object).length !== 0) return false;
      return JSON.stringify(twice) === JSON.stringify(once);
    }),
    { seed: SEED, numRuns: 500 },
  );
});

t.test('property: a valid function stays valid with its defaults', async () => {
  fc.assert(
    fc.property(validFunction, (object) => {
      if (validateFunction(object).errors.length)
        throw new Error(`arbitrary not valid: ${JSON.stringify(object)}`);
      return validateFunction(withDefaults(object)).errors.length === 0;
    }),
    { seed: SEED, numRuns: 500 },
  );
});

t.test('property: defaults never add an error to a spec that has some', async () => {
  const fields = (object: unknown) => new Set(validateFunction(object).errors.map((e) => e.field));
  fc.assert(
    fc.property(functionObject, (object) => {
      const before = fields(object);
      return [...fields(withDefaults(object))].every((field) => before.has(field));
    }),
    { seed: SEED, numRuns: 500 },
  );
});
