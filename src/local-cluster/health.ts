// Polls health endpoints until a component answers, with a deadline and a useful error.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';

export interface Probe {
  url: string;
  tls?: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
}

export function probeOnce(probe: Probe, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(probe.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { ...probe.tls, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${probe.url} within ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Stops waiting early, e.g. when the process being waited on keeps crashing. */
  giveUp?: () => string | undefined;
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs, intervalMs = 200, giveUp }: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    const reason = giveUp?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) {
      throw new Error(`${what}: not ready after ${timeoutMs / 1000}s${lastError ? ` (${lastError})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function isHealthy(probe: Probe): Promise<boolean> {
  const { status } = await probeOnce(probe);
  return status === 200;
}
