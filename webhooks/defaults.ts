/**
 * Defaults of a Function spec, in one place (the schema carries none, ADR 0401): a pure,
 * idempotent function from any JSON value to a defaulted copy. It only fills what is missing (null
 * counts as missing, as for a CRD) and leaves values of the wrong type alone for validation to
 * report. Every value it adds passes validation next to the user's own values.
 */

import { parseQuantity } from '../src/api/quantity.ts';
import { findRuntime } from '../src/api/runtimes.ts';

export const RUNTIME_LABEL = 'serverless.kube.io/runtime';

export const DEFAULTS = {
  timeoutSeconds: 30,
  concurrency: 0,
  scale: { minReplicas: 0, maxReplicas: 10, targetCPUUtilizationPercentage: 80, idleTimeoutSeconds: 300 },
  // A CPU request always: the HPA's utilization target is a percentage of it.
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '1', memory: '256Mi' },
  cronTimeZone: 'UTC',
  rabbitmq: { prefetch: 10, maxRetries: 5 },
} as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const missing = (value: unknown) => value === undefined || value === null;

function fill(target: Json, key: string, value: unknown): void {
  if (missing(target[key])) target[key] = value;
}

/** The object `target[key]`, created when missing; undefined when it holds something else. */
function child(target: Json, key: string): Json | undefined {
  if (missing(target[key])) target[key] = {};
  const value = target[key];
  return isObject(value) ? value : undefined;
}

export function withDefaults<T>(fn: T): T {
  if (!isObject(fn) || !isObject(fn.spec)) return fn;
  const out = structuredClone(fn) as Json;
  const spec = out.spec as Json;
  const runtime = findRuntime(spec.runtime);
  if (runtime) {
    fill(spec, 'handler', runtime.defaultHandler);
    const labels = isObject(out.metadata) ? child(out.metadata, 'labels') : undefined;
    // Derived from spec.runtime, so kept true rather than only filled.
    if (labels) labels[RUNTIME_LABEL] = runtime.language;
  }
  fill(spec, 'timeoutSeconds', DEFAULTS.timeoutSeconds);
  fill(spec, 'concurrency', DEFAULTS.concurrency);
  const scale = child(spec, 'scale');
  if (scale) defaultScale(scale);
  const resources = child(spec, 'resources');
  if (resources) defaultResources(resources);
  if (isObject(spec.triggers)) defaultTriggers(spec.triggers);
  return out as T;
}

function defaultScale(scale: Json): void {
  fill(scale, 'minReplicas', DEFAULTS.scale.minReplicas);
  const min = scale.minReplicas;
  // Never below a minimum the user chose.
  const max = typeof min === 'number' && min > DEFAULTS.scale.maxReplicas ? min : DEFAULTS.scale.maxReplicas;
  fill(scale, 'maxReplicas', max);
  fill(scale, 'targetCPUUtilizationPercentage', DEFAULTS.scale.targetCPUUtilizationPercentage);
  fill(scale, 'idleTimeoutSeconds', DEFAULTS.scale.idleTimeoutSeconds);
}

/**
 * cpu and memory: a missing request takes the limit (Kubernetes' own rule for containers), a
 * missing limit is the default or the request when that is larger, so requests never exceed limits.
 */
function defaultResources(resources: Json): void {
  const malformed = (key: string) => !missing(resources[key]) && !isObject(resources[key]);
  if (malformed('requests') || malformed('limits')) return;
  const requests = child(resources, 'requests');
  const limits = child(resources, 'limits');
  if (!requests || !limits) return;
  for (const name of ['cpu', 'memory'] as const) {
    if (missing(requests[name])) {
      if (missing(limits[name])) requests[name] = DEFAULTS.requests[name];
      // Only a sound limit is copied: a bad one is reported once, where it is.
      else if ((parseQuantity(limits[name]) ?? -1) >= 0) requests[name] = limits[name];
    }
    if (missing(limits[name])) {
      const request = parseQuantity(requests[name]);
      if (request === undefined) continue;
      const fallback = DEFAULTS.limits[name];
      limits[name] = request > parseQuantity(fallback)! ? requests[name] : fallback;
    }
  }
}

function defaultTriggers(triggers: Json): void {
  if (Array.isArray(triggers.cron))
    for (const cron of triggers.cron) if (isObject(cron)) fill(cron, 'timeZone', DEFAULTS.cronTimeZone);
  if (Array.isArray(triggers.rabbitmq))
    for (const queue of triggers.rabbitmq) {
      if (!isObject(queue)) continue;
      fill(queue, 'prefetch', DEFAULTS.rabbitmq.prefetch);
      fill(queue, 'maxRetries', DEFAULTS.rabbitmq.maxRetries);
    }
}
