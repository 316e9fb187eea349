// Delegated authentication and authorization: TokenReview and SubjectAccessReview against
// kube-apiserver, each decision cached briefly as k8s.io/apiserver does.
import { createHash } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../src/api/constants.ts';
import { TtlCache } from '../src/util/ttl-cache.ts';
import type { TokenReviewer, UserInfo } from './authn.ts';
import type { RequestInfo } from './request-info.ts';

const CACHE_TTL_MS = 10_000;

export function createTokenReviewer(kubeConfig: KubeConfig): TokenReviewer {
  const api = kubeConfig.makeApiClient(AuthenticationV1Api);
  const cache = new TtlCache<UserInfo | undefined>(CACHE_TTL_MS);
  return (token) =>
    cache.get(createHash('sha256').update(token).digest('hex'), async () => {
      const review = await api.createTokenReview({ body: { spec: { token } } });
      const user = review.status?.authenticated ? review.status.user : undefined;
      if (!user?.username) return undefined;
      return { username: user.username, uid: user.uid, groups: user.groups ?? [], extra: user.extra ?? {} };
    });
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export type Authorizer = (user: UserInfo, request: RequestInfo) => Promise<Decision>;

export function createAuthorizer(kubeConfig: KubeConfig): Authorizer {
  const api = kubeConfig.makeApiClient(AuthorizationV1Api);
  const cache = new TtlCache<Decision>(CACHE_TTL_MS);
  return (user, request) => {
    // k8s.io/apiserver lets system:masters through without asking.
    if (user.groups.includes('system:masters')) return Promise.resolve({ allowed: true, reason: '' });
    const attributes =
      request.kind === 'resource'
        ? {
            resourceAttributes: {
              group: GROUP,
              version: VERSION,
              resource: request.resource,
              subresource: request.subresource,
              name: request.name,
              namespace: request.namespace,
              verb: request.verb,
            },
          }
        : { nonResourceAttributes: { path: request.path, verb: request.verb } };
    const spec = {
      user: user.username,
      uid: user.uid,
      groups: user.groups,
      extra: user.extra,
      ...attributes,
    };
    return cache.get(JSON.stringify(spec), async () => {
      const review = await api.createSubjectAccessReview({ body: { spec } });
      return { allowed: review.status?.allowed === true, reason: review.status?.reason ?? '' };
    });
  };
}
