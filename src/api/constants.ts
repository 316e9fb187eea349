/**
 * Names of the public API (served by the aggregated API server) and of the private backing CRD.
 * Every other module takes these from here; none spells a group or kind itself.
 */

/** The public, aggregated API: serverless.kube.io/v1 Function. */
export const GROUP = 'serverless.kube.io';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'Function';
export const LIST_KIND = 'FunctionList';
export const PLURAL = 'functions';
export const SINGULAR = 'function';
export const SHORT_NAMES: readonly string[] = ['fn'];
export const CATEGORIES: readonly string[] = ['all'];
/** GroupResource as kube-apiserver prints it in messages: `functions.serverless.kube.io`. */
export const GROUP_RESOURCE = `${PLURAL}.${GROUP}`;
/** GroupKind as kube-apiserver prints it in messages: `Function.serverless.kube.io`. */
export const GROUP_KIND = `${KIND}.${GROUP}`;

/** The private backing CRD that stores Function objects; only the platform touches it. */
export const BACKING_GROUP = 'internal.serverless.kube.io';
export const BACKING_VERSION = 'v1';
export const BACKING_API_VERSION = `${BACKING_GROUP}/${BACKING_VERSION}`;
export const BACKING_KIND = 'FunctionRecord';
export const BACKING_LIST_KIND = 'FunctionRecordList';
export const BACKING_PLURAL = 'functionrecords';
export const BACKING_SINGULAR = 'functionrecord';
export const BACKING_GROUP_RESOURCE = `${BACKING_PLURAL}.${BACKING_GROUP}`;
export const BACKING_GROUP_KIND = `${BACKING_KIND}.${BACKING_GROUP}`;
/** metadata.name of the backing CustomResourceDefinition. */
export const BACKING_CRD_NAME = BACKING_GROUP_RESOURCE;

/** Subresources of functions served by the aggregated API. */
export const SUBRESOURCES = ['status', 'scale', 'invoke', 'metrics'] as const;
export type Subresource = (typeof SUBRESOURCES)[number];

/** The kind returned by GET functions/{name}/metrics. */
export const METRICS_KIND = 'FunctionMetrics';

/** The name of the condition that summarizes a Function's readiness (printer column Ready). */
export const CONDITION_READY = 'Ready';
