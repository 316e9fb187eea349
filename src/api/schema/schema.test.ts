import t from 'tap';
import type { Schema } from './builders.ts';
import { functionSchema, specSchema, statusSchema } from './function.ts';
import { functionMetricsSchema } from './metrics.ts';

type Visit = (node: Schema, path: string, inBranch: boolean) => void;

function walk(node: Schema, path: string, visit: Visit, inBranch = false): void {
  visit(node, path, inBranch);
  for (const [k, v] of Object.entries(node.properties ?? {})) walk(v, `${path}.${k}`, visit, inBranch);
  if (node.items) walk(node.items, `${path}[]`, visit, inBranch);
  if (node.additionalProperties) walk(node.additionalProperties, `${path}{}`, visit, inBranch);
  for (const b of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(b, `${path}|`, visit, true);
}

const isIntOrString = (s: Schema) =>
  s['x-kubernetes-int-or-string'] === true &&
  JSON.stringify(s.anyOf) === JSON.stringify([{ type: 'integer' }, { type: 'string' }]);

for (const [name, root] of Object.entries({ functionSchema, functionMetricsSchema })) {
  t.test(`${name} is structural (CRD-legal)`, async (t) => {
    const problems: string[] = [];
    walk(root, '', (s, path, inBranch) => {
      if ('$ref' in s) problems.push(`${path}: $ref`);
      if (inBranch) {
        // Inside anyOf/oneOf only value validations are allowed, except the int-or-string types.
        for (const k of ['description', 'properties', 'items', 'additionalProperties', 'default'] as const) {
          if (k in s) problems.push(`${path}: ${k} inside a branch`);
        }
        return;
      }
      if (!s.type && !isIntOrString(s)) problems.push(`${path}: no type`);
      if (s.anyOf && !isIntOrString(s)) problems.push(`${path}: anyOf outside int-or-string`);
      if (s.properties && s.additionalProperties)
        problems.push(`${path}: properties and additionalProperties`);
      if (s.type === 'array' && !s.items) problems.push(`${path}: array without items`);
      if (s.type !== 'array' && s['x-kubernetes-list-type']) problems.push(`${path}: list-type on non-array`);
      if (s.type && s.type !== 'object' && s.required) problems.push(`${path}: required on non-object`);
      if (path !== '' && path !== '.metadata' && !s.description)
        problems.push(`${path}: no description (kubectl explain shows it)`);
      for (const r of s.required ?? [])
        if (!s.properties?.[r]) problems.push(`${path}: required ${r} undefined`);
      const listType = s['x-kubernetes-list-type'];
      if (listType === 'map') {
        for (const key of s['x-kubernetes-list-map-keys'] ?? []) {
          const keySchema = s.items?.properties?.[key];
          if (!keySchema || keySchema.type === 'object' || keySchema.type === 'array')
            problems.push(`${path}: list-map key ${key} is not a scalar property`);
          if (!s.items?.required?.includes(key)) problems.push(`${path}: list-map key ${key} not required`);
        }
      }
      if (listType === 'set' && (s.items?.type === 'object' || s.items?.type === 'array'))
        problems.push(`${path}: list-type set of non-scalars`);
      if (s.type === 'array' && !listType) problems.push(`${path}: array without x-kubernetes-list-type`);
    });
    t.same(problems, []);
  });
}

t.test('root metadata carries only its type, as CRDs require', async (t) => {
  t.same(functionSchema.properties?.metadata, { type: 'object' });
});

t.test('spec has the fields of the Function API contract', async (t) => {
  t.same(Object.keys(specSchema.properties ?? {}).sort(), [
    'concurrency',
    'env',
    'handler',
    'replicas',
    'resources',
    'runtime',
    'scale',
    'source',
    'timeoutSeconds',
    'triggers',
  ]);
  const p = specSchema.properties!;
  t.same(Object.keys(p.source!.properties!).sort(), ['configMapRef', 'files', 'inline']);
  t.same(Object.keys(p.scale!.properties!).sort(), [
    'idleTimeoutSeconds',
    'maxReplicas',
    'minReplicas',
    'targetCPUUtilizationPercentage',
  ]);
  const triggers = p.triggers!.properties!;
  t.same(Object.keys(triggers).sort(), ['cron', 'http', 'rabbitmq']);
  t.same(Object.keys(triggers.http!.properties!).sort(), ['methods', 'path']);
  t.same(Object.keys(triggers.cron!.items!.properties!).sort(), ['body', 'name', 'schedule', 'timeZone']);
  t.same(Object.keys(triggers.rabbitmq!.items!.properties!).sort(), [
    'connectionSecretRef',
    'deadLetterExchange',
    'exchange',
    'maxRetries',
    'name',
    'prefetch',
    'routingKey',
  ]);
  t.same(p.env!['x-kubernetes-list-map-keys'], ['name']);
  t.same(Object.keys(p.resources!.properties!).sort(), ['claims', 'limits', 'requests']);
  t.equal(p.resources!.properties!.limits!.additionalProperties!['x-kubernetes-int-or-string'], true);
});

t.test('status has the fields of the Function API contract', async (t) => {
  t.same(Object.keys(statusSchema.properties ?? {}).sort(), [
    'conditions',
    'observedGeneration',
    'readyReplicas',
    'replicas',
    'selector',
    'url',
  ]);
  const condition = statusSchema.properties!.conditions!;
  t.same(condition['x-kubernetes-list-map-keys'], ['type']);
  t.same(condition.items!.required, ['type', 'status', 'lastTransitionTime', 'reason', 'message']);
});
