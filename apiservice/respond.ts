// Writing JSON answers and Status errors.
import type { ServerResponse } from 'node:http';
import { toStatusError } from './errors.ts';

/** A Warning header value as kube-apiserver writes it (code 299, no agent). */
export const warningHeader = (text: string) => `299 - "${text.replace(/["\\]/g, '\\$&')}"`;

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers any thrown value as a Kubernetes Status (unknown errors become 500 InternalError). */
export function sendError(res: ServerResponse, error: unknown): void {
  const status = toStatusError(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const warnings = [...new Set(status.warnings)];
  if (warnings.length) res.setHeader('warning', warnings.map(warningHeader));
  sendJson(res, status.code, status.status);
}
