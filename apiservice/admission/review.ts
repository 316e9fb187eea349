// The AdmissionReview v1 a webhook receives, built from the request's attributes: objects in
// their public form, the real user, and the request's options as meta.k8s.io/v1 objects.
import { randomUUID } from 'node:crypto';
import type { UserInfo } from '../authn.ts';
import type { RequestAttributes } from './matching.ts';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Everything the chain knows about one write. */
export interface AdmissionAttributes extends RequestAttributes {
  kind: GroupVersionKind;
  user: UserInfo;
  dryRun: boolean;
  /** CreateOptions, UpdateOptions, PatchOptions or DeleteOptions, as metav1 objects. */
  options: Record<string, unknown>;
  /** The object being written (public form); undefined for DELETE. */
  object: unknown;
  /** The stored object (public form) for UPDATE and DELETE. */
  oldObject: unknown;
}

export interface AdmissionReviewRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind: GroupVersionKind;
  requestResource: { group: string; version: string; resource: string };
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: { username: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  object: unknown;
  oldObject: unknown;
  dryRun: boolean;
  options: Record<string, unknown>;
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request: AdmissionReviewRequest;
}

/** authentication/v1 UserInfo with Go's omitempty. */
function userInfo(user: UserInfo): AdmissionReviewRequest['userInfo'] {
  return {
    username: user.username,
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.groups.length ? { groups: user.groups } : {}),
    ...(Object.keys(user.extra).length ? { extra: user.extra } : {}),
  };
}

/** One review per call: each webhook call gets its own uid, as kube-apiserver's do. */
export function admissionReview(attrs: AdmissionAttributes, uid: string = randomUUID()): AdmissionReview {
  const resource = { group: attrs.group, version: attrs.version, resource: attrs.resource };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: attrs.kind,
      resource,
      ...(attrs.subresource ? { subResource: attrs.subresource } : {}),
      requestKind: attrs.kind,
      requestResource: resource,
      ...(attrs.subresource ? { requestSubResource: attrs.subresource } : {}),
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
      operation: attrs.operation,
      userInfo: userInfo(attrs.user),
      object: attrs.object ?? null,
      oldObject: attrs.oldObject ?? null,
      dryRun: attrs.dryRun,
      options: attrs.options,
    },
  };
}

const OPTION_KINDS = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' } as const;

/**
 * The options object from the query (and, for DELETE, the body's DeleteOptions): dryRun,
 * fieldManager, fieldValidation, force for patches, gracePeriodSeconds and propagationPolicy.
 */
export function requestOptions(
  operation: keyof typeof OPTION_KINDS,
  search: URLSearchParams,
  patch: boolean,
  deleteBody?: Record<string, unknown>,
): Record<string, unknown> {
  const kind = operation === 'UPDATE' && patch ? 'PatchOptions' : OPTION_KINDS[operation];
  const options: Record<string, unknown> = { ...(deleteBody ?? {}), kind, apiVersion: 'meta.k8s.io/v1' };
  const dryRun = search.getAll('dryRun');
  if (dryRun.length) options.dryRun = dryRun;
  if (operation === 'DELETE') {
    const grace = search.get('gracePeriodSeconds');
    if (grace !== null && Number.isInteger(Number(grace))) options.gracePeriodSeconds = Number(grace);
    const propagation = search.get('propagationPolicy');
    if (propagation) options.propagationPolicy = propagation;
    return options;
  }
  for (const name of ['fieldManager', 'fieldValidation'] as const) {
    const value = search.get(name);
    if (value) options[name] = value;
  }
  const force = search.get('force');
  if (patch && force !== null && force !== 'false' && force !== '0') options.force = true;
  return options;
}
