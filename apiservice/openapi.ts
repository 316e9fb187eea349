/**
 * OpenAPI documents of serverless.kube.io/v1, built from the Function JSON schema (the one source of
 * truth) the way kube-apiserver builds them for a custom resource: GET /openapi/v2, the v3 index
 * GET /openapi/v3 (serverRelativeURL with a content hash) and GET /openapi/v3/apis/serverless.kube.io/v1.
 * kubectl explain finds kinds by x-kubernetes-group-version-kind; kubectl turns on server-side field
 * validation when a PATCH operation declares fieldValidation.
 */
import { createHash } from 'node:crypto';
import * as names from '../src/api/constants.ts';
import { functionSchema } from '../src/api/schema/function.ts';
import { functionMetricsSchema } from '../src/api/schema/metrics.ts';
import {
  API_VERSION_PROPERTY,
  DEF,
  definitions,
  KIND_PROPERTY,
  type OpenAPISchema,
  ref,
} from './openapi-definitions.ts';
import {
  FUNCTION_MODEL,
  LIST_MODEL,
  METRICS_MODEL,
  PATH_PARAMETERS,
  type Parameter,
  type Response,
  type Route,
  routes,
  TAG,
} from './openapi-paths.ts';

type Json = Record<string, unknown>;
const gvk = (kind: string) => [{ group: names.GROUP, kind, version: names.VERSION }];
const clone = <T>(v: T): T => structuredClone(v);

/** OpenAPI v2 cannot say anyOf/oneOf: drop them, as the upstream v2 conversion does. */
function stripForV2(s: OpenAPISchema): OpenAPISchema {
  const { anyOf: _a, oneOf: _o, ...rest } = s;
  const out: OpenAPISchema = { ...rest };
  if (rest.properties)
    out.properties = Object.fromEntries(Object.entries(rest.properties).map(([k, v]) => [k, stripForV2(v)]));
  if (rest.items) out.items = stripForV2(rest.items);
  if (rest.additionalProperties) out.additionalProperties = stripForV2(rest.additionalProperties);
  return out;
}

/** Model definitions of our kinds (v2 form), with ObjectMeta/ListMeta and TypeMeta filled in. */
export function modelDefinitions(v2: boolean): Record<string, OpenAPISchema> {
  const fn = clone(functionSchema) as OpenAPISchema;
  fn.properties = {
    ...fn.properties,
    apiVersion: API_VERSION_PROPERTY,
    kind: KIND_PROPERTY,
    metadata: ref(DEF.objectMeta, "Standard object's metadata."),
  };
  fn['x-kubernetes-group-version-kind'] = gvk(names.KIND);
  const list: OpenAPISchema = {
    type: 'object',
    description: `${names.LIST_KIND} is a list of ${names.KIND}`,
    required: ['items'],
    properties: {
      apiVersion: API_VERSION_PROPERTY,
      items: { type: 'array', description: `List of ${names.PLURAL}.`, items: ref(FUNCTION_MODEL) },
      kind: KIND_PROPERTY,
      metadata: ref(DEF.listMeta, 'Standard list metadata.'),
    },
    'x-kubernetes-group-version-kind': gvk(names.LIST_KIND),
  };
  const metrics = clone(functionMetricsSchema) as OpenAPISchema;
  metrics['x-kubernetes-group-version-kind'] = gvk(names.METRICS_KIND);
  const models = { [FUNCTION_MODEL]: fn, [LIST_MODEL]: list, [METRICS_MODEL]: metrics };
  return v2 ? Object.fromEntries(Object.entries(models).map(([k, v]) => [k, stripForV2(v)])) : models;
}

const extensions = (r: Route) => ({
  'x-kubernetes-action': r.action,
  'x-kubernetes-group-version-kind': r.gvk,
});

function pathParameters(path: string): Parameter[] {
  return [
    ...(path.includes('{name}') ? [PATH_PARAMETERS.name] : []),
    ...(path.includes('{namespace}') ? [PATH_PARAMETERS.namespace] : []),
    PATH_PARAMETERS.pretty,
  ];
}

const v2Parameter = (p: Parameter) => ({ uniqueItems: true, ...p });

/** GET /openapi/v2. */
export function openAPIV2(): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes()) {
    const parameters: Json[] = r.parameters.map(v2Parameter);
    if (r.body)
      parameters.unshift({ name: 'body', in: 'body', required: r.body.required, schema: r.body.schema });
    paths[r.path] ??= { parameters: pathParameters(r.path).map(v2Parameter) };
    paths[r.path]![r.method] = {
      description: r.description,
      consumes: r.consumes,
      produces: r.produces,
      schemes: ['https'],
      tags: [TAG],
      operationId: r.operationId,
      parameters,
      responses: { ...r.responses, '401': { description: 'Unauthorized' } },
      ...extensions(r),
    };
  }
  return {
    swagger: '2.0',
    info: { title: 'kube-serverless', version: names.VERSION },
    paths,
    definitions: { ...clone(definitions), ...modelDefinitions(true) },
    securityDefinitions: {
      BearerToken: {
        type: 'apiKey',
        name: 'authorization',
        in: 'header',
        description: 'Bearer Token authentication',
      },
    },
    security: [{ BearerToken: [] }],
  };
}

/** v2 schema → v3: references point into components; a reference with siblings goes into allOf. */
export function toV3Schema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toV3Schema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' ? String(v).replace('#/definitions/', '#/components/schemas/') : toV3Schema(v);
  }
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    const { $ref, ...rest } = out;
    return { allOf: [{ $ref }], ...rest };
  }
  return out;
}

const v3Parameter = ({ type, ...p }: Parameter) => ({ ...p, schema: { type, uniqueItems: true } });
const content = (types: string[], schema?: OpenAPISchema) =>
  schema ? { content: Object.fromEntries(types.map((t) => [t, { schema: toV3Schema(schema) }])) } : {};

/** GET /openapi/v3/apis/serverless.kube.io/v1. */
export function openAPIV3(): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes()) {
    paths[r.path] ??= { parameters: pathParameters(r.path).map(v3Parameter) };
    const responses = Object.fromEntries(
      Object.entries({ ...r.responses, '401': { description: 'Unauthorized' } }).map(([code, res]) => [
        code,
        { description: res.description, ...content(r.produces, (res as Response).schema) },
      ]),
    );
    paths[r.path]![r.method] = {
      tags: [TAG],
      description: r.description,
      operationId: r.operationId,
      parameters: r.parameters.map(v3Parameter),
      ...(r.body
        ? { requestBody: { ...content(r.body.contentTypes, r.body.schema), required: r.body.required } }
        : {}),
      responses,
      ...extensions(r),
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'kube-serverless', version: names.VERSION },
    paths,
    components: {
      schemas: toV3Schema({ ...definitions, ...modelDefinitions(false) }),
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          description: 'Bearer Token authentication',
          name: 'authorization',
          in: 'header',
        },
      },
    },
  };
}

/** kube-openapi's ETag and v3 hash: SHA-512 of the served bytes, upper-case hex. */
export const contentHash = (bytes: string) => createHash('sha512').update(bytes).digest('hex').toUpperCase();

export const V3_GROUP_PATH = `apis/${names.GROUP}/${names.VERSION}`;

export interface ServedDocument {
  body: string;
  etag: string;
}

let served: { v2: ServedDocument; v3: ServedDocument; v3Root: ServedDocument } | undefined;

/** The three documents as the bytes to serve, each with its ETag; built once (they never change). */
export function openAPIDocuments() {
  if (served) return served;
  const doc = (value: unknown): ServedDocument => {
    const body = JSON.stringify(value);
    return { body, etag: contentHash(body) };
  };
  const v3 = doc(openAPIV3());
  const root = {
    paths: { [V3_GROUP_PATH]: { serverRelativeURL: `/openapi/v3/${V3_GROUP_PATH}?hash=${v3.etag}` } },
  };
  served = { v2: doc(openAPIV2()), v3, v3Root: doc(root) };
  return served;
}
