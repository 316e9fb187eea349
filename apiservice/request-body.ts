// Reads and decodes request bodies the way kube-apiserver does for a custom resource:
// a size limit, JSON or YAML by content type, and the translation to the backing kind.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, requestEntityTooLarge, type StatusError } from './errors.ts';
import { applyPatchToBacking, jsonPatchToBacking, mergePatchToBacking } from './translate-patch.ts';
import { malformedJson, objectToBacking } from './translate-request.ts';

/** kube-apiserver's limit for a request body (3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

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

const mediaType = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]!.trim().toLowerCase();

function decode(raw: string, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  try {
    if (type.endsWith('yaml')) return parseYaml(raw);
    return JSON.parse(raw);
  } catch (error) {
    throw malformedJson(raw, error) as StatusError;
  }
}

export interface TranslatedBody {
  body: Buffer;
  contentType: string;
}

/** A create or update body (Function) → FunctionRecord JSON. */
export function objectBody(
  raw: string,
  contentType: string | undefined,
  fieldValidation?: string,
): TranslatedBody {
  const object = objectToBacking(decode(raw, contentType), { raw, fieldValidation });
  return { body: Buffer.from(JSON.stringify(object)), contentType: 'application/json' };
}

/** A PATCH body → the same patch type, aimed at the backing kind. */
export function patchBody(raw: string, contentType: string | undefined, name: string): TranslatedBody {
  const type = mediaType(contentType);
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  switch (type) {
    case 'application/merge-patch+json':
      return { body: json(mergePatchToBacking(decode(raw, type), name)), contentType: type };
    case 'application/json-patch+json':
      return { body: json(jsonPatchToBacking(decode(raw, type), name)), contentType: type };
    case 'application/apply-patch+yaml':
      return { body: json(applyPatchToBacking(decode(raw, type))), contentType: type };
    case '':
      throw badRequest(
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    default:
      // Strategic merge and unknown types: kube-apiserver answers them for the CRD (415).
      return { body: Buffer.from(raw), contentType: contentType ?? type };
  }
}
