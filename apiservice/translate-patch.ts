/**
 * Translation of PATCH bodies from the public API to the backing FunctionRecord: merge patches,
 * JSON patches and server-side apply patches. Values that land on apiVersion, kind or a
 * managedFields entry are rewritten; a patch that would change apiVersion or kind to anything but
 * serverless.kube.io/v1 Function gets the answer kube-apiserver gives for a custom resource.
 */
import * as names from '../src/api/constants.ts';
import { badRequest } from './errors.ts';
import { annotationsWith, LAST_APPLIED, lastAppliedToBacking } from './last-applied.ts';
import { metadataToBacking, objectToBacking, typeMetaError } from './translate-request.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const goType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;

/** Rewrites apiVersion/kind at the root of a patched document, when they are the public ones. */
function rootToBacking(doc: Json): void {
  if (doc.apiVersion === names.API_VERSION) doc.apiVersion = names.BACKING_API_VERSION;
  if (doc.kind === names.KIND) doc.kind = names.BACKING_KIND;
  metadataToBacking(doc.metadata);
}

/** The error for apiVersion/kind values a patch sets; strings only (removals fail downstream). */
function checkTypeMeta(apiVersion: unknown, kind: unknown, name: string): void {
  const a = typeof apiVersion === 'string' ? apiVersion : names.API_VERSION;
  const k = typeof kind === 'string' ? kind : names.KIND;
  const error = typeMetaError(a, k, name);
  if (error) throw error;
}

/** application/merge-patch+json. `name` is the object's name from the URL. */
export function mergePatchToBacking(patch: unknown, name: string): Json {
  if (!isObject(patch)) {
    throw badRequest(
      `error decoding patch: json: cannot unmarshal ${goType(patch)} into Go value of type map[string]interface {}`,
    );
  }
  checkTypeMeta(patch.apiVersion, patch.kind, name);
  rootToBacking(patch);
  return patch;
}

interface Operation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  value?: unknown;
}

const MANAGED_FIELDS = /^\/metadata\/managedFields(\/(\d+|-)(\/apiVersion)?)?$/;
/** The annotation's JSON pointer (`/` escaped as `~1`). */
const LAST_APPLIED_PATH = `/metadata/annotations/${LAST_APPLIED.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** Rewrites an operation's value by where it lands in the document. */
function valueToBacking(path: string, value: unknown): unknown {
  if (path === '') return isObject(value) ? objectToBackingLoose(value) : value;
  if (path === '/apiVersion') return value === names.API_VERSION ? names.BACKING_API_VERSION : value;
  if (path === '/kind') return value === names.KIND ? names.BACKING_KIND : value;
  if (path === '/metadata') metadataToBacking(value);
  if (path === '/metadata/annotations') annotationsWith(value, lastAppliedToBacking);
  if (path === LAST_APPLIED_PATH && typeof value === 'string') return lastAppliedToBacking(value);
  const m = MANAGED_FIELDS.exec(path);
  if (m?.[3]) return value === names.API_VERSION ? names.BACKING_API_VERSION : value;
  if (m?.[2]) metadataToBacking({ managedFields: [value] });
  else if (m) metadataToBacking({ managedFields: value });
  return value;
}

/** A whole replacement document inside a JSON patch: translated, or left for the backing to refuse. */
function objectToBackingLoose(doc: Json): Json {
  try {
    return objectToBacking(doc);
  } catch {
    return doc;
  }
}

/** application/json-patch+json (RFC 6902). */
export function jsonPatchToBacking(ops: unknown, name: string): unknown[] {
  if (!Array.isArray(ops)) {
    throw badRequest(
      `error decoding patch: json: cannot unmarshal ${goType(ops)} into Go value of type []handlers.jsonPatchOp`,
    );
  }
  let apiVersion: unknown = names.API_VERSION;
  let kind: unknown = names.KIND;
  for (const op of ops as Operation[]) {
    if (!isObject(op)) {
      throw badRequest(
        `error decoding patch: json: cannot unmarshal ${goType(op)} into Go value of type handlers.jsonPatchOp`,
      );
    }
    if (typeof op.path !== 'string' || !('value' in op)) continue;
    if (op.op === 'add' || op.op === 'replace') {
      if (op.path === '/apiVersion') apiVersion = op.value;
      if (op.path === '/kind') kind = op.value;
      if (op.path === '' && isObject(op.value)) ({ apiVersion, kind } = op.value);
    }
    op.value = valueToBacking(op.path, op.value);
  }
  checkTypeMeta(apiVersion, kind, name);
  return ops;
}

/** schema.GroupVersionKind.String() of an applied object, as kube-apiserver prints it. */
function gvkString(apiVersion: unknown, kind: unknown): string {
  const k = typeof kind === 'string' ? kind : '';
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const parts = av.split('/');
  // An unparsable group-version makes the whole GroupVersionKind empty.
  if (parts.length > 2) return '/, Kind=';
  const [group, version] = parts.length === 2 ? parts : ['', parts[0]];
  return `${group}/${version}, Kind=${k}`;
}

/**
 * application/apply-patch+yaml, already parsed (YAML or JSON) into a value. The checks are the
 * field manager's, in its order: the object's type (versionCheckManager), then managedFields.
 */
export function applyPatchToBacking(patch: unknown): Json {
  if (!isObject(patch)) {
    throw badRequest(
      `error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goType(patch)} into Go value of type map[string]interface {}`,
    );
  }
  if (patch.apiVersion !== names.API_VERSION || patch.kind !== names.KIND) {
    throw badRequest(`invalid object type: ${gvkString(patch.apiVersion, patch.kind)}`);
  }
  const meta = patch.metadata;
  if (isObject(meta) && meta.managedFields !== undefined && meta.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  rootToBacking(patch);
  return patch;
}
