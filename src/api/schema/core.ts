/**
 * Schemas of the Kubernetes types a Function embeds: core/v1 EnvVar and ResourceRequirements, and
 * metav1.Condition. Inlined (a CRD schema cannot reference other definitions), with the list and
 * quantity semantics of their upstream definitions.
 */
import { bool, int64, listMap, mapOf, obj, objectName, quantity, type Schema, str } from './builders.ts';

const keySelector = (what: string): Schema =>
  obj(
    `Selects a key of a ${what}.`,
    {
      name: str(`Name of the ${what}.`),
      key: str(`The key of the ${what} to select.`),
      optional: bool(`Whether the ${what} or its key must be defined.`),
    },
    { required: ['key'], 'x-kubernetes-map-type': 'atomic' },
  );

export const envVarSource: Schema = obj('Source for the environment variable value; not with value.', {
  configMapKeyRef: keySelector('ConfigMap'),
  secretKeyRef: keySelector('Secret'),
  fieldRef: obj(
    'Selects a field of the pod, such as metadata.name or status.podIP.',
    {
      apiVersion: str('Version of the schema the FieldPath is written in terms of; defaults to "v1".'),
      fieldPath: str('Path of the field to select in the specified API version.'),
    },
    { required: ['fieldPath'], 'x-kubernetes-map-type': 'atomic' },
  ),
  resourceFieldRef: obj(
    'Selects a resource of the container: limits.cpu, limits.memory, requests.cpu, requests.memory.',
    {
      containerName: str('Container name; the function container when empty.'),
      resource: str('Resource to select.'),
      divisor: quantity('Output format of the exposed resources; defaults to "1".'),
    },
    { required: ['resource'], 'x-kubernetes-map-type': 'atomic' },
  ),
});

export const envVar: Schema = obj(
  'An environment variable of the function container (core/v1 EnvVar).',
  {
    name: str('Name of the environment variable.', { minLength: 1 }),
    value: str(
      'Variable value; $(VAR_NAME) references to variables defined before it are expanded. Defaults to "".',
    ),
    valueFrom: envVarSource,
  },
  { required: ['name'] },
);

export const envList: Schema = listMap(
  'Environment variables of the function container (core/v1 EnvVar list).',
  envVar,
  ['name'],
);

export const resourceRequirements: Schema = obj(
  'Compute resources of the function container (core/v1 ResourceRequirements); defaulted by the platform.',
  {
    limits: mapOf('Maximum amount of compute resources allowed.', quantity('A resource quantity.')),
    requests: mapOf(
      'Minimum amount of compute resources required; defaults to limits when omitted.',
      quantity('A resource quantity.'),
    ),
    claims: listMap(
      'Names of resources, defined in the pod spec, that the container uses (dynamic resource allocation).',
      obj(
        'A resource claim of the pod that the container uses.',
        {
          name: str("Name of one entry in the pod's resourceClaims."),
          request: str('Name of one request in the referenced claim; all requests when empty.'),
        },
        { required: ['name'] },
      ),
      ['name'],
    ),
  },
);

export const condition: Schema = obj(
  'One aspect of the current state of the object (metav1.Condition).',
  {
    type: str('Type of condition in CamelCase, such as Ready.', {
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: str('Status of the condition: True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    observedGeneration: int64('The .metadata.generation that the condition was set based upon.', {
      minimum: 0,
    }),
    lastTransitionTime: str('Last time the condition changed from one status to another.', {
      format: 'date-time',
    }),
    reason: str('Programmatic identifier of the reason for the last transition, in CamelCase.', {
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: str('Human readable message about the transition; may be empty.', { maxLength: 32768 }),
  },
  { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
);

export const conditionList: Schema = listMap('Latest observations of the state of the object.', condition, [
  'type',
]);

/** A reference to an object of some kind in the same namespace, by name. */
export const localObjectReference = (what: string): Schema =>
  obj(
    `A reference to a ${what} in the function's namespace.`,
    { name: objectName(`Name of the ${what}.`) },
    { required: ['name'], 'x-kubernetes-map-type': 'atomic' },
  );
