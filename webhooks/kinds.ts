// The kinds the webhooks admit, and the answer for any other (a registration mistake: say so).
import { badRequest } from '../apiservice/errors.ts';
import { BACKING_GROUP, BACKING_KIND, BACKING_VERSION, GROUP, KIND, VERSION } from '../src/api/constants.ts';
import { type AdmissionRequest, type AdmissionResponse, deny, type GroupVersionKind } from './review.ts';

export const FUNCTION_KIND: GroupVersionKind = { group: GROUP, version: VERSION, kind: KIND };
export const RECORD_KIND: GroupVersionKind = {
  group: BACKING_GROUP,
  version: BACKING_VERSION,
  kind: BACKING_KIND,
};

const gvkString = (k: GroupVersionKind) => `${k.group}/${k.version}, Kind=${k.kind}`;

export function admittedKind(
  request: AdmissionRequest,
  accepted: readonly GroupVersionKind[],
): GroupVersionKind | undefined {
  const { group, version, kind } = request.kind;
  return accepted.find((k) => k.group === group && k.version === version && k.kind === kind);
}

export function unsupportedKind(
  request: AdmissionRequest,
  accepted: readonly GroupVersionKind[],
): AdmissionResponse {
  const message = `this webhook admits ${accepted.map(gvkString).join(' and ')}, not ${gvkString(request.kind)}`;
  return deny(request.uid, badRequest(message).status);
}

/** Writes that change a spec: creates and updates of the object itself (not status or scale). */
export function changesSpec(request: AdmissionRequest): boolean {
  return (request.operation === 'CREATE' || request.operation === 'UPDATE') && request.subResource === '';
}
