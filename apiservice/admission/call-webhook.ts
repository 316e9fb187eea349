// One webhook call: POST the AdmissionReview to the webhook's url or Service over HTTPS (its
// caBundle, or the system roots), bounded by timeoutSeconds, and check the answer as
// kube-apiserver's webhook client does. Failures to get a usable answer are CallErrors (subject
// to failurePolicy); a denial is a WebhookDenial.
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Operation as PatchOperation } from '../../src/util/json-patch.ts';
import type { AdmissionReview } from './review.ts';
import type { ClientConfig, Webhook } from './webhooks.ts';

/** The webhook could not be called or answered unusably. */
export class CallError extends Error {
  constructor(
    readonly webhookName: string,
    reason: string,
  ) {
    super(`failed calling webhook "${webhookName}": ${reason}`);
    this.name = 'CallError';
  }
}

export interface WebhookStatus {
  code?: number;
  message?: string;
  reason?: string;
  status?: string;
  details?: unknown;
}

export interface WebhookAnswer {
  allowed: boolean;
  status: WebhookStatus | undefined;
  /** A JSONPatch, when the webhook sent one. */
  patch: PatchOperation[] | undefined;
  warnings: string[];
}

/** Where a Service lives: the ExternalName host, or undefined for `<name>.<namespace>.svc`. */
export type ServiceResolver = (namespace: string, name: string) => Promise<string | undefined>;

interface Target {
  url: URL;
  /** The name the certificate must carry. */
  serverName: string;
}

async function target(
  config: ClientConfig,
  timeoutSeconds: number,
  resolve: ServiceResolver,
): Promise<Target> {
  let url: URL;
  let serverName: string;
  if (config.url) {
    url = new URL(config.url);
    serverName = url.hostname;
  } else if (config.service) {
    const { namespace, name, port, path } = config.service;
    serverName = `${name}.${namespace}.svc`;
    const host = (await resolve(namespace, name)) ?? serverName;
    url = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}${path ?? ''}`);
  } else {
    throw new Error('the webhook has neither url nor service');
  }
  // kube-apiserver tells the webhook its deadline this way.
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  return { url, serverName };
}

function post(target: Target, body: string, ca: string | undefined, timeoutMs: number) {
  return new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
    const outgoing = request(
      target.url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...(ca ? { ca } : {}),
        // Node checks the certificate against servername: for a Service, the Service's name.
        servername: /^[\d.]+$|:/.test(target.serverName) ? undefined : target.serverName,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ statusCode: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Connection refused or reset: kube-apiserver's webhook client tries again with a backoff (a
 * webhook replica restarting, a kept-alive connection closed by a draining server); the review
 * has no side effects to repeat. Within the webhook's own timeout.
 */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
const RETRY_DELAYS_MS = [100, 200, 400, 800];

async function postWithRetries(target: Target, body: string, ca: string | undefined, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await post(target, body, ca, Math.max(1, deadline - Date.now()));
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (delay === undefined || !TRANSIENT.has(code) || Date.now() + delay >= deadline) throw error;
      await sleep(delay);
    }
  }
}

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

function errorText(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'context deadline exceeded';
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code === 'ECONNREFUSED') return `dial tcp ${e.address}:${e.port}: connect: connection refused`;
  // Go's wording for the usual TLS failures, which operators search for.
  if (UNKNOWN_AUTHORITY.has(e?.code ?? ''))
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (e?.code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `tls: failed to verify certificate: x509: ${e.message}`;
  return error instanceof Error ? error.message : String(error);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the review that came back, as webhookutil.VerifyAdmissionResponse does. */
export function parseAnswer(webhook: Webhook, uid: string, text: string): WebhookAnswer {
  const invalid = (why: string) => new CallError(webhook.name, `received invalid webhook response: ${why}`);
  let review: unknown;
  try {
    review = JSON.parse(text);
  } catch (error) {
    throw invalid(`${(error as Error).message}`);
  }
  if (!isObject(review) || review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    const gvk = isObject(review) ? `${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}` : '';
    throw invalid(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvk}`);
  }
  const response = review.response;
  if (!isObject(response)) throw invalid('webhook response was absent');
  if (response.uid !== uid) throw invalid(`expected response.uid="${uid}", got "${response.uid ?? ''}"`);
  const allowed = response.allowed === true;
  let patch: PatchOperation[] | undefined;
  if (response.patch !== undefined && response.patch !== null && response.patch !== '') {
    if (webhook.kind === 'validating') throw invalid('validating webhooks may not return patches');
    if (response.patchType !== 'JSONPatch')
      throw invalid(
        response.patchType
          ? `unsupported patch type "${response.patchType}"`
          : 'webhook returned response.patch but not response.patchType',
      );
    const decoded = Buffer.from(String(response.patch), 'base64').toString('utf8');
    try {
      patch = JSON.parse(decoded) as PatchOperation[];
    } catch (error) {
      throw invalid(`invalid JSONPatch: ${(error as Error).message}`);
    }
    if (!Array.isArray(patch)) throw invalid('invalid JSONPatch: not an array');
  } else if (response.patchType !== undefined && response.patchType !== null && response.patchType !== '') {
    throw invalid('webhook returned response.patchType but not response.patch');
  }
  const warnings = Array.isArray(response.warnings)
    ? response.warnings.filter((w): w is string => typeof w === 'string')
    : [];
  return {
    allowed,
    status: isObject(response.status) ? (response.status as WebhookStatus) : undefined,
    patch,
    warnings,
  };
}

/** Calls the webhook; throws a CallError when no usable answer comes back in time. */
export async function callWebhook(
  webhook: Webhook,
  review: AdmissionReview,
  resolveService: ServiceResolver,
): Promise<WebhookAnswer> {
  if (!webhook.admissionReviewVersions.includes('v1'))
    throw new CallError(
      webhook.name,
      `webhook does not accept v1 AdmissionReview (accepts ${JSON.stringify(webhook.admissionReviewVersions)})`,
    );
  let where: Target;
  try {
    where = await target(webhook.clientConfig, webhook.timeoutSeconds, resolveService);
  } catch (error) {
    throw new CallError(webhook.name, `failed to call webhook: ${errorText(error)}`);
  }
  let answer: { statusCode: number; body: string };
  try {
    answer = await postWithRetries(
      where,
      JSON.stringify(review),
      webhook.clientConfig.caBundle,
      webhook.timeoutSeconds * 1000,
    );
  } catch (error) {
    throw new CallError(
      webhook.name,
      `failed to call webhook: Post "${where.url.href}": ${errorText(error)}`,
    );
  }
  if (answer.statusCode < 200 || answer.statusCode > 299) {
    throw new CallError(
      webhook.name,
      `failed to call webhook: the server responded with the status code ${answer.statusCode} but did not return more information`,
    );
  }
  return parseAnswer(webhook, review.request.uid, answer.body);
}
