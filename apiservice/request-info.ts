// What a request asks for, in the terms authorization uses: verb, namespace, resource, name and
// subresource for resource paths; the path alone for everything else (as k8s.io/apiserver's
// RequestInfoFactory does for one group-version).
import { GROUP, PLURAL, SUBRESOURCES, VERSION } from '../src/api/constants.ts';
import { badRequest } from './errors.ts';

export const GROUP_VERSION_PATH = `/apis/${GROUP}/${VERSION}`;

export interface ResourceRequest {
  kind: 'resource';
  verb: string;
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** functions or one of its subresources: the paths this server implements. */
  served: boolean;
  /** A deprecated `/watch/...` path (always verb watch, whatever the method or query). */
  watchPath: boolean;
}

export interface NonResourceRequest {
  kind: 'nonResource';
  verb: string;
  path: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

const READ_ONLY = new Set(['GET', 'HEAD']);

function resourceVerb(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return named ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** A path unescaped; broken escapes are a bad request, as Go's URL parser makes them. */
function unescapeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in path segment "${segment}"`);
  }
}

/** Parses a request path under /apis/serverless.kube.io/v1; anything else is non-resource. */
export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const nonResource = (): NonResourceRequest => ({
    kind: 'nonResource',
    verb: READ_ONLY.has(method) ? 'get' : method.toLowerCase(),
    path,
  });
  if (!path.startsWith(`${GROUP_VERSION_PATH}/`)) return nonResource();
  // Unescaped before splitting, as Go's URL.Path is: `a%2Fb` is two segments there too, so a
  // name can never carry a slash into the backing path.
  const parts = unescapeSegment(path.slice(GROUP_VERSION_PATH.length + 1)).split('/');
  // `/watch/<the path of a list or an object>`: deprecated but served for CRDs, as a watch.
  const watchPath = parts[0] === 'watch' && parts.length >= 2;
  if (watchPath) parts.shift();
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  const [resource = '', name, subresource] = parts;
  // metav1 decodes a bool parameter as true unless it is absent, "0" or "false" (any case).
  const watchParam = url.searchParams.get('watch');
  const watch = watchParam !== null && watchParam !== '0' && watchParam.toLowerCase() !== 'false';
  const verb = watchPath ? 'watch' : resourceVerb(method, name !== undefined, watch);
  // Like kube-apiserver, segments after the subresource are ignored (`f/status/x` is `f/status`).
  const served =
    resource === PLURAL &&
    (subresource === undefined || (SUBRESOURCES as readonly string[]).includes(subresource));
  return { kind: 'resource', verb, resource, namespace, name, subresource, served, watchPath };
}
