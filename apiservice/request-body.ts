// Reads and decodes request bodies the way kube-apiserver does for a custom resource: a size
// limit, the media types it accepts, JSON or YAML (read as go-yaml reads it), and the translation
// to the backing kind. JSON is sent on byte for byte but for the translated strings, so that the
// backing server judges repeated keys and large numbers exactly as it would for the client.
import type { IncomingMessage } from 'node:http';
import * as names from '../src/api/constants.ts';
import { badRequest, requestEntityTooLarge, type StatusError, unsupportedMediaType } from './errors.ts';
import { translateJsonText } from './json-rewrite.ts';
import { parseMediaType, patchMediaType } from './media-type.ts';
import { applyPatchToBacking, jsonPatchToBacking, mergePatchToBacking } from './translate-patch.ts';
import { malformedJson, objectToBacking, unrecognized } from './translate-request.ts';
import { BigInteger, decodeYaml, replaceTopLevelScalars, toJsonText, YamlBodyError } from './yaml-body.ts';

/** kube-apiserver's limit for a request body (3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** What a custom resource accepts for create and update, in kube-apiserver's order. */
export const OBJECT_MEDIA_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
];
/** What a custom resource accepts for PATCH, in kube-apiserver's order. */
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];

export async function readRequestBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  const tooLarge = () => requestEntityTooLarge(`limit is ${limit}`);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface TranslatedBody {
  body: Buffer;
  contentType: string;
  /** Warnings for the client (HTTP Warning header texts), before the backing server's own. */
  warnings: string[];
}

/**
 * The media type of a create or update body: JSON when absent. Protocol buffers are refused too:
 * kube-apiserver lists them but has no protobuf form of a custom resource (it fails on them).
 */
export function objectMediaType(contentType: string | undefined): 'json' | 'yaml' {
  const type = contentType ? parseMediaType(contentType) : 'application/json';
  if (type === 'application/json') return 'json';
  if (type === 'application/yaml') return 'yaml';
  throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
}

/** The patch type of a PATCH request, or the 415 kube-apiserver answers before reading the body. */
export function patchType(contentType: string | undefined): string {
  const type = patchMediaType(contentType ?? '');
  if (!PATCH_MEDIA_TYPES.includes(type)) throw unsupportedMediaType(PATCH_MEDIA_TYPES);
  return type;
}

const cannotHandle = (message: string) =>
  badRequest(`${names.KIND} in version "${names.VERSION}" cannot be handled as a ${names.KIND}: ${message}`);

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw malformedJson(raw, error) as StatusError;
  }
}

/** A YAML body as kube-apiserver's YAML serializer reads it, with its strict-mode findings. */
function yamlObject(
  raw: string,
  fieldValidation: string | undefined,
): { value: unknown; warnings: string[] } {
  let decoded: ReturnType<typeof decodeYaml>;
  try {
    decoded = decodeYaml(raw);
    toJsonText(decoded.value); // refuses NaN and Inf as encoding/json does
  } catch (error) {
    if (error instanceof YamlBodyError) throw unrecognized(error.message, raw);
    throw error;
  }
  const { duplicates } = decoded;
  const value = decoded.value instanceof BigInteger ? Number(decoded.value.text) : decoded.value;
  if (duplicates.length && fieldValidation === 'Strict') {
    throw cannotHandle(`strict decoding error: yaml: unmarshal errors:\n  ${duplicates.join('\n  ')}`);
  }
  const warn = fieldValidation === undefined || fieldValidation === 'Warn';
  return { value, warnings: warn ? duplicates : [] };
}

/** A create or update body (Function) → FunctionRecord JSON. */
export function objectBody(
  raw: string,
  contentType: string | undefined,
  fieldValidation?: string,
): TranslatedBody {
  const options = { raw, fieldValidation };
  if (objectMediaType(contentType) === 'yaml') {
    const { value, warnings } = yamlObject(raw, fieldValidation);
    const body = toJsonText(objectToBacking(value, options));
    return { body: Buffer.from(body), contentType: 'application/json', warnings };
  }
  const parsed = parseJson(raw);
  const body = translateJsonText(raw, parsed, (copy) => objectToBacking(copy, options));
  return { body: Buffer.from(body), contentType: 'application/json', warnings: [] };
}

/** An apply patch: YAML (JSON included), sent on as written but for apiVersion and kind. */
function applyBody(raw: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    try {
      parsed = decodeYaml(raw).value;
    } catch (error) {
      if (!(error instanceof YamlBodyError)) throw error;
      throw badRequest(`error decoding YAML: error converting YAML to JSON: ${error.message}`);
    }
    const translated = applyPatchToBacking(parsed);
    const backing = { apiVersion: names.BACKING_API_VERSION, kind: names.BACKING_KIND };
    return replaceTopLevelScalars(raw, backing) ?? toJsonText(translated);
  }
  return translateJsonText(raw, parsed, applyPatchToBacking);
}

/** A PATCH body → the same patch type, aimed at the backing kind. */
export function patchBody(raw: string, contentType: string | undefined, name: string): TranslatedBody {
  const type = patchType(contentType);
  const translated = (body: string) => ({ body: Buffer.from(body), contentType: type, warnings: [] });
  switch (type) {
    case 'application/merge-patch+json':
      return translated(translateJsonText(raw, parseJson(raw), (copy) => mergePatchToBacking(copy, name)));
    case 'application/json-patch+json':
      return translated(translateJsonText(raw, parseJson(raw), (copy) => jsonPatchToBacking(copy, name)));
    default:
      return translated(applyBody(raw));
  }
}
