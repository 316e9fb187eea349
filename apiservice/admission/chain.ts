// The admission chain of one write, in kube-apiserver's order: mutating webhooks in chain order
// (their JSONPatches applied, IfNeeded ones reinvoked once when a later webhook changed the
// object), the built-in validation, then the validating webhooks in parallel.

import { applyPatch, compare } from '../../src/util/json-patch.ts';
import { badRequest, internalError, StatusError } from '../errors.ts';
import {
  CallError,
  callWebhook,
  type ServiceResolver,
  type WebhookAnswer,
  type WebhookStatus,
} from './call-webhook.ts';
import { objectMatches } from './matching.ts';
import { type AdmissionAttributes, admissionReview } from './review.ts';
import type { Webhook } from './webhooks.ts';

export interface ChainResult {
  /** The admitted object: the request's object after every mutation. */
  object: unknown;
  warnings: string[];
}

export interface ChainDeps {
  resolveService: ServiceResolver;
  /** The built-in validation of the (mutated) object: throws a 422 StatusError. */
  validate(attrs: AdmissionAttributes): void;
  log?: (line: string) => void;
}

/** A denial as the client sees it (webhookerrors.ToStatusErr). */
export function denial(webhookName: string, status: WebhookStatus | undefined): StatusError {
  const deniedBy = `admission webhook "${webhookName}" denied the request`;
  const code = typeof status?.code === 'number' && status.code >= 400 ? status.code : 400;
  const message = status?.message
    ? `${deniedBy}: ${status.message}`
    : status?.reason
      ? `${deniedBy}: ${status.reason}`
      : `${deniedBy} without explanation`;
  const details = status?.details && typeof status.details === 'object' ? status.details : undefined;
  return new StatusError({
    code,
    // biome-ignore lint/suspicious/noExplicitAny: the webhook chooses its reason freely
    reason: (status?.reason || undefined) as any,
    message,
    ...(details ? { details } : {}),
  });
}

/** kube-apiserver refuses a dry run before calling a webhook that may have side effects. */
function refuseDryRun(webhook: Webhook, attrs: AdmissionAttributes): void {
  if (attrs.dryRun && webhook.sideEffects !== 'None' && webhook.sideEffects !== 'NoneOnDryRun')
    throw badRequest(`admission webhook "${webhook.name}" does not support dry run`);
}

const unchanged = (a: unknown, b: unknown) => compare(a as object, b as object).length === 0;

export class AdmissionChain {
  constructor(private readonly deps: ChainDeps) {}

  /** Calls one webhook; undefined when it failed and its failurePolicy is Ignore. */
  private async call(webhook: Webhook, attrs: AdmissionAttributes): Promise<WebhookAnswer | undefined> {
    try {
      if (webhook.matchConditions.length > 0) {
        // ADR 0713: never skip a condition silently; unevaluable conditions fail the call.
        throw new CallError(
          webhook.name,
          `matchConditions are not supported by this API server (${webhook.matchConditions.map((c) => c.name).join(', ')})`,
        );
      }
      return await callWebhook(webhook, admissionReview(attrs), this.deps.resolveService);
    } catch (error) {
      if (!(error instanceof CallError)) throw error;
      if (webhook.failurePolicy === 'Ignore') {
        this.deps.log?.(`failed calling webhook, failing open ${webhook.name}: ${error.message}`);
        return undefined;
      }
      this.deps.log?.(`failed calling webhook, failing closed ${webhook.name}: ${error.message}`);
      throw internalError(error);
    }
  }

  private async mutate(webhook: Webhook, attrs: AdmissionAttributes, warnings: string[]): Promise<unknown> {
    refuseDryRun(webhook, attrs);
    const answer = await this.call(webhook, attrs);
    if (!answer) return attrs.object;
    warnings.push(...answer.warnings);
    if (!answer.allowed) throw denial(webhook.name, answer.status);
    if (!answer.patch || answer.patch.length === 0) return attrs.object;
    if (attrs.object === undefined || attrs.object === null)
      throw internalError(
        `admission webhook "${webhook.name}" attempted to modify the object, which is not supported for this operation`,
      );
    try {
      return applyPatch(structuredClone(attrs.object), answer.patch, true, false).newDocument;
    } catch (error) {
      throw internalError(error);
    }
  }

  async run(attrs: AdmissionAttributes, mutating: Webhook[], validating: Webhook[]): Promise<ChainResult> {
    const warnings: string[] = [];
    try {
      return await this.runWebhooks(attrs, mutating, validating, warnings);
    } catch (error) {
      // A denied request still gets the warnings of the webhooks called before (kube-apiserver's
      // warning recorder keeps them for the error answer too).
      if (error instanceof StatusError) error.warnings.push(...warnings);
      throw error;
    }
  }

  private async runWebhooks(
    attrs: AdmissionAttributes,
    mutating: Webhook[],
    validating: Webhook[],
    warnings: string[],
  ): Promise<ChainResult> {
    let current = attrs;
    /** What each IfNeeded webhook returned, to know whether a later one changed it. */
    const outputs = new Map<Webhook, unknown>();
    for (const webhook of mutating) {
      if (!objectMatches(webhook, current.object, current.oldObject)) continue;
      const object = await this.mutate(webhook, current, warnings);
      current = { ...current, object };
      if (webhook.reinvocationPolicy === 'IfNeeded') outputs.set(webhook, object);
    }
    for (const [webhook, output] of outputs) {
      if (unchanged(output, current.object)) continue;
      if (!objectMatches(webhook, current.object, current.oldObject)) continue;
      current = { ...current, object: await this.mutate(webhook, current, warnings) };
    }
    if (current.operation !== 'DELETE') this.deps.validate(current);
    const calls = validating
      .filter((webhook) => objectMatches(webhook, current.object, current.oldObject))
      .map(async (webhook) => {
        refuseDryRun(webhook, current);
        const answer = await this.call(webhook, current);
        if (!answer) return;
        warnings.push(...answer.warnings);
        if (!answer.allowed) throw denial(webhook.name, answer.status);
      });
    const results = await Promise.allSettled(calls);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return { object: current.object, warnings };
  }
}
