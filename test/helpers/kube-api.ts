// Raw HTTP requests to kube-apiserver with the admin credentials of a test cluster: for the
// requests kubectl will not send (bad bodies, odd content types, unknown parameters).
import { type IncomingHttpHeaders, request } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface ApiResponse {
  code: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as JSON, when it is JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the server is walked untyped
  body: any;
}

export interface ApiRequest {
  method?: string;
  path: string;
  body?: string | Buffer;
  /** Headers; `content-type` defaults to application/json, an empty value sends an empty header. */
  headers?: Record<string, string>;
}

export async function apiRequest(kubeConfig: KubeConfig, req: ApiRequest): Promise<ApiResponse> {
  const server = new URL(kubeConfig.getCurrentCluster()!.server);
  const options: RequestOptions = {
    method: req.method ?? 'GET',
    host: server.hostname,
    port: server.port,
    path: req.path,
    // An explicit length: Node sends no body on a DELETE without one.
    headers: {
      'content-type': 'application/json',
      ...(req.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(req.body)) }),
      ...req.headers,
    },
    agent: false,
  };
  await kubeConfig.applyToHTTPSOptions(options);
  const send = server.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const outgoing = send(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ code: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}
