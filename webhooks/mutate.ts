/**
 * The defaulting webhook: a JSON Patch from the object as sent to the object with defaults, none
 * when nothing is missing. Applying it and asking again gives no patch (defaults are idempotent).
 */
import { compare } from '../src/util/json-patch.ts';
import { withDefaults } from './defaults.ts';
import { admittedKind, changesSpec, FUNCTION_KIND, unsupportedKind } from './kinds.ts';
import { type AdmissionRequest, type AdmissionResponse, allow } from './review.ts';

const KINDS = [FUNCTION_KIND];

export function mutateAdmission(request: AdmissionRequest): AdmissionResponse {
  if (!changesSpec(request)) return allow(request.uid);
  if (!admittedKind(request, KINDS)) return unsupportedKind(request, KINDS);
  const object = request.object!;
  // An object on its way out gets nothing new (its finalizers are being removed).
  if ((object.metadata as { deletionTimestamp?: unknown } | undefined)?.deletionTimestamp)
    return allow(request.uid);
  const patch = compare(object, withDefaults(object));
  if (patch.length === 0) return allow(request.uid);
  return {
    uid: request.uid,
    allowed: true,
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
  };
}
