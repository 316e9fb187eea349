// functions, functions/status and functions/scale: each request is translated to the backing
// FunctionRecord, sent to kube-apiserver, and its answer translated back. Writes that a webhook
// may match go through the admission chain (admission/write-path.ts). Watches are translated
// event by event as they stream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import type { Admission } from './admission/admission.ts';
import { type AdmittedWrite, admittedWrite, planWrite } from './admission/write-path.ts';
import type { UserInfo } from './authn.ts';
import { type BackingClient, backingPath, readBody } from './backing.ts';
import { StatusError, serviceUnavailable } from './errors.ts';
import {
  objectBody,
  objectMediaType,
  patchBody,
  patchType,
  readRequestBody,
  type TranslatedBody,
} from './request-body.ts';
import type { ResourceRequest } from './request-info.ts';
import { sendJson, warningHeader } from './respond.ts';
import { warningToPublic, watchEventToPublic } from './translate.ts';
import { answerToPublic } from './translate-bytes.ts';

const FORWARDED_HEADERS = ['accept', 'user-agent'] as const;

export interface FunctionsRestDeps {
  backing: BackingClient;
  admission: Admission;
}

/**
 * The request body in backing form. Checks run in kube-apiserver's order: a create refuses an
 * unknown media type before reading the body, an update after; a patch checks its type first.
 */
async function translatedBody(
  req: IncomingMessage,
  info: ResourceRequest,
  url: URL,
): Promise<TranslatedBody | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const contentType = req.headers['content-type'];
  // DeleteOptions and autoscaling/v1 Scale carry no group of ours: the backing server judges them.
  if (req.method === 'DELETE' || info.subresource === 'scale') {
    const raw = await readRequestBody(req);
    return raw.length === 0
      ? undefined
      : { body: Buffer.from(raw), contentType: contentType ?? 'application/json', warnings: [] };
  }
  if (req.method === 'PATCH') {
    patchType(contentType);
    return patchBody(await readRequestBody(req), contentType, info.name ?? '');
  }
  if (req.method === 'POST') objectMediaType(contentType);
  const raw = await readRequestBody(req);
  return objectBody(raw, contentType, url.searchParams.get('fieldValidation') ?? undefined);
}

export function createFunctionsRest(deps: FunctionsRestDeps) {
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    info: ResourceRequest,
    user: UserInfo,
    url: URL,
  ) => {
    if (info.subresource === 'invoke' || info.subresource === 'metrics') {
      throw serviceUnavailable(
        `functions/${info.subresource} is not served by this version of kube-serverless`,
      );
    }
    // A watch reads no body, whatever the method (`POST /watch/...` is a watch for kube-apiserver).
    const translated = info.verb === 'watch' ? undefined : await translatedBody(req, info, url);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const plan = await planWrite(deps.admission, info, translated);
    if (plan) {
      const write = { backing: deps.backing, info, user, url, headers, translated, signal: abort.signal };
      const admitted = await admittedWrite({ ...write, method: req.method ?? 'GET' }, plan).catch(
        (error: unknown) => {
          // A refused write still carries the warnings its body earned, first.
          if (error instanceof StatusError) error.warnings.unshift(...(translated?.warnings ?? []));
          throw error;
        },
      );
      sendAdmitted(res, admitted, translated?.warnings ?? []);
      return;
    }
    const admitted = translated?.body;
    if (translated && admitted) {
      headers['content-type'] = translated.contentType;
      headers['content-length'] = String(admitted.length);
    }
    const response = await deps.backing.send({
      method: req.method ?? 'GET',
      path: backingPath(info.namespace, info.name, info.subresource, info.watchPath),
      search: url.search,
      headers,
      body: admitted,
      signal: abort.signal,
      watch: info.verb === 'watch',
    });
    const contentType = response.headers['content-type'] ?? '';
    const warnings = [...(translated?.warnings ?? []).map(warningHeader), ...backingWarnings(response)];
    if (warnings.length) res.setHeader('warning', warnings);
    if (info.verb === 'watch' && response.statusCode === 200) return streamWatch(response, res, contentType);
    const body = await readBody(response);
    if (!contentType.startsWith('application/json') || req.method === 'HEAD' || body.length === 0) {
      res.writeHead(response.statusCode ?? 500, { 'content-type': contentType });
      res.end(body);
      return;
    }
    const answer = answerToPublic(body);
    res.writeHead(response.statusCode ?? 500, {
      'content-type': contentType,
      'content-length': answer.length,
    });
    res.end(answer);
  };
}

/** The answer to a write that went through admission, with every warning on the way. */
function sendAdmitted(
  res: ServerResponse,
  { answer, warnings }: AdmittedWrite,
  bodyWarnings: string[],
): void {
  const all = [
    ...bodyWarnings.map(warningHeader),
    ...warnings.map(warningHeader),
    ...answer.warnings.map(warningToPublic),
  ];
  if (all.length) res.setHeader('warning', all);
  const contentType = answer.headers['content-type'] ?? '';
  if (answer.json === undefined) {
    res.writeHead(answer.statusCode, { 'content-type': contentType });
    res.end(answer.body);
    return;
  }
  sendJson(res, answer.statusCode, answer.json, contentType);
}

/** The backing server's Warning headers, naming the public group and kind. */
function backingWarnings(response: IncomingMessage): string[] {
  const raw = response.headersDistinct?.warning ?? [];
  return raw.map(warningToPublic);
}

/**
 * Streams a watch, translating event by event. Either side may go away at any time (the client
 * disconnects, kube-apiserver ends the watch at its timeout): the stream then just ends.
 */
async function streamWatch(
  response: IncomingMessage,
  res: ServerResponse,
  contentType: string,
): Promise<void> {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
  const ignore = () => {};
  response.on('error', ignore);
  const lines = createInterface({ input: response, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('error', ignore);
  try {
    for await (const line of lines) {
      if (line.length === 0) continue;
      if (res.destroyed) break;
      res.write(`${JSON.stringify(watchEventToPublic(JSON.parse(line)))}\n`);
    }
  } catch {
    // An aborted or truncated stream: the client sees the watch end and starts a new one.
  } finally {
    lines.close();
    response.destroy();
  }
  res.end();
}
