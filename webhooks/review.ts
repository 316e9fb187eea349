/**
 * AdmissionReview v1 on the wire: reading a request (every field the handlers rely on checked,
 * anything else is a 400 with a Status saying what is wrong) and writing a response.
 */
import { badRequest, type Status } from '../apiservice/errors.ts';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The parts of an AdmissionReview request the webhooks use. */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  subResource: string;
  operation: Operation;
  name: string;
  namespace: string;
  /** A JSON object for CREATE and UPDATE. */
  object: Record<string, unknown> | undefined;
  /** A JSON object for UPDATE. */
  oldObject: Record<string, unknown> | undefined;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: Status;
  patch?: string;
  patchType?: 'JSONPatch';
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export type ParsedReview = { request: AdmissionRequest } | { error: Status };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads an AdmissionReview v1 request from a body; never throws. */
export function parseReview(body: string): ParsedReview {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (error) {
    return fail(`the body is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(review)) return fail('the body is not an AdmissionReview object');
  if (review.apiVersion !== ADMISSION_API_VERSION || review.kind !== 'AdmissionReview')
    return fail(
      `expected apiVersion ${JSON.stringify(ADMISSION_API_VERSION)} and kind "AdmissionReview", got ${describe(review.apiVersion)} and ${describe(review.kind)}`,
    );
  const request = review.request;
  if (!isObject(request)) return fail('request: required object is missing');
  const problems: string[] = [];
  const text = (key: string, required: boolean): string => {
    const value = request[key];
    if (typeof value === 'string' && (value || !required)) return value;
    if (value === undefined && !required) return '';
    problems.push(`request.${key}: ${required ? 'a non-empty string is required' : 'must be a string'}`);
    return '';
  };
  const uid = text('uid', true);
  const operation = text('operation', true);
  if (operation && !OPERATIONS.includes(operation as Operation))
    problems.push(`request.operation: ${describe(operation)} is not one of ${OPERATIONS.join(', ')}`);
  const kind = request.kind;
  if (!isObject(kind) || !['group', 'version', 'kind'].every((k) => typeof kind[k] === 'string'))
    problems.push('request.kind: an object with string group, version and kind is required');
  const objectFor = (key: 'object' | 'oldObject', needed: boolean): Json | undefined => {
    const value = request[key];
    if (isObject(value)) return value;
    if (needed) problems.push(`request.${key}: required object is missing for ${operation}`);
    return undefined;
  };
  const parsed: AdmissionRequest = {
    uid,
    kind: kind as unknown as GroupVersionKind,
    subResource: text('subResource', false),
    operation: operation as Operation,
    name: text('name', false),
    namespace: text('namespace', false),
    object: objectFor('object', operation === 'CREATE' || operation === 'UPDATE'),
    oldObject: objectFor('oldObject', operation === 'UPDATE'),
  };
  return problems.length ? fail(problems.join('; ')) : { request: parsed };
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function fail(message: string): { error: Status } {
  return { error: badRequest(`invalid AdmissionReview: ${message}`).status };
}

export function review(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

export const allow = (uid: string, warnings: string[] = []): AdmissionResponse =>
  warnings.length ? { uid, allowed: true, warnings } : { uid, allowed: true };

export const deny = (uid: string, status: Status, warnings: string[] = []): AdmissionResponse =>
  warnings.length ? { uid, allowed: false, status, warnings } : { uid, allowed: false, status };
