// Webhooks as the admission chain uses them: one entry per webhook of a Mutating- or
// ValidatingWebhookConfiguration, with kube-apiserver's defaults filled in.
import type {
  V1LabelSelector,
  V1MutatingWebhookConfiguration,
  V1RuleWithOperations,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';

export type WebhookKind = 'mutating' | 'validating';

export interface ClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port: number };
  /** PEM; empty means the system's roots. */
  caBundle?: string;
}

export interface Webhook {
  kind: WebhookKind;
  /** Which configuration it belongs to, and its position there (the chain's order). */
  configurationName: string;
  index: number;
  name: string;
  clientConfig: ClientConfig;
  rules: V1RuleWithOperations[];
  failurePolicy: 'Fail' | 'Ignore';
  matchPolicy: 'Exact' | 'Equivalent';
  namespaceSelector: V1LabelSelector;
  objectSelector: V1LabelSelector;
  sideEffects: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  reinvocationPolicy: 'Never' | 'IfNeeded';
  /** CEL conditions; the chain refuses to guess them (ADR 0713). */
  matchConditions: Array<{ name: string; expression: string }>;
}

const DEFAULT_TIMEOUT_SECONDS = 10;

/** caBundle arrives base64-encoded in the configuration; the chain wants PEM text. */
function decodeCaBundle(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

type AnyConfiguration = V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration;
type AnyWebhook = NonNullable<AnyConfiguration['webhooks']>[number] & { reinvocationPolicy?: string };

export function webhooksOf(kind: WebhookKind, configuration: AnyConfiguration): Webhook[] {
  const configurationName = configuration.metadata?.name ?? '';
  return (configuration.webhooks ?? []).map((hook: AnyWebhook, index) => ({
    kind,
    configurationName,
    index,
    name: hook.name,
    clientConfig: {
      url: hook.clientConfig.url,
      service: hook.clientConfig.service && {
        namespace: hook.clientConfig.service.namespace,
        name: hook.clientConfig.service.name,
        path: hook.clientConfig.service.path,
        port: hook.clientConfig.service.port ?? 443,
      },
      caBundle: decodeCaBundle(hook.clientConfig.caBundle),
    },
    rules: hook.rules ?? [],
    failurePolicy: hook.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchPolicy: hook.matchPolicy === 'Exact' ? 'Exact' : 'Equivalent',
    namespaceSelector: hook.namespaceSelector ?? {},
    objectSelector: hook.objectSelector ?? {},
    sideEffects: hook.sideEffects,
    timeoutSeconds: hook.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    admissionReviewVersions: hook.admissionReviewVersions ?? [],
    reinvocationPolicy: hook.reinvocationPolicy === 'IfNeeded' ? 'IfNeeded' : 'Never',
    matchConditions: (hook.matchConditions ?? []).map((c) => ({ name: c.name, expression: c.expression })),
  }));
}

/** kube-apiserver's order: configurations by name, webhooks in their order within one. */
export function inChainOrder(webhooks: Webhook[]): Webhook[] {
  return [...webhooks].sort((a, b) =>
    a.configurationName === b.configurationName
      ? a.index - b.index
      : a.configurationName < b.configurationName
        ? -1
        : 1,
  );
}
