// Writing JSON answers and Status errors.
import type { ServerResponse } from 'node:http';
import { toStatusError } from './errors.ts';

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
  sendJson(res, status.code, status.status);
}
