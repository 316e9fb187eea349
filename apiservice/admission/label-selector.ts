// metav1.LabelSelector semantics: every matchLabels pair and every matchExpressions requirement
// must hold; an empty selector matches everything.
import type { V1LabelSelector } from '@kubernetes/client-node';

export type Labels = Record<string, string>;

export function selectorIsEmpty(selector: V1LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

export function selectorMatches(selector: V1LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator kube-apiserver would have refused: it matches nothing.
        return false;
    }
  }
  return true;
}
