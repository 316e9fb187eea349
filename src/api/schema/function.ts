/**
 * The JSON schema of serverless.kube.io/v1 Function: THE source of truth for the backing CRD's
 * openAPIV3Schema, the aggregated API's OpenAPI documents and ajv validation (see ADR 0401).
 */
import { DNS1123_LABEL, int32, int64, listMap, listSet, mapOf, obj, type Schema, str } from './builders.ts';
import { conditionList, envList, localObjectReference, resourceRequirements } from './core.ts';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const SOURCE_KINDS = ['inline', 'files', 'configMapRef'] as const;

const triggerName = (what: string) =>
  str(`Name of the ${what}, unique among the function's ${what}s (a DNS-1123 label).`, {
    pattern: DNS1123_LABEL,
    minLength: 1,
    maxLength: 63,
  });

export const sourceSchema: Schema = obj(
  'The code of the function: exactly one of inline, files or configMapRef.',
  {
    inline: str('The text of one source file, saved under the file name that the handler names.'),
    files: mapOf('Several files by name, such as handler.py and requirements.txt.', str('File content.')),
    configMapRef: localObjectReference('ConfigMap holding the files'),
  },
  { oneOf: SOURCE_KINDS.map((k) => ({ required: [k] })) },
);

export const scaleSchema: Schema = obj('Autoscaling of the function.', {
  minReplicas: int32('Fewest replicas; 0 lets the function scale to zero when idle.', { minimum: 0 }),
  maxReplicas: int32('Most replicas.', { minimum: 1 }),
  targetCPUUtilizationPercentage: int32(
    'Average CPU utilization, in percent of requests, that the HPA aims for.',
    {
      minimum: 1,
    },
  ),
  idleTimeoutSeconds: int32(
    'Seconds without invocations before a function with minReplicas 0 goes to zero.',
    {
      minimum: 1,
    },
  ),
});

export const triggersSchema: Schema = obj('Events that invoke the function besides the invoke subresource.', {
  http: obj('A public route on the gateway.', {
    path: str('URL path of the route, such as /hello.', { pattern: '^/[^\\s?#]*$', maxLength: 1024 }),
    methods: listSet(
      'HTTP methods accepted; all when empty.',
      str('An HTTP method.', { enum: [...HTTP_METHODS] }),
    ),
  }),
  cron: listMap(
    'Schedules that invoke the function (one CronJob each).',
    obj(
      'A schedule that invokes the function.',
      {
        name: triggerName('cron trigger'),
        schedule: str('Cron expression, such as "0 3 * * *".', { minLength: 1 }),
        timeZone: str(
          'IANA time zone of the schedule, such as UTC or Europe/Paris; the cluster default when empty.',
        ),
        body: str('Event body sent on each invocation.'),
      },
      { required: ['name', 'schedule'] },
    ),
    ['name'],
  ),
  rabbitmq: listMap(
    'RabbitMQ subscriptions that invoke the function once per message (at least once).',
    obj(
      'A RabbitMQ subscription.',
      {
        name: triggerName('rabbitmq trigger'),
        connectionSecretRef: localObjectReference('Secret with the AMQP connection URL'),
        exchange: str('Exchange to bind the queue to.'),
        routingKey: str('Binding key, such as "order.*".'),
        prefetch: int32('Messages delivered ahead of acknowledgement.', { minimum: 1, maximum: 65535 }),
        maxRetries: int32('Redeliveries before a message goes to the dead-letter exchange.', { minimum: 0 }),
        deadLetterExchange: str('Exchange that receives messages which failed maxRetries times.'),
      },
      { required: ['name', 'connectionSecretRef'] },
    ),
    ['name'],
  ),
});

export const specSchema: Schema = obj(
  'Desired state of the function.',
  {
    runtime: str('Language runtime: nodejs, python or go, or a versioned id such as nodejs22.', {
      pattern: '^[a-z][a-z0-9.-]*$',
      minLength: 1,
      maxLength: 63,
    }),
    handler: str('File or module and exported function, such as handler.handle; defaulted per runtime.', {
      minLength: 1,
      maxLength: 253,
    }),
    source: sourceSchema,
    env: envList,
    resources: resourceRequirements,
    timeoutSeconds: int32('Deadline of one invocation, in seconds.', { minimum: 1, maximum: 900 }),
    concurrency: int32('Most in-flight requests per replica; 0 means unlimited.', { minimum: 0 }),
    replicas: int32(
      'Desired replicas, set through the scale subresource by the platform; usually left unset.',
      {
        minimum: 0,
      },
    ),
    scale: scaleSchema,
    triggers: triggersSchema,
  },
  { required: ['runtime', 'source'] },
);

export const statusSchema: Schema = obj('Observed state of the function.', {
  observedGeneration: int64('The .metadata.generation that the status describes.', { minimum: 0 }),
  conditions: conditionList,
  replicas: int32('Replicas that exist.', { minimum: 0 }),
  readyReplicas: int32('Replicas ready to serve.', { minimum: 0 }),
  selector: str('Label selector of the pods of the function, for the scale subresource.'),
  url: str('Where the function answers on the gateway, such as /fn/default/hello.'),
});

/** The whole object, as the CRD's openAPIV3Schema and the base of the OpenAPI definitions. */
export const functionSchema: Schema = obj(
  'Function is a serverless function: code, runtime, scaling and triggers; the platform runs it.',
  {
    apiVersion: str('Versioned schema of this representation of the object, such as group/version.'),
    kind: str('Type of the object, in CamelCase.'),
    // A CRD's root metadata may carry nothing but its type (the server supplies ObjectMeta).
    metadata: { type: 'object' },
    spec: specSchema,
    status: statusSchema,
  },
  { required: ['spec'] },
);
