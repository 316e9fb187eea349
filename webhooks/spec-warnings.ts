/**
 * Warnings for specs that are legal but probably not what their author wants; kubectl prints
 * them after the write succeeds. Short lines (kube-apiserver truncates long warnings).
 */

/** kube-apiserver's --request-timeout, the deadline of every functions/invoke call through it. */
export const API_INVOKE_DEADLINE_SECONDS = 60;

/** Variables the platform sets for the runtime (docs/runtime-contract.md). */
export const PLATFORM_ENV = new Set([
  'FUNCTION_DIR',
  'FUNCTION_HANDLER',
  'FUNCTION_NAME',
  'FUNCTION_NAMESPACE',
  'FUNCTION_TIMEOUT_SECONDS',
  'FUNCTION_MAX_BODY_BYTES',
  'PORT',
  'HOST',
]);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const field = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), value);

export function specWarnings(spec: unknown): string[] {
  if (!isObject(spec)) return [];
  const warnings: string[] = [];
  const timeout = spec.timeoutSeconds;
  if (typeof timeout === 'number' && timeout > API_INVOKE_DEADLINE_SECONDS)
    warnings.push(
      `spec.timeoutSeconds: calls through the Kubernetes API (functions/invoke) end after ${API_INVOKE_DEADLINE_SECONDS}s; use the gateway`,
    );
  const rabbitmq = field(spec, 'triggers', 'rabbitmq');
  const minReplicas = field(spec, 'scale', 'minReplicas');
  if (Array.isArray(rabbitmq) && rabbitmq.length > 0 && (minReplicas === 0 || minReplicas === undefined))
    warnings.push(
      'spec.scale.minReplicas: 0 with rabbitmq triggers: messages after an idle period wait for a cold start',
    );
  if (field(spec, 'resources', 'limits', 'memory') === undefined)
    warnings.push("spec.resources.limits.memory: not set; the function may use all of its node's memory");
  if (field(spec, 'resources', 'requests', 'cpu') === undefined)
    warnings.push('spec.resources.requests.cpu: not set; CPU-based autoscaling needs a CPU request');
  const cron = field(spec, 'triggers', 'cron');
  if (Array.isArray(cron))
    cron.forEach((item, i) => {
      if (isObject(item) && item.timeZone === undefined)
        warnings.push(
          `spec.triggers.cron[${i}].timeZone: not set; the schedule follows kube-controller-manager's clock zone`,
        );
    });
  if (Array.isArray(spec.env))
    spec.env.forEach((item, i) => {
      if (isObject(item) && typeof item.name === 'string' && PLATFORM_ENV.has(item.name))
        warnings.push(
          `spec.env[${i}].name: ${item.name} is set by the platform for the runtime; do not set it`,
        );
    });
  return warnings;
}
