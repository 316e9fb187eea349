/**
 * The one error registry of the API server: typed errors with a stable reason and HTTP code that
 * become Kubernetes Status objects, with messages formatted as k8s.io/apimachinery's api/errors
 * formats them (checked against upstream source). Nothing else builds a Status by hand.
 */
import { GROUP, KIND, PLURAL } from '../src/api/constants.ts';
import { aggregateMessage, errorBody, type FieldError } from '../src/api/field-errors.ts';

/** StatusReason → HTTP code (metav1.StatusReason and the code kube-apiserver pairs it with). */
export const REASON_CODES = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServerTimeout: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const;
export type StatusReason = keyof typeof REASON_CODES | 'Unknown';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | string;
  details?: StatusDetails;
  code: number;
}

export interface GroupResource {
  group: string;
  resource: string;
}
export interface GroupKind {
  group: string;
  kind: string;
}
export const FUNCTIONS: GroupResource = { group: GROUP, resource: PLURAL };
export const FUNCTION_KIND: GroupKind = { group: GROUP, kind: KIND };

/** `functions.serverless.kube.io`, or `functions` for the core group (schema.GroupResource.String). */
export const groupResourceString = (r: GroupResource) => (r.group ? `${r.resource}.${r.group}` : r.resource);
export const groupKindString = (k: GroupKind) => (k.group ? `${k.kind}.${k.group}` : k.kind);
const quote = (s: string) => JSON.stringify(s);

/** An error that the API server answers with as a Status. */
export class StatusError extends Error {
  readonly status: Status;
  /** Warnings the request earned before it failed (kube-apiserver sends them with the error). */
  readonly warnings: string[] = [];
  constructor(status: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'status'>) {
    super(status.message ?? status.reason ?? `status ${status.code}`);
    this.name = 'StatusError';
    const details = status.details && compact(status.details);
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: status.message,
      reason: status.reason,
      ...(details && Object.keys(details).length ? { details } : {}),
      code: status.code,
    };
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? 'Unknown';
  }
  toJSON(): Status {
    return this.status;
  }
}

const DETAIL_ORDER = ['name', 'group', 'kind', 'uid', 'causes', 'retryAfterSeconds'] as const;

/** Drops empty detail fields, as Go's omitempty does, in the order kube-apiserver writes them. */
function compact(d: StatusDetails): StatusDetails {
  const out: Record<string, unknown> = {};
  for (const k of DETAIL_ORDER) {
    const v = d[k];
    if (v !== undefined && v !== '' && v !== 0 && !(Array.isArray(v) && !v.length)) out[k] = v;
  }
  return out;
}

const make = (reason: keyof typeof REASON_CODES, message: string, details?: StatusDetails) =>
  new StatusError({ code: REASON_CODES[reason], reason, message, details });
const resourceDetails = (r: GroupResource, name = ''): StatusDetails => ({
  group: r.group,
  kind: r.resource,
  name,
});

/** A path nothing is served at (the mux's 404 in kube-apiserver). */
export const notFoundPath = () => make('NotFound', 'the server could not find the requested resource');
export const notFound = (name: string, r: GroupResource = FUNCTIONS) =>
  make('NotFound', `${groupResourceString(r)} ${quote(name)} not found`, resourceDetails(r, name));

export const alreadyExists = (name: string, r: GroupResource = FUNCTIONS) =>
  make('AlreadyExists', `${groupResourceString(r)} ${quote(name)} already exists`, resourceDetails(r, name));

export const conflict = (name: string, detail: string, r: GroupResource = FUNCTIONS) =>
  make(
    'Conflict',
    `Operation cannot be fulfilled on ${groupResourceString(r)} ${quote(name)}: ${detail}`,
    resourceDetails(r, name),
  );

/** The message of a stale resourceVersion, as the storage layer words it. */
export const OBJECT_MODIFIED =
  'the object has been modified; please apply your changes to the latest version and try again';

export function invalid(
  name: string,
  errors: readonly FieldError[],
  k: GroupKind = FUNCTION_KIND,
): StatusError {
  const message = errors.length
    ? `${groupKindString(k)} ${quote(name)} is invalid: ${aggregateMessage(errors)}`
    : `${groupKindString(k)} ${quote(name)} is invalid`;
  const causes = errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return make('Invalid', message, { group: k.group, kind: k.kind, name, causes });
}

export function forbidden(name: string, reason: string, r: GroupResource = FUNCTIONS): StatusError {
  const what = groupResourceString(r);
  let message = `forbidden: ${reason}`;
  if (r.group || r.resource)
    message = name ? `${what} ${quote(name)} is forbidden: ${reason}` : `${what} is forbidden: ${reason}`;
  return make('Forbidden', message, resourceDetails(r, name));
}

export const unauthorized = (message = '') => make('Unauthorized', message || 'not authorized');
export const badRequest = (message: string) => make('BadRequest', message);

export const methodNotSupported = (action: string, r: GroupResource = FUNCTIONS) =>
  make(
    'MethodNotAllowed',
    `${action} is not supported on resources of kind ${quote(groupResourceString(r))}`,
    {
      group: r.group,
      kind: r.resource,
    },
  );

export const notAcceptable = (accepted: readonly string[]) =>
  make('NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);

export const notAcceptableConversion = (target: string, accepted: readonly string[]) =>
  make(
    'NotAcceptable',
    `only the following media types are accepted when converting to ${target}: ${accepted.join(', ')}`,
  );

export const unsupportedMediaType = (accepted: readonly string[]) =>
  make(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

export const requestEntityTooLarge = (message: string) =>
  make('RequestEntityTooLarge', `Request entity too large: ${message}`);

/** 410 Expired: a watch or list from a resourceVersion that is no longer available. */
export const resourceExpired = (message: string) => make('Expired', message);
export const gone = (message: string) => make('Gone', message);

export const timeout = (message: string, retryAfterSeconds = 0) =>
  make('Timeout', `Timeout: ${message}`, { retryAfterSeconds });

export const serverTimeout = (operation: string, retryAfterSeconds = 0, r: GroupResource = FUNCTIONS) =>
  make(
    'ServerTimeout',
    `The ${operation} operation against ${groupResourceString(r)} could not be completed at this time, please try again.`,
    { ...resourceDetails(r, operation), retryAfterSeconds },
  );

export const tooManyRequests = (message: string, retryAfterSeconds = 0) =>
  make('TooManyRequests', message, { retryAfterSeconds });

export const serviceUnavailable = (message: string) => make('ServiceUnavailable', message);

export function internalError(err: unknown): StatusError {
  const text = err instanceof Error ? err.message : String(err);
  return make('InternalError', `Internal error occurred: ${text}`, { causes: [{ message: text }] });
}

/** True for a metav1.Status object (as the backing kube-apiserver answers errors). */
export function isStatus(value: unknown): value is Status {
  const v = value as Partial<Status> | null;
  return !!v && typeof v === 'object' && v.kind === 'Status' && typeof v.code === 'number';
}

/** Any thrown value as a StatusError: itself, a Status from the backing server, or a 500. */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  if (isStatus(err)) return new StatusError(err);
  return internalError(err);
}
