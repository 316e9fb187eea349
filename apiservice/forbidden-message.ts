// The reason text of a 403, worded as k8s.io/apiserver's forbiddenMessage.
import { GROUP } from '../src/api/constants.ts';
import type { UserInfo } from './authn.ts';
import type { RequestInfo } from './request-info.ts';

export function forbiddenReason(user: UserInfo, info: RequestInfo, authorizerReason: string): string {
  const suffix = authorizerReason ? `: ${authorizerReason}` : '';
  if (info.kind === 'nonResource')
    return `User "${user.username}" cannot ${info.verb} path "${info.path}"${suffix}`;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  return `User "${user.username}" cannot ${info.verb} resource "${resource}" in API group "${GROUP}" ${scope}${suffix}`;
}
