// Which webhooks a request reaches, as k8s.io/apiserver's webhook rules and predicates decide:
// rules (operations, apiGroups, apiVersions, resources with subresources, scope), then the
// namespaceSelector, then the objectSelector (the object or the old object).
import type { V1RuleWithOperations } from '@kubernetes/client-node';
import { type Labels, selectorIsEmpty, selectorMatches } from './label-selector.ts';
import type { Webhook } from './webhooks.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What admission knows of a request before it reads any object. */
export interface RequestAttributes {
  operation: Operation;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** '' for a cluster-scoped request. */
  namespace: string;
  name: string;
}

const matchesAny = (values: readonly string[] | undefined, value: string) =>
  (values ?? []).some((v) => v === '*' || v === value);

function splitResource(resource: string): [string, string] {
  const slash = resource.indexOf('/');
  return slash < 0 ? [resource, ''] : [resource.slice(0, slash), resource.slice(slash + 1)];
}

function matchesResource(rule: V1RuleWithOperations, attrs: RequestAttributes): boolean {
  return (rule.resources ?? []).some((entry) => {
    const [resource, subresource] = splitResource(entry);
    return (
      (resource === '*' || resource === attrs.resource) &&
      (subresource === '*' || subresource === attrs.subresource)
    );
  });
}

function matchesScope(rule: V1RuleWithOperations, attrs: RequestAttributes): boolean {
  const isNamespaceObject = attrs.group === '' && attrs.resource === 'namespaces';
  switch (rule.scope ?? '*') {
    case 'Namespaced':
      return !isNamespaceObject && attrs.namespace !== '';
    case 'Cluster':
      return isNamespaceObject || attrs.namespace === '';
    default:
      return true;
  }
}

export function ruleMatches(rule: V1RuleWithOperations, attrs: RequestAttributes): boolean {
  return (
    matchesAny(rule.operations, attrs.operation) &&
    matchesAny(rule.apiGroups, attrs.group) &&
    matchesAny(rule.apiVersions, attrs.version) &&
    matchesResource(rule, attrs) &&
    matchesScope(rule, attrs)
  );
}

/**
 * Rules only. serverless.kube.io serves one version of functions and no other group-resource is
 * equivalent to it, so matchPolicy Exact and Equivalent select the same webhooks (ADR 0712).
 */
export function rulesMatch(webhook: Webhook, attrs: RequestAttributes): boolean {
  return webhook.rules.some((rule) => ruleMatches(rule, attrs));
}

/** Cluster-scoped requests are not filtered by a namespaceSelector. */
export function namespaceMatches(
  webhook: Webhook,
  attrs: RequestAttributes,
  namespaceLabels: Labels | undefined,
): boolean {
  if (selectorIsEmpty(webhook.namespaceSelector)) return true;
  if (attrs.namespace === '') return true;
  return selectorMatches(webhook.namespaceSelector, namespaceLabels ?? {});
}

function labelsOf(object: unknown): Labels | undefined {
  const labels = (object as { metadata?: { labels?: unknown } } | null | undefined)?.metadata?.labels;
  return labels && typeof labels === 'object' ? (labels as Labels) : object ? {} : undefined;
}

/** True when the object or the old object carries matching labels. */
export function objectMatches(webhook: Webhook, object: unknown, oldObject: unknown): boolean {
  if (selectorIsEmpty(webhook.objectSelector)) return true;
  return [object, oldObject].some((candidate) => {
    const labels = labelsOf(candidate);
    return labels !== undefined && selectorMatches(webhook.objectSelector, labels);
  });
}
