/**
 * kubectl's client-side apply annotation holds a whole object as JSON text. kube-apiserver reads
 * it when `kubectl apply --server-side` takes over fields from client-side apply (it must name the
 * stored group-version, or every field conflicts) and rewrites it after such an apply (from the
 * applied, backing-form object). So it is stored in backing form and shown in public form, like
 * managedFields. Only the top-level apiVersion and kind tokens change: kubectl compares the text
 * byte for byte to decide whether an apply changed anything.
 */
import * as names from '../src/api/constants.ts';
import { rewriteJsonStrings, type StringChange } from './json-rewrite.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function rewrite(text: string, apiVersion: [string, string], kind: [string, string]): string {
  if (!text.includes(apiVersion[0])) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isObject(parsed) || parsed.apiVersion !== apiVersion[0]) return text;
  const changes: StringChange[] = [{ path: ['apiVersion'], from: apiVersion[0], to: apiVersion[1] }];
  if (parsed.kind === kind[0]) changes.push({ path: ['kind'], from: kind[0], to: kind[1] });
  return rewriteJsonStrings(text, changes);
}

export const lastAppliedToBacking = (text: string) =>
  rewrite(text, [names.API_VERSION, names.BACKING_API_VERSION], [names.KIND, names.BACKING_KIND]);

export const lastAppliedToPublic = (text: string) =>
  rewrite(text, [names.BACKING_API_VERSION, names.API_VERSION], [names.BACKING_KIND, names.KIND]);

/** Rewrites the annotation in an annotations map, in place. */
export function annotationsWith(annotations: unknown, convert: (text: string) => string): void {
  if (!isObject(annotations)) return;
  const value = annotations[LAST_APPLIED];
  if (typeof value === 'string') annotations[LAST_APPLIED] = convert(value);
}
