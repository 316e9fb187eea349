/**
 * Translation of request bodies from the public API into the backing FunctionRecord, with the
 * checks kube-apiserver makes for a custom resource and the same answers: 400 BadRequest for an
 * undecodable body or a foreign apiVersion, 422 Invalid for a wrong kind (see ADR 0404 for the
 * upstream source of each message). create/update bodies, merge, JSON and apply patches.
 */
import * as names from '../src/api/constants.ts';
import { type FieldError, invalid as invalidField } from '../src/api/field-errors.ts';
import { badRequest, invalid, type StatusError } from './errors.ts';
import { annotationsWith, lastAppliedToBacking } from './last-applied.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const goType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;

export interface BodyOptions {
  /** The request's fieldValidation (Strict, Warn, Ignore); kube-apiserver defaults to Warn. */
  fieldValidation?: string;
  /** The body as received, for the excerpts kube-apiserver quotes in decode errors. */
  raw?: string;
}

/** handlers.summarizeData: the first 30 bytes of a JSON object, else hex. */
export function summarize(raw: string): string {
  if (!raw) return '<empty>';
  const bytes = Buffer.from(raw);
  if (raw.startsWith('{')) return bytes.length > 30 ? `${bytes.subarray(0, 30).toString()} ...` : raw;
  return bytes.length > 30 ? `${bytes.subarray(0, 30).toString('hex')} ...` : bytes.toString('hex');
}

/** handlers.transformDecodeError for a body that decoded to no usable kind. */
export const unrecognized = (cause: string, raw: string) =>
  badRequest(
    `the object provided is unrecognized (must be of type ${names.KIND}): ${cause} (${summarize(raw)})`,
  );

/** The message of a body that is not valid JSON (Go's encoding/json wording, best effort). */
export function malformedJson(raw: string, error: unknown): StatusError {
  const text = String((error as Error)?.message);
  const at = /at position (\d+)/.exec(text)?.[1];
  const char = /^Unexpected token '(.)'/.exec(text)?.[1] ?? (at === undefined ? undefined : raw[Number(at)]);
  let cause = 'unexpected end of JSON input';
  if (char !== undefined && !/end of JSON/.test(text)) {
    const expecting = /property name/.test(text) ? 'beginning of object key string' : 'beginning of value';
    cause = `invalid character '${char}' looking for ${expecting}`;
  }
  return unrecognized(`couldn't get version/kind; json parse error: ${cause}`, raw);
}

function parseGroupVersion(apiVersion: string): { group: string; version: string } | string {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return `unexpected GroupVersion string: ${apiVersion}`;
}
const gvString = (gv: { group: string; version: string }) =>
  gv.group ? `${gv.group}/${gv.version}` : gv.version;

/** customResourceValidator.ValidateTypeMeta: kind, then apiVersion; 422 against the object's own kind. */
export function typeMetaError(apiVersion: string, kind: string, name: string): StatusError | undefined {
  const errs: FieldError[] = [];
  if (kind !== names.KIND) errs.push(invalidField('kind', kind, `must be ${names.KIND}`));
  if (apiVersion !== names.API_VERSION)
    errs.push(invalidField('apiVersion', apiVersion, `must be ${names.API_VERSION}`));
  if (!errs.length) return undefined;
  const gv = parseGroupVersion(apiVersion);
  return invalid(name, errs, { group: typeof gv === 'string' ? '' : gv.group, kind });
}

/**
 * A create or update (PUT, also of functions/status) body → the FunctionRecord to send on.
 * Throws the StatusError kube-apiserver answers for a custom resource when the body is not one.
 */
export function objectToBacking(body: unknown, opts: BodyOptions = {}): Json {
  const raw = opts.raw ?? JSON.stringify(body) ?? '';
  if (body !== null && !isObject(body)) {
    const cause = `json: cannot unmarshal ${goType(body)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`;
    throw unrecognized(`couldn't get version/kind; json parse error: ${cause}`, raw);
  }
  const obj: Json = body ?? {};
  for (const field of ['apiVersion', 'kind'] as const) {
    const v = obj[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      const cause = `json: cannot unmarshal ${goType(v)} into Go struct field .${field} of type string`;
      throw unrecognized(`couldn't get version/kind; json parse error: ${cause}`, raw);
    }
  }
  const apiVersion = (obj.apiVersion as string | undefined) ?? '';
  const kind = (obj.kind as string | undefined) ?? '';
  const gv = parseGroupVersion(apiVersion);
  if (typeof gv === 'string') throw unrecognized(gv, raw);
  if (!kind) {
    const missing = `Object 'Kind' is missing in '${raw}'`;
    if (opts.fieldValidation !== 'Ignore') throw unrecognized(missing, raw);
    const version = gv.version || (!gv.group || gv.group === names.GROUP ? names.VERSION : '');
    throw badRequest(
      `${names.KIND} in version ${JSON.stringify(version)} cannot be handled as a ${names.KIND}: ${missing}`,
    );
  }
  if (gvString(gv) !== names.API_VERSION) {
    throw badRequest(
      `the API version in the data (${gvString(gv)}) does not match the expected API version (${names.API_VERSION})`,
    );
  }
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const error = typeMetaError(apiVersion, kind, typeof meta.name === 'string' ? meta.name : '');
  if (error) throw error;
  obj.apiVersion = names.BACKING_API_VERSION;
  obj.kind = names.BACKING_KIND;
  metadataToBacking(obj.metadata);
  return obj;
}

/**
 * managedFields[].apiVersion of the public group-version → backing (an update may reset them), and
 * kubectl's last-applied annotation (see last-applied.ts).
 */
export function metadataToBacking(meta: unknown): void {
  if (!isObject(meta)) return;
  if (Array.isArray(meta.managedFields)) for (const entry of meta.managedFields) managedFieldToBacking(entry);
  annotationsWith(meta.annotations, lastAppliedToBacking);
}

function managedFieldToBacking(entry: unknown): void {
  if (isObject(entry) && entry.apiVersion === names.API_VERSION) entry.apiVersion = names.BACKING_API_VERSION;
}
