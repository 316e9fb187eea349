/**
 * Static discovery documents of serverless.kube.io/v1: the APIResourceList of
 * GET /apis/serverless.kube.io/v1 (the aggregator's availability probe and legacy discovery), the
 * APIGroup and APIGroupList, and the aggregated discovery (apidiscovery.k8s.io/v2) form. Built once
 * from constants; serving them can never fail or depend on the backing server.
 */
import { createHash } from 'node:crypto';
import * as names from '../src/api/constants.ts';

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

/** Verbs as kube-apiserver lists them for a custom resource. */
export const RESOURCE_VERBS = [
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'create',
  'update',
  'watch',
];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** discovery.StorageVersionHash: base64 of the first 8 bytes of sha256("group/version/kind"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256')
    .update(`${group}/${version}/${kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

/** The resources of serverless.kube.io/v1: functions and its subresources. */
export const RESOURCES: readonly APIResource[] = [
  {
    name: names.PLURAL,
    singularName: names.SINGULAR,
    namespaced: true,
    kind: names.KIND,
    verbs: RESOURCE_VERBS,
    shortNames: [...names.SHORT_NAMES],
    categories: [...names.CATEGORIES],
    storageVersionHash: storageVersionHash(names.GROUP, names.VERSION, names.KIND),
  },
  {
    name: `${names.PLURAL}/status`,
    singularName: '',
    namespaced: true,
    kind: names.KIND,
    verbs: SUBRESOURCE_VERBS,
  },
  {
    // autoscaling/v1 Scale: HPA and `kubectl scale` resolve the kind from here (client-go scale/util.go).
    name: `${names.PLURAL}/scale`,
    singularName: '',
    namespaced: true,
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
    verbs: SUBRESOURCE_VERBS,
  },
  // Like pods/log, a subresource without a type of its own names its parent's kind.
  { name: `${names.PLURAL}/invoke`, singularName: '', namespaced: true, kind: names.KIND, verbs: ['create'] },
  {
    name: `${names.PLURAL}/metrics`,
    singularName: '',
    namespaced: true,
    kind: names.METRICS_KIND,
    verbs: ['get'],
  },
];

export function apiResourceList() {
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: names.API_VERSION, resources: RESOURCES };
}

const groupVersion = { groupVersion: names.API_VERSION, version: names.VERSION };

/** GET /apis/serverless.kube.io (normally answered by the aggregator from the APIService). */
export function apiGroup() {
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: names.GROUP,
    versions: [groupVersion],
    preferredVersion: groupVersion,
  };
}

/** GET /apis on this server (legacy discovery). */
export function apiGroupList() {
  const { kind: _k, apiVersion: _a, ...group } = apiGroup();
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] };
}

/** The Accept/Content-Type of aggregated discovery. */
export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** GET /apis with Accept: AGGREGATED_DISCOVERY_V2. */
export function aggregatedDiscovery() {
  const [main, ...subs] = RESOURCES;
  const gvk = (r: APIResource) => ({
    group: r.group ?? names.GROUP,
    version: r.version ?? names.VERSION,
    kind: r.kind,
  });
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [
      {
        metadata: { name: names.GROUP, creationTimestamp: null },
        versions: [
          {
            version: names.VERSION,
            resources: [
              {
                resource: main!.name,
                responseKind: gvk(main!),
                scope: 'Namespaced',
                singularResource: main!.singularName,
                verbs: main!.verbs,
                shortNames: main!.shortNames,
                categories: main!.categories,
                subresources: subs.map((s) => ({
                  subresource: s.name.slice(`${names.PLURAL}/`.length),
                  responseKind: gvk(s),
                  verbs: s.verbs,
                })),
              },
            ],
            freshness: 'Current',
          },
        ],
      },
    ],
  };
}
