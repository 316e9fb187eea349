/**
 * Translation of backing answers (internal.serverless.kube.io/v1 FunctionRecord) into the public
 * API (serverless.kube.io/v1 Function): objects, lists, watch events, Tables, PartialObjectMetadata,
 * managedFields, selfLinks and Status errors with their messages. ownerReferences are left alone:
 * they name other objects. Request bodies go the other way in translate-request.ts.
 *
 * Functions translate in place (the caller owns the freshly parsed body) and return their input.
 */
import * as names from '../src/api/constants.ts';
import { isStatus, type Status } from './errors.ts';
import { annotationsWith, lastAppliedToPublic } from './last-applied.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Public value of each backing identifier, as it may appear in apiVersion, kind or details. */
export const KIND_TO_PUBLIC: Record<string, string> = {
  [names.BACKING_KIND]: names.KIND,
  [names.BACKING_LIST_KIND]: names.LIST_KIND,
  [names.BACKING_PLURAL]: names.PLURAL,
  [names.BACKING_SINGULAR]: names.SINGULAR,
};

/** metadata.managedFields[].apiVersion, metadata.selfLink and kubectl's last-applied annotation. */
export function metadataToPublic(meta: unknown): void {
  if (!isObject(meta)) return;
  if (Array.isArray(meta.managedFields)) {
    for (const entry of meta.managedFields) {
      if (isObject(entry) && entry.apiVersion === names.BACKING_API_VERSION)
        entry.apiVersion = names.API_VERSION;
    }
  }
  if (typeof meta.selfLink === 'string' && meta.selfLink) meta.selfLink = selfLinkToPublic(meta.selfLink);
  annotationsWith(meta.annotations, lastAppliedToPublic);
}

const BACKING_PATH = `/apis/${names.BACKING_API_VERSION}/`;

/** /apis/<g>/<v>/[namespaces/<ns>/]<plural>[/<name>[/<subresource>]] of the backing → public. */
export function selfLinkToPublic(link: string): string {
  if (!link.startsWith(BACKING_PATH)) return link;
  const segments = link.slice(BACKING_PATH.length).split('/');
  const i = segments[0] === 'namespaces' && segments.length > 2 ? 2 : 0;
  if (segments[i] === names.BACKING_PLURAL) segments[i] = names.PLURAL;
  return `/apis/${names.API_VERSION}/${segments.join('/')}`;
}

/** A FunctionRecord (or any object) from the backing server. */
export function objectToPublic<T>(obj: T): T {
  if (!isObject(obj)) return obj;
  const o: Json = obj;
  if (o.apiVersion === names.BACKING_API_VERSION) {
    o.apiVersion = names.API_VERSION;
    if (typeof o.kind === 'string' && Object.hasOwn(KIND_TO_PUBLIC, o.kind)) o.kind = KIND_TO_PUBLIC[o.kind];
  }
  metadataToPublic(o.metadata);
  return obj;
}

/** FunctionRecordList → FunctionList; PartialObjectMetadataList items too. */
export function listToPublic<T>(list: T): T {
  if (!isObject(list)) return list;
  objectToPublic(list);
  if (Array.isArray(list.items)) for (const item of list.items) objectToPublic(item);
  return list;
}

/** meta.k8s.io Table: each row's object (PartialObjectMetadata or a full object). */
export function tableToPublic<T>(table: T): T {
  if (!isObject(table)) return table;
  metadataToPublic(table.metadata);
  if (Array.isArray(table.rows)) {
    for (const row of table.rows) if (isObject(row)) toPublic(row.object);
  }
  return table;
}

/** A watch event {type, object}; the object may be a record, a Table, metadata or a Status. */
export function watchEventToPublic<T>(event: T): T {
  if (isObject(event)) toPublic(event.object);
  return event;
}

/** Status errors: details.group and details.kind, the message and each cause's message. */
export function statusToPublic<T>(status: T): T {
  // A Success Status (a delete that finished at once) has no code; it names the resource too.
  if (!isStatus(status) && (status as { kind?: unknown } | null)?.kind !== 'Status') return status;
  const s = status as Status;
  if (s.message) s.message = messageToPublic(s.message);
  const d = s.details;
  if (d) {
    if (d.group === names.BACKING_GROUP) d.group = names.GROUP;
    if (d.kind && Object.hasOwn(KIND_TO_PUBLIC, d.kind)) d.kind = KIND_TO_PUBLIC[d.kind];
    for (const c of d.causes ?? []) if (c.message) c.message = messageToPublic(c.message);
  }
  return status;
}

const WARNING = /^(\d{3}) (\S+) "((?:[^"\\]|\\.)*)"(.*)$/;

/** A Warning header of the backing server (`299 - "text"`, RFC 7234): its text made public. */
export function warningToPublic(header: string): string {
  const m = WARNING.exec(header);
  if (!m) return header;
  const text = messageToPublic(m[3]!.replace(/\\(.)/g, '$1'));
  return `${m[1]} ${m[2]} "${text.replace(/["\\]/g, '\\$&')}"${m[4]}`;
}

/** Any response body of the backing server. */
export function toPublic<T>(body: T): T {
  if (!isObject(body)) return body;
  switch (body.kind) {
    case 'Status':
      return statusToPublic(body);
    case 'Table':
      return tableToPublic(body);
    case undefined:
      return 'type' in body && 'object' in body ? watchEventToPublic(body) : body;
    default:
      return Array.isArray(body.items) ? listToPublic(body) : objectToPublic(body);
  }
}

// --- messages ---------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const G = esc(names.BACKING_GROUP);

/** Backing identifiers in free text, most specific first. */
const TEXT_RULES: [RegExp, string][] = [
  [new RegExp(`\\b${names.BACKING_PLURAL}\\.${G}\\b`, 'g'), names.GROUP_RESOURCE],
  [new RegExp(`\\b${names.BACKING_LIST_KIND}\\.${G}\\b`, 'g'), `${names.LIST_KIND}.${names.GROUP}`],
  [new RegExp(`\\b${names.BACKING_KIND}\\.${G}\\b`, 'g'), names.GROUP_KIND],
  [new RegExp(`(?<![\\w-])${G}\\b`, 'g'), names.GROUP],
  [new RegExp(`\\b${names.BACKING_LIST_KIND}\\b`, 'g'), names.LIST_KIND],
  [new RegExp(`\\b${names.BACKING_KIND}\\b`, 'g'), names.KIND],
  [new RegExp(`\\b${names.BACKING_PLURAL}\\b`, 'g'), names.PLURAL],
  [new RegExp(`\\b${names.BACKING_SINGULAR}\\b`, 'g'), names.SINGULAR],
];

/** Serialized objects quoted inside messages (Invalid "patch" values): apiVersion and kind fields. */
const EMBEDDED_RULES: [RegExp, string][] = [
  [
    new RegExp(`(\\\\?"apiVersion\\\\?":\\s*\\\\?")${esc(names.BACKING_API_VERSION)}(\\\\?")`, 'g'),
    `$1${names.API_VERSION}$2`,
  ],
  [new RegExp(`(\\\\?"kind\\\\?":\\s*\\\\?")${names.BACKING_KIND}(\\\\?")`, 'g'), `$1${names.KIND}$2`],
  [
    new RegExp(`(\\\\?"kind\\\\?":\\s*\\\\?")${names.BACKING_LIST_KIND}(\\\\?")`, 'g'),
    `$1${names.LIST_KIND}$2`,
  ],
];

const EXACT_TO_PUBLIC: Record<string, string> = {
  [names.BACKING_GROUP_RESOURCE]: names.GROUP_RESOURCE,
  [names.BACKING_GROUP_KIND]: names.GROUP_KIND,
  [names.BACKING_API_VERSION]: names.API_VERSION,
  [names.BACKING_GROUP]: names.GROUP,
  ...KIND_TO_PUBLIC,
};

/** A Go-quoted string ("...", with \" escapes) and the text before it. */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
/** Text before a quoted resource, group or kind in RBAC and MethodNotAllowed messages. */
const BEFORE_IDENTIFIER = /\b(resource|group|kind) $/;

/**
 * Rewrites the backing group, kinds and resources in a message from the backing server. Quoted
 * strings are user data (names, values) and stay as they are, except a backing identifier quoted
 * where a resource, group or kind is named (`resource "functionrecords" in API group
 * "internal.serverless.kube.io"`, `resources of kind "functionrecords.internal.serverless.kube.io"`).
 */
export function messageToPublic(message: string): string {
  let out = '';
  let last = 0;
  for (const m of message.matchAll(QUOTED)) {
    const before = message.slice(last, m.index);
    out += rewriteText(before);
    const inner = m[0].slice(1, -1);
    const exact = EXACT_TO_PUBLIC[inner];
    out += exact && BEFORE_IDENTIFIER.test(before) ? `"${exact}"` : rewriteEmbedded(m[0]);
    last = m.index + m[0].length;
  }
  return out + rewriteText(message.slice(last));
}

function rewriteText(text: string): string {
  let s = rewriteEmbedded(text);
  for (const [re, to] of TEXT_RULES) s = s.replace(re, to);
  return s;
}

function rewriteEmbedded(text: string): string {
  let s = text;
  for (const [re, to] of EMBEDDED_RULES) s = s.replace(re, to);
  return s;
}
