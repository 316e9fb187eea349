/**
 * OpenAPI definitions that the Function documents reference by name, as kube-apiserver names them
 * (io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...), written in OpenAPI v2 form with
 * `#/definitions/` references; openapi.ts derives the v3 form. Descriptions are our own words.
 */
import * as names from '../src/api/constants.ts';
import type { Schema } from '../src/api/schema/builders.ts';

/** A schema node of an OpenAPI document: a structural schema, a reference, or a mix. */
export type OpenAPISchema = Omit<Schema, 'properties' | 'items' | 'additionalProperties'> & {
  $ref?: string;
  properties?: Record<string, OpenAPISchema>;
  items?: OpenAPISchema;
  additionalProperties?: OpenAPISchema;
  allOf?: OpenAPISchema[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
};

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const DEF = {
  objectMeta: `${META}.ObjectMeta`,
  listMeta: `${META}.ListMeta`,
  managedFieldsEntry: `${META}.ManagedFieldsEntry`,
  ownerReference: `${META}.OwnerReference`,
  time: `${META}.Time`,
  fieldsV1: `${META}.FieldsV1`,
  status: `${META}.Status`,
  statusDetails: `${META}.StatusDetails`,
  statusCause: `${META}.StatusCause`,
  deleteOptions: `${META}.DeleteOptions`,
  preconditions: `${META}.Preconditions`,
  patch: `${META}.Patch`,
  watchEvent: `${META}.WatchEvent`,
  rawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
  scale: 'io.k8s.api.autoscaling.v1.Scale',
  scaleSpec: 'io.k8s.api.autoscaling.v1.ScaleSpec',
  scaleStatus: 'io.k8s.api.autoscaling.v1.ScaleStatus',
} as const;

/** A reference in v2 form, with a description beside it when given. */
export const ref = (name: string, description?: string): OpenAPISchema => ({
  $ref: `#/definitions/${name}`,
  ...(description ? { description } : {}),
});

const s = (description: string, extra: OpenAPISchema = {}): OpenAPISchema => ({
  type: 'string',
  description,
  ...extra,
});
const int = (format: 'int32' | 'int64', description: string): OpenAPISchema => ({
  type: 'integer',
  format,
  description,
});
const bool = (description: string): OpenAPISchema => ({ type: 'boolean', description });
const stringMap = (description: string): OpenAPISchema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});
const object = (description: string, properties: Record<string, OpenAPISchema>, extra: OpenAPISchema = {}) =>
  ({ type: 'object', description, properties, ...extra }) as OpenAPISchema;

export const API_VERSION_PROPERTY = s(
  'APIVersion is the versioned schema of this representation of an object, group/version; servers convert recognized schemas to the latest internal value.',
);
export const KIND_PROPERTY = s(
  'Kind is the REST resource this object represents, in CamelCase; servers infer it from the endpoint a client submits to.',
);
const gvk = (group: string, version: string, kind: string) => ({ group, version, kind });

export const definitions: Record<string, OpenAPISchema> = {
  [DEF.objectMeta]: object('Metadata every persisted resource has, such as its name, namespace and labels.', {
    annotations: stringMap('Unstructured key/value data set by external tools; not queryable.'),
    creationTimestamp: ref(DEF.time, 'When the server created the object; read-only.'),
    deletionGracePeriodSeconds: int(
      'int64',
      'Seconds allowed for graceful termination before removal; read-only.',
    ),
    deletionTimestamp: ref(
      DEF.time,
      'When the object will be deleted, set by the server on a graceful delete.',
    ),
    finalizers: {
      type: 'array',
      description: 'Conditions that must be cleared before the object is removed from the registry.',
      items: { type: 'string' },
      'x-kubernetes-list-type': 'set',
    },
    generateName: s('Prefix the server uses to generate a unique name when name is not given.'),
    generation: int('int64', 'Sequence number of a specific generation of the desired state; read-only.'),
    labels: stringMap('Key/value pairs to organize and select objects.'),
    managedFields: {
      type: 'array',
      description: 'Which field manager owns which fields (server-side apply); internal housekeeping.',
      items: ref(DEF.managedFieldsEntry),
      'x-kubernetes-list-type': 'atomic',
    },
    name: s('Name, unique within a namespace; required on create unless generateName is set.'),
    namespace: s('Namespace the name is unique within.'),
    ownerReferences: {
      type: 'array',
      description: 'Objects this object depends on; when all owners are deleted it is garbage collected.',
      items: ref(DEF.ownerReference),
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
    },
    resourceVersion: s(
      'Opaque value of the internal version of the object, for optimistic concurrency and watch.',
    ),
    selfLink: s('Deprecated and unset: a URL of the object.'),
    uid: s('Unique in time and space for this object; set by the server; read-only.'),
  }),
  [DEF.listMeta]: object('Metadata of a list: resource version and continuation.', {
    continue: s('Token to request the next chunk of a paginated list; opaque.'),
    remainingItemCount: int('int64', 'Items left after this chunk, when the server can tell; an estimate.'),
    resourceVersion: s('Version of the list for watch and consistency; opaque.'),
    selfLink: s('Deprecated and unset: a URL of the list.'),
  }),
  [DEF.managedFieldsEntry]: object('Which fields one manager owns, for one group-version and operation.', {
    apiVersion: s('Version of the resource the fields were written in.'),
    fieldsType: s('Format of fieldsV1; only FieldsV1.'),
    fieldsV1: ref(DEF.fieldsV1, 'The set of fields, in FieldsV1 format.'),
    manager: s('Name of the workflow that manages these fields.'),
    operation: s('Apply or Update: the kind of operation that wrote the fields.'),
    subresource: s('Subresource that was written, empty for the main resource.'),
    time: ref(DEF.time, 'When the entry was last changed.'),
  }),
  [DEF.ownerReference]: object(
    'Enough information to identify an owning object in the same namespace, or a cluster-scoped one.',
    {
      apiVersion: s('API version of the referent.'),
      blockOwnerDeletion: bool(
        'If true, the owner cannot be deleted from storage until this reference is removed.',
      ),
      controller: bool('If true, this reference points to the managing controller.'),
      kind: s('Kind of the referent.'),
      name: s('Name of the referent.'),
      uid: s('UID of the referent.'),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' },
  ),
  [DEF.time]: s('A timestamp in RFC 3339 form, UTC, to the second.', { format: 'date-time' }),
  [DEF.fieldsV1]: { type: 'object', description: 'A set of fields as a trie of JSON field names and keys.' },
  [DEF.status]: object(
    'The result of an operation that returns no object: failures carry a reason, message and details.',
    {
      apiVersion: API_VERSION_PROPERTY,
      code: int('int32', 'Suggested HTTP return code; 0 if not set.'),
      details: ref(DEF.statusDetails, 'More data about the reason, depending on it.'),
      kind: KIND_PROPERTY,
      message: s('Human-readable description of the status.'),
      metadata: ref(DEF.listMeta, 'Standard list metadata.'),
      reason: s('Machine-readable CamelCase reason of a Failure; empty if none.'),
      status: s('Success or Failure.'),
    },
    { 'x-kubernetes-group-version-kind': [gvk('', 'v1', 'Status')] },
  ),
  [DEF.statusDetails]: object('Details of a failure: the object concerned and the causes.', {
    causes: {
      type: 'array',
      description: 'Every cause of the failure, each with its field path where one applies.',
      items: ref(DEF.statusCause),
      'x-kubernetes-list-type': 'atomic',
    },
    group: s('Group of the resource concerned.'),
    kind: s('Kind (or resource) of the object concerned.'),
    name: s('Name of the object concerned.'),
    retryAfterSeconds: int('int32', 'Seconds to wait before retrying, when the failure is temporary.'),
    uid: s('UID of the object concerned.'),
  }),
  [DEF.statusCause]: object('One cause of a failure.', {
    field: s('Path of the field that caused the error, such as spec.scale.maxReplicas.'),
    message: s('Human-readable description of the cause.'),
    reason: s('Machine-readable reason; empty if none.'),
  }),
  [DEF.deleteOptions]: object(
    'Options of a delete.',
    {
      apiVersion: API_VERSION_PROPERTY,
      dryRun: {
        type: 'array',
        description: 'All: process every stage but persist nothing.',
        items: { type: 'string' },
        'x-kubernetes-list-type': 'atomic',
      },
      gracePeriodSeconds: int('int64', 'Seconds before the object is deleted; 0 means at once.'),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool(
        'Delete an object that cannot be read from storage (corrupt); may break the cluster.',
      ),
      kind: KIND_PROPERTY,
      orphanDependents: bool('Deprecated: use propagationPolicy.'),
      preconditions: ref(DEF.preconditions, 'Must be fulfilled before the deletion is carried out.'),
      propagationPolicy: s('Garbage collection of dependents: Orphan, Background or Foreground.'),
    },
    {
      'x-kubernetes-group-version-kind': [
        gvk('', 'v1', 'DeleteOptions'),
        gvk(names.GROUP, names.VERSION, 'DeleteOptions'),
      ],
    },
  ),
  [DEF.preconditions]: object('Conditions a delete must fulfil.', {
    resourceVersion: s('The object must have this resourceVersion.'),
    uid: s('The object must have this UID.'),
  }),
  [DEF.patch]: { type: 'object', description: 'The body of a PATCH request: a JSON, merge or apply patch.' },
  [DEF.watchEvent]: object(
    'One event of a watch stream.',
    {
      object: ref(
        DEF.rawExtension,
        'The object: the new state for ADDED and MODIFIED, the last one for DELETED, a Status for ERROR.',
      ),
      type: s('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
    },
    {
      required: ['type', 'object'],
      'x-kubernetes-group-version-kind': [
        gvk('', 'v1', 'WatchEvent'),
        gvk(names.GROUP, names.VERSION, 'WatchEvent'),
      ],
    },
  ),
  [DEF.rawExtension]: { type: 'object', description: 'An embedded object of any kind.' },
  [DEF.scale]: object(
    'The scaling request and state of a scalable resource.',
    {
      apiVersion: API_VERSION_PROPERTY,
      kind: KIND_PROPERTY,
      metadata: ref(DEF.objectMeta, 'Standard object metadata.'),
      spec: ref(DEF.scaleSpec, 'Desired behaviour of the scale.'),
      status: ref(DEF.scaleStatus, 'Current state of the scale; read-only.'),
    },
    { 'x-kubernetes-group-version-kind': [gvk('autoscaling', 'v1', 'Scale')] },
  ),
  [DEF.scaleSpec]: object('Desired state of a scale.', {
    replicas: int('int32', 'Desired number of replicas.'),
  }),
  [DEF.scaleStatus]: object(
    'Current state of a scale.',
    {
      replicas: int('int32', 'Observed number of replicas.'),
      selector: s('Label query over the pods counted in replicas, in label-selector string form.'),
    },
    { required: ['replicas'] },
  ),
};
