/**
 * The JSON schema of FunctionMetrics, the answer of GET functions/{name}/metrics. Published in the
 * OpenAPI documents; never stored.
 */
import { API_VERSION, METRICS_KIND } from '../constants.ts';
import { int64, obj, type Schema, str } from './builders.ts';

const seconds = (description: string): Schema => ({ type: 'number', format: 'double', description });

export const functionMetricsSchema: Schema = obj(
  'FunctionMetrics are the invocation metrics of one function, summed over every replica of the platform.',
  {
    apiVersion: str(`APIVersion of the object: ${API_VERSION}.`),
    kind: str(`Kind of the object: ${METRICS_KIND}.`),
    metadata: obj('Name and namespace of the function.', {
      name: str('Name of the function.'),
      namespace: str('Namespace of the function.'),
      creationTimestamp: str('When the metrics were read.', { format: 'date-time' }),
    }),
    invocations: obj(
      'Invocations since the function was created.',
      {
        total: int64('All invocations.', { minimum: 0 }),
        errors: int64('Invocations that ended in an error or a timeout.', { minimum: 0 }),
      },
      { required: ['total', 'errors'] },
    ),
    coldStarts: int64('Invocations that waited for a replica to start.', { minimum: 0 }),
    durationSeconds: obj(
      'Quantiles of the invocation duration, in seconds.',
      { p50: seconds('Median.'), p95: seconds('95th percentile.'), p99: seconds('99th percentile.') },
      { required: ['p50', 'p95', 'p99'] },
    ),
    replicas: int64('Replicas of the function now.', { minimum: 0 }),
    lastInvocationTime: str('When the function was last invoked; absent if never.', { format: 'date-time' }),
  },
  {
    required: ['apiVersion', 'kind', 'metadata', 'invocations', 'coldStarts', 'durationSeconds', 'replicas'],
  },
);
