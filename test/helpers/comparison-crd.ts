// A plain CustomResourceDefinition to compare the aggregated API with: widgets.example.kube.io
// has the FunctionRecord schema, subresources and printer columns under other names, so the same
// request sent to both must get the same answer once the names are swapped.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Kubectl } from './kubectl.ts';

const repoRoot = new URL('../..', import.meta.url).pathname;

export const WIDGETS = {
  group: 'example.kube.io',
  apiVersion: 'example.kube.io/v1',
  kind: 'Widget',
  plural: 'widgets',
  singular: 'widget',
};

/** The backing CRD's manifest under the Widget names. */
export async function widgetCrd(): Promise<Record<string, unknown>> {
  // biome-ignore lint/suspicious/noExplicitAny: a manifest walked untyped
  const crd: any = parse(await readFile(join(repoRoot, 'manifests/base/crd-functionrecords.yaml'), 'utf8'));
  crd.metadata = { name: `${WIDGETS.plural}.${WIDGETS.group}` };
  crd.spec.group = WIDGETS.group;
  crd.spec.names = {
    kind: WIDGETS.kind,
    listKind: `${WIDGETS.kind}List`,
    plural: WIDGETS.plural,
    singular: WIDGETS.singular,
  };
  return crd;
}

export async function installWidgetCrd(kubectl: Kubectl): Promise<void> {
  await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(await widgetCrd()) });
  await kubectl.ok([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    `crd/${WIDGETS.plural}.${WIDGETS.group}`,
  ]);
}

/** Text about widgets, reworded as if it were about functions. */
export function asFunctions(text: string): string {
  return text
    .replaceAll(WIDGETS.group, 'serverless.kube.io')
    .replaceAll('Widget', 'Function')
    .replaceAll('widgets', 'functions')
    .replaceAll('widget', 'function');
}
