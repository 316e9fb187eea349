// functions, functions/status and functions/scale: each request is translated to the backing
// FunctionRecord, passed through the admission hook, sent to kube-apiserver, and its answer
// translated back. Watches are translated event by event as they stream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import type { AdmissionHook } from './admission-hook.ts';
import type { UserInfo } from './authn.ts';
import { type BackingClient, backingPath, readBody } from './backing.ts';
import { serviceUnavailable } from './errors.ts';
import { objectBody, patchBody, readRequestBody, type TranslatedBody } from './request-body.ts';
import type { ResourceRequest } from './request-info.ts';
import { sendJson } from './respond.ts';
import { toPublic, watchEventToPublic } from './translate.ts';

const FORWARDED_HEADERS = ['accept', 'user-agent'] as const;

export interface FunctionsRestDeps {
  backing: BackingClient;
  admission: AdmissionHook;
}

async function translatedBody(
  req: IncomingMessage,
  info: ResourceRequest,
  url: URL,
): Promise<TranslatedBody | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const raw = await readRequestBody(req);
  const contentType = req.headers['content-type'];
  // DeleteOptions and autoscaling/v1 Scale carry no group of ours.
  if (req.method === 'DELETE' || info.subresource === 'scale') {
    return raw.length === 0
      ? undefined
      : { body: Buffer.from(raw), contentType: contentType ?? 'application/json' };
  }
  if (req.method === 'PATCH') return patchBody(raw, contentType, info.name ?? '');
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
    const translated = await translatedBody(req, info, url);
    const admitted = await deps.admission.admit({ info, user, url, body: translated?.body });
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (translated && admitted) {
      headers['content-type'] = translated.contentType;
      headers['content-length'] = String(admitted.length);
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const response = await deps.backing.send({
      method: req.method ?? 'GET',
      path: backingPath(info.namespace, info.name, info.subresource),
      search: url.search,
      headers,
      body: admitted,
      signal: abort.signal,
    });
    const contentType = response.headers['content-type'] ?? '';
    if (info.verb === 'watch' && response.statusCode === 200) return streamWatch(response, res, contentType);
    const body = await readBody(response);
    if (!contentType.startsWith('application/json')) {
      res.writeHead(response.statusCode ?? 500, { 'content-type': contentType });
      res.end(body);
      return;
    }
    sendJson(res, response.statusCode ?? 500, toPublic(JSON.parse(body.toString('utf8'))), contentType);
  };
}

async function streamWatch(
  response: IncomingMessage,
  res: ServerResponse,
  contentType: string,
): Promise<void> {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  res.flushHeaders();
  for await (const line of createInterface({ input: response, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line.length === 0) continue;
    res.write(`${JSON.stringify(watchEventToPublic(JSON.parse(line)))}\n`);
  }
  res.end();
}
