// Plain HTTPS requests with a chosen client certificate (or none), for talking to a server
// replica directly, past kube-apiserver.
import { request } from 'node:https';

export interface DirectRequest {
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Client certificate and key (PEM); none when omitted. */
  client?: { certPem: string; keyPem: string };
  /** CA that signed the server's certificate, checked against the name `localhost`. */
  ca: string;
}

export interface DirectResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function directRequest(options: DirectRequest): Promise<DirectResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        ca: options.ca,
        servername: 'localhost',
        cert: options.client?.certPem,
        key: options.client?.keyPem,
        // A fresh connection each time: no TLS session or keep-alive socket carries a client
        // certificate over from an earlier request.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
