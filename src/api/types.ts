/**
 * Wire types of serverless.kube.io/v1 (JSON as sent and received, timestamps as RFC 3339 strings).
 * The JSON schema in ./schema/ is the source of truth; these types follow it field for field.
 */
import type { API_VERSION, KIND, LIST_KIND, METRICS_KIND } from './constants.ts';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  selfLink?: string;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  selfLink?: string;
}

/** core/v1 EnvVar. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name?: string; key: string; optional?: boolean };
    secretKeyRef?: { name?: string; key: string; optional?: boolean };
    fieldRef?: { apiVersion?: string; fieldPath: string };
    resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number };
  };
}

/** A resource quantity: "100m", "128Mi", 2. */
export type Quantity = string | number;

/** core/v1 ResourceRequirements. */
export interface ResourceRequirements {
  limits?: Record<string, Quantity>;
  requests?: Record<string, Quantity>;
  claims?: { name: string; request?: string }[];
}

/** Exactly one of inline, files, configMapRef. */
export interface FunctionSource {
  inline?: string;
  files?: Record<string, string>;
  configMapRef?: { name: string };
}

export interface ScaleSpec {
  minReplicas?: number;
  maxReplicas?: number;
  targetCPUUtilizationPercentage?: number;
  idleTimeoutSeconds?: number;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface HttpTrigger {
  path?: string;
  methods?: HttpMethod[];
}

export interface CronTrigger {
  name: string;
  schedule: string;
  timeZone?: string;
  body?: string;
}

export interface RabbitMQTrigger {
  name: string;
  connectionSecretRef: { name: string };
  exchange?: string;
  routingKey?: string;
  prefetch?: number;
  maxRetries?: number;
  deadLetterExchange?: string;
}

export interface Triggers {
  http?: HttpTrigger;
  cron?: CronTrigger[];
  rabbitmq?: RabbitMQTrigger[];
}

export interface FunctionSpec {
  runtime: string;
  handler?: string;
  source: FunctionSource;
  env?: EnvVar[];
  resources?: ResourceRequirements;
  timeoutSeconds?: number;
  concurrency?: number;
  /** Desired replicas, written through the scale subresource (activator, idler); see ADR 0403. */
  replicas?: number;
  scale?: ScaleSpec;
  triggers?: Triggers;
}

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface FunctionStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  replicas?: number;
  readyReplicas?: number;
  /** Label selector of the function's pods, for the scale subresource (HPA). */
  selector?: string;
  url?: string;
}

/** A Function object (named so to not shadow the global `Function`). */
export interface FunctionObject {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: FunctionSpec;
  status?: FunctionStatus;
}

export interface FunctionList {
  apiVersion: typeof API_VERSION;
  kind: typeof LIST_KIND;
  metadata: ListMeta;
  items: FunctionObject[];
}

/** GET functions/{name}/metrics. */
export interface FunctionMetrics {
  apiVersion: typeof API_VERSION;
  kind: typeof METRICS_KIND;
  metadata: { name: string; namespace: string; creationTimestamp?: string };
  invocations: { total: number; errors: number };
  coldStarts: number;
  durationSeconds: { p50: number; p95: number; p99: number };
  replicas: number;
  lastInvocationTime?: string;
}
