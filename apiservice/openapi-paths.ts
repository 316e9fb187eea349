/**
 * The REST routes of serverless.kube.io/v1 as data, for the OpenAPI documents: every path, method,
 * parameter, body and response, the way kube-apiserver describes a custom resource (operation ids,
 * x-kubernetes-action, GVK), plus functions/invoke and functions/metrics.
 */
import * as names from '../src/api/constants.ts';
import { DEF, type OpenAPISchema, ref } from './openapi-definitions.ts';

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'integer' | 'boolean';
  required?: boolean;
}
export interface Response {
  description: string;
  schema?: OpenAPISchema;
}
export interface Route {
  path: string;
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';
  operationId: string;
  description: string;
  gvk: { group: string; version: string; kind: string };
  parameters: Parameter[];
  body?: { schema: OpenAPISchema; contentTypes: string[]; required: boolean };
  consumes: string[];
  produces: string[];
  responses: Record<string, Response>;
}

/** Model names of our kinds: the group reversed, then version and kind (io.kube.serverless.v1.Function). */
export const modelName = (kind: string) =>
  `${names.GROUP.split('.').reverse().join('.')}.${names.VERSION}.${kind}`;
export const FUNCTION_MODEL = modelName(names.KIND);
export const LIST_MODEL = modelName(names.LIST_KIND);
export const METRICS_MODEL = modelName(names.METRICS_KIND);

const q = (name: string, type: Parameter['type'], description: string): Parameter => ({
  name,
  in: 'query',
  type,
  description,
});
const dryRun = q(
  'dryRun',
  'string',
  'When present, changes are not persisted. Valid value: All (process every stage, persist nothing).',
);
const fieldManager = q(
  'fieldManager',
  'string',
  'Name of the actor making the change, for field ownership; at most 128 printable characters.',
);
const fieldValidation = q(
  'fieldValidation',
  'string',
  'What to do with unknown or duplicate fields in the body: Ignore (drop them), Warn (drop them with a warning, the default), Strict (fail the request).',
);
const resourceVersion = q(
  'resourceVersion',
  'string',
  'Which version of the resource to serve; see the resourceVersion semantics of the Kubernetes API.',
);
const LIST_OPTIONS = [
  q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK watch events; the server may send them or not.'),
  q('continue', 'string', 'Token from a previous paginated list to get the next chunk.'),
  q('fieldSelector', 'string', 'Select objects by field values, such as metadata.name=hello.'),
  q('labelSelector', 'string', 'Select objects by label, such as app=shop.'),
  q('limit', 'integer', 'Most items to return; the list then carries a continue token.'),
  resourceVersion,
  q('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  q('sendInitialEvents', 'boolean', 'With watch, start the stream with the current state as ADDED events.'),
  q('timeoutSeconds', 'integer', 'Timeout of the list or watch call.'),
  q('watch', 'boolean', 'Watch for changes and stream them as events, from resourceVersion.'),
];
const DELETE_OPTIONS = [
  dryRun,
  q('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 means at once.'),
  q(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'Delete an object that cannot be read from storage; may break the cluster.',
  ),
  q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  q('propagationPolicy', 'string', 'Garbage collection of dependents: Orphan, Background or Foreground.'),
];
const WRITE_OPTIONS = [dryRun, fieldManager, fieldValidation];
const PATCH_OPTIONS = [
  ...WRITE_OPTIONS,
  q('force', 'boolean', 'Apply patches only: take ownership of conflicting fields from other managers.'),
];

export const PATH_PARAMETERS = {
  namespace: {
    name: 'namespace',
    in: 'path',
    type: 'string',
    required: true,
    description: 'object name and auth scope, such as for teams and projects',
  },
  name: {
    name: 'name',
    in: 'path',
    type: 'string',
    required: true,
    description: `name of the ${names.KIND}`,
  },
  pretty: q('pretty', 'string', "If 'true', the output is pretty printed."),
} satisfies Record<string, Parameter>;

const JSON_YAML = ['application/json', 'application/yaml'];
const WATCH = ['application/json;stream=watch'];
export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];
const ok = (schema?: OpenAPISchema): Response => ({ description: 'OK', ...(schema ? { schema } : {}) });

const base = `/apis/${names.API_VERSION}`;
const collection = `${base}/namespaces/{namespace}/${names.PLURAL}`;
const item = `${collection}/{name}`;
const ID = `ServerlessKubeIoV1`; // k8s.io/apiserver GetOperationIDAndTags for serverless.kube.io/v1
export const TAG = 'serverlessKubeIo_v1';
const FN = { group: names.GROUP, version: names.VERSION, kind: names.KIND };
const SCALE = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

/** get/put/patch of the object, status or scale, as the upstream CRD builder lays them out. */
function readWrite(
  path: string,
  sub: '' | 'status' | 'scale',
  schema: OpenAPISchema,
  gvk: Route['gvk'],
): Route[] {
  const title = sub ? sub[0]!.toUpperCase() + sub.slice(1) : '';
  const of = sub ? ` ${sub} of` : '';
  const json = { consumes: JSON_YAML, produces: JSON_YAML };
  return [
    {
      path,
      method: 'get',
      action: 'get',
      operationId: `read${ID}Namespaced${names.KIND}${title}`,
      description: `read${of} the specified ${names.KIND}`,
      gvk,
      parameters: [resourceVersion],
      ...json,
      responses: { '200': ok(schema) },
    },
    {
      path,
      method: 'put',
      action: 'put',
      operationId: `replace${ID}Namespaced${names.KIND}${title}`,
      description: `replace${of} the specified ${names.KIND}`,
      gvk,
      parameters: WRITE_OPTIONS,
      ...json,
      body: { schema, contentTypes: JSON_YAML, required: true },
      responses: { '200': ok(schema), '201': { description: 'Created', schema } },
    },
    {
      path,
      method: 'patch',
      action: 'patch',
      operationId: `patch${ID}Namespaced${names.KIND}${title}`,
      description: `partially update${of} the specified ${names.KIND}`,
      gvk,
      parameters: PATCH_OPTIONS,
      consumes: PATCH_TYPES,
      produces: JSON_YAML,
      body: { schema: ref(DEF.patch), contentTypes: PATCH_TYPES, required: true },
      responses: { '200': ok(schema) },
    },
  ];
}

export function routes(): Route[] {
  const fn = ref(FUNCTION_MODEL);
  const list = ref(LIST_MODEL);
  const status = ref(DEF.status);
  const json = { consumes: JSON_YAML, produces: JSON_YAML };
  return [
    {
      path: `${base}/${names.PLURAL}`,
      method: 'get',
      action: 'list',
      operationId: `list${ID}${names.KIND}ForAllNamespaces`,
      description: `list objects of kind ${names.KIND}`,
      gvk: FN,
      parameters: LIST_OPTIONS,
      consumes: JSON_YAML,
      produces: [...JSON_YAML, ...WATCH],
      responses: { '200': ok(list) },
    },
    {
      path: collection,
      method: 'get',
      action: 'list',
      operationId: `list${ID}Namespaced${names.KIND}`,
      description: `list objects of kind ${names.KIND}`,
      gvk: FN,
      parameters: LIST_OPTIONS,
      consumes: JSON_YAML,
      produces: [...JSON_YAML, ...WATCH],
      responses: { '200': ok(list) },
    },
    {
      path: collection,
      method: 'post',
      action: 'post',
      operationId: `create${ID}Namespaced${names.KIND}`,
      description: `create a ${names.KIND}`,
      gvk: FN,
      parameters: WRITE_OPTIONS,
      ...json,
      body: { schema: fn, contentTypes: JSON_YAML, required: true },
      responses: {
        '200': ok(fn),
        '201': { description: 'Created', schema: fn },
        '202': { description: 'Accepted', schema: fn },
      },
    },
    {
      path: collection,
      method: 'delete',
      action: 'deletecollection',
      operationId: `delete${ID}CollectionNamespaced${names.KIND}`,
      description: `delete collection of ${names.KIND}`,
      gvk: FN,
      parameters: [...LIST_OPTIONS, ...DELETE_OPTIONS],
      ...json,
      body: { schema: ref(DEF.deleteOptions), contentTypes: JSON_YAML, required: false },
      responses: { '200': ok(status) },
    },
    ...readWrite(item, '', fn, FN),
    {
      path: item,
      method: 'delete',
      action: 'delete',
      operationId: `delete${ID}Namespaced${names.KIND}`,
      description: `delete a ${names.KIND}`,
      gvk: FN,
      parameters: DELETE_OPTIONS,
      ...json,
      body: { schema: ref(DEF.deleteOptions), contentTypes: JSON_YAML, required: false },
      responses: { '200': ok(status), '202': { description: 'Accepted', schema: status } },
    },
    ...readWrite(`${item}/status`, 'status', fn, FN),
    ...readWrite(`${item}/scale`, 'scale', ref(DEF.scale), SCALE),
    {
      path: `${item}/invoke`,
      method: 'post',
      action: 'post',
      operationId: `create${ID}Namespaced${names.KIND}Invoke`,
      description: `invoke the specified ${names.KIND}: the body is the event, the answer is the function's own response`,
      gvk: FN,
      parameters: [],
      consumes: ['*/*'],
      produces: ['*/*'],
      body: {
        schema: { type: 'string', format: 'binary', description: 'The event payload, of any content type.' },
        contentTypes: ['*/*'],
        required: false,
      },
      responses: { '200': { description: "The function's response: its own status, headers and body" } },
    },
    {
      path: `${item}/metrics`,
      method: 'get',
      action: 'get',
      operationId: `read${ID}Namespaced${names.KIND}Metrics`,
      description: `read metrics of the specified ${names.KIND}`,
      gvk: { ...FN, kind: names.METRICS_KIND },
      parameters: [],
      ...json,
      responses: { '200': ok(ref(METRICS_MODEL)) },
    },
  ];
}
