// Writes that admission applies to, done the way kube-apiserver orders them: read the stored
// object (oldObject), compute the object the write would store, admit it, then write exactly
// that with the stored resourceVersion as precondition (ADR 0714). A conflict is retried when
// the client gave no resourceVersion of its own, as kube-apiserver's GuaranteedUpdate does.
import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import { API_VERSION, GROUP, KIND, LIST_KIND, PLURAL, VERSION } from '../../src/api/constants.ts';
import type { UserInfo } from '../authn.ts';
import { type BackingClient, backingPath, readBody } from '../backing.ts';
import { conflict, OBJECT_MODIFIED } from '../errors.ts';
import type { TranslatedBody } from '../request-body.ts';
import type { ResourceRequest } from '../request-info.ts';
import { toPublic } from '../translate.ts';
import { metadataToBacking, objectToBacking } from '../translate-request.ts';
import type { Admission, AdmissionPlan } from './admission.ts';
import type { Operation, RequestAttributes } from './matching.ts';
import { mergeDiff, mergeInto, removes } from './merge-diff.ts';
import { type AdmissionAttributes, type GroupVersionKind, requestOptions } from './review.ts';

type Json = Record<string, unknown>;

const MAX_ATTEMPTS = 5;
const APPLY = 'application/apply-patch+yaml';
const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const SCALE_KIND: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
const FUNCTION_KIND: GroupVersionKind = { group: GROUP, version: VERSION, kind: KIND };

export interface WriteRequest {
  backing: BackingClient;
  info: ResourceRequest;
  user: UserInfo;
  url: URL;
  method: string;
  /** accept and user-agent of the client. */
  headers: Record<string, string>;
  translated: TranslatedBody | undefined;
  signal: AbortSignal;
}

export interface AdmittedWrite {
  answer: BackingAnswer;
  /** The webhooks' warnings. */
  warnings: string[];
}

/** The admission operation of a write verb; undefined for reads. */
export function operationOf(info: ResourceRequest): Operation | undefined {
  switch (info.verb) {
    case 'create':
      return 'CREATE';
    case 'update':
    case 'patch':
      return 'UPDATE';
    case 'delete':
    case 'deletecollection':
      return 'DELETE';
    default:
      return undefined;
  }
}

export function requestAttributes(info: ResourceRequest, operation: Operation): RequestAttributes {
  return {
    operation,
    group: GROUP,
    version: VERSION,
    resource: PLURAL,
    subresource: info.subresource ?? '',
    namespace: info.namespace ?? '',
    name: info.name ?? '',
  };
}

/** The chains a write may need, by operation (an apply may turn out to be a CREATE). */
export type WritePlans = Partial<Record<Operation, AdmissionPlan>>;

/** What admission a write needs; undefined when no webhook can match it (the fast path). */
export async function planWrite(
  admission: Admission,
  info: ResourceRequest,
  translated: TranslatedBody | undefined,
): Promise<WritePlans | undefined> {
  const operation = operationOf(info);
  if (!operation) return undefined;
  const plans: WritePlans = {};
  plans[operation] = await admission.plan(requestAttributes(info, operation));
  if (info.verb === 'patch' && translated?.contentType === APPLY)
    plans.CREATE = await admission.plan(requestAttributes(info, 'CREATE'));
  return plans.CREATE || plans[operation] ? plans : undefined;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const metadataOf = (o: unknown): Json => (isObject(o) && isObject(o.metadata) ? o.metadata : {});
const resourceVersionOf = (o: unknown) => metadataOf(o).resourceVersion as string | undefined;

/** A backing answer, read whole (writes are never streamed). */
export interface BackingAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed and in public form; undefined when it is not JSON. */
  json: unknown;
  /** Its Warning headers, as sent (backing names). */
  warnings: string[];
}

const isModifiedConflict = (answer: BackingAnswer) =>
  answer.statusCode === 409 &&
  isObject(answer.json) &&
  typeof answer.json.message === 'string' &&
  answer.json.message.includes(OBJECT_MODIFIED);

const WEBHOOK_RETRY_DELAYS_MS = [100, 300, 900];
const UNREACHABLE_WEBHOOK =
  /failed calling webhook "[^"]*": failed to call webhook: .*(: EOF|broken pipe|connection reset by peer|connection refused|server closed idle connection|use of closed network connection)/;

const unreachableWebhook = (answer: BackingAnswer) =>
  answer.statusCode === 500 &&
  isObject(answer.json) &&
  typeof answer.json.message === 'string' &&
  UNREACHABLE_WEBHOOK.test(answer.json.message);

class Writer {
  readonly warnings: string[] = [];
  constructor(
    private readonly req: WriteRequest,
    private readonly plans: WritePlans,
  ) {}

  private get kind(): GroupVersionKind {
    return this.req.info.subresource === 'scale' ? SCALE_KIND : FUNCTION_KIND;
  }

  /**
   * One request to the backing server. A write that kube-apiserver refused because a webhook
   * could not be reached (our own validating webhook on the backing CRD, while one of our
   * replicas restarts and cuts its kept-alive connections: Go reports EOF and does not retry a
   * POST) wrote nothing, so it is sent again after a short pause.
   */
  private async send(
    method: string,
    search: URLSearchParams,
    body?: Buffer,
    contentType?: string,
    name = this.req.info.name,
  ): Promise<BackingAnswer> {
    for (const delay of [...WEBHOOK_RETRY_DELAYS_MS, undefined]) {
      const answer = await this.sendOnce(method, search, body, contentType, name);
      if (delay === undefined || method === 'GET' || !unreachableWebhook(answer)) return answer;
      await sleep(delay, undefined, { signal: this.req.signal }).catch(() => {});
      if (this.req.signal.aborted) return answer;
    }
    throw new Error('unreachable');
  }

  private async sendOnce(
    method: string,
    search: URLSearchParams,
    body?: Buffer,
    contentType?: string,
    name = this.req.info.name,
  ): Promise<BackingAnswer> {
    const { info } = this.req;
    const headers: Record<string, string> = { ...this.req.headers };
    if (body) {
      headers['content-type'] = contentType ?? 'application/json';
      headers['content-length'] = String(body.length);
    }
    const query = search.toString();
    const response = await this.req.backing.send({
      method,
      path: backingPath(info.namespace, name, name === undefined ? undefined : info.subresource),
      search: query ? `?${query}` : '',
      headers,
      body,
      signal: this.req.signal,
    });
    const text = await readBody(response);
    let json: unknown;
    if ((response.headers['content-type'] ?? '').startsWith('application/json')) {
      try {
        json = toPublic(JSON.parse(text.toString('utf8')));
      } catch {
        json = undefined;
      }
    }
    return {
      statusCode: response.statusCode ?? 500,
      headers: response.headers,
      body: text,
      json,
      warnings: response.headersDistinct.warning ?? [],
    };
  }

  private attributes(
    operation: Operation,
    object: unknown,
    oldObject: unknown,
    options: Json,
  ): AdmissionAttributes {
    const name = this.req.info.name ?? (metadataOf(object ?? oldObject).name as string | undefined) ?? '';
    return {
      ...requestAttributes(this.req.info, operation),
      name,
      kind: this.kind,
      user: this.req.user,
      dryRun: this.req.url.searchParams.getAll('dryRun').length > 0,
      options,
      object,
      oldObject,
    };
  }

  private async admit(attrs: AdmissionAttributes): Promise<unknown> {
    const plan = this.plans[attrs.operation];
    if (!plan) return attrs.object;
    const result = await plan.run(attrs);
    this.warnings.push(...result.warnings);
    return result.object;
  }

  /** The admitted object as a backing body. */
  private body(admitted: unknown): Buffer {
    if (this.kind.kind !== KIND) return Buffer.from(JSON.stringify(admitted));
    const fieldValidation = this.req.url.searchParams.get('fieldValidation') ?? undefined;
    return Buffer.from(JSON.stringify(objectToBacking(structuredClone(admitted), { fieldValidation })));
  }

  private parsedBody(): unknown {
    const body = this.req.translated?.body;
    if (!body) return undefined;
    try {
      return toPublic(JSON.parse(body.toString('utf8')));
    } catch {
      return undefined;
    }
  }

  /** The client's request sent on as it is (the backing server answers what admission cannot read). */
  private passThrough(): Promise<BackingAnswer> {
    const { translated, method, url } = this.req;
    return this.send(method, url.searchParams, translated?.body, translated?.contentType);
  }

  /** Retries a write that lost a race, when the client did not ask for a resourceVersion. */
  private async retrying(ownPrecondition: boolean, attempt: () => Promise<BackingAnswer | 'conflict'>) {
    for (let i = 1; ; i++) {
      const result = await attempt();
      if (result === 'conflict') {
        if (ownPrecondition || i >= MAX_ATTEMPTS) throw conflict(this.req.info.name ?? '', OBJECT_MODIFIED);
        continue;
      }
      if (!ownPrecondition && i < MAX_ATTEMPTS && isModifiedConflict(result)) continue;
      return result;
    }
  }

  /**
   * The client's body judged by the backing server without storing it (dryRun=All): its decoding
   * (YAML 1.1 scalars, duplicate and unknown fields under fieldValidation), a missing or stale
   * resourceVersion, the schema and the backing's own admission answer first and in
   * kube-apiserver's words, as they do for a CRD before its webhooks are called (ADR 0716).
   */
  private judgeBody(method: 'POST' | 'PUT'): Promise<BackingAnswer> {
    const search = new URLSearchParams(this.req.url.searchParams);
    search.set('dryRun', 'All');
    return this.send(method, search, this.req.translated?.body, this.req.translated?.contentType);
  }

  /** The final answer, with the warnings the client's own body got (lost once it is rewritten). */
  private withBodyWarnings(verdict: BackingAnswer, answer: BackingAnswer): BackingAnswer {
    const warnings = [...new Set([...verdict.warnings, ...answer.warnings])];
    return { ...answer, warnings };
  }

  async create(): Promise<BackingAnswer> {
    const verdict = await this.judgeBody('POST');
    if (verdict.statusCode >= 300) return verdict;
    const object = this.parsedBody();
    if (!isObject(object)) return this.passThrough();
    const search = this.req.url.searchParams;
    const options = requestOptions('CREATE', search, false);
    const admitted = await this.admit(this.attributes('CREATE', object, undefined, options));
    const body = unchanged(admitted, object) ? this.req.translated?.body : undefined;
    return this.withBodyWarnings(verdict, await this.send('POST', search, body ?? this.body(admitted)));
  }

  async update(): Promise<BackingAnswer> {
    const object = this.parsedBody();
    if (!isObject(object)) return this.passThrough();
    const search = this.req.url.searchParams;
    // kube-apiserver refuses an update without a resourceVersion for a CRD: the verdict says so.
    const own = resourceVersionOf(object);
    return this.retrying(!!own, async () => {
      const [verdict, old] = await Promise.all([
        this.judgeBody('PUT'),
        this.send('GET', new URLSearchParams()),
      ]);
      if (verdict.statusCode >= 300) return verdict;
      if (old.statusCode !== 200) return this.passThrough();
      const options = requestOptions('UPDATE', search, false);
      const admitted = await this.admit(this.attributes('UPDATE', object, old.json, options));
      const body =
        unchanged(admitted, object) && this.req.translated
          ? this.req.translated.body
          : this.body(pinned(admitted, own || resourceVersionOf(old.json)));
      return this.withBodyWarnings(verdict, await this.send('PUT', search, body));
    });
  }

  async patch(): Promise<BackingAnswer> {
    const translated = this.req.translated;
    if (!translated) return this.passThrough();
    const search = this.req.url.searchParams;
    const own = patchResourceVersion(translated);
    const apply = translated.contentType === APPLY;
    return this.retrying(own !== undefined, async () => {
      const dryRunSearch = new URLSearchParams(search);
      dryRunSearch.set('dryRun', 'All');
      // The stored object and the one the patch would store (computed by the backing server
      // without storing it), fetched together: one round trip less.
      const [old, preview] = await Promise.all([
        this.send('GET', new URLSearchParams()),
        this.send('PATCH', dryRunSearch, translated.body, translated.contentType),
      ]);
      if (old.statusCode !== 200 && !(apply && old.statusCode === 404)) return old;
      if (preview.statusCode >= 300 || !isObject(preview.json)) return preview;
      const rv = old.statusCode === 200 ? resourceVersionOf(old.json) : undefined;
      // The preview must be of the object read: otherwise a write came in between.
      if ((resourceVersionOf(preview.json) || undefined) !== rv) return 'conflict';
      const operation = rv === undefined ? 'CREATE' : 'UPDATE';
      const options = requestOptions(operation, search, true);
      const oldObject = rv === undefined ? undefined : old.json;
      const admitted = await this.admit(this.attributes(operation, preview.json, oldObject, options));
      if ((apply || translated.contentType === MERGE_PATCH) && unchanged(admitted, preview.json)) {
        // Unchanged: the client's own patch, bound to the version admitted. Server-side apply
        // keeps its own bookkeeping so; a merge patch is simply smaller than the object. (A JSON
        // patch could only be bound by a `test` op, whose failure is no 409: it is PUT.)
        // An apply is never bound: kube-apiserver records the applied configuration in the
        // last-applied annotation, and a resourceVersion there breaks kubectl's next client-side
        // apply (its three-way patch would remove it).
        const bound =
          rv === undefined || own !== undefined || apply ? translated.body : withPrecondition(translated, rv);
        return this.send('PATCH', search, bound, translated.contentType);
      }
      if (apply) {
        // Changed by admission: the client's apply with the webhooks' changes merged in, so the
        // write stays one atomic apply with its own bookkeeping (ADR 0714).
        const changes = mergeDiff(preview.json, admitted);
        if (!removes(changes)) {
          const config = withChanges(translated, changes);
          if (config) {
            // The preview applied the client's own configuration without a conflict: forcing
            // takes over the fields the webhooks changed, which kube-apiserver never checks for
            // conflicts either. (Unbound, as above.)
            const forced = new URLSearchParams(search);
            forced.set('force', 'true');
            return this.send('PATCH', forced, config, translated.contentType);
          }
        }
      }
      const put = new URLSearchParams(search);
      put.delete('force');
      if (rv === undefined) return this.send('POST', put, this.body(admitted));
      return this.send('PUT', put, this.body(pinned(admitted, rv)));
    });
  }

  private deleteOptions(): Json | undefined {
    const raw = this.req.translated?.body;
    if (!raw) return {};
    try {
      const parsed = JSON.parse(raw.toString('utf8'));
      return isObject(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Admits deleting one stored object and deletes exactly that version of it; `deleted` gets the
   * object as it was when deleted (what DeleteCollection lists).
   */
  private async deleteOne(
    name: string,
    options: Json,
    search: URLSearchParams,
    deleted: unknown[] = [],
  ): Promise<BackingAnswer> {
    const preconditions = isObject(options.preconditions) ? options.preconditions : {};
    const own = typeof preconditions.resourceVersion === 'string' && preconditions.resourceVersion !== '';
    return this.retrying(own, async () => {
      const old = await this.send('GET', new URLSearchParams(), undefined, undefined, name);
      if (old.statusCode !== 200) return old;
      const reviewOptions = requestOptions('DELETE', search, false, options);
      const attrs = { ...this.attributes('DELETE', undefined, old.json, reviewOptions), name };
      await this.admit(attrs);
      const bound: Json = own
        ? { ...options }
        : { ...options, preconditions: { ...preconditions, resourceVersion: resourceVersionOf(old.json) } };
      if (!bound.kind) Object.assign(bound, { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1' });
      const answer = await this.send(
        'DELETE',
        search,
        Buffer.from(JSON.stringify(bound)),
        'application/json',
        name,
      );
      // A finished delete answers a Success Status; one waiting for finalizers, the object.
      if (answer.statusCode < 300)
        deleted.push(isObject(answer.json) && answer.json.kind === 'Status' ? old.json : answer.json);
      return answer;
    });
  }

  async delete(): Promise<BackingAnswer> {
    const options = this.deleteOptions();
    if (!options) return this.passThrough();
    return this.deleteOne(this.req.info.name ?? '', options, this.req.url.searchParams);
  }

  /**
   * Each selected object is admitted and deleted on its own, as kube-apiserver's DeleteCollection
   * does; the answer is the list of what was deleted.
   */
  async deleteCollection(): Promise<BackingAnswer> {
    const options = this.deleteOptions();
    if (!options) return this.passThrough();
    const search = this.req.url.searchParams;
    const listSearch = new URLSearchParams();
    for (const key of ['labelSelector', 'fieldSelector', 'resourceVersion', 'resourceVersionMatch'])
      for (const value of search.getAll(key)) listSearch.append(key, value);
    const list = await this.send('GET', listSearch, undefined, undefined, undefined);
    if (list.statusCode !== 200 || !isObject(list.json) || !Array.isArray(list.json.items)) return list;
    const deleteSearch = new URLSearchParams();
    for (const key of ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'])
      for (const value of search.getAll(key)) deleteSearch.append(key, value);
    const deleted: unknown[] = [];
    for (const item of list.json.items) {
      const name = metadataOf(item).name as string;
      const answer = await this.deleteOne(name, options, deleteSearch, deleted);
      if (answer.statusCode === 404) continue;
      if (answer.statusCode >= 300) return answer;
    }
    const result = {
      apiVersion: API_VERSION,
      kind: LIST_KIND,
      metadata: metadataOf(list.json),
      items: deleted,
    };
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(result)),
      json: result,
      warnings: [],
    };
  }
}

const unchanged = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The object with the resourceVersion admission saw, as the write's precondition. */
function pinned(object: unknown, rv: string | undefined): Json {
  const copy = structuredClone(object) as Json;
  copy.metadata = { ...metadataOf(copy), resourceVersion: rv };
  return copy;
}

/** The resourceVersion a patch asks for itself, if any. */
function patchResourceVersion(translated: TranslatedBody): string | undefined {
  try {
    const parsed =
      translated.contentType === APPLY
        ? parseYaml(translated.body.toString('utf8'))
        : JSON.parse(translated.body.toString('utf8'));
    if (translated.contentType === JSON_PATCH) return undefined;
    const rv = metadataOf(parsed).resourceVersion;
    return typeof rv === 'string' && rv !== '' ? rv : undefined;
  } catch {
    return undefined;
  }
}

/** An apply configuration with admission's changes merged in; undefined when it is not an object. */
function withChanges(translated: TranslatedBody, changes: unknown): Buffer | undefined {
  let config: unknown;
  try {
    config = parseYaml(translated.body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(config) || !isObject(changes)) return undefined;
  const backingChanges = structuredClone(changes);
  metadataToBacking(backingChanges.metadata);
  return Buffer.from(JSON.stringify(mergeInto(config, backingChanges)));
}

/** The patch with the stored resourceVersion as precondition (a JSON Patch test, or metadata). */
function withPrecondition(translated: TranslatedBody, rv: string): Buffer {
  const text = translated.body.toString('utf8');
  if (translated.contentType === JSON_PATCH) {
    const ops = JSON.parse(text) as unknown[];
    return Buffer.from(
      JSON.stringify([{ op: 'test', path: '/metadata/resourceVersion', value: rv }, ...ops]),
    );
  }
  const parsed = translated.contentType === APPLY ? parseYaml(text) : JSON.parse(text);
  if (!isObject(parsed)) return translated.body;
  parsed.metadata = { ...metadataOf(parsed), resourceVersion: rv };
  return Buffer.from(JSON.stringify(parsed));
}

/** Runs the write with admission; resolves to the backing server's answer to the final write. */
export async function admittedWrite(req: WriteRequest, plans: WritePlans): Promise<AdmittedWrite> {
  const writer = new Writer(req, plans);
  const verbs: Record<string, () => Promise<BackingAnswer>> = {
    create: () => writer.create(),
    update: () => writer.update(),
    patch: () => writer.patch(),
    delete: () => writer.delete(),
    deletecollection: () => writer.deleteCollection(),
  };
  const write = verbs[req.info.verb];
  if (!write) throw new Error(`not a write: ${req.info.verb}`);
  return { answer: await write(), warnings: writer.warnings };
}
