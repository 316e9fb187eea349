/**
 * The backing CustomResourceDefinition functionrecords.internal.serverless.kube.io, built from the
 * Function schema. scripts/generate-manifests.ts writes it to manifests/base; a test keeps the
 * committed YAML in step with this function.
 */
import {
  BACKING_CRD_NAME,
  BACKING_GROUP,
  BACKING_KIND,
  BACKING_LIST_KIND,
  BACKING_PLURAL,
  BACKING_SINGULAR,
  BACKING_VERSION,
  CONDITION_READY,
  GROUP,
  KIND,
} from './constants.ts';
import { functionSchema } from './schema/function.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

/** Columns of `kubectl get functions`; the aggregated API forwards Table requests to the CRD. */
export const PRINTER_COLUMNS: PrinterColumn[] = [
  { name: 'Runtime', type: 'string', jsonPath: '.spec.runtime', description: 'Language runtime' },
  {
    name: 'Ready',
    type: 'string',
    jsonPath: `.status.conditions[?(@.type=="${CONDITION_READY}")].status`,
    description: 'Whether the function can serve invocations',
  },
  { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas', description: 'Replicas that exist' },
  {
    name: 'URL',
    type: 'string',
    jsonPath: '.status.url',
    description: 'Route of the function on the gateway',
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation' },
  {
    name: 'Reason',
    type: 'string',
    jsonPath: `.status.conditions[?(@.type=="${CONDITION_READY}")].reason`,
    description: 'Why the function is or is not ready',
    priority: 1,
  },
];

/** The scale subresource: spec.replicas, status.replicas and the pods' selector (for the HPA). */
export const SCALE_SUBRESOURCE = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.status.selector',
};

export function functionRecordCRD(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: BACKING_CRD_NAME,
      labels: { 'app.kubernetes.io/name': 'kube-serverless', 'app.kubernetes.io/component': 'storage' },
    },
    spec: {
      group: BACKING_GROUP,
      // No shortNames or categories: the private records must not show up in `kubectl get all`.
      names: {
        kind: BACKING_KIND,
        listKind: BACKING_LIST_KIND,
        plural: BACKING_PLURAL,
        singular: BACKING_SINGULAR,
      },
      scope: 'Namespaced',
      versions: [
        {
          name: BACKING_VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              ...functionSchema,
              description: `${BACKING_KIND} stores a ${GROUP} ${KIND}. Private to the platform: use ${KIND}s of ${GROUP}.`,
            },
          },
          subresources: { status: {}, scale: SCALE_SUBRESOURCE },
          additionalPrinterColumns: PRINTER_COLUMNS,
        },
      ],
    },
  };
}
