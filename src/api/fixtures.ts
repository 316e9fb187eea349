/**
 * Sample Functions for tests: one minimal, one that sets every field of the schema. Each call
 * returns a fresh copy, so tests may mutate it.
 */
import { API_VERSION, KIND } from './constants.ts';
import type { FunctionObject } from './types.ts';

export function minimalFunction(name = 'hello', namespace = 'default'): FunctionObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec: { runtime: 'nodejs', source: { inline: 'export const handle = () => "hi";' } },
  };
}

export function fullFunction(name = 'orders', namespace = 'shop'): FunctionObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name,
      namespace,
      uid: '6a1f3b2c-0d4e-4f5a-8b6c-7d8e9f0a1b2c',
      resourceVersion: '4711',
      generation: 3,
      creationTimestamp: '2025-01-02T03:04:05Z',
      labels: { app: 'shop' },
      annotations: { 'example.com/owner': 'team-a' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'shop',
          uid: '1b2c3d4e-0000-4000-8000-000000000001',
        },
      ],
      finalizers: ['example.com/cleanup'],
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Apply',
          apiVersion: API_VERSION,
          time: '2025-01-02T03:04:05Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:runtime': {} } },
        },
        {
          manager: 'kube-serverless',
          operation: 'Update',
          apiVersion: API_VERSION,
          time: '2025-01-02T03:04:06Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:status': {} },
          subresource: 'status',
        },
      ],
    },
    spec: {
      runtime: 'python',
      handler: 'handler.handle',
      source: {
        files: { 'handler.py': 'def handle(event, context):\n    return "ok"\n', 'requirements.txt': '' },
      },
      env: [
        { name: 'MODE', value: 'production' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'orders', key: 'token', optional: false } } },
        { name: 'SETTINGS', valueFrom: { configMapKeyRef: { name: 'orders', key: 'settings' } } },
        { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
      resources: { limits: { cpu: '1500m', memory: '256Mi' }, requests: { cpu: 1, memory: '128Mi' } },
      timeoutSeconds: 30,
      concurrency: 10,
      replicas: 1,
      scale: { minReplicas: 0, maxReplicas: 10, targetCPUUtilizationPercentage: 80, idleTimeoutSeconds: 300 },
      triggers: {
        http: { path: '/orders', methods: ['GET', 'POST'] },
        cron: [{ name: 'nightly', schedule: '0 3 * * *', timeZone: 'UTC', body: '{}' }],
        rabbitmq: [
          {
            name: 'orders',
            connectionSecretRef: { name: 'amqp' },
            exchange: 'orders',
            routingKey: 'order.*',
            prefetch: 10,
            maxRetries: 5,
            deadLetterExchange: 'orders.dlx',
          },
        ],
      },
    },
    status: {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 3,
          lastTransitionTime: '2025-01-02T03:05:00Z',
          reason: 'Serving',
          message: 'one replica ready',
        },
      ],
      replicas: 1,
      readyReplicas: 1,
      selector: 'serverless.kube.io/function=orders',
      url: '/fn/shop/orders',
    },
  };
}
