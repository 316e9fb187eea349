/**
 * The validating webhook, for Functions and for direct writes of the backing FunctionRecords:
 * the schema (src/api/validation.ts, the one source of structural rules), the semantic rules, one
 * owner per HTTP path, all errors at once as a 422 Invalid Status, and warnings.
 */
import { isDeepStrictEqual } from 'node:util';
import { invalid as invalidStatus, toStatusError } from '../apiservice/errors.ts';
import { duplicate, type FieldError } from '../src/api/field-errors.ts';
import { validateSchema } from '../src/api/validation.ts';
import { httpPathProblem } from './http-path.ts';
import { functionKey, type HttpPathClaims, httpPathOf } from './http-path-index.ts';
import { admittedKind, changesSpec, FUNCTION_KIND, RECORD_KIND, unsupportedKind } from './kinds.ts';
import { type AdmissionRequest, type AdmissionResponse, allow, deny } from './review.ts';
import { specErrors } from './spec-rules.ts';
import { specWarnings } from './spec-warnings.ts';

const KINDS = [FUNCTION_KIND, RECORD_KIND];

export interface ValidateOptions {
  httpPaths: HttpPathClaims;
}

/** Every error of a Function (or FunctionRecord) object, and the warnings for it; pure. */
export function validateFunction(object: unknown): { errors: FieldError[]; warnings: string[] } {
  const spec = (object as { spec?: unknown } | null)?.spec;
  return { errors: [...validateSchema(object), ...specErrors(spec)], warnings: specWarnings(spec) };
}

type Metadata = { name?: unknown; namespace?: unknown; deletionTimestamp?: unknown };

export async function validateAdmission(
  request: AdmissionRequest,
  options: ValidateOptions,
): Promise<AdmissionResponse> {
  if (!changesSpec(request)) return allow(request.uid);
  const kind = admittedKind(request, KINDS);
  if (!kind) return unsupportedKind(request, KINDS);
  const object = request.object!;
  const metadata = (object.metadata ?? {}) as Metadata;
  // Ratcheting: a write that leaves the spec alone (labels, finalizers, deletion) is never refused
  // for a spec that was stored before today's rules.
  if (
    request.operation === 'UPDATE' &&
    (metadata.deletionTimestamp || isDeepStrictEqual(object.spec, request.oldObject?.spec))
  )
    return allow(request.uid);
  const { errors, warnings: specWarningsFound } = validateFunction(object);
  // Warnings are for the person writing a Function. A FunctionRecord is written by the platform
  // (or judged undefaulted on its way, ADR 0716), where they would only be noise.
  const warnings = kind === RECORD_KIND ? [] : specWarningsFound;
  const name = typeof metadata.name === 'string' ? metadata.name : request.name;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : request.namespace;
  try {
    errors.push(...(await httpPathErrors(request, functionKey(namespace, name), options.httpPaths)));
  } catch (error) {
    return deny(request.uid, toStatusError(error).status, warnings);
  }
  if (errors.length === 0) return allow(request.uid, warnings);
  return deny(request.uid, invalidStatus(name, errors, kind).status, warnings);
}

async function httpPathErrors(
  request: AdmissionRequest,
  self: string,
  claims: HttpPathClaims,
): Promise<FieldError[]> {
  const path = httpPathOf(request.object);
  if (path === undefined || httpPathProblem(path) !== undefined) return [];
  if (request.operation === 'UPDATE' && httpPathOf(request.oldObject) === path) return [];
  const others = (await claims.claimants(path)).filter((key) => key !== self);
  if (others.length === 0) return [];
  const namespace = self.slice(0, self.indexOf('/'));
  // Names in other namespaces are not the writer's to see.
  const visible = others
    .filter((key) => key.startsWith(`${namespace}/`))
    .map((key) => key.slice(namespace.length + 1));
  const detail = visible.length
    ? `already the path of function ${visible.join(', ')}`
    : 'already the path of a function in another namespace';
  return [{ ...duplicate('spec.triggers.http.path', path), detail }];
}
